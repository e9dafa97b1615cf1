using System.Globalization;
using System.Text.Json;
using Microsoft.Playwright;
using Observe.Collectors.Tests.LiveTail;

namespace Observe.Benchmarks.Dashboard;

/// <summary>
/// Issue 12's Live tail load: a published dashboard (its own process, Production) with one AWS account whose Live Tail
/// endpoint is <see cref="LiveTailFeed"/>, the tests' fake Live Tail peer, sending one update a second of 500 events
/// (AWS's most per update) to two viewers, each a Chromium page on the same selection (so one shared session).
/// Measured in the pages, by the page's clock: the time from an event's send (in its JSON) to its line in the DOM, and
/// the input latency of typing in the page (keydown to the next frame, and the Event Timing API's durations). Measured
/// on the server: the managed heap after a full GC (see <see cref="ManagedHeap"/>) before the pages, with both pages on
/// an empty Live tail, and with both tailing at the end, per viewer. Not BenchmarkDotNet: the quantities are another
/// process's latencies and memory.
/// </summary>
internal static class LiveTailLoad
{
    private const int EventsPerSecond = 500;
    private const string Account = "123456789012";
    private const string Region = "eu-west-1";
    private const string Group = "/aws/lambda/bench";

    // Records, in the page, each new line's delay from the send time in its "sent" field, and each key press's delay
    // to the next frame; the Event Timing API's entries (keydown, input) beside them.
    private const string PageProbe = """
        window.__tail = { delays: [], seqs: new Set(), keys: [], events: [] };
        new MutationObserver(records => {
          const now = Date.now();
          for (const r of records) for (const node of r.addedNodes) {
            if (!(node instanceof HTMLElement) || !node.matches('li[data-line]')) continue;
            const sent = node.querySelector('[data-field=sent]');
            const seq = node.querySelector('[data-field=seq]');
            if (!sent || !seq) continue;
            const id = seq.textContent;
            if (window.__tail.seqs.has(id)) continue;
            window.__tail.seqs.add(id);
            window.__tail.delays.push(now - Number(sent.textContent.split('=')[1]));
          }
        }).observe(document, { childList: true, subtree: true });
        document.addEventListener('keydown', e => {
          const start = e.timeStamp;
          requestAnimationFrame(() => window.__tail.keys.push(performance.now() - start));
        }, true);
        new PerformanceObserver(list => {
          for (const e of list.getEntries()) if (e.name === 'keydown' || e.name === 'input' || e.name === 'keyup') window.__tail.events.push(e.duration);
        }).observe({ type: 'event', durationThreshold: 16, buffered: true });
        """;

    public static async Task<int> RunAsync(TimeSpan duration)
    {
        var publish = DashboardProcess.DirectoryFrom("OBSERVE_BENCH_DASHBOARD");
        var moto = Environment.GetEnvironmentVariable("OBSERVE_TEST_MOTO_URL")
            ?? throw new InvalidOperationException("OBSERVE_TEST_MOTO_URL must name moto (scripts/peers.sh start): the dashboard checks its credentials with STS GetCallerIdentity there.");
        // Launched first, so a missing Chromium fails before the feed and the store are made.
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await FleetPages.LaunchAsync(playwright);

        await using var feed = new LiveTailFeed();
        var store = Directory.CreateTempSubdirectory("observe-bench-tail-").FullName;
        var environment = new Dictionary<string, string>
        {
            ["Observe__Aws__Accounts__0__AccountId"] = Account,
            ["Observe__Aws__Accounts__0__Name"] = "bench",
            ["Observe__Aws__Accounts__0__Regions__0"] = Region,
            ["Observe__Aws__Endpoints__Sts"] = moto,
            ["Observe__Aws__Endpoints__Logs"] = moto,
            ["Observe__Collectors__InProcess"] = "false",
            ["Observe__Collectors__LiveTail__Mode"] = "LiveTail",
            ["Observe__Collectors__LiveTail__Endpoint"] = feed.Url,
            ["AWS_ACCESS_KEY_ID"] = "AKIAOBSERVEBENCH0001",
            ["AWS_SECRET_ACCESS_KEY"] = "observe-bench-secret",
        };

        var dashboard = await DashboardProcess.StartAsync(publish, CancellationToken.None, store, environment);
        try
        {
            var heapNone = await ManagedHeap.LiveBytesAfterFullGcAsync(dashboard.ProcessId, CancellationToken.None);
            var pages = new List<IPage>();
            for (var i = 0; i < 2; i++)
            {
                var context = await dashboard.NewContextAsync(browser);
                var page = await context.NewPageAsync();
                await page.AddInitScriptAsync(PageProbe);
                await page.GotoAsync(new Uri(dashboard.BaseUrl, "live-tail").ToString());
                await page.Locator(".page[data-interactive]").WaitForAsync(new() { Timeout = 60_000 });
                pages.Add(page);
            }

            var heapEmpty = await ManagedHeap.LiveBytesAfterFullGcAsync(dashboard.ProcessId, CancellationToken.None);
            var residentEmpty = dashboard.ResidentBytes();
            var tail = new Uri(dashboard.BaseUrl, $"live-tail?account={Account}&region={Region}&group={Uri.EscapeDataString(Group)}").ToString();
            foreach (var page in pages)
            {
                await page.GotoAsync(tail);
                await page.Locator(".page[data-interactive]").WaitForAsync(new() { Timeout = 60_000 });
            }

            while (feed.OpenSessions < 1)
            {
                await Task.Delay(100);
            }

            // The first viewer's session must be the one both share before events flow.
            await Task.Delay(TimeSpan.FromSeconds(2));
            var (sent, typed) = await FeedAsync(feed, pages[0], duration);
            var heapTailing = await ManagedHeap.LiveBytesAfterFullGcAsync(dashboard.ProcessId, CancellationToken.None);
            var residentTailing = dashboard.ResidentBytes();

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"fed {sent:N0} events in {duration.TotalMinutes:0.#} min at {EventsPerSecond}/s to {pages.Count} viewers; Live Tail sessions started: {feed.StartedSessions}; key presses typed: {typed}"));
            for (var i = 0; i < pages.Count; i++)
            {
                var probe = await pages[i].EvaluateAsync<JsonElement>("() => ({ delays: window.__tail.delays, keys: window.__tail.keys, events: window.__tail.events })");
                var delays = Numbers(probe.GetProperty("delays"));
                var keys = Numbers(probe.GetProperty("keys"));
                var events = Numbers(probe.GetProperty("events"));
                var counts = await pages[i].Locator("[data-testid=line-counts]").TextContentAsync();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"viewer {i + 1}: {delays.Count:N0} of {sent:N0} lines drawn (the newest of each update: the page draws DisplayLines at a time); send to DOM p50 {P(delays, 0.5):N0} ms, p95 {P(delays, 0.95):N0} ms, p99 {P(delays, 0.99):N0} ms, max {P(delays, 1):N0} ms; over 2 s: {delays.Count(d => d > 2000):N0}"));
                if (keys.Count > 0)
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"viewer {i + 1}: keydown to next frame p50 {P(keys, 0.5):N1} ms, p95 {P(keys, 0.95):N1} ms, max {P(keys, 1):N1} ms over {keys.Count} key presses; Event Timing entries >= 16 ms: {events.Count}, max {(events.Count == 0 ? 0 : events.Max()):N0} ms"));
                }

                Console.WriteLine($"viewer {i + 1}: page says: {counts}");
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"managed heap: {heapNone / 1048576d:N1} MiB with no page, {heapEmpty / 1048576d:N1} MiB with two empty Live tail pages, {heapTailing / 1048576d:N1} MiB with both tailing; per viewer {(heapTailing - heapNone) / 2 / 1048576d:N2} MiB (page and circuit included), {(heapTailing - heapEmpty) / 2 / 1048576d:N2} MiB (the tail alone); resident {residentEmpty / 1048576d:N0} -> {residentTailing / 1048576d:N0} MiB"));
            return 0;
        }
        finally
        {
            await dashboard.DisposeAsync();
            Directory.Delete(store, recursive: true);
        }
    }

    /// <summary>One update a second of 500 events for <paramref name="duration"/>; meanwhile, every 20 s, twelve key presses in the first page.</summary>
    private static async Task<(long Sent, int Typed)> FeedAsync(LiveTailFeed feed, IPage typer, TimeSpan duration)
    {
        using var stop = new CancellationTokenSource(duration);
        var typing = TypeAsync(typer, stop.Token);
        long seq = 0;
        var padding = new string('x', 60);
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await timer.WaitForNextTickAsync(stop.Token))
            {
                var now = DateTimeOffset.UtcNow;
                var sentMs = now.ToUnixTimeMilliseconds();
                var events = new List<FeedEvent>(EventsPerSecond);
                for (var i = 0; i < EventsPerSecond; i++, seq++)
                {
                    var level = seq % 50 == 0 ? "ERROR" : seq % 10 == 0 ? "WARN" : "INFO";
                    events.Add(new FeedEvent(string.Create(CultureInfo.InvariantCulture, $"{{\"level\":\"{level}\",\"sent\":{sentMs},\"seq\":{seq},\"msg\":\"bench order {seq} processed {padding}\"}}"), now));
                }

                await feed.SendAsync(events);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The run's length.
        }

        var typed = await typing;

        // Lines sent last need their render before the probes are read.
        await Task.Delay(TimeSpan.FromSeconds(3));
        return (seq, typed);
    }

    /// <summary>
    /// Types in the "Add a log group" box and erases it again: that box changes nothing in the session, so this measures
    /// how the page answers input while lines stream, not a session restart.
    /// </summary>
    private static async Task<int> TypeAsync(IPage page, CancellationToken stop)
    {
        var typed = 0;
        var box = page.Locator("input[data-testid=add-group], [data-testid=add-group] input");
        try
        {
            while (true)
            {
                await Task.Delay(TimeSpan.FromSeconds(20), stop);
                await box.PressSequentiallyAsync("/aws/x", new() { Delay = 120 });
                for (var i = 0; i < 6; i++)
                {
                    await box.PressAsync("Backspace", new() { Delay = 60 });
                }

                typed += 12;
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return typed;
        }
    }

    private static List<double> Numbers(JsonElement array) => array.EnumerateArray().Select(e => e.GetDouble()).Order().ToList();

    private static double P(List<double> sorted, double q) => sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Count) - 1, 0, sorted.Count - 1)];
}
