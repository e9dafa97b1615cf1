using Observe.Collectors.Aws;
using Observe.Collectors.Collection;
using Observe.Store;

namespace Observe.Dashboard.Model;

/// <summary>
/// The Collectors page's query: every collector's status and the AWS API usage of the last days, as every process
/// collecting into this store recorded them. Statuses change with every pass, which the store does not announce, so
/// the page reloads on the timer.
/// </summary>
public sealed class CollectorsData : ILiveData<CollectorsViewModel>
{
    private readonly IObserveStore _store;
    private readonly IReadOnlyDictionary<string, string> _accountNames;
    private readonly AwsPriceOptions _prices;
    private readonly TimeSpan _passTimeout;

    public CollectorsData(IObserveStore store, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        _store = store;
        _accountNames = CollectorsViewModel.AccountNames(configuration);
        _prices = CollectorsViewModel.Prices(configuration);
        // The collectors' own setting (in this process or a worker's, which should say the same).
        _passTimeout = configuration.GetValue($"{CollectorsOptions.SectionName}:{nameof(CollectorsOptions.PassTimeout)}", new CollectorsOptions().PassTimeout);
    }

    public StoreChangeKind Changes => StoreChangeKind.None;

    public bool UsesTimeRange => false;

    public bool RefreshOnTimer => true;

    public async Task<CollectorsViewModel> LoadAsync(LiveQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var today = DateOnly.FromDateTime(query.Now.UtcDateTime);
        var statuses = await _store.GetCollectorStatusAsync(cancellationToken);
        var usage = await _store.GetApiUsageAsync(today.AddDays(1 - CollectorsViewModel.UsageDays), today, cancellationToken);
        return CollectorsViewModel.Create(statuses, usage, query.Now, _accountNames, _passTimeout, _prices);
    }
}
