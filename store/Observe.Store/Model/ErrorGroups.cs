namespace Observe.Store.Model;

/// <summary>Where an error group stands in someone's triage. Every group starts <see cref="Active"/>.</summary>
public enum ErrorStatus
{
    Active,
    Ignored,
    Resolved,
}

/// <summary>The order of <see cref="IErrorGroupReader.GetErrorSummariesAsync"/>; ties go to the fingerprint.</summary>
public enum ErrorSort
{
    /// <summary>Most occurrences in the range first.</summary>
    Count,

    /// <summary>Most recently seen first.</summary>
    LastSeen,

    /// <summary>Most recently first seen (newest errors) first.</summary>
    FirstSeen,
}

/// <summary>
/// Which error groups a page reads. Empty fields do not filter. <see cref="Text"/> matches the message, error type or
/// fingerprint of any function's group, ignoring case (ASCII letters only on SQLite).
/// </summary>
public sealed record ErrorQuery
{
    public FleetFilter Filter { get; init; } = FleetFilter.All;

    /// <summary>Only occurrences in functions of this name (in the filter's accounts and regions).</summary>
    public string? FunctionName { get; init; }

    public ErrorStatus? Status { get; init; }

    public string? Text { get; init; }

    /// <summary>One group only (a drill-down).</summary>
    public string? Fingerprint { get; init; }

    public ErrorSort Sort { get; init; } = ErrorSort.Count;
}

/// <summary>
/// One error across the fleet: every function's group with this fingerprint, limited to the query's functions.
/// <see cref="Count"/> and <see cref="Functions"/> are over the range; <see cref="FirstSeen"/> and
/// <see cref="LastSeen"/> over all time stored, so a reader can tell a new error from an old one. Type, message and
/// sample are those of the most recently seen function's group.
/// </summary>
public sealed record ErrorSummary
{
    public required string Fingerprint { get; init; }
    public required string ErrorType { get; init; }
    public required string Message { get; init; }
    public required DateTimeOffset FirstSeen { get; init; }
    public required DateTimeOffset LastSeen { get; init; }
    public required long Count { get; init; }

    /// <summary>Functions with occurrences in the range.</summary>
    public required int Functions { get; init; }

    public required ErrorStatusInfo Status { get; init; }

    /// <summary>The function of the sample (the most recently seen).</summary>
    public required FunctionKey SampleFunction { get; init; }

    public string? SampleStackTrace { get; init; }
    public string? SampleRequestId { get; init; }
    public string? SampleTraceId { get; init; }
}

/// <summary>
/// A group's status. <see cref="ChangedBy"/> and <see cref="ChangedAt"/> are null for a group nobody triaged (it is
/// active since it was first seen). <see cref="Regression"/>: it was resolved and occurred again, which re-opened it;
/// the next status someone sets clears it.
/// </summary>
public sealed record ErrorStatusInfo(ErrorStatus Status, string? ChangedBy, DateTimeOffset? ChangedAt, bool Regression)
{
    public static ErrorStatusInfo Untriaged { get; } = new(ErrorStatus.Active, null, null, false);
}

/// <summary>One change of a group's status. <see cref="Regression"/>: the store re-opened it because it occurred again.</summary>
public sealed record ErrorStatusChange(string Fingerprint, DateTimeOffset At, ErrorStatus From, ErrorStatus To, string Actor, bool Regression)
{
    /// <summary>Who re-opens a resolved group that occurred again: the store itself, as occurrences are recorded.</summary>
    public const string RecurrenceActor = "Observe (occurred again)";
}

/// <summary>One function's part of an error group over a range.</summary>
public sealed record ErrorFunction(FunctionKey Function, long Count, DateTimeOffset FirstSeen, DateTimeOffset LastSeen);
