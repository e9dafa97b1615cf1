using System.Globalization;
using System.Text.RegularExpressions;
using System.Threading.Channels;
using Microsoft.Playwright;
using Observe.Dashboard.Model;
using Observe.Store.Model;
using Xunit.Abstractions;

namespace Observe.Dashboard.Tests.Browser;

/// <summary>The Traces list, a trace's waterfall and the service map over the demo fleet, in Chromium against the real server.</summary>
public sealed class TracesBrowserTests(DashboardFixture dashboard, ITestOutputHelper output) : IClassFixture<DashboardFixture>
{
    private const float Timeout = 15_000;

    [Fact]
    public async Task List_StatusFilterThenFunctionSearch_RowsAreTheStoresSearch()
    {
        var (from, to) = PastRange();
        var range = BrowserTime.RangeQuery(from, to);
        var faults = await dashboard.Store.SearchTracesAsync(new TraceSearch { Range = new TimeRange(from, to), Statuses = TraceStatuses.Fault }, CancellationToken.None);
        if (faults.Traces.Count == 0)
        {
            // The demo draws its traces per minute and can have drawn no faulty one in the range: write one for a
            // function it traced, as a collector would.
            var traced = (await dashboard.Store.SearchTracesAsync(new TraceSearch { Range = new TimeRange(from, to) }, CancellationToken.None)).Traces[0];
            var start = to.AddMinutes(-30);
            await dashboard.Store.WriteTracesAsync(
            [
                new TraceTree(
                    new TraceSummary { TraceId = "1-6a5f0000-fa017fa017fa017fa017fa01", Start = start, DurationMs = 120, HasFault = true, Functions = [traced.Functions[0]] },
                    [new TraceSegment { Id = "fa017fa017fa017f", Name = traced.Functions[0].Name, Origin = "AWS::Lambda::Function", Start = start, End = start.AddMilliseconds(120), Fault = true }]),
            ], CancellationToken.None);
            faults = await dashboard.Store.SearchTracesAsync(new TraceSearch { Range = new TimeRange(from, to), Statuses = TraceStatuses.Fault }, CancellationToken.None);
        }

        var page = await OpenAsync($"traces?status=fault&{range}", 1440);

        await WaitForRowsAsync(page, faults.Traces.Select(t => t.TraceId).ToList());
        Assert.All(await page.Locator("[data-trace]").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.outcome)"), o => Assert.Equal("fault", o));

        // A function typed in the form goes into the address and narrows the list to that function's traces.
        var function = faults.Traces[0].Functions[0].Name;
        await page.Locator("input[data-testid=search-function], [data-testid=search-function] input").FillAsync(function);
        await page.Locator("[data-testid=search-submit]").ClickAsync();
        await WaitUntilAsync(() => Task.FromResult(page.Url.Contains($"function={Uri.EscapeDataString(function)}", StringComparison.Ordinal)), () => page.Url);
        var expected = await dashboard.Store.SearchTracesAsync(
            new TraceSearch { Range = new TimeRange(from, to), Statuses = TraceStatuses.Fault, FunctionName = function }, CancellationToken.None);
        await WaitForRowsAsync(page, expected.Traces.Select(t => t.TraceId).ToList());
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Trace_ColdStartFromTheList_WaterfallShowsInitialization_SpanPaneByKeyboard()
    {
        var (from, to) = PastRange();
        var cold = await ColdTraceAsync(new TimeRange(from, to));
        var page = await OpenAsync($"traces?id={cold}&{BrowserTime.RangeQuery(from, to)}", 1440);

        await page.Locator("[data-open-trace]").ClickAsync();
        var initialization = page.Locator("[data-span][data-kind=LambdaPhase]", new() { HasText = "Initialization" });
        await Assertions.Expect(initialization).ToBeVisibleAsync(new() { Timeout = Timeout });
        Assert.True(int.Parse(await initialization.GetAttributeAsync("data-depth") ?? "0", CultureInfo.InvariantCulture) > 0, "Initialization is not nested under the function");
        await Assertions.Expect(page.Locator("[data-field=spans]")).ToContainTextAsync("cold start", new() { Timeout = Timeout });

        // Keyboard: focus the Initialization row and press Enter; the pane opens and Escape closes it.
        await initialization.FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.Locator("[data-testid=span-pane] h2")).ToHaveTextAsync("Initialization", new() { Timeout = Timeout });
        await page.Locator("[data-testid=close-pane]").FocusAsync();
        await page.Keyboard.PressAsync("Escape");
        await Assertions.Expect(page.Locator("[data-testid=span-pane]")).ToHaveCountAsync(0, new() { Timeout = Timeout });
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Trace_500Spans_OnlyAWindowIsDrawn_TabAndScrollReachTheLastSpan_WhichOpens()
    {
        // A root and 499 children started a millisecond apart, so the tree order is known without the page's model:
        // the root, then far-000 to far-498. Hours before the other tests' range, so their searches never see it.
        var start = DateTimeOffset.UtcNow.AddHours(-3);
        var traceId = $"1-{start.ToUnixTimeSeconds():x8}-{500:x24}";
        var order = new[] { "far-root" }.Concat(Enumerable.Range(0, 499).Select(i => $"far-{i:000}")).ToList();
        var segments = order.Select((id, i) => new TraceSegment
        {
            Id = id,
            ParentId = i == 0 ? null : "far-root",
            Name = i == 0 ? "orders" : $"step {i - 1}",
            Origin = i == 0 ? "AWS::Lambda::Function" : null,
            Start = start.AddMilliseconds(i),
            End = start.AddMilliseconds(i == 0 ? 600 : i + 1),
        }).ToList();
        var summary = new TraceSummary { TraceId = traceId, Start = start, DurationMs = 600, Functions = [] };
        await dashboard.Store.WriteTracesAsync([new TraceTree(summary, segments)], CancellationToken.None);

        var lag = TimeSpan.Zero;
        var page = await OpenAsync($"traces/{traceId}", 1440, beforeLoad: p => SlowCircuitAsync(p, () => lag));
        var waterfall = page.Locator("[data-testid=waterfall]");
        await Assertions.Expect(waterfall).ToHaveAttributeAsync("aria-rowcount", "501", new() { Timeout = Timeout });
        var drawn = await page.Locator("[data-span]").CountAsync();
        Assert.True(drawn < 200, $"{drawn} of 500 rows are in the page: the waterfall is not windowed");

        // Tab moves row by row past the first window: each press lands on the next span in tree order.
        var focused = "";
        Task FocusOnAsync(int row, string press) => WaitUntilAsync(
            async () => (focused = await page.EvaluateAsync<string>("() => document.activeElement?.dataset?.span ?? ''")) == order[row],
            () => $"{press}: focus on \"{focused}\", expected {order[row]}");
        await page.Locator("[data-span=far-root]").FocusAsync();
        for (var i = 1; i <= 80; i++)
        {
            await page.Keyboard.PressAsync("Tab");
            await FocusOnAsync(i, $"Tab {i}");
        }

        // Keys faster than the server draws (a held key on a slow link: here the server's frames reach the page 300 ms
        // late): a Tab on the last drawn row waits for the next one instead of leaving the list, so 60 presses in a
        // row still land 60 rows on.
        lag = TimeSpan.FromMilliseconds(300);
        for (var i = 81; i <= 140; i++)
        {
            await page.Keyboard.PressAsync("Tab");
        }

        await FocusOnAsync(140, "60 quick Tabs from row 80");
        // And back past the window's top edge the same way.
        for (var i = 139; i >= 40; i--)
        {
            await page.Keyboard.PressAsync("Shift+Tab");
        }

        await FocusOnAsync(40, "100 quick Shift+Tabs from row 140");
        lag = TimeSpan.Zero;
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.Locator("[data-testid=span-pane] h2")).ToHaveTextAsync("step 39", new() { Timeout = Timeout });

        // Scrolled to the end, the last span is drawn, and a click opens it.
        await waterfall.EvaluateAsync("w => w.scrollIntoView({ block: 'end' })");
        var last = page.Locator("[data-span=far-498]");
        await Assertions.Expect(last).ToBeVisibleAsync(new() { Timeout = Timeout });
        Assert.Equal("501", await last.GetAttributeAsync("aria-rowindex"));
        await last.ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=span-pane] h2")).ToHaveTextAsync("step 498", new() { Timeout = Timeout });
        Assert.Contains("span=far-498", page.Url, StringComparison.Ordinal);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Map_DemoFleet_DrawsTheStoredGraph()
    {
        var (from, to) = PastRange();
        var graph = await dashboard.Store.GetServiceGraphAsync(FleetFilter.All, new TimeRange(from, to), CancellationToken.None);
        Assert.NotEmpty(graph.Nodes);
        var page = await OpenAsync($"traces/map?{BrowserTime.RangeQuery(from, to)}", 1440);

        await Assertions.Expect(page.Locator("[data-testid=service-map] svg [data-node]")).ToHaveCountAsync(graph.Nodes.Count, new() { Timeout = Timeout });
        var busiest = graph.Nodes.OrderByDescending(n => n.Stats.Requests).First();
        var row = page.Locator($"[data-testid=map-nodes] tr[data-node=\"{busiest.Key}\"]");
        await Assertions.Expect(row.Locator("[data-requests]")).ToHaveTextAsync(FigureFormat.ExactCount(busiest.Stats.Requests), new() { Timeout = Timeout });
        await page.Context.CloseAsync();
    }

    [Theory]
    [InlineData(DashboardThemes.Light, 1440)]
    [InlineData(DashboardThemes.Dark, 1440)]
    [InlineData(DashboardThemes.Light, 390)]
    [InlineData(DashboardThemes.Dark, 390)]
    public async Task Pages_BothThemes_NoSidewaysScroll_Screenshots(string theme, int width)
    {
        var (from, to) = PastRange();
        var range = BrowserTime.RangeQuery(from, to);
        var cold = await ColdTraceAsync(new TimeRange(from, to));
        foreach (var (name, path, ready) in new[]
        {
            ("traces", $"traces?{range}", "[data-testid=traces-grid]"),
            ("trace", $"traces/{cold}", "[data-testid=waterfall]"),
            ("service-map", $"traces/map?{range}", "[data-testid=service-map]"),
        })
        {
            var page = await OpenAsync(path, width, theme);
            await page.Locator(ready).WaitForAsync(new() { Timeout = Timeout });
            var file = Path.Combine(DashboardFixture.ArtifactsDirectory, $"{name}-{theme}-{width}.png");
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = file });
            output.WriteLine($"screenshot: {file}");
            var wide = await page.EvaluateAsync<string[]>("""
                () => [...document.querySelectorAll('.page *')]
                    .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1 && !e.closest('.table-scroll, .service-map'))
                    .slice(0, 5).map(e => `${e.tagName}.${e.className} ${Math.round(e.getBoundingClientRect().right)}px`)
                """);
            Assert.True(wide.Length == 0, $"{name} at {width}px reaches past the window: {string.Join("; ", wide)}");
            await page.Context.CloseAsync();
        }
    }

    /// <summary>Whole minutes well inside the backfilled history, so what the store holds no longer changes.</summary>
    private static (DateTimeOffset From, DateTimeOffset To) PastRange()
    {
        var now = DateTimeOffset.UtcNow;
        var to = new DateTimeOffset(now.UtcTicks - (now.UtcTicks % TimeSpan.TicksPerMinute), TimeSpan.Zero).AddMinutes(-5);
        // Nearly all of the two hours the demo backfilled: its traces are drawn per minute, and a shorter window can
        // hold no faulty one.
        return (to.AddMinutes(-110), to);
    }

    private async Task<string> ColdTraceAsync(TimeRange range)
    {
        foreach (var summary in (await dashboard.Store.SearchTracesAsync(new TraceSearch { Range = range, Limit = 500 }, CancellationToken.None)).Traces)
        {
            if ((await dashboard.Store.GetTraceAsync(summary.TraceId, CancellationToken.None))!.Segments.Any(s => s.Name == "Initialization"))
            {
                return summary.TraceId;
            }
        }

        throw new InvalidOperationException("the demo fleet wrote no cold-start trace in the range");
    }

    private static async Task WaitForRowsAsync(IPage page, IReadOnlyList<string> expected)
    {
        Assert.NotEmpty(expected);
        var shown = Array.Empty<string>();
        await WaitUntilAsync(
            async () => (shown = await page.Locator("[data-trace]").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.trace)")).SequenceEqual(expected),
            () => $"rows {string.Join(", ", shown.Take(5))}… ({shown.Length}), expected {string.Join(", ", expected.Take(5))}… ({expected.Count})");
    }

    /// <summary>
    /// The circuit's socket through the test: the page's frames go to the server as they are (Playwright forwards a
    /// direction with no handler), and the server's reach the page, in order, <paramref name="lag"/> after they left it
    /// (a slow link, one way).
    /// </summary>
    /// <remarks>
    /// Playwright's .NET frames do not say whether they were text or binary. SignalR's handshake answer is the one
    /// text frame the server sends on a circuit using Blazor's binary protocol: every frame after it is binary.
    /// </remarks>
    private static Task SlowCircuitAsync(IPage page, Func<TimeSpan> lag) => page.RouteWebSocketAsync(new Regex("/_blazor"), ws =>
    {
        var server = ws.ConnectToServer();
        var late = Channel.CreateUnbounded<(DateTime Due, byte[] Frame)>();
        server.OnMessage(frame => late.Writer.TryWrite((DateTime.UtcNow + lag(), frame.Binary ?? [])));
        server.OnClose((_, _) => late.Writer.TryComplete());
        _ = Task.Run(async () =>
        {
            var handshake = true;
            await foreach (var (due, frame) in late.Reader.ReadAllAsync())
            {
                var wait = due - DateTime.UtcNow;
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait);
                }

                if (handshake)
                {
                    ws.Send(System.Text.Encoding.UTF8.GetString(frame));
                    handshake = false;
                }
                else
                {
                    ws.Send(frame);
                }
            }
        });
    });

    private async Task<IPage> OpenAsync(string path, int width, string? theme = null, Func<IPage, Task>? beforeLoad = null)
    {
        var context = await dashboard.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = width, Height = width < 600 ? 844 : 1000 },
            DeviceScaleFactor = 1,
        });
        if (theme is not null)
        {
            await context.AddCookiesAsync([new Cookie { Name = DashboardThemes.CookieName, Value = theme, Url = dashboard.BaseUrl.ToString() }]);
        }

        var page = await context.NewPageAsync();
        if (beforeLoad is not null)
        {
            await beforeLoad(page);
        }

        await page.GotoAsync(new Uri(dashboard.BaseUrl, path).ToString());
        await page.Locator(".page[data-interactive]").WaitForAsync(new() { Timeout = Timeout });
        return page;
    }

    private static Task WaitUntilAsync(Func<Task<bool>> condition, Func<string> describe) => BrowserPoll.UntilAsync(condition, describe, Timeout);
}
