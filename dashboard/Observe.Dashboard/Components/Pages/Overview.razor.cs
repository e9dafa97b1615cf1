using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Routing;
using Microsoft.Extensions.Options;
using Observe.Dashboard.Configuration;
using Observe.Dashboard.Model;
using Observe.Store;
using Observe.Store.Model;

namespace Observe.Dashboard.Components.Pages;

/// <summary>Fleet totals and series for the chosen range, kept live by store change notifications.</summary>
public sealed partial class Overview : ComponentBase, IDisposable
{
    /// <summary>The writes that change what this page shows.</summary>
    private const StoreChangeKind RelevantChanges = StoreChangeKind.Functions | StoreChangeKind.Metrics | StoreChangeKind.Alarms;

    private readonly CancellationTokenSource _disposed = new();
    private IDisposable? _subscription;
    private RefreshThrottle? _throttle;
    private ITimer? _slideTimer;
    private CancellationTokenSource? _loadCancellation;
    private int _functionsStale = 1;
    private DeprecatedRuntimes? _deprecated;

    private TimeRangeSelection? _selection;
    private TimeRangeError? _rangeError;
    private OverviewViewModel? _model;
    private string? _loadError;
    private bool _live;

    [Inject]
    public required IObserveStore Store { get; init; }

    [Inject]
    public required IStoreChanges Changes { get; init; }

    [Inject]
    public required TimeProvider Time { get; init; }

    [Inject]
    public required IOptions<DashboardOptions> Options { get; init; }

    [Inject]
    public required NavigationManager Navigation { get; init; }

    [Inject]
    public required ILogger<Overview> Logger { get; init; }

    /// <summary>The range shown when the URL names none; validated at start, so it always parses.</summary>
    internal TimeRangeSelection DefaultSelection =>
        TimeRangeQuery.Parse(Options.Value.DefaultRange, null, null, null).Selection ?? TimeRangeQuery.Presets[1];

    private string DefaultRangeUri => Navigation.GetUriWithQueryParameters(DefaultSelection.ToQuery());

    private DateTime ChartFrom => _model!.Range.From.UtcDateTime;

    private DateTime ChartTo => _model!.Range.To.UtcDateTime;

    private string BucketText => _model is null ? "" : TimeRangeSelection.Last(_model.Bucket).Describe()["Last ".Length..];

    protected override void OnInitialized()
    {
        var options = Options.Value;
        _throttle = new RefreshThrottle(options.RefreshThrottle, Time, () => InvokeAsync(RefreshAsync));
        _subscription = Changes.Subscribe(OnStoreChanged);
        Navigation.LocationChanged += OnLocationChanged;

        // With nothing written (collectors idle), a relative range must still slide with the clock.
        _slideTimer = Time.CreateTimer(static state => ((Overview)state!).OnSlide(), this, options.SlideInterval, options.SlideInterval);
    }

    protected override Task OnInitializedAsync() => ApplyAddressAsync();

    /// <summary>
    /// The address is the page's state: the range is read from it here and on every navigation (the picker only
    /// changes the address). Read from NavigationManager rather than [SupplyParameterFromQuery], which hangs
    /// bUnit 1.9.8 on .NET 8, the only bUnit that runs here.
    /// </summary>
    private async Task ApplyAddressAsync()
    {
        var parsed = TimeRangeQuery.ParseUri(Navigation.Uri, DefaultSelection);
        if (parsed.Selection is not null && parsed.Selection == _selection && _rangeError is null)
        {
            return;
        }

        _selection = parsed.Selection;
        _rangeError = parsed.Error;
        if (_rangeError is not null)
        {
            // Nothing is shown rather than figures for a range the user did not ask for.
            _loadCancellation?.Cancel();
            _model = null;
            _loadError = null;
            return;
        }

        await LoadAsync();
    }

    private void OnLocationChanged(object? sender, LocationChangedEventArgs e) => _ = InvokeAsync(async () =>
    {
        await ApplyAddressAsync();
        StateHasChanged();
    });

    protected override void OnAfterRender(bool firstRender)
    {
        // Runs only once the circuit is interactive (not while prerendering): from here on, updates are pushed.
        if (firstRender)
        {
            _live = true;
            StateHasChanged();
        }
    }

    private void OnStoreChanged(StoreChangeKind kind)
    {
        if ((kind & RelevantChanges) == 0)
        {
            return;
        }

        if ((kind & StoreChangeKind.Functions) != 0)
        {
            Interlocked.Exchange(ref _functionsStale, 1);
        }

        _throttle?.Request();
    }

    private void OnSlide()
    {
        if (_selection is { IsRelative: true })
        {
            _throttle?.Request();
        }
    }

    private async Task RefreshAsync()
    {
        if (_rangeError is not null || _selection is null || _disposed.IsCancellationRequested)
        {
            return;
        }

        await LoadAsync();
        StateHasChanged();
    }

    private async Task LoadAsync()
    {
        if (_selection is null)
        {
            return;
        }

        // A newer query (range changed, or new data) makes an older one pointless.
        _loadCancellation?.Cancel();
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(_disposed.Token);
        _loadCancellation = cancellation;
        var token = cancellation.Token;

        var now = Time.GetUtcNow();
        var range = _selection.Resolve(now);
        var bucket = SeriesBuckets.Choose(range.Length);
        try
        {
            var overview = await Store.GetOverviewAsync(FleetFilter.All, range, bucket, token);
            if (Interlocked.Exchange(ref _functionsStale, 0) == 1 || _deprecated is null)
            {
                var functions = await Store.GetFunctionsAsync(FleetFilter.All, token);
                _deprecated = DeprecatedRuntimes.Count(functions, DateOnly.FromDateTime(now.UtcDateTime));
            }

            _model = OverviewViewModel.Create(overview, range, bucket, _deprecated, now);
            _loadError = null;
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Superseded by a newer query or the page closed; the newer query renders.
        }
        catch (Exception ex)
        {
            Interlocked.Exchange(ref _functionsStale, 1);
            Logger.LogError(ex, "Overview query failed for {From} to {To}", range.From, range.To);
            _loadError = _model is null
                ? $"Could not read the store: {ex.Message}"
                : $"Could not read the store: {ex.Message} The figures below are from the last query that worked, up to {TimeRangeQuery.FormatInstant(_model.Range.To)}.";
        }
        finally
        {
            if (ReferenceEquals(_loadCancellation, cancellation))
            {
                _loadCancellation = null;
            }
        }
    }

    private void OnSelectionChanged(TimeRangeSelection selection) =>
        // The URL is the state: the router hands the new query to OnParametersSetAsync, without a reload.
        Navigation.NavigateTo(Navigation.GetUriWithQueryParameters(selection.ToQuery()));

    public void Dispose()
    {
        Navigation.LocationChanged -= OnLocationChanged;
        _subscription?.Dispose();
        _throttle?.Dispose();
        _slideTimer?.Dispose();
        _disposed.Cancel();
        _disposed.Dispose();
    }
}
