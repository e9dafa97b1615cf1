using Observe.Store.Model;

namespace Observe.Store;

/// <summary>
/// Error groups as the Errors page reads them: by fingerprint across functions, with their triage status. Reads are
/// bounded by a limit and filtered by the database.
/// </summary>
public interface IErrorGroupReader
{
    /// <summary>
    /// Errors with occurrences in the range that match the query, in its order, at most <paramref name="limit"/>.
    /// Only occurrences in the query's functions count; the status filter applies to the status now.
    /// </summary>
    Task<IReadOnlyList<ErrorSummary>> GetErrorSummariesAsync(ErrorQuery query, TimeRange range, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Occurrences of each fingerprint (of those named) per bucket of <paramref name="bucket"/> from the range's start:
    /// an array of the range's bucket count, a pass counted in the bucket of its last occurrence (the last bucket for
    /// a pass that ends after the range). A fingerprint with none in the range is absent.
    /// </summary>
    Task<IReadOnlyDictionary<string, long[]>> GetErrorTrendsAsync(
        IReadOnlyCollection<string> fingerprints, ErrorQuery query, TimeRange range, TimeSpan bucket, CancellationToken cancellationToken);

    /// <summary>The functions with occurrences of the fingerprint in the range (within the query's filter), most occurrences first.</summary>
    Task<IReadOnlyList<ErrorFunction>> GetErrorFunctionsAsync(string fingerprint, ErrorQuery query, TimeRange range, int limit, CancellationToken cancellationToken);

    /// <summary>The status changes of a group, newest first, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<ErrorStatusChange>> GetErrorStatusHistoryAsync(string fingerprint, int limit, CancellationToken cancellationToken);
}

/// <summary>Triage: who set a group's status and when. The collectors never write it, except to re-open a resolved group.</summary>
public interface IErrorStatusWriter
{
    /// <summary>
    /// Sets the status of every function's group with the fingerprint, recording <paramref name="actor"/> and
    /// <paramref name="at"/> in its history, and clears a regression mark. Setting the status it already has (with no
    /// regression mark) changes nothing and returns null. Throws <see cref="ArgumentException"/> when no group has the
    /// fingerprint.
    /// </summary>
    Task<ErrorStatusChange?> SetErrorStatusAsync(string fingerprint, ErrorStatus status, string actor, DateTimeOffset at, CancellationToken cancellationToken);
}
