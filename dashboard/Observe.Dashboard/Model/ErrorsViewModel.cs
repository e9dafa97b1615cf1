using Observe.Store.Model;

namespace Observe.Dashboard.Model;

/// <summary>
/// One page of the Errors list: error groups (by fingerprint across functions) with occurrences in the range, in the
/// address's order, <see cref="PageSize"/> at most from the <see cref="Page"/>th (<see cref="HasMore"/> when a later
/// page has more). <see cref="Collector"/> says whether the logs collector, which finds errors, has run, so an empty
/// list can say why it is empty.
/// </summary>
public sealed record ErrorsViewModel(
    TimeRange Range,
    IReadOnlyList<ErrorRow> Rows,
    bool HasMore,
    int Page,
    int PageSize,
    LogsCollectorSummary Collector,
    IReadOnlyList<string> Accounts,
    IReadOnlyList<string> Regions)
{
    /// <summary>The position of the page's first row in the whole list, from 1.</summary>
    public int FirstRow => (Page - 1) * PageSize + 1;

    /// <summary>
    /// Builds the page's rows from the store's summaries from the page's first row on (read with one more than
    /// <paramref name="pageSize"/>, to know whether a later page has more) and their trends, null when not read yet.
    /// </summary>
    public static ErrorsViewModel Create(
        TimeRange range, IReadOnlyList<ErrorSummary> summaries, IReadOnlyDictionary<string, long[]>? trends, int page, int pageSize, IEnumerable<CollectorStatus> statuses)
    {
        ArgumentNullException.ThrowIfNull(summaries);
        var collector = LogsCollectorSummary.From(statuses);
        var rows = summaries.Take(pageSize)
            .Select(s => new ErrorRow(s, trends is null ? null : trends.TryGetValue(s.Fingerprint, out var trend) ? trend : [], IsNew: s.FirstSeen >= range.From))
            .ToList();
        return new ErrorsViewModel(range, rows, summaries.Count > pageSize, page, pageSize, collector, collector.Accounts, collector.Regions);
    }
}

/// <summary>One error group as the list shows it.</summary>
/// <param name="Summary">The group as the store summed it over the range.</param>
/// <param name="Trend">Occurrences per equal slice of the range, oldest first; null while not read (prerendering).</param>
/// <param name="IsNew">First seen (anywhere in the filtered functions) within the range.</param>
public sealed record ErrorRow(ErrorSummary Summary, IReadOnlyList<long>? Trend, bool IsNew)
{
    public bool IsRegression => Summary.Status.Regression;

    public string StatusWord => ErrorsFormat.StatusWord(Summary.Status.Status);

    public string StatusNote => ErrorsFormat.StatusNote(Summary.Status);

    public string Count => FigureFormat.Count(Summary.Count);

    public string ExactCount => FigureFormat.ExactCount(Summary.Count);

    public string FirstSeen => AlarmRow.FormatUtc(Summary.FirstSeen);

    public string LastSeen => AlarmRow.FormatUtc(Summary.LastSeen);
}

/// <summary>Words shared by the list and one error's view.</summary>
public static class ErrorsFormat
{
    public static string StatusWord(ErrorStatus status) => status switch
    {
        ErrorStatus.Ignored => "Ignored",
        ErrorStatus.Resolved => "Resolved",
        _ => "Active",
    };

    /// <summary>Who set the status and when, or that nobody has.</summary>
    public static string StatusNote(ErrorStatusInfo status)
    {
        ArgumentNullException.ThrowIfNull(status);
        if (status.ChangedAt is not { } at)
        {
            return "Active since first seen; nobody has changed its status";
        }

        return status.Regression
            ? $"Re-opened {AlarmRow.FormatUtc(at)}: it was resolved and occurred again"
            : $"{StatusWord(status.Status)} by {status.ChangedBy} at {AlarmRow.FormatUtc(at)}";
    }

    /// <summary>The bucket of a sparkline of <paramref name="buckets"/> bars over the range: whole minutes, one at least.</summary>
    public static TimeSpan SparklineBucket(TimeSpan range, int buckets)
    {
        var minutes = Math.Max(1, (long)Math.Ceiling(range.TotalMinutes / buckets));
        return TimeSpan.FromMinutes(minutes);
    }
}

/// <summary>What the logs collector (which finds errors) has recorded about its passes, for the empty states.</summary>
/// <param name="Targets">The (account, region) pairs it has a status for: 0 when it has never run against this store.</param>
/// <param name="Succeeded">Targets with at least one successful pass.</param>
/// <param name="Failing">Targets whose latest pass failed.</param>
/// <param name="Accounts">The accounts it reads, for the account filter.</param>
/// <param name="Regions">The regions it reads, for the region filter.</param>
public sealed record LogsCollectorSummary(int Targets, int Succeeded, int Failing, IReadOnlyList<string> Accounts, IReadOnlyList<string> Regions)
{
    /// <summary>The collector's name in the store's statuses.</summary>
    public const string CollectorName = "logs";

    public static LogsCollectorSummary From(IEnumerable<CollectorStatus> statuses)
    {
        ArgumentNullException.ThrowIfNull(statuses);
        var logs = statuses.Where(s => s.Collector == CollectorName).ToList();
        return new LogsCollectorSummary(
            logs.Count,
            logs.Count(s => s.LastSuccess is not null),
            logs.Count(s => s.IsFailing),
            logs.Select(s => s.AccountId).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList(),
            logs.Select(s => s.Region).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList());
    }
}
