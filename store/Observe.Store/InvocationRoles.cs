using Observe.Store.Model;

namespace Observe.Store;

/// <summary>Invocation reports as read back: by pages, and by the logs collector to count cold starts per minute.</summary>
public interface IInvocationReader
{
    /// <summary>Reports of one function (or of all when null) in the range, newest first, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<InvocationReport>> GetInvocationReportsAsync(FunctionKey? function, TimeRange range, bool coldStartsOnly, int limit, CancellationToken cancellationToken);

    /// <summary>Cold starts (reports with an init duration) of one function per UTC minute in the range; minutes with none are absent.</summary>
    Task<IReadOnlyDictionary<DateTimeOffset, int>> CountColdStartsAsync(FunctionKey function, TimeRange range, CancellationToken cancellationToken);
}

/// <summary>The error groups pages show.</summary>
public interface IErrorReader
{
    /// <summary>
    /// Error groups with occurrences in the range, most occurrences first. <see cref="ErrorGroup.Count"/> counts the
    /// passes overlapping the range; <see cref="ErrorGroup.FirstSeen"/> and <see cref="ErrorGroup.LastSeen"/> are the
    /// group's over all time, so a reader can tell a new error from an old one.
    /// </summary>
    Task<IReadOnlyList<ErrorGroup>> GetErrorGroupsAsync(FleetFilter filter, TimeRange range, int limit, CancellationToken cancellationToken);
}

/// <summary>What the logs collector writes: invocation reports, init events and error occurrences.</summary>
public interface IInvocationWriter
{
    /// <summary>Stores reports; a report whose request id is already stored is ignored.</summary>
    Task WriteInvocationReportsAsync(IReadOnlyCollection<InvocationReport> reports, CancellationToken cancellationToken);

    /// <summary>Stores init events (<c>platform.initReport</c>); one already stored (same function, time, type and duration) is ignored.</summary>
    Task WriteInitEventsAsync(IReadOnlyCollection<InitEvent> events, CancellationToken cancellationToken);

    /// <summary>
    /// Adds occurrences to their groups (creating groups on first sight). Idempotent per pass: occurrences are kept
    /// per (function, fingerprint, <see cref="ErrorOccurrences.FirstSeen"/>, <see cref="ErrorOccurrences.LastSeen"/>),
    /// so replaying a pass replaces its count instead of adding it again. Two different passes must not report the
    /// same log events (the logs collector's checkpoint ensures it).
    /// </summary>
    Task RecordErrorsAsync(IReadOnlyCollection<ErrorOccurrences> occurrences, CancellationToken cancellationToken);
}
