using Observe.Store;
using Observe.Store.Model;

namespace Observe.Dashboard.Model;

/// <summary>
/// One error group: its figures over the range (within the list's filters), occurrences per chart bucket, the
/// functions it occurred in, and its status history. <see cref="Summary"/> is over all time when it has no occurrence
/// in the range (<see cref="InRange"/> false), and null when the store has no such error at all.
/// </summary>
public sealed record ErrorDetailViewModel(
    string Fingerprint,
    TimeRange Range,
    TimeSpan Bucket,
    ErrorSummary? Summary,
    bool InRange,
    IReadOnlyList<ChartPoint> Trend,
    IReadOnlyList<ErrorFunction> Functions,
    bool FunctionsTruncated,
    IReadOnlyList<ErrorStatusChange> History)
{
    public bool IsNew => InRange && Summary is { } s && s.FirstSeen >= Range.From;

    /// <summary>Chart points from the store's buckets; the bucket still filling at <paramref name="now"/> is marked partial.</summary>
    public static IReadOnlyList<ChartPoint> Points(TimeRange range, TimeSpan bucket, long[]? counts, DateTimeOffset now)
    {
        var points = new List<ChartPoint>();
        for (var (start, i) = (range.From, 0); start < range.To; start += bucket, i++)
        {
            var value = counts is not null && i < counts.Length ? counts[i] : 0;
            points.Add(new ChartPoint(start.UtcDateTime, value, Partial: start + bucket > now));
        }

        return points;
    }
}

/// <summary>The query of one error's view. The page sets <see cref="Address"/> (with its fingerprint) before the first load.</summary>
public sealed class ErrorDetailData(IErrorGroupReader errors) : ILiveData<ErrorDetailViewModel>
{
    /// <summary>Functions listed; a fleet-wide error past it says how many more.</summary>
    public const int MaxFunctions = 100;

    /// <summary>Status changes listed, newest first.</summary>
    public const int MaxHistory = 50;

    public ErrorsAddress? Address { get; set; }

    public StoreChangeKind Changes => StoreChangeKind.Errors;

    public bool UsesTimeRange => true;

    public bool RefreshOnTimer => false;

    public async Task<ErrorDetailViewModel> LoadAsync(LiveQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var fingerprint = Address?.Fingerprint ?? throw new InvalidOperationException("the error view sets its fingerprint before loading");
        var range = query.Range ?? throw new ArgumentException("the error view needs a time range", nameof(query));
        var errorQuery = Address.ToQuery() with { Fingerprint = fingerprint, Status = null };
        var bucket = SeriesBuckets.Choose(range.Length);

        var summary = (await errors.GetErrorSummariesAsync(errorQuery, range, 1, cancellationToken)).FirstOrDefault();
        var inRange = summary is not null;

        // Not in the range: still say what the error is and when it was last seen, over everything stored.
        summary ??= (await errors.GetErrorSummariesAsync(errorQuery, new TimeRange(DateTimeOffset.UnixEpoch, query.Now.AddDays(1)), 1, cancellationToken)).FirstOrDefault();
        var trends = inRange ? await errors.GetErrorTrendsAsync([fingerprint], errorQuery, range, bucket, cancellationToken) : new Dictionary<string, long[]>();
        var functions = inRange ? await errors.GetErrorFunctionsAsync(fingerprint, errorQuery, range, MaxFunctions + 1, cancellationToken) : [];
        var history = await errors.GetErrorStatusHistoryAsync(fingerprint, MaxHistory, cancellationToken);
        return new ErrorDetailViewModel(
            fingerprint, range, bucket, summary, inRange,
            ErrorDetailViewModel.Points(range, bucket, trends.GetValueOrDefault(fingerprint), query.Now),
            functions.Take(MaxFunctions).ToList(), functions.Count > MaxFunctions, history);
    }
}
