using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Options;
using Observe.Collectors.Aws;
using Observe.Dashboard.Collection;
using Observe.Dashboard.Configuration;
using Observe.Dashboard.Model;
using Observe.Store;
using Radzen;

namespace Observe.Dashboard.Components.Pages;

/// <summary>
/// Status of every collector per account and region, and AWS API usage with its estimated cost, read from the store
/// so a separate worker's figures show as well as this process's. Re-read every
/// <see cref="DashboardOptions.SlideInterval"/>: statuses change with every pass, which the store does not announce.
/// </summary>
public sealed partial class Collectors : ComponentBase, IDisposable
{
    private readonly CancellationTokenSource _disposed = new();
    private ITimer? _refreshTimer;
    private IReadOnlyDictionary<string, string> _accountNames = new Dictionary<string, string>();
    private CollectorsViewModel? _model;
    private AwsPriceOptions _prices = new();
    private string? _loadError;
    private int _loading;

    [Inject]
    public required IObserveStore Store { get; init; }

    [Inject]
    public required CollectorsMode Mode { get; init; }

    [Inject]
    public required IOptions<AwsOptions> Aws { get; init; }

    [Inject]
    public required TimeProvider Time { get; init; }

    [Inject]
    public required IOptions<DashboardOptions> Options { get; init; }

    [Inject]
    public required ILogger<Collectors> Logger { get; init; }

    private string FailingSummary => _model is null
        ? ""
        : string.Create(CultureInfo.InvariantCulture,
            $"{_model.Failing} of {_model.Statuses.Count} collector targets are failing:");

    private string DegradedSummary => _model is null
        ? ""
        : string.Create(CultureInfo.InvariantCulture,
            $"{_model.Degraded} of {_model.Statuses.Count} collector targets ran their last pass to the end but could not do all of it:");

    protected override void OnInitialized()
    {
        _accountNames = CollectorsViewModel.AccountNames(Aws.Value);
        _prices = Aws.Value.Prices;
        var interval = Options.Value.SlideInterval;
        _refreshTimer = Time.CreateTimer(static state => ((Collectors)state!).OnRefreshTick(), this, interval, interval);
    }

    protected override Task OnInitializedAsync() => LoadAsync();

    private void OnRefreshTick() => _ = InvokeAsync(async () =>
    {
        await LoadAsync();
        StateHasChanged();
    });

    private async Task LoadAsync()
    {
        // A slow store must not pile up reads: skip a tick while the previous read runs.
        if (Interlocked.Exchange(ref _loading, 1) == 1)
        {
            return;
        }

        try
        {
            var token = _disposed.Token;
            var now = Time.GetUtcNow();
            var today = DateOnly.FromDateTime(now.UtcDateTime);
            var statuses = await Store.GetCollectorStatusAsync(token);
            var usage = await Store.GetApiUsageAsync(today.AddDays(1 - CollectorsViewModel.UsageDays), today, token);
            _model = CollectorsViewModel.Create(statuses, usage, now, _accountNames, _prices);
            _loadError = null;
        }
        catch (OperationCanceledException) when (_disposed.IsCancellationRequested)
        {
            // The page closed.
        }
        catch (Exception ex)
        {
            Logger.LogError(ex, "Collectors page query failed");
            _loadError = _model is null
                ? $"Could not read the store: {ex.Message}"
                : $"Could not read the store: {ex.Message} The figures below are from the last read that worked.";
        }
        finally
        {
            Interlocked.Exchange(ref _loading, 0);
        }
    }

    private static void OnStatusRowRender(RowRenderEventArgs<CollectorStatusRow> args)
    {
        if (args.Data is not { } row)
        {
            return;
        }

        args.Attributes["data-status"] = $"{row.Collector}/{row.AccountId}/{row.Region}";
        if (row.Failing)
        {
            // An attribute, not a class: a class here would replace the grid's own row classes.
            args.Attributes["data-row-failing"] = true;
        }
        else if (row.Degraded)
        {
            args.Attributes["data-row-degraded"] = true;
        }
    }

    private static BadgeStyle StateStyle(CollectorStatusRow row) => row switch
    {
        { Failing: true } => BadgeStyle.Danger,
        { Degraded: true } => BadgeStyle.Warning,
        { State: "OK" } => BadgeStyle.Success,
        _ => BadgeStyle.Info,
    };

    public void Dispose()
    {
        _refreshTimer?.Dispose();
        _disposed.Cancel();
        _disposed.Dispose();
    }
}
