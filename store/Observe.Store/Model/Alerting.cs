namespace Observe.Store.Model;

/// <summary>A user-defined alert rule. The condition is an expression the alerting engine evaluates.</summary>
public sealed record AlertRule
{
    public required string Id { get; init; }
    public required string Name { get; init; }

    /// <summary>What is watched, for example <c>error_rate &gt; 0.05</c>; interpreted by the alerting engine.</summary>
    public required string Condition { get; init; }

    public FleetFilter Scope { get; init; } = FleetFilter.All;
    public TimeSpan For { get; init; }
    public string Severity { get; init; } = "warning";

    /// <summary>Notification channel ids.</summary>
    public IReadOnlyList<string> Channels { get; init; } = [];

    public bool Enabled { get; init; } = true;
    public DateTimeOffset UpdatedAt { get; init; }
}

/// <summary>State of one alert instance.</summary>
public enum AlertStatus
{
    Pending,
    Firing,
    Resolved,
}

/// <summary>One alert instance: a rule firing for a set of labels (for example one function).</summary>
public sealed record AlertInstance
{
    public required string RuleId { get; init; }

    /// <summary>Stable key of the labels, for example the function key.</summary>
    public required string LabelsKey { get; init; }

    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    public AlertStatus Status { get; init; }
    public DateTimeOffset ActiveSince { get; init; }
    public DateTimeOffset? ResolvedAt { get; init; }
    public double? Value { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
}

/// <summary>A notification sent (or being sent) for a group of alerts: the notification log that deduplicates.</summary>
public sealed record NotificationRecord
{
    public required string Id { get; init; }
    public required string ChannelId { get; init; }
    public required string GroupKey { get; init; }

    /// <summary>Hash of the firing and resolved sets that were sent; a group is re-sent when it changes.</summary>
    public required string ContentHash { get; init; }

    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? SentAt { get; init; }
    public int Attempts { get; init; }
    public string? LastError { get; init; }

    /// <summary><c>pending</c>, <c>sent</c> or <c>failed</c>.</summary>
    public string Status { get; init; } = "pending";
}

/// <summary>A silence: alerts whose labels match are not notified between start and end.</summary>
public sealed record Silence
{
    public required string Id { get; init; }
    public IReadOnlyDictionary<string, string> Matchers { get; init; } = new Dictionary<string, string>();
    public required DateTimeOffset StartsAt { get; init; }
    public required DateTimeOffset EndsAt { get; init; }
    public string CreatedBy { get; init; } = "";
    public string Comment { get; init; } = "";
}
