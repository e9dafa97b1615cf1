using Microsoft.Extensions.Options;

namespace Observe.Collectors.Alarms;

/// <summary>How the alarms collector polls CloudWatch alarms. Bound from <c>Observe:Collectors:Alarms</c>.</summary>
public sealed class AlarmsCollectorOptions
{
    public const string SectionName = "Observe:Collectors:Alarms";

    /// <summary>
    /// Time between two DescribeAlarms listings of one account and region. Default 1 min: alarms evaluate every minute
    /// at most, and a listing costs one call per 100 alarms.
    /// </summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How far back the first pass over a target reads DescribeAlarmHistory; later passes continue from where the
    /// previous one ended. Default 1 h.
    /// </summary>
    public TimeSpan HistoryLookback { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// The longest history window one pass reads: after the collector was stopped (or DescribeAlarmHistory failed) for
    /// longer, the older part is left out and logged, so one pass never pages through weeks of history. Default 1 day.
    /// </summary>
    public TimeSpan HistoryMaxCatchUp { get; set; } = TimeSpan.FromDays(1);
}

/// <summary>Validates <see cref="AlarmsCollectorOptions"/> at start, naming each bad setting by its path.</summary>
internal sealed class AlarmsCollectorOptionsValidator : IValidateOptions<AlarmsCollectorOptions>
{
    public ValidateOptionsResult Validate(string? name, AlarmsCollectorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.Interval < TimeSpan.FromSeconds(10))
        {
            failures.Add($"{AlarmsCollectorOptions.SectionName}:Interval '{options.Interval}' must be at least 00:00:10");
        }

        if (options.HistoryLookback < TimeSpan.FromMinutes(1))
        {
            failures.Add($"{AlarmsCollectorOptions.SectionName}:HistoryLookback '{options.HistoryLookback}' must be at least 00:01:00");
        }

        if (options.HistoryMaxCatchUp < options.HistoryLookback)
        {
            failures.Add($"{AlarmsCollectorOptions.SectionName}:HistoryMaxCatchUp '{options.HistoryMaxCatchUp}' must be at least HistoryLookback '{options.HistoryLookback}'");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
