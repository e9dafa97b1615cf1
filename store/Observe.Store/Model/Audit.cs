namespace Observe.Store.Model;

/// <summary>
/// One change made through the dashboard: who (the signed-in user's name), what (an action such as
/// <c>error.status</c> and its target), when, and the state before and after as JSON with secrets already masked.
/// </summary>
public sealed record AuditEntry
{
    /// <summary>Assigned by the store; 0 on an entry not yet written.</summary>
    public long Id { get; init; }

    public required DateTimeOffset At { get; init; }

    public required string Actor { get; init; }

    public required string Action { get; init; }

    public required string Target { get; init; }

    /// <summary>JSON of the state before the change; null when there was none (a creation).</summary>
    public string? Before { get; init; }

    /// <summary>JSON of the state after the change, or of the outcome when nothing changed; null for a deletion.</summary>
    public string? After { get; init; }
}

/// <summary>Which audit entries to read: each filter optional, newest first, one page of <see cref="Limit"/> at <see cref="Offset"/>.</summary>
public sealed record AuditQuery
{
    /// <summary>Entries by this user only (exact name).</summary>
    public string? Actor { get; init; }

    /// <summary>Entries of this action only (exact).</summary>
    public string? Action { get; init; }

    /// <summary>Entries at or after this instant.</summary>
    public DateTimeOffset? From { get; init; }

    /// <summary>Entries before this instant.</summary>
    public DateTimeOffset? To { get; init; }

    public int Offset { get; init; }

    public int Limit { get; init; } = 50;
}

/// <summary>One page of the audit log and how many entries match the query in all.</summary>
public sealed record AuditPage(IReadOnlyList<AuditEntry> Entries, long Total);

/// <summary>One element of the Data Protection key ring as stored.</summary>
public sealed record DataProtectionKeyElement(string Name, string Xml, DateTimeOffset StoredAt);
