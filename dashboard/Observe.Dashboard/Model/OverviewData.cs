using Observe.Store;
using Observe.Store.Model;

namespace Observe.Dashboard.Model;

/// <summary>The Overview's query: fleet totals and series for the range, and functions on deprecated runtimes now.</summary>
public sealed class OverviewData(IMetricsReader metrics, IInventoryReader inventory) : ILiveData<OverviewViewModel>
{
    private DeprecatedRuntimes? _deprecated;

    public StoreChangeKind Changes => StoreChangeKind.Functions | StoreChangeKind.Metrics | StoreChangeKind.Alarms;

    public bool UsesTimeRange => true;

    public bool RefreshOnTimer => false;

    public async Task<OverviewViewModel> LoadAsync(LiveQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var range = query.Range ?? throw new ArgumentException("the Overview needs a time range", nameof(query));
        var bucket = SeriesBuckets.Choose(range.Length);
        var overview = await metrics.GetOverviewAsync(FleetFilter.All, range, bucket, cancellationToken);

        // The inventory is read again only when it changed: 300 functions on every metrics write would be waste.
        if (_deprecated is null || (query.Changed & StoreChangeKind.Functions) != 0)
        {
            var functions = await inventory.GetFunctionsAsync(FleetFilter.All, cancellationToken);
            _deprecated = DeprecatedRuntimes.Count(functions, DateOnly.FromDateTime(query.Now.UtcDateTime));
        }

        return OverviewViewModel.Create(overview, range, bucket, _deprecated, query.Now);
    }
}
