namespace Observe.Store.Model;

/// <summary>CloudWatch alarm state.</summary>
public enum AlarmState
{
    Ok,
    Alarm,
    InsufficientData,
}

/// <summary>A CloudWatch metric or composite alarm.</summary>
public sealed record CloudWatchAlarm
{
    public required string AccountId { get; init; }
    public required string Region { get; init; }
    public required string Name { get; init; }
    public required string Arn { get; init; }

    /// <summary><c>metric</c> or <c>composite</c>.</summary>
    public string Kind { get; init; } = "metric";

    public AlarmState State { get; init; }
    public string? StateReason { get; init; }
    public DateTimeOffset StateUpdated { get; init; }

    /// <summary>The function the alarm watches when its dimensions name one.</summary>
    public string? FunctionName { get; init; }

    public string? MetricName { get; init; }
    public string? Namespace { get; init; }

    /// <summary>
    /// A composite alarm's rule as CloudWatch states it (for example <c>ALARM("api-errors") OR ALARM(api-latency)</c>),
    /// naming the alarms it combines; null for a metric alarm, or a composite stored before the store kept rules.
    /// </summary>
    public string? Rule { get; init; }
}

/// <summary>One transition of an alarm's state.</summary>
public sealed record AlarmStateChange(
    string AlarmArn,
    DateTimeOffset Timestamp,
    AlarmState From,
    AlarmState To,
    string? Reason);
