using Observe.Store;

namespace Observe.Dashboard.Model;

/// <summary>
/// The Errors list's query: one page of error groups for the address's filters, their sparklines and the logs
/// collector's status. The page sets <see cref="Address"/> before its first load (one source per page instance; a
/// new filter makes a new page instance).
/// </summary>
public sealed class ErrorsData(IErrorGroupReader errors, ICollectorStatusReader collectors) : ILiveData<ErrorsViewModel>
{
    /// <summary>
    /// Rows a page shows. Fifty keeps the list's markup (its trend, status and links per row) light enough to render
    /// and send quickly on a busy fleet; samples are drawn only when a row is opened (docs/decisions.md).
    /// </summary>
    public const int PageSize = 50;

    /// <summary>Bars in a row's sparkline.</summary>
    public const int TrendBuckets = 24;

    /// <summary>
    /// Read the rows' trends too. The page turns it off while prerendering: the list arrives first, without the trend
    /// read (most of the store's work over long ranges) and its 50 sparklines, and the interactive render a moment
    /// later reads and draws them, as the Traces list does with its scatter.
    /// </summary>
    public bool ReadTrends { get; set; } = true;

    /// <summary>The filters. Required before the first load.</summary>
    public ErrorsAddress? Address { get; set; }

    public StoreChangeKind Changes => StoreChangeKind.Errors;

    public bool UsesTimeRange => true;

    public bool RefreshOnTimer => false;

    public async Task<ErrorsViewModel> LoadAsync(LiveQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var address = Address ?? throw new InvalidOperationException("the Errors page sets its address before loading");
        var range = query.Range ?? throw new ArgumentException("the Errors page needs a time range", nameof(query));
        var errorQuery = address.ToQuery();
        // The store orders and limits; the rows of earlier pages are read and skipped (one grouped read either way),
        // with one more than the page to know whether a later page has more.
        var summaries = await errors.GetErrorSummariesAsync(errorQuery, range, address.Page * PageSize + 1, cancellationToken);
        var rows = summaries.Skip((address.Page - 1) * PageSize).ToList();
        var shown = rows.Take(PageSize).Select(s => s.Fingerprint).ToList();
        var trends = ReadTrends
            ? await errors.GetErrorTrendsAsync(shown, errorQuery, range, ErrorsFormat.SparklineBucket(range.Length, TrendBuckets), cancellationToken)
            : null;
        var statuses = await collectors.GetCollectorStatusAsync(cancellationToken);
        return ErrorsViewModel.Create(range, rows, trends, address.Page, PageSize, statuses);
    }
}
