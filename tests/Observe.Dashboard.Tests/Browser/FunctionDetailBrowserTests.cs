using System.Globalization;
using Microsoft.Playwright;
using Observe.Dashboard.Model;
using Observe.Store.Model;
using Xunit.Abstractions;

namespace Observe.Dashboard.Tests.Browser;

/// <summary>The Function detail page over the demo fleet, in Chromium against the real server.</summary>
public sealed class FunctionDetailBrowserTests(DashboardFixture dashboard, ITestOutputHelper output) : IClassFixture<DashboardFixture>
{
    private const float Timeout = 15_000;

    [Fact]
    public async Task Detail_DemoFunction_SectionsAndChartsWithTheStoresFigures()
    {
        // Whole minutes well inside the backfilled history, so the figures no longer change.
        var now = DateTimeOffset.UtcNow;
        var to = new DateTimeOffset(now.UtcTicks - (now.UtcTicks % TimeSpan.TicksPerMinute), TimeSpan.Zero).AddMinutes(-5);
        var from = to.AddMinutes(-60);
        var fn = await BusiestFunctionAsync(new TimeRange(from, to));
        var page = await OpenAsync($"{FunctionDetailLinks.Page(fn)}?from={TimeRangeQuery.FormatInstant(from)}&to={TimeRangeQuery.FormatInstant(to)}", 1440);

        Assert.Equal(fn.Name, (await page.Locator("[data-testid=function-name]").InnerTextAsync()).Trim());
        foreach (var section in new[] { "configuration", "tags", "layers", "aliases", "event-sources" })
        {
            await Assertions.Expect(page.Locator($"[data-section={section}]")).ToBeVisibleAsync(new() { Timeout = Timeout });
        }

        foreach (var chart in new[] { "invocations", "errors", "throttles", "duration", "cold-starts", "init-duration", "memory" })
        {
            await Assertions.Expect(page.Locator($"[data-chart={chart}]")).ToBeAttachedAsync(new() { Timeout = Timeout });
        }

        await Assertions.Expect(page.Locator("[data-chart=invocations] svg path").First).ToBeAttachedAsync(new() { Timeout = Timeout });
        var stored = await ExpectedInvocationsAsync(fn, from, to);
        // The table is built when its button is pressed (Enter, as a keyboard user would).
        await page.Locator("[data-chart=invocations] .chart-table-toggle").PressAsync("Enter");
        var cells = page.Locator("[data-chart=invocations] .chart-table tbody tr td:nth-child(2)");
        await Assertions.Expect(cells).ToHaveCountAsync(stored.Count, new() { Timeout = Timeout });
        var shown = await cells.AllTextContentsAsync();
        Assert.Equal(stored, shown);
        Assert.Contains(stored, v => v != "0" && v != "unknown");
        await Assertions.Expect(page.Locator("[data-testid=watch-note]")).ToContainTextAsync("The demo fleet writes", new() { Timeout = Timeout });
    }

    [Fact]
    public async Task Detail_RangeChanged_KeepsTheFunction()
    {
        var fn = await BusiestFunctionAsync(TimeRange.Last(TimeSpan.FromHours(1), DateTimeOffset.UtcNow));
        var page = await OpenAsync($"{FunctionDetailLinks.Page(fn)}?range=1h", 1440);
        await page.EvaluateAsync("() => window.__observeNoReload = true");

        await page.Locator("[data-range='6h']").ClickAsync();

        var expected = new Uri(dashboard.BaseUrl, FunctionDetailLinks.Page(fn) + "?range=6h").ToString();
        await WaitUntilAsync(() => Task.FromResult(page.Url == expected), () => $"the address is {page.Url}, not {expected}");
        await Assertions.Expect(page.Locator("[data-testid=range-caption]")).ToContainTextAsync("Last 6 hours", new() { Timeout = Timeout });
        Assert.Equal(fn.Name, (await page.Locator("[data-testid=function-name]").InnerTextAsync()).Trim());
        Assert.True(await page.EvaluateAsync<bool>("() => window.__observeNoReload === true"), "the page reloaded");
    }

    [Fact]
    public async Task Detail_HostileUnknownName_RendersAsTextWithTheNoSuchFunctionState()
    {
        const string name = "<img src=x onerror=\"window.__observeXss = true\">";
        var context = await dashboard.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1440, Height = 1000 } });
        var page = await context.NewPageAsync();
        await page.GotoAsync(new Uri(dashboard.BaseUrl, FunctionDetailLinks.Page(new FunctionKey("111122223333", "us-east-1", name)) + "?range=1h").ToString());
        await page.Locator(".page[data-interactive]").WaitForAsync(new() { Timeout = Timeout });

        await Assertions.Expect(page.Locator("[data-testid=no-such-function]")).ToContainTextAsync(name, new() { Timeout = Timeout });
        Assert.Equal(name, (await page.Locator("[data-testid=function-name]").InnerTextAsync()).Trim());
        Assert.Equal(0, await page.Locator(".page img").CountAsync());
        Assert.False(await page.EvaluateAsync<bool>("() => window.__observeXss === true"), "the name ran as markup");
        await Assertions.Expect(page.Locator("[data-testid=no-such-function] a[href='/functions?range=1h']")).ToBeVisibleAsync(new() { Timeout = Timeout });
        await context.CloseAsync();
    }

    [Fact]
    public async Task Detail_DemoDeploy_MarkerComparesBeforeAndAfterOnFocusAndHover()
    {
        // A change the demo recorded well inside the backfilled history (2 hours), a bad deploy when there is one.
        var now = DateTimeOffset.UtcNow;
        var changes = await dashboard.Store.GetFunctionChangesAsync(FleetFilter.All, null, new TimeRange(now.AddMinutes(-100), now.AddMinutes(-15)), 1000, CancellationToken.None);
        var deploy = changes
            .OrderBy(c => c.Description.StartsWith("Code deployed", StringComparison.Ordinal) ? 0 : 1)
            .ThenBy(c => c.At)
            .ThenBy(c => c.Function.Name, StringComparer.Ordinal)
            .FirstOrDefault();
        Assert.True(deploy is not null, "the demo recorded no change in the backfilled history");
        var from = new DateTimeOffset(now.UtcTicks - (now.UtcTicks % TimeSpan.TicksPerMinute), TimeSpan.Zero).AddMinutes(-115);
        var to = from.AddMinutes(113);
        var page = await OpenAsync($"{FunctionDetailLinks.Page(deploy.Function)}?from={TimeRangeQuery.FormatInstant(from)}&to={TimeRangeQuery.FormatInstant(to)}", 1440);

        var marker = page.Locator($"[data-chart=errors] [data-marker='{deploy.At.UtcDateTime.ToString("O", CultureInfo.InvariantCulture)}']");
        var detail = marker.Locator(".marker-detail");
        await Assertions.Expect(detail).ToBeHiddenAsync(new() { Timeout = Timeout });

        // Keyboard: the target is a button in the tab order; focused, the comparison shows.
        await marker.Locator("button.marker-hit").FocusAsync();
        await Assertions.Expect(detail).ToBeVisibleAsync(new() { Timeout = Timeout });
        Assert.Equal(0, await marker.Locator("button.marker-hit").EvaluateAsync<int>("b => b.tabIndex"));
        await Assertions.Expect(detail).ToContainTextAsync(deploy.Description, new() { Timeout = Timeout });
        var path = Path.Combine(DashboardFixture.ArtifactsDirectory, "function-detail-marker-focused.png");
        await page.Locator("[data-testid=charts]").ScreenshotAsync(new LocatorScreenshotOptions { Path = path });
        output.WriteLine($"screenshot: {path}");

        // The figures, worked out here from the store's minutes over the windows the page names.
        var minutes = int.Parse((await detail.Locator("[data-window-minutes]").GetAttributeAsync("data-window-minutes"))!, CultureInfo.InvariantCulture);
        Assert.InRange(minutes, 1, 60);
        var stored = await dashboard.Store.GetFunctionSeriesAsync(deploy.Function, new TimeRange(from, to), SeriesResolution.Minute, CancellationToken.None);
        string ErrorRate(DateTimeOffset start, DateTimeOffset end)
        {
            var window = stored.Where(b => b.Start >= start && b.Start < end).ToList();
            var invocations = window.Sum(b => b.Invocations);
            return FunctionDetailChanges.Rate(invocations > 0 && window.All(b => b.UnreadErrorInvocations == 0) ? window.Sum(b => b.Errors) / invocations : null);
        }

        var at = deploy.At.AddTicks(-(deploy.At.UtcTicks % TimeSpan.TicksPerMinute));
        var cells = await detail.Locator("[data-figure=error-rate] td").AllTextContentsAsync();
        Assert.Equal([ErrorRate(at.AddMinutes(-minutes), at), ErrorRate(at, at.AddMinutes(minutes))], cells);

        // Hover: another chart's marker shows its own copy.
        await page.Locator("body").ClickAsync(new() { Position = new Position { X = 1, Y = 1 } });
        await Assertions.Expect(detail).ToBeHiddenAsync(new() { Timeout = Timeout });
        var other = page.Locator("[data-chart=invocations] [data-marker]").First;
        await other.Locator("button.marker-hit").HoverAsync();
        await Assertions.Expect(other.Locator(".marker-detail")).ToBeVisibleAsync(new() { Timeout = Timeout });

        // On a phone the detail stays on the screen. Crossing MudBlazor's drawer breakpoint animates the main content's
        // margin from the drawer's width to 0 (its 225 ms transition): until that ends the page is up to 600 px wide,
        // whatever the markers do, so the width is checked once the layout's transitions have finished.
        await page.SetViewportSizeAsync(390, 844);
        await page.EvaluateAsync("() => Promise.all(document.getAnimations().filter(a => a instanceof CSSTransition).map(a => a.finished.catch(() => null)))");
        await marker.Locator("button.marker-hit").FocusAsync();
        await Assertions.Expect(detail).ToBeVisibleAsync(new() { Timeout = Timeout });
        var box = (await detail.BoundingBoxAsync())!;
        Assert.True(box.X >= 0 && box.X + box.Width <= 390, $"the detail spans {box.X} to {box.X + box.Width} px on a 390 px screen");
        var wide = await PageWidth.WiderThanTheScreenAsync(page);
        Assert.True(wide.Length == 0, string.Join("; ", wide));
        path = Path.Combine(DashboardFixture.ArtifactsDirectory, "function-detail-marker-focused-390.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path });
        output.WriteLine($"screenshot: {path}");
        await page.Context.CloseAsync();
    }

    [Theory]
    [InlineData(DashboardThemes.Light, 1440)]
    [InlineData(DashboardThemes.Dark, 1440)]
    [InlineData(DashboardThemes.Light, 390)]
    [InlineData(DashboardThemes.Dark, 390)]
    public async Task Detail_InThemeAndWidth_NothingWiderThanTheScreen(string theme, int width)
    {
        var fn = await BusiestFunctionAsync(TimeRange.Last(TimeSpan.FromHours(1), DateTimeOffset.UtcNow));
        var page = await OpenAsync($"{FunctionDetailLinks.Page(fn)}?range=1h", width, theme);
        await page.Locator("[data-chart=invocations] svg").WaitForAsync(new() { Timeout = Timeout });

        var wide = await PageWidth.WiderThanTheScreenAsync(page);
        Assert.True(wide.Length == 0, string.Join("; ", wide));
        var path = Path.Combine(DashboardFixture.ArtifactsDirectory, $"function-detail-{theme}-{width}.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = width < 600 });
        output.WriteLine($"screenshot: {path}");
        await page.Context.CloseAsync();
    }

    /// <summary>The demo function with the most invocations in the range: its charts have something to compare.</summary>
    private async Task<FunctionKey> BusiestFunctionAsync(TimeRange range)
    {
        var stats = await dashboard.Store.GetFunctionStatsAsync(FleetFilter.All, range, CancellationToken.None);
        Assert.NotEmpty(stats);
        return stats.OrderByDescending(s => s.Invocations).ThenBy(s => s.Function.Name, StringComparer.Ordinal).First().Function;
    }

    /// <summary>
    /// The invocations chart's table worked out here from the store's minutes, not by the page's view model: one row
    /// per minute, the stored count, 0 for a minute without a row once the function has data, unknown before.
    /// </summary>
    private async Task<List<string>> ExpectedInvocationsAsync(FunctionKey fn, DateTimeOffset from, DateTimeOffset to)
    {
        var history = await dashboard.Store.GetFunctionSeriesAsync(fn, new TimeRange(from.AddDays(-1), to), SeriesResolution.Minute, CancellationToken.None);
        var first = history.Count > 0 ? history[0].Start : (DateTimeOffset?)null;
        var byMinute = history.ToDictionary(b => b.Start, b => b.Invocations);
        return Enumerable.Range(0, (int)(to - from).TotalMinutes)
            .Select(m => from.AddMinutes(m))
            .Select(minute => first is { } f && minute.AddMinutes(1) > f
                ? (byMinute.TryGetValue(minute, out var v) ? v : 0).ToString("#,0.##", CultureInfo.InvariantCulture)
                : "unknown")
            .ToList();
    }

    private async Task<IPage> OpenAsync(string path, int width, string? theme = null)
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
        await page.GotoAsync(new Uri(dashboard.BaseUrl, path).ToString());
        await page.Locator(".page[data-interactive]").WaitForAsync(new() { Timeout = Timeout });
        await page.Locator("[data-section=configuration]").WaitForAsync(new() { Timeout = Timeout });
        return page;
    }

    private static Task WaitUntilAsync(Func<Task<bool>> condition, Func<string> describe) => BrowserPoll.UntilAsync(condition, describe, Timeout);
}
