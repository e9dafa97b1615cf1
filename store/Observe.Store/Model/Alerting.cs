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

    /// <summary>One sentence saying what the rule catches.</summary>
    public string Description { get; init; } = "";

    /// <summary>
    /// The rule as its author wrote it (the alerting rules format), parsed by the same parser as a rules file so a rule
    /// behaves the same from either source. <see cref="Condition"/> and <see cref="Scope"/> are kept beside it for the
    /// collectors, which do not parse rules.
    /// </summary>
    public string Document { get; init; } = "";

    public TimeSpan KeepFiringFor { get; init; }

    /// <summary>Who saved this version of the rule.</summary>
    public string UpdatedBy { get; init; } = "";
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

    /// <summary>What the last evaluation said about it, for people (the figure and its threshold).</summary>
    public string Summary { get; init; } = "";

    public string Severity { get; init; } = "warning";

    /// <summary>When it last went from pending to firing; null while it never fired.</summary>
    public DateTimeOffset? FiredAt { get; init; }

    /// <summary>The last evaluation at which the condition held (keep-firing counts from here).</summary>
    public DateTimeOffset? LastActiveAt { get; init; }

    /// <summary>Since when the figure could not be read (null while it is read); an unknown figure never resolves.</summary>
    public DateTimeOffset? UnknownSince { get; init; }

    /// <summary>An on-call engineer acknowledged it: repeats stop, the alert still resolves on its own.</summary>
    public string? AcknowledgedBy { get; init; }

    public DateTimeOffset? AcknowledgedAt { get; init; }
}

/// <summary>One change of an alert instance, for its history: a status change, an acknowledgement.</summary>
public sealed record AlertTransition
{
    public required string RuleId { get; init; }
    public required string LabelsKey { get; init; }
    public required DateTimeOffset At { get; init; }

    /// <summary>Null for the instance's first transition.</summary>
    public AlertStatus? From { get; init; }

    public required AlertStatus To { get; init; }
    public double? Value { get; init; }
    public string Summary { get; init; } = "";

    /// <summary>Who made the change when a person did (an acknowledgement); null for the evaluator.</summary>
    public string? Actor { get; init; }
}

/// <summary>
/// A lease in the store: the holder may act (evaluate and send, collect a target) until <see cref="ExpiresAt"/>.
/// <see cref="Token"/> grows each time the lease changes hands, so a holder that lost it cannot write with its old one.
/// </summary>
public sealed record Lease(string Name, string Holder, long Token, DateTimeOffset AcquiredAt, DateTimeOffset ExpiresAt);

/// <summary>
/// What one evaluation cycle writes, in one transaction and only while <see cref="Lease"/> is still held: the alert
/// instances and their transitions, and the notifications they cause (the outbox), so a crash after it loses nothing
/// and a crash before it sends nothing.
/// </summary>
public sealed record AlertEvaluationCommit
{
    public required Lease Lease { get; init; }

    /// <summary>When the cycle ran, by the evaluator's clock: the lease must not have expired at this instant.</summary>
    public required DateTimeOffset At { get; init; }

    public IReadOnlyList<AlertInstance> Instances { get; init; } = [];
    public IReadOnlyList<AlertTransition> Transitions { get; init; } = [];

    /// <summary>Instances to remove (resolved long ago, or of a scope that no longer matches), by rule id and labels key.</summary>
    public IReadOnlyList<(string RuleId, string LabelsKey)> Deletes { get; init; } = [];

    public IReadOnlyList<NotificationRecord> Notifications { get; init; } = [];
}

/// <summary>How one delivery attempt ended.</summary>
public enum DeliveryOutcome
{
    /// <summary>Started and not finished: the process stopped mid-send, so the receiver may or may not have it.</summary>
    InFlight,
    Delivered,
    RetryScheduled,
    Permanent,
    GaveUp,
}

/// <summary>One attempt to deliver one notification: the delivery log.</summary>
public sealed record DeliveryAttempt
{
    public required string NotificationId { get; init; }
    public required string ChannelId { get; init; }
    public required int Attempt { get; init; }
    public required DateTimeOffset StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
    public DeliveryOutcome Outcome { get; init; } = DeliveryOutcome.InFlight;
    public int? StatusCode { get; init; }

    /// <summary>The receiver's or the transport's error, secrets masked.</summary>
    public string? Error { get; init; }
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

    /// <summary>
    /// <c>pending</c> (queued, due at <see cref="NextAttemptAt"/>), <c>sending</c> (an attempt started and did not
    /// finish), <c>sent</c>, <c>failed</c> (permanent error or retries exhausted).
    /// </summary>
    public string Status { get; init; } = "pending";

    /// <summary><c>firing</c>, <c>resolved</c>, <c>repeat</c> or <c>test</c>.</summary>
    public string Kind { get; init; } = "firing";

    /// <summary>The message as the channels render it (JSON), written before anything is sent.</summary>
    public string Payload { get; init; } = "";

    /// <summary>Same for every notification of one group, across repeats and the resolve (PagerDuty's dedup key).</summary>
    public string DedupKey { get; init; } = "";

    /// <summary>When the next attempt is due; the sender skips the record before then (backoff, Retry-After).</summary>
    public DateTimeOffset NextAttemptAt { get; init; }
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

    /// <summary>Who ended the silence early, when someone did (<see cref="EndsAt"/> is then when they did).</summary>
    public string? ExpiredBy { get; init; }
}
