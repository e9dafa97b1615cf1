using System.Diagnostics;
using Microsoft.Playwright;

namespace Observe.Benchmarks.Dashboard;

/// <summary>
/// The Function detail page's first render over the <see cref="FleetSeed"/> store: navigation start, on a fresh browser
/// context each time, to the charts drawn, for busy functions (per-minute data over the whole range).
/// </summary>
/// <remarks>
/// Two clocks: the page's own (a check on every animation frame, so once styles are in, right before the frame is
/// painted, timed from the navigation's start by the browser), and Playwright's locator seeing the charts, timed here,
/// as measured before. The second adds Playwright's polling and its round trips to Chromium, which grow to hundreds of
/// milliseconds on a loaded machine.
/// </remarks>
internal static class FleetDetail
{
    /// <summary>Per page: navigation start to the charts on a frame (the page's clock), and to Playwright's locator seeing them.</summary>
    public sealed record Sample(double FrameMs, double LocatorMs);

    /// <summary>Opens <paramref name="count"/> busy functions' pages at <paramref name="query"/> ("" for the default range).</summary>
    public static async Task<List<Sample>> MeasureAsync(IBrowser browser, DashboardProcess dashboard, int count, string query)
    {
        var samples = new List<Sample>();
        for (var i = 0; i < count; i++)
        {
            var key = FleetSeed.Function(i % FleetSeed.Accounts, i % FleetSeed.Regions.Length, i % 2);
            var uri = new Uri(dashboard.BaseUrl, $"functions/{key.AccountId}/{key.Region}/{Uri.EscapeDataString(key.Name)}{query}");
            await using var context = await dashboard.NewContextAsync(browser);
            var page = await context.NewPageAsync();

            // The page notes, on each animation frame until it has them, whether the charts are laid out.
            await page.AddInitScriptAsync("""
                const seen = () => {
                  const svg = document.querySelector('[data-testid=charts] svg');
                  if (svg && svg.getBoundingClientRect().height > 0) { window.__chartsAt = performance.now(); } else { requestAnimationFrame(seen); }
                };
                requestAnimationFrame(seen);
                """);
            var watch = Stopwatch.StartNew();
            await page.GotoAsync(uri.ToString(), new PageGotoOptions { WaitUntil = WaitUntilState.Commit });
            await page.Locator("[data-testid=charts] svg").First.WaitForAsync(new LocatorWaitForOptions { Timeout = 60_000 });
            var locator = watch.Elapsed.TotalMilliseconds;
            await page.WaitForFunctionAsync("() => window.__chartsAt !== undefined", null, new PageWaitForFunctionOptions { Timeout = 60_000 });
            var frame = await page.EvaluateAsync<double>("() => window.__chartsAt");
            samples.Add(new Sample(frame, locator));
        }

        return samples;
    }

    /// <summary>Prints both timings of <paramref name="samples"/>.</summary>
    public static void Report(string what, IReadOnlyList<Sample> samples)
    {
        FleetPages.Report(what, [.. samples.Select(s => s.FrameMs)]);
        FleetPages.Report(what + " (Playwright locator, as measured before)", [.. samples.Select(s => s.LocatorMs)]);
    }

    /// <summary>
    /// Only the detail page, <paramref name="count"/> times after one warm-up (JIT, the first store read); with
    /// <paramref name="to"/> the range is the hour before it instead of the default last hour, so a store seeded
    /// earlier still shows full charts.
    /// </summary>
    public static async Task<int> RunAsync(string storeDirectory, int count, DateTimeOffset? to)
    {
        var published = DashboardProcess.DirectoryFrom("OBSERVE_BENCH_DASHBOARD_AFTER");
        await using var dashboard = await DashboardProcess.StartAsync(published, CancellationToken.None, storeDirectory);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await FleetPages.LaunchAsync(playwright);
        var query = to is { } end
            ? $"?from={end.AddHours(-1).UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}&to={end.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}"
            : "";
        Report("Function detail first render, first after start", await MeasureAsync(browser, dashboard, 1, query));
        Report("Function detail first render", await MeasureAsync(browser, dashboard, count, query));
        return 0;
    }
}
