using Observe.Store.Model;

namespace Observe.Store;

/// <summary>What the alert rules' anomaly checks read: each function's own recent behaviour, to compare the last window with.</summary>
public interface IFunctionBaselineReader
{
    /// <summary>
    /// The baseline of every function of the filter with per-minute figures (or hourly rollups) in the range: the
    /// median of its per-hour average duration and its peak invocations per <paramref name="window"/> (buckets of the
    /// window from the range's start). A function with nothing stored in the range has no entry.
    /// </summary>
    Task<IReadOnlyList<FunctionBaseline>> GetFunctionBaselinesAsync(FleetFilter filter, TimeRange range, TimeSpan window, CancellationToken cancellationToken);
}
