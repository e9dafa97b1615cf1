using System.Globalization;
using System.Net;
using Microsoft.Playwright;
using Observe.Dashboard.Fleet;
using Observe.Dashboard.Model;
using Observe.Store.Model;
using Xunit.Abstractions;

namespace Observe.Dashboard.Tests.Browser;

public sealed partial class OverviewBrowserTests(DashboardFixture dashboard, ITestOutputHelper output) : IClassFixture<DashboardFixture>
{
    private const float Timeout = 15_000;

    [Fact]
    public async Task Overview_FixedRange_ShowsTheStoresFiguresAndCharts()
    {
        // Whole minutes well inside the backfilled history, so the figures no longer change.
        var now = DateTimeOffset.UtcNow;
        var to = new DateTimeOffset(now.UtcTicks - (now.UtcTicks % TimeSpan.TicksPerMinute), TimeSpan.Zero).AddMinutes(-5);
        var from = to.AddMinutes(-60);
        var page = await OpenAsync($"/?from={TimeRangeQuery.FormatInstant(from)}&to={TimeRangeQuery.FormatInstant(to)}");

        // Alarms are "now" figures the demo re-evaluates every second; the page is live, so it converges on the
        // store's state within a refresh.
        var range = new TimeRange(from, to);
        IReadOnlyList<ShownFigure> expected = [];
        IReadOnlyList<ShownFigure> shown = [];
        await WaitUntilAsync(async () =>
        {
            shown = await ShownFiguresAsync(page);
            expected = await ExpectedFiguresAsync(range);
            return shown.SequenceEqual(expected);
        }, () => $"shown {string.Join(", ", shown)} vs store {string.Join(", ", expected)}");

        var invocations = expected.Single(f => f.Id == "invocations");
        Assert.True(double.Parse(invocations.Value, CultureInfo.InvariantCulture) > 1000, $"the demo fleet should have run: {invocations}");
        Assert.Equal("300", expected.Single(f => f.Id == "functions").Display);
        await Assertions.Expect(page.Locator("[data-chart=invocations] svg path").First).ToBeAttachedAsync(new() { Timeout = Timeout });
        await Assertions.Expect(page.Locator("[data-chart=errors] svg path").First).ToBeAttachedAsync(new() { Timeout = Timeout });

        await ScreenshotAsync(page, "overview-fixed-range.png");
    }

    [Fact]
    public async Task Overview_Live_FiguresChangeWithoutAReload()
    {
        var page = await OpenAsync("/?range=15m");
        await page.EvaluateAsync("() => window.__observeNoReload = true");
        var before = await FigureValueAsync(page, "invocations");

        // The demo writes the minute in progress every second, so the live page must show a new total soon.
        await WaitUntilAsync(async () => await FigureValueAsync(page, "invocations") != before, () => $"invocations stayed at {before}");

        Assert.True(await page.EvaluateAsync<bool>("() => window.__observeNoReload === true"), "the page reloaded");
        await ScreenshotAsync(page, "overview.png");
    }

    [Fact]
    public async Task Overview_PresetClicked_UpdatesTheAddressAndFiguresWithoutAReload()
    {
        var page = await OpenAsync("/?range=1h");
        await page.EvaluateAsync("() => window.__observeNoReload = true");

        await page.Locator("[data-range='6h']").ClickAsync();

        // A same-document navigation fires no load event, so the address is polled rather than awaited as a navigation.
        await WaitUntilAsync(() => Task.FromResult(page.Url.EndsWith("/?range=6h", StringComparison.Ordinal)), () => $"the address is {page.Url}");
        await Assertions.Expect(page.Locator("[data-testid=range-caption]")).ToContainTextAsync("Last 6 hours", new() { Timeout = Timeout });
        Assert.True(await page.EvaluateAsync<bool>("() => window.__observeNoReload === true"), "the page reloaded");
    }

    [Theory]
    [InlineData("1h")]
    [InlineData("24h")]
    [InlineData("7d")]
    public async Task Overview_Charts_SpanTheChosenRangeWithWholeCountLabels(string range)
    {
        var page = await OpenAsync($"/?range={range}");
        var figures = page.Locator("[data-testid=figures]");
        var from = DateTimeOffset.Parse((await figures.GetAttributeAsync("data-from"))!, CultureInfo.InvariantCulture);
        var to = DateTimeOffset.Parse((await figures.GetAttributeAsync("data-to"))!, CultureInfo.InvariantCulture);

        var timeLabels = page.Locator("[data-chart=invocations] .chart-x-axis .tick");
        await Assertions.Expect(timeLabels.First).ToBeAttachedAsync(new() { Timeout = Timeout });
        var times = (await timeLabels.AllTextContentsAsync()).Select(t => t.Trim()).Where(t => t.Length > 0).ToList();
        // The demo holds two hours: at 7 days the axis still runs from the range's start, not the data's.
        var format = range == "7d" ? "dd MMM HH:mm" : "HH:mm";
        Assert.Equal(from.UtcDateTime.ToString(format, CultureInfo.InvariantCulture), times[0]);
        Assert.Equal(to.UtcDateTime.ToString(format, CultureInfo.InvariantCulture), times[^1]);
        foreach (var chart in new[] { "invocations", "errors", "cold-starts" })
        {
            var values = (await page.Locator($"[data-chart={chart}] .chart-y-axis .tick").AllTextContentsAsync()).Select(t => t.Trim()).ToList();
            Assert.Equal(values.Distinct().ToList(), values);
        }

        await ScreenshotAsync(page, $"overview-{range}.png");
    }

    [Fact]
    public async Task Overview_InvalidRange_ShowsTheNamedError()
    {
        var page = await NewPageAsync();
        await page.GotoAsync(new Uri(dashboard.BaseUrl, "/?range=banana").ToString());

        var error = page.Locator("[data-testid=range-error]");
        await Assertions.Expect(error).ToContainTextAsync("range: \"banana\" is not a time range", new() { Timeout = Timeout });
        Assert.Equal(0, await page.Locator("[data-testid=figures]").CountAsync());
    }

    [Fact]
    public async Task Overview_DarkThemeCookie_ServesTheDarkThemeInTheFirstResponse()
    {
        // The theme is in the server's HTML: with scripts off, the page is already dark, so it never flashes light.
        using var client = dashboard.Http($"{DashboardThemes.CookieName}={DashboardThemes.Dark}");
        var html = await (await client.GetAsync(new Uri("/", UriKind.Relative))).Content.ReadAsStringAsync();
        Assert.Contains($"data-theme=\"{DashboardThemes.Dark}\"", html, StringComparison.Ordinal);

        var context = await dashboard.Browser.NewContextAsync(new BrowserNewContextOptions { JavaScriptEnabled = false, ViewportSize = new ViewportSize { Width = 1440, Height = 1000 } });
        await context.AddCookiesAsync([new Microsoft.Playwright.Cookie { Name = DashboardThemes.CookieName, Value = DashboardThemes.Dark, Url = dashboard.BaseUrl.ToString() }]);
        var prerendered = await context.NewPageAsync();
        await prerendered.GotoAsync(new Uri(dashboard.BaseUrl, "/?range=6h").ToString());
        Assert.Equal(DarkBackground, await BackgroundAsync(prerendered));
        await context.CloseAsync();
    }

    [Fact]
    public async Task ThemeToggle_Clicked_IsRememberedAcrossReloads()
    {
        var page = await OpenAsync("/");
        Assert.NotEqual(DarkBackground, await BackgroundAsync(page));

        await page.Locator("[data-testid=theme-toggle]").ClickAsync();
        await WaitUntilAsync(async () => await BackgroundAsync(page) == DarkBackground, () => "the page did not turn dark");
        await WaitUntilAsync(async () => (await page.Context.CookiesAsync()).Any(c => c.Name == DashboardThemes.CookieName && c.Value == DashboardThemes.Dark),
            () => "no dark theme cookie after the toggle");
        await page.ReloadAsync();

        Assert.Equal(DashboardThemes.Dark, await page.Locator("html").GetAttributeAsync("data-theme"));
        Assert.Equal(DarkBackground, await BackgroundAsync(page));
    }

    [Fact]
    public async Task Header_OnAPhone_KeepsBrandNameAndSignOutApartOnOneLine()
    {
        var page = await ThemedPages.OpenAsync(dashboard.Browser, dashboard.BaseUrl, "/", DashboardThemes.Light, 390);
        async Task<LocatorBoundingBoxResult> BoxAsync(string selector) =>
            await page.Locator(selector).BoundingBoxAsync() ?? throw new InvalidOperationException($"{selector} is not on the page");
        var brand = await BoxAsync(".observe-appbar .brand");
        var name = await BoxAsync("[data-testid=user-name]");
        var signOut = await BoxAsync("[data-testid=sign-out] button");
        var toggle = await BoxAsync("[data-testid=theme-toggle]");

        // The name gives way (an ellipsis), never the space after the brand, Sign out's one line or the toggle.
        Assert.True(brand.X + brand.Width + 8 <= name.X, $"the user's name starts {name.X - brand.X - brand.Width:N0} px after the brand");
        Assert.True(name.X + name.Width <= signOut.X, "the user's name runs into Sign out");
        Assert.True(signOut.X + signOut.Width <= toggle.X, "Sign out runs into the theme toggle");
        Assert.True(signOut.Height < 30, $"Sign out wraps: {signOut.Height:N0} px high");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Health_Ready_Returns200()
    {
        using var client = new HttpClient { BaseAddress = dashboard.BaseUrl };

        var health = await client.GetAsync(new Uri("/health", UriKind.Relative));
        var alive = await client.GetAsync(new Uri("/alive", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
    }

    /// <summary>The dark palette's page background (#15181c) as the browser computes it.</summary>
    private const string DarkBackground = "rgb(21, 24, 28)";

    private static Task<string> BackgroundAsync(IPage page) =>
        page.EvaluateAsync<string>("() => getComputedStyle(document.body).backgroundColor");

    private async Task<IPage> NewPageAsync()
    {
        var context = await dashboard.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1440, Height = 1000 } });
        return await context.NewPageAsync();
    }

    private async Task<IPage> OpenAsync(string path)
    {
        var page = await NewPageAsync();
        await page.GotoAsync(new Uri(dashboard.BaseUrl, path).ToString());
        await WaitForLiveFiguresAsync(page);
        return page;
    }

    private static async Task WaitForLiveFiguresAsync(IPage page)
    {
        // The page is marked once the circuit is interactive; figures appear once the first query answered.
        await page.Locator(".page[data-interactive]").WaitForAsync(new() { Timeout = Timeout });
        await page.Locator("[data-figure=invocations]").WaitForAsync(new() { Timeout = Timeout });
    }

    /// <summary>
    /// The figures as the store gives them, worked out here rather than by the page's view model, so a mistake in the
    /// view model cannot hide in both sides: counts as they are, rates as quotients, and the deprecated runtimes counted
    /// from the functions' runtimes.
    /// </summary>
    private async Task<IReadOnlyList<ShownFigure>> ExpectedFiguresAsync(TimeRange range)
    {
        var overview = await dashboard.Store.GetOverviewAsync(FleetFilter.All, range, SeriesBuckets.Choose(range.Length), CancellationToken.None);
        var functions = await dashboard.Store.GetFunctionsAsync(FleetFilter.All, CancellationToken.None);
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var deprecated = functions.Count(f => f.PackageType == "Zip" && RuntimeCatalog.Default.Find(f.Runtime)?.Deprecation <= today);
        Assert.True(overview.Invocations > 0 && overview.UnreadErrorInvocations == 0, "the demo fleet reads every figure");

        static ShownFigure Count(string id, double value) => new(id, R(value), FigureFormat.Count(value));
        static ShownFigure Rate(string id, double value) => new(id, R(value), FigureFormat.Rate(value));
        return
        [
            Count("functions", overview.Functions),
            Count("invocations", overview.Invocations),
            Rate("error-rate", overview.Errors / overview.Invocations),
            Rate("cold-start-rate", overview.ColdStarts / overview.Invocations),
            Count("throttles", overview.Throttles),
            Count("alarms", overview.AlarmsInAlarm),
            Count("deprecated-runtimes", deprecated),
        ];
    }

    private static string R(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static async Task<IReadOnlyList<ShownFigure>> ShownFiguresAsync(IPage page)
    {
        var cards = await page.Locator("[data-figure]").AllAsync();
        var shown = new List<ShownFigure>();
        foreach (var card in cards)
        {
            shown.Add(new ShownFigure(
                await card.GetAttributeAsync("data-figure") ?? "",
                await card.GetAttributeAsync("data-value") ?? "",
                (await card.Locator(".figure-value").InnerTextAsync()).Trim()));
        }

        return shown;
    }

    private static async Task<string?> FigureValueAsync(IPage page, string id) =>
        await page.Locator($"[data-figure={id}]").GetAttributeAsync("data-value");

    private async Task ScreenshotAsync(IPage page, string name)
    {
        var path = Path.Combine(DashboardFixture.ArtifactsDirectory, name);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        output.WriteLine($"screenshot: {path}");
        Console.WriteLine($"screenshot: {path}");
    }

    private static Task WaitUntilAsync(Func<Task<bool>> condition, Func<string> describe) => BrowserPoll.UntilAsync(condition, describe, Timeout);

    private sealed record ShownFigure(string Id, string Value, string Display);
}
