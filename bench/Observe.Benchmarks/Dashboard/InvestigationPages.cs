using System.Diagnostics;
using System.Globalization;
using Microsoft.Playwright;

namespace Observe.Benchmarks.Dashboard;

/// <summary>
/// Issue 12's page goals over the <see cref="FleetSeed"/> store with its errors and traces
/// (<see cref="FleetSeedInvestigation"/>), in Chromium against the published dashboard (Production, no collectors):
/// <list type="bullet">
/// <item>Errors and Traces first render, at the default range and over 30 days (<c>?range=30d</c>): navigation start,
/// on a new browser context each time, to the first animation frame with the rows in the DOM (the page's clock), goal
/// 500 ms;</item>
/// <item>a filter or sort round trip on each: the click's event time to the first frame with the new query's rows;</item>
/// <item>the 500-span waterfall (<c>/traces/{id}</c>): navigation start to the first frame whose drawn rows fill the
/// screen (or are all 500), goal 300 ms; the waterfall draws a window of rows, so "all 500 in the DOM" is no longer
/// the event a reader waits for. Also to the first frame of the interactive page (the circuit up, rows clickable);</item>
/// <item>Traces over 30 days with its scatter drawn: the list comes prerendered, the scatter's dots with the circuit;</item>
/// <item>each page's prerendered HTML size and the server's answer time (one GET, no browser), and the bytes the
/// server sent over the circuit per round trip.</item>
/// </list>
/// </summary>
internal static class InvestigationPages
{
    private const int RoundTrips = 30;

    /// <summary>The longest a quiet start waits for the machine before opening the page anyway (and counting it).</summary>
    private static readonly TimeSpan QuietTimeout = TimeSpan.FromSeconds(10);

    /// <param name="storeDirectory">The store written by <c>--fleet-seed</c> or <c>--investigation-seed</c>.</param>
    /// <param name="count">Cold renders per page (after one warm-up each).</param>
    /// <param name="only">The measurements to make, by key (errors, errors-30d, errors-30d-trends, traces, traces-30d, traces-30d-scatter, waterfall, waterfall-interactive, waterfall-from-list, trips); empty for all.</param>
    /// <param name="oneViewer">Leave each page only once it has drawn all of it, so renders do not overlap the last one's interactive reads.</param>
    /// <param name="quiet">As <paramref name="oneViewer"/>, and open each page once the machine is quiet again (<see cref="MachineQuiet"/>), so a visit does not share the cores with the last one's browser context closing and circuit being disposed either.</param>
    public static async Task<int> RunAsync(string storeDirectory, int count, IReadOnlySet<string> only, bool oneViewer, bool quiet)
    {
        oneViewer |= quiet;
        var published = DashboardProcess.DirectoryFrom("OBSERVE_BENCH_DASHBOARD_AFTER");
        await using var dashboard = await DashboardProcess.StartAsync(published, CancellationToken.None, storeDirectory);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await FleetPages.LaunchAsync(playwright);
        var baseUrl = dashboard.BaseUrl;

        const string errorsReady = "() => document.querySelectorAll('[data-testid=errors-grid] tbody tr').length > 0";
        const string tracesReady = "() => document.querySelectorAll('[data-testid=traces-grid] tbody tr').length > 0";
        // The screen is full of rows: the last one drawn reaches the viewport's bottom, or every row is drawn. Holds for a
        // waterfall that draws all its rows (met mid-parse once they pass the fold) and for one that draws a window.
        var waterfallReady = $$"""
            () => {
              const rows = document.querySelectorAll('[data-testid=waterfall] [data-span]');
              return rows.length >= {{FleetSeedInvestigation.LargeTraceSpans}} ||
                (rows.length > 0 && rows[rows.length - 1].getBoundingClientRect().bottom >= window.innerHeight);
            }
            """;
        const string waterfallInteractive = "() => !!document.querySelector('.trace-page[data-interactive] [data-testid=waterfall] [data-span]')";
        const string trendsReady = "() => !!document.querySelector('[data-testid=errors-grid] tbody tr [data-trend]')";
        const string scatterReady = "() => !!document.querySelector('[data-testid=traces-grid] tbody tr') && !!document.querySelector('[data-chart=trace-scatter] [data-point]')";
        // Settled: what the page draws once interactive, all of it (the Errors trends, the Traces scatter).
        (string Key, string Name, string Path, string Ready, string Settled)[] all =
        [
            ("errors", "Errors, default range", "errors", errorsReady, trendsReady),
            ("errors-30d", "Errors, 30 days", "errors?range=30d", errorsReady, trendsReady),
            ("errors-30d-trends", "Errors, 30 days, trends drawn", "errors?range=30d", trendsReady, trendsReady),
            ("traces", "Traces, default range", "traces", tracesReady, scatterReady),
            ("traces-30d", "Traces, 30 days", "traces?range=30d", tracesReady, scatterReady),
            ("traces-30d-scatter", "Traces, 30 days, scatter drawn", "traces?range=30d", scatterReady, scatterReady),
            ("waterfall", $"Waterfall, {FleetSeedInvestigation.LargeTraceSpans} spans", $"traces/{FleetSeedInvestigation.LargeTraceId}", waterfallReady, waterfallInteractive),
            ("waterfall-interactive", $"Waterfall, {FleetSeedInvestigation.LargeTraceSpans} spans, interactive", $"traces/{FleetSeedInvestigation.LargeTraceId}", waterfallInteractive, waterfallInteractive),
        ];
        if (only.Count == 0 || only.Contains("waterfall-from-list"))
        {
            await FromListAsync(browser, dashboard, count, waterfallReady);
        }

        var pages = all.Where(p => only.Count == 0 || only.Contains(p.Key)).Select(p => (p.Name, p.Path, p.Ready, Settled: oneViewer ? p.Settled : null)).ToList();

        using (var http = dashboard.Http(TimeSpan.FromMinutes(2)))
        {
            // One line per address: two measurements of one page share its HTML.
            foreach (var (name, path, _, _) in pages.DistinctBy(p => p.Path))
            {
                await http.GetStringAsync(path);
                var sizes = new List<double>();
                var times = new List<double>();
                for (var i = 0; i < 5; i++)
                {
                    var watch = Stopwatch.StartNew();
                    var html = await http.GetByteArrayAsync(path);
                    times.Add(watch.Elapsed.TotalMilliseconds);
                    sizes.Add(html.Length);
                }

                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{name}: prerendered HTML {sizes.Average() / 1024:N0} KiB, server answer median {times.Order().ElementAt(2):N0} ms (5 GETs, curl-like)"));
            }
        }

        foreach (var (name, path, ready, settled) in pages)
        {
            var uri = new Uri(baseUrl, path);
            FleetPages.Report(name + " first render, first (warm-up)", (await ColdAsync(browser, dashboard, uri, ready, settled, 1, quiet)).Select(s => s.Ready).ToList());
            var samples = await ColdAsync(browser, dashboard, uri, ready, settled, count, quiet);
            if (quiet)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{name}: {samples.Count(s => !s.QuietStart)} of {samples.Count} visits began before the machine was quiet (waited {QuietTimeout.TotalSeconds:N0} s)"));
            }

            FleetPages.Report(name + " first render (page clock: navigation start to the frame with the rows)", samples.Select(s => s.Ready).ToList());
            FleetPages.Report(name + " rows painted (the next frame's start: the rows' frame styled, laid out and painted)", samples.Select(s => s.Painted).ToList());
            FleetPages.Report(name + " first contentful paint (the browser's own)", samples.Select(s => s.FirstContentfulPaint).ToList());
            // Where the time goes: the server's first byte, its last, the stylesheets (they hold the first frame), the
            // parser reaching the end (after the scripts at the body's end), and the first frame at all.
            FleetPages.Report(name + " first byte", samples.Select(s => s.FirstByte).ToList());
            FleetPages.Report(name + " last byte", samples.Select(s => s.LastByte).ToList());
            FleetPages.Report(name + " stylesheets loaded", samples.Select(s => s.StylesLoaded).ToList());
            FleetPages.Report(name + " DOM interactive", samples.Select(s => s.DomInteractive).ToList());
            FleetPages.Report(name + " first frame", samples.Select(s => s.FirstFrame).ToList());
        }

        if (only.Count > 0 && !only.Contains("trips"))
        {
            return 0;
        }

        await RoundTripsAsync(browser, dashboard, new Uri(baseUrl, "errors"), "Errors filter/sort round trip", ".errors-page", "data-query", "[data-testid=errors-grid] tbody tr",
        [
            "[data-facet=sort] a[data-value=last-seen]",
            "[data-facet=status] a[data-value=active]",
            "[data-facet=sort] a[data-value=first-seen]",
            "[data-facet=status] a[data-value='']",
            "[data-facet=sort] a[data-value=count]",
        ]);
        await RoundTripsAsync(browser, dashboard, new Uri(baseUrl, "traces"), "Traces filter/sort round trip", ".traces-page", "data-search", "[data-testid=traces-grid] tbody tr",
        [
            "[data-testid=traces-grid] a[data-sort=duration]",
            "[data-testid=status-filter] a[data-status=fault]",
            "[data-testid=traces-grid] a[data-sort=start]",
            "[data-testid=status-filter] a[data-status=fault]",
            "[data-testid=next-page]",
        ]);
        return 0;
    }

    /// <summary>
    /// Opens <paramref name="uri"/> <paramref name="count"/> times, each on a new context: the page's clock to
    /// <paramref name="ready"/> on a frame (an animation frame's callbacks run before that frame's style, layout and
    /// paint), to the start of the frame after it (by then the rows' frame is painted), to the browser's first
    /// contentful paint, to the document's first and last byte (Navigation Timing), to the stylesheets' last byte, to
    /// DOM interactive (the parser past the scripts at the body's end) and to the first frame of all. With
    /// <paramref name="settled"/>, each page is left only once it holds (one viewer at a time: the next page's server
    /// answer does not share the machine with the last one's interactive reads); without, the next opens at once. With
    /// <paramref name="quiet"/>, each opens once the machine is quiet (<see cref="MachineQuiet"/>).
    /// </summary>
    private static async Task<List<ColdSample>> ColdAsync(IBrowser browser, DashboardProcess dashboard, Uri uri, string ready, string? settled, int count, bool quiet)
    {
        var samples = new List<ColdSample>();
        for (var i = 0; i < count; i++)
        {
            var quietStart = !quiet || await MachineQuiet.WaitAsync(QuietTimeout);
            await using var context = await dashboard.NewContextAsync(browser);
            var page = await context.NewPageAsync();
            await page.AddInitScriptAsync($$"""
                const ready = {{ready}};
                const seen = () => {
                  if (window.__firstFrameAt === undefined) { window.__firstFrameAt = performance.now(); }
                  if (!ready()) { requestAnimationFrame(seen); return; }
                  window.__readyAt = performance.now();
                  requestAnimationFrame(() => { window.__paintedAt = performance.now(); });
                };
                requestAnimationFrame(seen);
                """);
            await page.GotoAsync(uri.ToString(), new PageGotoOptions { WaitUntil = WaitUntilState.Commit, Timeout = 120_000 });
            const string painted = "() => window.__paintedAt !== undefined && performance.getEntriesByName('first-contentful-paint').length > 0";
            await page.WaitForFunctionAsync(painted, null, new PageWaitForFunctionOptions { Timeout = 120_000 });
            var times = await page.EvaluateAsync<double[]>("""
                () => {
                  const n = performance.getEntriesByType('navigation')[0];
                  const fcp = performance.getEntriesByName('first-contentful-paint')[0];
                  const styles = performance.getEntriesByType('resource').filter(r => r.initiatorType === 'link').map(r => r.responseEnd);
                  return [window.__readyAt, window.__paintedAt, fcp.startTime, n.responseStart, n.responseEnd,
                    window.__firstFrameAt, Math.max(0, ...styles), n.domInteractive];
                }
                """);
            samples.Add(new ColdSample(times[0], times[1], times[2], times[3], times[4], times[5], times[6], times[7], quietStart));
            if (settled is not null)
            {
                await page.WaitForFunctionAsync(settled, null, new PageWaitForFunctionOptions { Timeout = 120_000 });
            }
        }

        return samples;
    }

    /// <summary>
    /// The waterfall as a reader opens it: on the interactive Traces list (30 days, filtered to the 500-span trace), a
    /// click on the trace's link, <paramref name="count"/> times after one warm-up, going back to the list between. From
    /// the click's event time to the frame whose waterfall rows fill the screen (<paramref name="ready"/>), and to the
    /// start of the frame after it (that frame painted). The circuit renders the page; no new document, styles or scripts.
    /// </summary>
    private static async Task FromListAsync(IBrowser browser, DashboardProcess dashboard, int count, string ready)
    {
        await using var context = await dashboard.NewContextAsync(browser);
        var page = await context.NewPageAsync();
        var list = new Uri(dashboard.BaseUrl, $"traces?range=30d&id={FleetSeedInvestigation.LargeTraceId}");
        var link = $".traces-page[data-interactive] [data-trace='{FleetSeedInvestigation.LargeTraceId}'] a[data-open-trace]";
        await page.GotoAsync(list.ToString(), new PageGotoOptions { Timeout = 120_000 });
        await page.EvaluateAsync("() => document.addEventListener('click', e => { window.__clickAt = e.timeStamp; }, true)");
        var frames = new List<double>();
        var painted = new List<double>();
        for (var i = 0; i <= count; i++)
        {
            await page.Locator(link).WaitForAsync(new LocatorWaitForOptions { Timeout = 120_000 });
            await page.EvaluateAsync($$"""
                () => {
                  window.__readyAt = undefined;
                  window.__paintedAt = undefined;
                  const ready = {{ready}};
                  const seen = () => {
                    if (!document.querySelector('.trace-page') || !ready()) { requestAnimationFrame(seen); return; }
                    window.__readyAt = performance.now();
                    requestAnimationFrame(() => { window.__paintedAt = performance.now(); });
                  };
                  requestAnimationFrame(seen);
                }
                """);
            await page.Locator(link).ClickAsync();
            await page.WaitForFunctionAsync("() => window.__paintedAt !== undefined", null, new PageWaitForFunctionOptions { Timeout = 120_000 });
            var times = await page.EvaluateAsync<double[]>("() => [window.__readyAt - window.__clickAt, window.__paintedAt - window.__clickAt]");
            if (i > 0)
            {
                frames.Add(times[0]);
                painted.Add(times[1]);
            }

            await page.GoBackAsync(new PageGoBackOptions { Timeout = 120_000 });
        }

        FleetPages.Report("Waterfall opened from the Traces list (click to the frame whose rows fill the screen)", frames);
        FleetPages.Report("Waterfall opened from the Traces list (click to that frame painted)", painted);
    }

    private sealed record ColdSample(double Ready, double Painted, double FirstContentfulPaint, double FirstByte, double LastByte, double FirstFrame, double StylesLoaded, double DomInteractive, bool QuietStart);

    /// <summary>
    /// Clicks <paramref name="operations"/> in turn on one interactive page, <see cref="RoundTrips"/> times: from the
    /// click's event time to the first frame where <paramref name="root"/>'s <paramref name="keyAttribute"/> (the query
    /// the page shows) has changed and <paramref name="rows"/> are in the DOM.
    /// </summary>
    private static async Task RoundTripsAsync(IBrowser browser, DashboardProcess dashboard, Uri uri, string name, string root, string keyAttribute, string rows, string[] operations)
    {
        await using var context = await dashboard.NewContextAsync(browser);
        var page = await context.NewPageAsync();
        var received = 0L;
        page.WebSocket += (_, socket) => socket.FrameReceived += (_, frame) =>
            Interlocked.Add(ref received, frame.Binary?.Length ?? System.Text.Encoding.UTF8.GetByteCount(frame.Text ?? ""));
        await page.GotoAsync(uri.ToString(), new PageGotoOptions { Timeout = 120_000 });
        await page.Locator($"{root}[data-interactive]").WaitForAsync(new LocatorWaitForOptions { Timeout = 120_000 });
        await page.Locator(rows).First.WaitForAsync(new LocatorWaitForOptions { Timeout = 120_000 });
        await page.EvaluateAsync("() => document.addEventListener('click', e => { window.__clickAt = e.timeStamp; }, true)");
        var receivedBefore = Interlocked.Read(ref received);
        var samples = new List<double>();
        for (var i = 0; i < RoundTrips; i++)
        {
            var selector = operations[i % operations.Length];
            var target = page.Locator(selector).First;
            if (await page.Locator(selector).CountAsync() == 0)
            {
                throw new InvalidOperationException($"{name}, operation {i}: nothing matches {selector} on {page.Url}");
            }

            // A check on every frame, started before the click, so the frame is caught however soon it comes.
            var before = await page.Locator(root).GetAttributeAsync(keyAttribute);
            await page.EvaluateAsync($$"""
                before => {
                  window.__doneAt = undefined;
                  const wait = () => {
                    const r = document.querySelector('{{root}}');
                    if (r && r.getAttribute('{{keyAttribute}}') !== before && r.querySelector('{{rows}}')) { window.__doneAt = performance.now(); }
                    else { requestAnimationFrame(wait); }
                  };
                  requestAnimationFrame(wait);
                }
                """, before);
            await target.ClickAsync();
            await page.WaitForFunctionAsync("() => window.__doneAt !== undefined", null, new PageWaitForFunctionOptions { Timeout = 60_000 });
            samples.Add(await page.EvaluateAsync<double>("() => window.__doneAt - window.__clickAt"));
        }

        FleetPages.Report(name + " (page clock: click to the frame with the new rows)", samples);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}: {(Interlocked.Read(ref received) - receivedBefore) / RoundTrips / 1024d:N1} KiB from the server per round trip"));
    }
}
