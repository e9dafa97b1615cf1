using Observe.Collectors.Aws;
using Microsoft.Extensions.Options;
using Observe.Alerting;
using Observe.Store;

namespace Observe.Dashboard.Model;

/// <summary>
/// The Collectors page's query: every collector's status and the AWS API usage of the last days, as every process
/// collecting into this store recorded them. Statuses change with every pass, which the store does not announce, so
/// the page reloads on the timer.
/// </summary>
public sealed class CollectorsData : ILiveData<CollectorsViewModel>
{
    private readonly ICollectorStatusReader _store;
    private readonly ICheckpointStore _checkpoints;
    private readonly IReadOnlyDictionary<string, string> _accountNames;
    private readonly AwsPriceOptions _prices;

    public CollectorsData(ICollectorStatusReader store, ICheckpointStore checkpoints, IOptions<AwsOptions> aws)
    {
        ArgumentNullException.ThrowIfNull(aws);
        _store = store;
        _checkpoints = checkpoints;
        // Names for accounts whose passes recorded none (older rows); a pass's timeout is the one it recorded.
        _accountNames = CollectorsViewModel.AccountNames(aws.Value);
        _prices = aws.Value.Prices;
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
        return CollectorsViewModel.Create(statuses, usage, query.Now, _accountNames, _prices) with
        {
            Alerting = await ReadAlertingAsync(query.Now, cancellationToken),
        };
    }

    private async Task<AlertingHealthView> ReadAlertingAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var json = await _checkpoints.GetCheckpointAsync(AlertingHealth.CheckpointKey, cancellationToken);
        try
        {
            return AlertingHealthView.Create(AlertingHealth.FromJson(json), null, now);
        }
        catch (System.Text.Json.JsonException e)
        {
            // Written by another version of Observe: unknown, said so, never OK.
            return AlertingHealthView.Create(null, $"the stored record is not one this version reads ({e.Message})", now);
        }
    }
}
