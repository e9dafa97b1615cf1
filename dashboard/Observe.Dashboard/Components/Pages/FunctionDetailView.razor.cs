using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Options;
using Microsoft.JSInterop;
using Observe.Collectors.Metrics;
using Observe.Dashboard.Collection;
using Observe.Dashboard.Demo;
using Observe.Dashboard.Fleet;
using Observe.Dashboard.Model;
using Observe.Store;
using Observe.Store.Model;

namespace Observe.Dashboard.Components.Pages;

/// <summary>
/// One function: its configuration as the inventory last saw it, its charts, reports and alarms over the range, kept
/// live by store changes. While it is open the function is watched through the store (<see cref="FunctionWatch"/>).
/// </summary>
public sealed partial class FunctionDetailView : LivePage<FunctionDetailViewModel>
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    private FunctionWatch? _watch;
    private bool _copied;
    private FunctionDetailViewModel? _markersFor;
    private IReadOnlyList<Controls.ChartMarker> _markers = [];

    /// <summary>The function the address names. Required.</summary>
    [Parameter, EditorRequired]
    public required FunctionKey Function { get; set; }

    [Inject]
    public required IFunctionWatchStore WatchStore { get; init; }

    [Inject]
    public required CollectorsMode Mode { get; init; }

    [Inject]
    public required IOptions<MetricsCollectorOptions> MetricsOptions { get; init; }

    [Inject]
    public required IJSRuntime JS { get; init; }

    [Inject]
    public required DemoFleetStatus Demo { get; init; }

    [Inject]
    public required RuntimeCatalog Runtimes { get; init; }

    [Inject]
    public required IOptions<FleetOptions> Fleet { get; init; }

    private string RangeQuery => Selection is null ? "" : new Uri(Navigation.GetUriWithQueryParameters(Selection.ToQuery())).Query;

    private string FunctionsUri => "/functions" + RangeQuery;

    private string AlarmsUri => "/alarms" + RangeQuery;

    private DateTime ChartFrom => Model!.Range.From.UtcDateTime;

    private DateTime ChartTo => Model!.Range.To.UtcDateTime;

    private IReadOnlyList<Controls.ChartSeries> DurationOverlays =>
    [
        new("p90", Model!.Charts!.DurationP90, "var(--mud-palette-warning)"),
        new("p99", Model.Charts.DurationP99, "var(--mud-palette-error)"),
    ];

    /// <summary>One marker per minute with changes, its detail the before/after comparison; built once per model.</summary>
    private IReadOnlyList<Controls.ChartMarker> Markers
    {
        get
        {
            if (!ReferenceEquals(_markersFor, Model))
            {
                _markersFor = Model;
                _markers = Model!.Comparisons
                    .Select(c => new Controls.ChartMarker(c.At.UtcDateTime, c.Describe(), builder =>
                    {
                        builder.OpenComponent<FunctionDetailChange>(0);
                        builder.AddComponentParameter(1, nameof(FunctionDetailChange.Comparison), c);
                        builder.CloseComponent();
                    }))
                    .ToList();
            }

            return _markers;
        }
    }

    private string BucketText => Model is null ? "" : TimeRangeSelection.Last(Model.Bucket).Describe()["Last ".Length..];

    /// <summary>How often the function's metrics are read while the page is open, and who reads them, honestly.</summary>
    private string WatchNote
    {
        get
        {
            if (Demo.Mode.Active)
            {
                return "The demo fleet writes every function's figures each minute; nothing is read from AWS, so this page watches nothing.";
            }

            if (Mode.InProcess)
            {
                var options = MetricsOptions.Value;
                return $"Metrics refresh {Every(options.WatchedInterval)} while this page is open, instead of {Every(options.ColdInterval)}.";
            }

            return $"No collector runs in this process: {Mode.Reason}. A collectors worker writing to this store reads this " +
                   "function every minute while this page is open (its Observe:Collectors:Metrics:WatchedInterval), instead of every 15 minutes.";
        }
    }

    protected override void OnInitialized()
    {
        // The source is this page's own (transient): it must know the function before the base class's first load.
        if (Data is not FunctionDetailData data)
        {
            throw new InvalidOperationException($"the Function detail page needs {nameof(FunctionDetailData)} as its query");
        }

        data.Function = Function;
        base.OnInitialized();
    }

    protected override void OnAfterRender(bool firstRender)
    {
        base.OnAfterRender(firstRender);

        // Only once interactive (a prerender lasts one request and must not start renewals), and only for a live
        // function the inventory knows: each watch costs GetMetricData calls, and a made-up name in the address must
        // not take a place among the collector's watched functions. The demo's store has no collector reading watches.
        if (_watch is null && !Demo.Mode.Active && Model?.Function is { DeletedAt: null })
        {
            _watch = new FunctionWatch(WatchStore, Time, LoggerFactory.CreateLogger<FunctionWatch>());
            _watch.Changed += OnWatchChanged;
            _watch.Start(Function);
        }
    }

    private void OnWatchChanged() => _ = InvokeAsync(StateHasChanged);

    private async Task CopyArnAsync(string arn)
    {
        try
        {
            await JS.InvokeVoidAsync("navigator.clipboard.writeText", arn);
            _copied = true;
        }
        catch (JSException)
        {
            // The browser refused (no permission, not a secure context); the ARN stays selectable as text.
            _copied = false;
        }
    }

    /// <summary>
    /// A runtime AWS has deprecated, or will within the notice period, or one missing from the runtime table (unknown,
    /// never fine), with the catalog's sentence on hover; null for a supported runtime or a container image.
    /// </summary>
    private (string Text, string Css, string Explanation)? RuntimeNote(LambdaFunction function)
    {
        var today = DateOnly.FromDateTime(Time.GetUtcNow().UtcDateTime);
        var status = Runtimes.Classify(function.Runtime, function.PackageType, today, Fleet.Value.DeprecationNoticeDays);
        var when = status.Deprecation?.ToString("yyyy-MM-dd", Invariant);
        return status.Support switch
        {
            RuntimeSupport.Deprecated => ($"deprecated since {when}", "state-failing", status.Explanation),
            RuntimeSupport.DeprecatingSoon => ($"deprecated on {when}", "state-degraded", status.Explanation),
            RuntimeSupport.Unknown => ("support unknown", "state-unknown", status.Explanation),
            _ => null,
        };
    }

    private static string Every(TimeSpan interval) =>
        interval == TimeSpan.FromMinutes(1) ? "every minute" : string.Create(Invariant, $"every {interval.TotalMinutes:0.#} minutes");

    /// <summary>431 ms / 1.23 s / 12.3 s: three significant figures.</summary>
    private static string Ms(double ms) => ms switch
    {
        < 1_000 => ms.ToString("0.##", Invariant) + " ms",
        < 10_000 => (ms / 1_000).ToString("0.00", Invariant) + " s",
        < 100_000 => (ms / 1_000).ToString("0.0", Invariant) + " s",
        _ => (ms / 1_000).ToString("#,0", Invariant) + " s",
    };

    private static string Bytes(long bytes) => bytes switch
    {
        < 1024 => bytes.ToString(Invariant) + " B",
        < 1024 * 1024 => (bytes / 1024d).ToString("0.#", Invariant) + " KB",
        < 1024L * 1024 * 1024 => (bytes / 1024d / 1024).ToString("0.#", Invariant) + " MB",
        _ => (bytes / 1024d / 1024 / 1024).ToString("0.##", Invariant) + " GB",
    };

    private static string Utc(DateTimeOffset at) => at.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss", Invariant) + " UTC";

    private static string Weight(double weight) => (weight * 100).ToString("0.##", Invariant) + "%";

    private static (string Text, string Css) AlarmChip(AlarmState state) => state switch
    {
        AlarmState.Alarm => ("ALARM", "state-failing"),
        AlarmState.InsufficientData => ("INSUFFICIENT_DATA", "state-degraded"),
        _ => ("OK", "state-ok"),
    };

    protected override void Dispose(bool disposing)
    {
        if (disposing && _watch is not null)
        {
            _watch.Changed -= OnWatchChanged;
            _watch.Dispose();
        }

        base.Dispose(disposing);
    }
}
