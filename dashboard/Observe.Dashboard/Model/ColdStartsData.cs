using Observe.Store;

namespace Observe.Dashboard.Model;

/// <summary>
/// The Cold starts page's query: the store's cold starts per function in the range (account and region filtered by
/// the database), the inventory for their configuration, and the logs collector's status for the empty states. The
/// page sets <see cref="Address"/> before its first load.
/// </summary>
public sealed class ColdStartsData(IColdStartReader coldStarts, IInventoryReader inventory, ICollectorStatusReader collectors) : ILiveData<ColdStartsViewModel>
{
    /// <summary>The filters. Required before the first load.</summary>
    public ColdStartsAddress? Address { get; set; }

    public StoreChangeKind Changes => StoreChangeKind.Invocations | StoreChangeKind.Functions;

    public bool UsesTimeRange => true;

    public bool RefreshOnTimer => false;

    public async Task<ColdStartsViewModel> LoadAsync(LiveQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var address = Address ?? throw new InvalidOperationException("the Cold starts page sets its address before loading");
        var range = query.Range ?? throw new ArgumentException("the Cold starts page needs a time range", nameof(query));
        var stored = await coldStarts.GetColdStartsAsync(address.Filter, range, cancellationToken);
        var functions = await inventory.GetFunctionsAsync(address.Filter, cancellationToken);
        var statuses = await collectors.GetCollectorStatusAsync(cancellationToken);
        return ColdStartsViewModel.Create(range, stored, functions, address, statuses);
    }
}
