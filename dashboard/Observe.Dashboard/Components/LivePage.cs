using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Routing;
using Microsoft.Extensions.Options;
using Observe.Dashboard.Configuration;
using Observe.Dashboard.Model;
using Observe.Store;

namespace Observe.Dashboard.Components;

/// <summary>
/// The plumbing every live page shares, so a page writes only its query (an <see cref="ILiveData{TModel}"/> from DI)
/// and its markup. It reads the time range from the address, loads on arrival and on every address change, reloads
/// when the store announces a relevant write and every <see cref="DashboardOptions.SlideInterval"/> while the range
/// is relative (or the query asks for it, or the last load failed), at most once per
/// <see cref="DashboardOptions.RefreshThrottle"/>; a newer address cancels an older load, and leaving cancels all.
/// A failed load keeps the last good model on screen and sets <see cref="LoadError"/>, which says what to do; it
/// clears with the next load that works.
/// </summary>
public abstract class LivePage<TModel> : ComponentBase, IDisposable
    where TModel : class
{
    private readonly CancellationTokenSource _disposed = new();
    private IDisposable? _subscription;
    private RefreshThrottle? _throttle;
    private ITimer? _timer;
    private CancellationTokenSource? _loadCancellation;
    private ILogger? _logger;
    private int _pendingChanges;
    private bool _reloadAfterLoad;

    [Inject]
    public required ILiveData<TModel> Data { get; init; }

    [Inject]
    public required IStoreChanges StoreChanges { get; init; }

    [Inject]
    public required TimeProvider Time { get; init; }

    [Inject]
    public required IOptions<DashboardOptions> Options { get; init; }

    [Inject]
    public required NavigationManager Navigation { get; init; }

    [Inject]
    public required ILoggerFactory LoggerFactory { get; init; }

    /// <summary>The last model a load returned; kept while later loads fail. Null until the first load worked.</summary>
    protected TModel? Model { get; private set; }

    /// <summary>When the last load that worked ran.</summary>
    protected DateTimeOffset? LoadedAt { get; private set; }

    /// <summary>Why the last load failed and what to do, for the page to show; null when it worked.</summary>
    protected string? LoadError { get; private set; }

    /// <summary>The range from the address (or the default); null while the address's range is invalid.</summary>
    protected TimeRangeSelection? Selection { get; private set; }

    /// <summary>What is wrong with the address's range; nothing is loaded meanwhile.</summary>
    protected TimeRangeError? RangeError { get; private set; }

    /// <summary>
    /// A load for a newly chosen range is running: the figures on screen are still the previous range's, so the page
    /// shows a quiet progress bar over them rather than blanking them. Background refreshes do not set it.
    /// </summary>
    protected bool LoadingNewRange { get; private set; }

    /// <summary>The circuit is connected: from here on, updates are pushed (false while prerendering).</summary>
    protected bool IsInteractive { get; private set; }

    /// <summary>
    /// The figures follow the clock as data arrives: the range ends now, the circuit is up and the last load worked.
    /// A fixed past range, an invalid range or a failing store is not live. (The reconnect overlay hides the badge in CSS.)
    /// </summary>
    protected bool IsLive => IsInteractive && Data.UsesTimeRange && Selection is { IsRelative: true } && RangeError is null && LoadError is null;

    /// <summary>The range shown when the address names none; validated at start, so it always parses.</summary>
    protected TimeRangeSelection DefaultSelection =>
        TimeRangeQuery.Parse(Options.Value.DefaultRange, null, null, null, Options.Value.MaxRange).Selection ?? TimeRangeQuery.Presets[1];

    /// <summary>This page at the default range: the way out of an invalid one.</summary>
    protected string DefaultRangeUri => Navigation.GetUriWithQueryParameters(DefaultSelection.ToQuery());

    protected override void OnInitialized()
    {
        var options = Options.Value;
        _logger = LoggerFactory.CreateLogger(GetType());
        _throttle = new RefreshThrottle(options.RefreshThrottle, Time, () => InvokeAsync(ReloadAsync));
        if (Data.Changes != StoreChangeKind.None)
        {
            _subscription = StoreChanges.Subscribe(OnStoreChanged);
        }

        if (Data.UsesTimeRange)
        {
            Navigation.LocationChanged += OnLocationChanged;
        }

        // With nothing written (collectors idle), a relative range must still slide with the clock.
        _timer = Time.CreateTimer(static state => ((LivePage<TModel>)state!).OnTick(), this, options.SlideInterval, options.SlideInterval);
    }

    protected override Task OnInitializedAsync() => Data.UsesTimeRange ? ApplyAddressAsync() : LoadAsync();

    protected override void OnAfterRender(bool firstRender)
    {
        // Runs only once the circuit is interactive (not while prerendering).
        if (firstRender)
        {
            IsInteractive = true;
            StateHasChanged();
        }
    }

    /// <summary>Puts a range the user picked in the address; the page follows the address, without a reload.</summary>
    protected void SelectRange(TimeRangeSelection selection) =>
        Navigation.NavigateTo(Navigation.GetUriWithQueryParameters(selection.ToQuery()));

    /// <summary>The address is the page's state: the range is read from it on arrival and on every navigation.</summary>
    private async Task ApplyAddressAsync()
    {
        // The one place a page's range comes in: Observe:Dashboard:MaxRange is enforced here, before any query.
        var parsed = TimeRangeQuery.ParseUri(Navigation.Uri, DefaultSelection, Options.Value.MaxRange);
        if (parsed.Selection is not null && parsed.Selection == Selection && RangeError is null)
        {
            return;
        }

        Selection = parsed.Selection;
        RangeError = parsed.Error;
        if (RangeError is not null)
        {
            // Nothing is shown rather than figures for a range the user did not ask for.
            _loadCancellation?.Cancel();
            Model = null;
            LoadError = null;
            return;
        }

        LoadingNewRange = Model is not null;
        if (LoadingNewRange)
        {
            StateHasChanged();
        }

        try
        {
            await LoadAsync();
        }
        finally
        {
            LoadingNewRange = false;
        }
    }

    private void OnLocationChanged(object? sender, LocationChangedEventArgs e) => _ = InvokeAsync(async () =>
    {
        await ApplyAddressAsync();
        StateHasChanged();
    });

    private void OnStoreChanged(StoreChangeKind kind)
    {
        if ((kind & Data.Changes) == 0)
        {
            return;
        }

        Interlocked.Or(ref _pendingChanges, (int)(kind & Data.Changes));
        _throttle?.Request();
    }

    private void OnTick()
    {
        if (RangeError is null && (Selection is { IsRelative: true } || Data.RefreshOnTimer || LoadError is not null))
        {
            _throttle?.Request();
        }
    }

    private async Task ReloadAsync()
    {
        if (_disposed.IsCancellationRequested || RangeError is not null || (Data.UsesTimeRange && Selection is null))
        {
            return;
        }

        // A slow store must not pile up reads, nor have each refresh cancel the one before it: run once it answers.
        if (_loadCancellation is not null)
        {
            _reloadAfterLoad = true;
            return;
        }

        await LoadAsync();
        StateHasChanged();
    }

    private async Task LoadAsync()
    {
        // A newer range makes an older query pointless.
        _loadCancellation?.Cancel();
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(_disposed.Token);
        _loadCancellation = cancellation;
        var token = cancellation.Token;

        var changed = (StoreChangeKind)Interlocked.Exchange(ref _pendingChanges, 0);
        var now = Time.GetUtcNow();
        var range = Data.UsesTimeRange ? Selection?.Resolve(now) : null;
        try
        {
            Model = await Data.LoadAsync(new LiveQuery(now, range, changed), token);
            LoadedAt = now;
            LoadError = null;
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Superseded by a newer range, or the page closed; the changes are still to be read.
            Interlocked.Or(ref _pendingChanges, (int)changed);
        }
        catch (Exception ex)
        {
            Interlocked.Or(ref _pendingChanges, (int)changed);
            _logger?.LogError(ex, "{Page} could not read the store for {From} to {To}", GetType().Name, range?.From, range?.To);
            LoadError = DescribeFailure();
        }
        finally
        {
            if (ReferenceEquals(_loadCancellation, cancellation))
            {
                _loadCancellation = null;
            }
        }

        if (_reloadAfterLoad && _loadCancellation is null)
        {
            _reloadAfterLoad = false;
            _throttle?.Request();
        }
    }

    /// <summary>One sentence a person can act on; the exception is in the log, never in the browser.</summary>
    private string DescribeFailure()
    {
        var retry = Options.Value.SlideInterval;
        var every = retry < TimeSpan.FromMinutes(1)
            ? string.Create(CultureInfo.InvariantCulture, $"{retry.TotalSeconds:0.#} s")
            : string.Create(CultureInfo.InvariantCulture, $"{retry.TotalMinutes:0.#} min");
        var shown = Model is null || LoadedAt is not { } at
            ? "so there is nothing to show yet"
            : string.Create(CultureInfo.InvariantCulture, $"so the figures below are from the last read that worked, at {at:HH:mm:ss} UTC");
        return $"The store did not answer, {shown}. The page tries again every {every}; if this lasts, check that the store is reachable " +
               "(the Observe:Store settings) and see the dashboard's log for the cause.";
    }

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (!disposing)
        {
            return;
        }

        if (Data.UsesTimeRange)
        {
            Navigation.LocationChanged -= OnLocationChanged;
        }

        _subscription?.Dispose();
        _throttle?.Dispose();
        _timer?.Dispose();
        _disposed.Cancel();
        _disposed.Dispose();
    }
}
