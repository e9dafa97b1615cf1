using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;
using Observe.Dashboard.Model;

namespace Observe.Dashboard.Components.Controls;

/// <summary>
/// The waterfall of one trace, drawn a window of rows at a time: what the screen shows and <see cref="Overscan"/>
/// rows either side. The first window (prerendered and interactive alike) is the top of the trace, so the page
/// arrives with its first screen drawn; the browser then reports the rows it shows as the page scrolls.
/// </summary>
public sealed partial class TraceWaterfallView : ComponentBase, IAsyncDisposable
{
    /// <summary>The rows drawn before the browser says what it shows: a 1440-pixel-tall window's worth.</summary>
    public const int FirstWindow = 60;

    /// <summary>
    /// Rows drawn beyond each edge of the screen, so scrolling seldom reaches an undrawn row between two reports. A Tab
    /// that would (keys faster than the server draws) is held by the browser until the row is drawn (app.js).
    /// </summary>
    public const int Overscan = 20;

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    private ElementReference _rowsElement;
    private IJSObjectReference? _watch;
    private DotNetObjectReference<TraceWaterfallView>? _self;
    private TraceWaterfall? _laidOut;
    private int _start;
    private int _end;

    [Inject]
    public required IJSRuntime JS { get; init; }

    /// <summary>The laid-out trace. Required.</summary>
    [Parameter, EditorRequired]
    public required TraceWaterfall Waterfall { get; set; }

    /// <summary>The selected span's id; null for none.</summary>
    [Parameter]
    public string? SelectedId { get; set; }

    /// <summary>The address selecting a span (or, given null, none). Required.</summary>
    [Parameter, EditorRequired]
    public required Func<string?, string> SelectUri { get; set; }

    protected override void OnParametersSet()
    {
        if (ReferenceEquals(Waterfall, _laidOut))
        {
            return;
        }

        // A reloaded trace (more spans arrived) keeps the place, within its new length.
        var count = Waterfall.Rows.Count;
        if (_laidOut is null)
        {
            (_start, _end) = (0, Math.Min(count, FirstWindow));
        }
        else
        {
            _start = Math.Min(_start, Math.Max(0, count - 1));
            _end = Math.Min(count, Math.Max(_end, _start + FirstWindow));
        }

        _laidOut = Waterfall;
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (!firstRender)
        {
            return;
        }

        _self = DotNetObjectReference.Create(this);
        _watch = await JS.InvokeAsync<IJSObjectReference?>("observe.watchRows", _rowsElement, _self, nameof(ShowRows));
    }

    /// <summary>
    /// The browser's report: rows <paramref name="first"/> to <paramref name="first"/> + <paramref name="count"/> are
    /// on screen. Redrawn only when the screen comes within half the overscan of the window's edge, so a scroll
    /// costs one small render every few rows rather than one per frame.
    /// </summary>
    [JSInvokable]
    public Task ShowRows(int first, int count) => InvokeAsync(() =>
    {
        var total = Waterfall.Rows.Count;
        first = Math.Clamp(first, 0, Math.Max(0, total - 1));
        var last = Math.Min(total, first + Math.Max(1, count));
        var margin = Overscan / 2;
        if ((_start == 0 || first >= _start + margin) && (_end == total || last <= _end - margin))
        {
            return;
        }

        _start = Math.Max(0, first - Overscan);
        _end = Math.Min(total, last + Overscan);
        StateHasChanged();
    });

    public async ValueTask DisposeAsync()
    {
        if (_watch is not null)
        {
            try
            {
                await _watch.InvokeVoidAsync("dispose");
                await _watch.DisposeAsync();
            }
            catch (JSDisconnectedException)
            {
                // The circuit is gone, and the page's listeners with it.
            }
        }

        _self?.Dispose();
    }

    private static string Num(double value) => value.ToString("0.##", Invariant);

    // The row's colours and indent come from its data attributes and this one variable (app.css), not from per-row
    // classes and styles: 500 rows of markup were most of a big trace's page.
    private static string? Depth(int depth) => depth == 0 ? null : string.Create(Invariant, $"--depth:{depth}");

    private static string Spacer(int rows) => string.Create(Invariant, $"--rows:{rows}");

    private static string RowClass(WaterfallRow row, bool selected) =>
        $"waterfall-row{(selected ? " selected" : "")}{(row.Kind == WaterfallKind.LambdaPhase ? " lambda-phase" : "")}";

    /// <summary>Five round offsets along the axis.</summary>
    private IEnumerable<(double Offset, double Left)> Ticks()
    {
        var total = Waterfall.TotalMs;
        if (total <= 0)
        {
            yield return (0, 0);
            yield break;
        }

        var step = ChartAxes.Counts(total).Step;
        for (var v = 0d; v <= total + 1e-9; v += step)
        {
            yield return (v, v / total * 100);
        }
    }
}
