using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Options;
using Observe.Collectors.Aws;
using Observe.Collectors.Collection;
using Observe.Dashboard.Collection;
using Observe.Dashboard.Configuration;
using Observe.Dashboard.Model;
using Observe.Store;

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
    private TimeSpan _passTimeout;
    private AwsPriceOptions _prices = new();
    private string? _loadError;
    private int _loading;

    [Inject]
    public required IObserveStore Store { get; init; }

    [Inject]
    public required CollectorsMode Mode { get; init; }

    [Inject]
    public required IConfiguration Configuration { get; init; }

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
        _accountNames = CollectorsViewModel.AccountNames(Configuration);
        _prices = CollectorsViewModel.Prices(Configuration);

        // The collectors' own setting (in this process or a worker's, which should say the same).
        _passTimeout = Configuration.GetValue($"{CollectorsOptions.SectionName}:{nameof(CollectorsOptions.PassTimeout)}", new CollectorsOptions().PassTimeout);
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
            _model = CollectorsViewModel.Create(statuses, usage, now, _accountNames, _passTimeout, _prices);
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

    /// <summary>The state's colour class; the state's words carry the same meaning for those who cannot see colour.</summary>
    private static string StateKind(CollectorStatusRow row) => row switch
    {
        { Failing: true } => "failing",
        { Degraded: true } => "degraded",
        { State: "OK" } => "ok",
        _ => "unknown",
    };

    public void Dispose()
    {
        _refreshTimer?.Dispose();
        _disposed.Cancel();
        _disposed.Dispose();
    }
}
