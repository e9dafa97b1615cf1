using Observe.Store.Model;

namespace Observe.Store;

/// <summary>The per-minute and hourly series, as pages read them.</summary>
public interface IMetricsReader
{
    /// <summary>
    /// One function's series over the range, at minute resolution where raw minutes are still kept and hourly
    /// otherwise. Buckets with no data are absent.
    /// </summary>
    Task<IReadOnlyList<MetricBucket>> GetFunctionSeriesAsync(FunctionKey function, TimeRange range, SeriesResolution resolution, CancellationToken cancellationToken);

    /// <summary>
    /// Fleet totals and a fleet series for the Overview page. Buckets (at least one minute) start at multiples of
    /// <paramref name="bucket"/> since the Unix epoch, so they stay put as the range moves. In the series,
    /// concurrency is the bucket's busiest minute summed over functions; percentiles and iterator age are null
    /// (they cannot be combined across functions: read them per function). Minutes past the raw retention count
    /// as hourly rollups whose hour starts in the range.
    /// </summary>
    Task<FleetOverview> GetOverviewAsync(FleetFilter filter, TimeRange range, TimeSpan bucket, CancellationToken cancellationToken);
}

/// <summary>What the metrics and logs collectors write into the per-minute series.</summary>
public interface IMetricsWriter
{
    /// <summary>
    /// Merges points into the per-minute series (non-null fields overwrite, null fields keep what is stored; within
    /// one call a later point for the same minute wins). <see cref="MetricPoint.Minute"/> is floored to the minute.
    /// Points for minutes that retention already rolled up into hours are ignored, so no minute counts twice.
    /// </summary>
    Task WriteMetricsAsync(IReadOnlyCollection<MetricPoint> points, CancellationToken cancellationToken);
}
