using System.Diagnostics;
using System.Globalization;
using Microsoft.Playwright;
using Observe.Dashboard.Tests.Browser;

namespace Observe.Benchmarks.Dashboard;

/// <summary>
/// Issue 11's page goals, measured in Chromium against the published dashboard serving the <see cref="FleetSeed"/>
/// store (10,000 functions, 5 accounts, 4 regions, 30 days), with no collectors running:
/// <list type="bullet">
/// <item>Functions first render: navigation start to the grid's rows painted, on a fresh browser context each time
/// (the server-side render; the first after start also pays JIT and the snapshot's store read, reported apart);</item>
/// <item>filter, sort and page round trips: a click on a sort header, the next page or a facet value, to the grid showing
/// the new query's rows (the <c>data-shown</c> query on the grid, set in the same render as its rows), 50 operations, p95;</item>
/// <item>CSV export of the whole fleet (10,000 rows) over the browser context's HTTP stack;</item>
/// <item>Function detail: navigation start to its charts painted, for busy functions (<see cref="FleetDetail"/>);</item>
/// <item>memory per open Functions page: the live managed heap after a full GC with one page open, then ten more.</item>
/// </list>
/// Not BenchmarkDotNet: each figure is a browser-observed latency or another process's memory. Timings include the
/// Playwright round trip to Chromium (a few ms), so they overstate the page slightly.
/// </summary>
internal static class FleetPages
{
    private const int FirstRenders = 10;
    private const int Operations = 50;
    private const int Exports = 5;
    private const int Details = 10;
    private const int ExtraPages = 10;

    /// <param name="storeDirectory">The store written by <c>--fleet-seed</c>.</param>
    /// <param name="gridOnly">Measure the Functions grid's first render and round trips only (a quicker loop while working on the grid).</param>
    public static async Task<int> RunAsync(string storeDirectory, bool gridOnly = false)
    {
        var published = DashboardProcess.DirectoryFrom("OBSERVE_BENCH_DASHBOARD_AFTER");
        await using var dashboard = await DashboardProcess.StartAsync(published, CancellationToken.None, storeDirectory);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchAsync(playwright);
        var functions = new Uri(dashboard.BaseUrl, "functions");

        // First render: each in a new context, so nothing is cached in the browser.
        var renders = new List<double>();
        for (var i = 0; i < FirstRenders; i++)
        {
            await using var context = await dashboard.NewContextAsync(browser);
            var page = await context.NewPageAsync();
            var watch = Stopwatch.StartNew();
            await page.GotoAsync(functions.ToString(), new PageGotoOptions { WaitUntil = WaitUntilState.Commit, Timeout = 120_000 });
            await page.Locator("[data-testid=functions-grid] tbody tr").First.WaitForAsync(new LocatorWaitForOptions { Timeout = 120_000 });
            renders.Add(watch.Elapsed.TotalMilliseconds);
        }

        Report("Functions first render, first after start", [renders[0]]);
        Report("Functions first render, later", renders[1..]);

        // Round trips on one interactive page.
        var trips = new List<double>();
        await using (var context = await dashboard.NewContextAsync(browser))
        {
            var page = await context.NewPageAsync();
            await page.GotoAsync(functions.ToString());
            await page.Locator(".page[data-interactive]").WaitForAsync(new LocatorWaitForOptions { Timeout = 60_000 });
            var grid = page.Locator("[data-testid=functions-grid]");
            await grid.Locator("tbody tr").First.WaitForAsync();
            // Where the browser's time goes: Chromium's own counters over the whole series, and the bytes the server sent.
            var cdp = await context.NewCDPSessionAsync(page);
            await cdp.SendAsync("Performance.enable");
            var received = 0L;
            page.WebSocket += (_, socket) => socket.FrameReceived += (_, frame) =>
                Interlocked.Add(ref received, frame.Binary?.Length ?? System.Text.Encoding.UTF8.GetByteCount(frame.Text ?? ""));
            await page.ReloadAsync();
            await page.Locator(".page[data-interactive]").WaitForAsync(new LocatorWaitForOptions { Timeout = 60_000 });
            await grid.Locator("tbody tr").First.WaitForAsync();
            var metricsBefore = await BrowserMetricsAsync(cdp);
            var receivedBefore = Interlocked.Read(ref received);

            // The page's own clock, as for the detail page: from the click's event time to the first animation frame
            // after the grid's shown query changed (a mutation observer sees Blazor apply the batch), free of
            // Playwright's actionability checks and polling.
            await page.EvaluateAsync("""
                () => {
                  document.addEventListener('click', e => { window.__clickAt = e.timeStamp; }, true);
                  new MutationObserver(() => {
                    const g = document.querySelector('[data-testid=functions-grid]');
                    const shown = g && g.dataset.shown;
                    if (shown !== window.__lastShown) {
                      window.__lastShown = shown;
                      requestAnimationFrame(() => { window.__paintedAt = performance.now(); });
                    }
                  }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-shown'] });
                  const g = document.querySelector('[data-testid=functions-grid]');
                  window.__lastShown = g && g.dataset.shown;
                }
                """);
            var pageTrips = new List<double>();
            string[] operations =
            [
                "[data-testid=functions-grid] a.sort-header[data-sort=invocations]",
                "[data-testid=next-page]",
                "[data-facet=region] a.facet-value >> nth=0",
                "[data-testid=functions-grid] a.sort-header[data-sort=cost]",
                "[data-testid=next-page]",
                "[data-facet=region] a.facet-value >> nth=0",
                "[data-testid=functions-grid] a.sort-header[data-sort=name]",
                "[data-facet=runtime] a.facet-value >> nth=1",
                "[data-testid=next-page]",
                "[data-facet=runtime] a.facet-value >> nth=1",
            ];
            for (var i = 0; i < Operations; i++)
            {
                var target = page.Locator(operations[i % operations.Length]);
                if (await target.CountAsync() == 0)
                {
                    throw new InvalidOperationException($"operation {i}: nothing matches {operations[i % operations.Length]} on {page.Url}");
                }

                // The query shown: on the grid, or on each row in builds before the grid carried it (to compare with them).
                var before = await grid.GetAttributeAsync("data-shown") ?? await grid.Locator("a.function-name").First.GetAttributeAsync("data-shown");
                var watch = Stopwatch.StartNew();
                await target.ClickAsync();
                await page.WaitForFunctionAsync(
                    "before => { const g = document.querySelector('[data-testid=functions-grid]'); const a = g && g.querySelector('a.function-name'); return a && (g.dataset.shown ?? a.dataset.shown) !== before; }",
                    before, new PageWaitForFunctionOptions { Timeout = 30_000, PollingInterval = 1 });
                trips.Add(watch.Elapsed.TotalMilliseconds);
                pageTrips.Add(await page.EvaluateAsync<double>("""
                    () => new Promise(resolve => {
                      const wait = () => window.__paintedAt > window.__clickAt ? resolve(window.__paintedAt - window.__clickAt) : requestAnimationFrame(wait);
                      wait();
                    })
                    """));
            }

            Report("Functions filter/sort/page round trip (page clock: click to the first frame with the new rows)", pageTrips);

            var metricsAfter = await BrowserMetricsAsync(cdp);
            double PerOperation(string name) => (metricsAfter[name] - metricsBefore[name]) * 1000 / Operations;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Per round trip in Chromium: script {PerOperation("ScriptDuration"):N1} ms, style {PerOperation("RecalcStyleDuration"):N1} ms, layout {PerOperation("LayoutDuration"):N1} ms, all tasks {PerOperation("TaskDuration"):N1} ms; {(Interlocked.Read(ref received) - receivedBefore) / Operations / 1024d:N1} KiB from the server; {metricsAfter["Nodes"]:N0} DOM nodes"));
        }

        Report("Functions filter/sort/page round trip (Playwright: click action to the new rows seen, as measured before)", trips);
        if (gridOnly)
        {
            return 0;
        }

        // CSV of the whole fleet through the browser's HTTP stack.
        var exports = new List<double>();
        await using (var context = await dashboard.NewContextAsync(browser))
        {
            for (var i = 0; i < Exports; i++)
            {
                var watch = Stopwatch.StartNew();
                var response = await context.APIRequest.GetAsync(new Uri(dashboard.BaseUrl, "functions/export.csv").ToString(), new APIRequestContextOptions { Timeout = 120_000 });
                var body = await response.BodyAsync();
                exports.Add(watch.Elapsed.TotalMilliseconds);
                var lines = body.Count(b => b == (byte)'\n');
                if (!response.Ok || lines < 10_000)
                {
                    throw new InvalidOperationException($"the export answered {response.Status} with {lines} lines");
                }
            }
        }

        Report("CSV export, 10,000 rows", exports);

        FleetDetail.Report("Function detail first render", await FleetDetail.MeasureAsync(browser, dashboard, Details, ""));

        // Memory per open Functions page.
        var contexts = new List<IBrowserContext>();
        try
        {
            contexts.Add(await OpenInteractiveAsync(browser, dashboard, functions));
            await Task.Delay(TimeSpan.FromSeconds(5));
            var baseline = await ManagedHeap.LiveBytesAfterFullGcAsync(dashboard.ProcessId, CancellationToken.None);
            var residentBaseline = dashboard.ResidentBytes();
            for (var i = 0; i < ExtraPages; i++)
            {
                contexts.Add(await OpenInteractiveAsync(browser, dashboard, functions));
            }

            await Task.Delay(TimeSpan.FromSeconds(5));
            var after = await ManagedHeap.LiveBytesAfterFullGcAsync(dashboard.ProcessId, CancellationToken.None);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Memory per open Functions page: {(after - baseline) / ExtraPages / 1024d:N0} KiB managed heap, {(dashboard.ResidentBytes() - residentBaseline) / ExtraPages / 1024d:N0} KiB resident ({ExtraPages} pages after one)"));
        }
        finally
        {
            foreach (var context in contexts)
            {
                await context.DisposeAsync();
            }
        }

        return 0;
    }

    /// <summary>Chromium's performance counters (seconds for the durations), from CDP's Performance.getMetrics.</summary>
    private static async Task<Dictionary<string, double>> BrowserMetricsAsync(ICDPSession cdp)
    {
        var result = await cdp.SendAsync("Performance.getMetrics") ?? throw new InvalidOperationException("Performance.getMetrics answered nothing");
        return result.GetProperty("metrics").EnumerateArray()
            .ToDictionary(m => m.GetProperty("name").GetString()!, m => m.GetProperty("value").GetDouble(), StringComparer.Ordinal);
    }

    /// <summary>Chromium from OBSERVE_TEST_CHROMIUM, headless, with nothing of its own running in the background.</summary>
    internal static Task<IBrowser> LaunchAsync(IPlaywright playwright)
    {
        var chromium = Environment.GetEnvironmentVariable("OBSERVE_TEST_CHROMIUM");
        if (string.IsNullOrEmpty(chromium) || !File.Exists(chromium))
        {
            throw new InvalidOperationException($"OBSERVE_TEST_CHROMIUM must name a Chromium executable; it is '{chromium}' (scripts/peers.sh install).");
        }

        // OBSERVE_BENCH_CHROMIUM_POPUP=1: as measured before the browser stopped starting its address-bar popup.
        var options = HeadlessChromium.Options(chromium, addressBarPopup: Environment.GetEnvironmentVariable("OBSERVE_BENCH_CHROMIUM_POPUP") == "1");
        return playwright.Chromium.LaunchAsync(options);
    }

    private static async Task<IBrowserContext> OpenInteractiveAsync(IBrowser browser, DashboardProcess dashboard, Uri uri)
    {
        var context = await dashboard.NewContextAsync(browser);
        var page = await context.NewPageAsync();
        await page.GotoAsync(uri.ToString());
        await page.Locator(".page[data-interactive]").WaitForAsync(new LocatorWaitForOptions { Timeout = 60_000 });
        return context;
    }

    internal static void Report(string what, IReadOnlyList<double> samples)
    {
        var sorted = samples.Order().ToList();
        double Percentile(double p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{what}: n={sorted.Count}, median {Percentile(0.5):N0} ms, p95 {Percentile(0.95):N0} ms, max {sorted[^1]:N0} ms"));
    }
}
