using Observe.Alerting.Rules;

namespace Observe.Alerting.Delivery;

internal enum AlertMessageStatus
{
    Firing,
    Resolved,
}

/// <summary>One alert in a notification: what fired, for which function, since when, with the figure that fired it.</summary>
internal sealed record AlertMessageItem(
    string RuleId,
    string LabelsKey,
    IReadOnlyDictionary<string, string> Labels,
    AlertMessageStatus Status,
    DateTimeOffset ActiveSince,
    DateTimeOffset? ResolvedAt,
    string Summary,
    Uri? Link);

/// <summary>
/// A notification for one group of alerts, as every channel renders it: what fired, how bad, since when, for which
/// functions, with a link to the dashboard page that shows it. Stored as JSON in the outbox before it is sent.
/// </summary>
internal sealed record AlertMessage
{
    public required string GroupKey { get; init; }

    /// <summary>Stable across repeats and the resolve of the same group: PagerDuty's dedup key, the e-mail thread.</summary>
    public required string DedupKey { get; init; }

    public required AlertMessageStatus Status { get; init; }
    public required AlertSeverity Severity { get; init; }
    public required string Title { get; init; }
    public string Description { get; init; } = "";
    public required DateTimeOffset Since { get; init; }
    public required IReadOnlyList<AlertMessageItem> Alerts { get; init; }

    /// <summary>The dashboard page for the whole group (the Alerts page filtered to it), from the public base URL.</summary>
    public Uri? Link { get; init; }

    /// <summary>True for a test send from the Channels page: receivers see it labelled as a test.</summary>
    public bool IsTest { get; init; }
}
