using Microsoft.Playwright;
using Observe.Dashboard.Model;
using Observe.Store.Model;
using Xunit.Abstractions;

namespace Observe.Dashboard.Tests.Browser;

/// <summary>The Alarms page in Chromium over the demo fleet, whose alarms the demo re-evaluates every second.</summary>
public sealed class AlarmsBrowserTests(DashboardFixture dashboard, ITestOutputHelper output) : IClassFixture<DashboardFixture>
{
    private const float Timeout = 15_000;

    [Fact]
    public async Task Alarms_DemoFleet_ListsTheStoresAlarmsAlarmFirst()
    {
        var page = await OpenAsync("/alarms?range=1h");

        var stored = await dashboard.Store.GetAlarmsAsync(FleetFilter.All, null, CancellationToken.None);
        Assert.NotEmpty(stored);
        // The demo changes states every second: the order is checked on what the page shows, the set against the store.
        var states = await page.Locator("[data-alarm]").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.state)");
        var ranks = states.Select(s => AlarmsViewModel.Rank(AlarmsAddress.ParseState(s)!.Value)).ToList();
        Assert.Equal(ranks.Order().ToList(), ranks);
        var arns = await page.Locator("[data-alarm]").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.alarm)");
        Assert.Equal(stored.Select(a => a.Arn).Order(StringComparer.Ordinal), arns.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Alarms_StateFacetClicked_FiltersThroughTheAddressAndTheBackButtonRestores()
    {
        var page = await OpenAsync("/alarms?range=1h");

        await page.Locator("[data-facet=state] [data-value=ok]").ClickAsync();

        await WaitUntilAsync(() => Task.FromResult(page.Url.Contains("state=ok", StringComparison.Ordinal)), () => $"the address is {page.Url}");
        Assert.Contains("range=1h", page.Url, StringComparison.Ordinal);
        await Assertions.Expect(page.Locator("[data-facet=state] [data-value=ok]")).ToHaveAttributeAsync("aria-pressed", "true", new() { Timeout = Timeout });
        await WaitUntilAsync(async () =>
        {
            var states = await page.Locator("[data-alarm]").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.state)");
            return states.Length > 0 && states.All(s => s == "OK");
        }, () => "the rows are not all OK");

        await page.GoBackAsync();
        await WaitUntilAsync(() => Task.FromResult(!page.Url.Contains("state=ok", StringComparison.Ordinal)), () => $"the address is {page.Url}");
        await Assertions.Expect(page.Locator("[data-facet=state] [data-value=ok]")).ToHaveAttributeAsync("aria-pressed", "false", new() { Timeout = Timeout });
    }

    [Fact]
    public async Task Alarms_NameClicked_OpensTheAlarmsHistoryAtAShareableAddress()
    {
        var page = await OpenAsync("/alarms?range=1h");
        var first = page.Locator("[data-open-alarm]").First;
        var name = await first.InnerTextAsync();

        await first.ClickAsync();

        await Assertions.Expect(page.Locator("[data-testid=alarm-timeline] [data-segment]").First).ToBeVisibleAsync(new() { Timeout = Timeout });
        await Assertions.Expect(page.Locator("[data-testid=alarm-name]")).ToHaveTextAsync(name, new() { Timeout = Timeout });
        Assert.Contains("/alarms/arn%3Aaws%3Acloudwatch%3A", page.Url, StringComparison.Ordinal);

        // The address alone opens the same alarm: a link to share.
        var shared = await dashboard.Browser.NewPageAsync();
        await shared.GotoAsync(page.Url);
        await Assertions.Expect(shared.Locator("[data-testid=alarm-name]")).ToHaveTextAsync(name, new() { Timeout = Timeout });
        await shared.CloseAsync();
    }

    [Theory]
    [InlineData(DashboardThemes.Light, 1440)]
    [InlineData(DashboardThemes.Dark, 1440)]
    [InlineData(DashboardThemes.Light, 390)]
    [InlineData(DashboardThemes.Dark, 390)]
    public async Task Alarms_InThemeAndWidth_NothingWiderThanTheScreen(string theme, int width)
    {
        var context = await dashboard.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = width, Height = width < 600 ? 844 : 1000 },
            DeviceScaleFactor = 1,
        });
        await context.AddCookiesAsync([new Cookie { Name = DashboardThemes.CookieName, Value = theme, Url = dashboard.BaseUrl.ToString() }]);
        var page = await context.NewPageAsync();
        var stored = await dashboard.Store.GetAlarmsAsync(FleetFilter.All, null, CancellationToken.None);
        await page.GotoAsync(new Uri(dashboard.BaseUrl, $"/alarms/{Uri.EscapeDataString(stored[0].Arn)}?range=6h").ToString());
        await page.Locator(".page[data-interactive]").WaitForAsync(new() { Timeout = Timeout });
        await page.Locator("[data-testid=alarm-timeline] [data-segment]").First.WaitForAsync(new() { Timeout = Timeout });
        await page.Locator("[data-alarm]").First.WaitForAsync(new() { Timeout = Timeout });

        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways");

        // The filled chips (ALARM, INSUFFICIENT_DATA) and timeline stretches keep text readable: 4.5:1 or better.
        var poor = await page.EvaluateAsync<string[]>("""
            () => {
                const lum = c => {
                    const [r, g, b] = c.match(/[\d.]+/g).slice(0, 3).map(v => v / 255).map(v => v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
                    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
                };
                const found = [];
                for (const el of document.querySelectorAll('.alarm-state-alarm, .alarm-state-insufficient, .alarm-segment-alarm, .alarm-segment-insufficient')) {
                    const style = getComputedStyle(el);
                    const [a, b] = [lum(style.color), lum(style.backgroundColor)].sort((x, y) => y - x);
                    const ratio = (a + 0.05) / (b + 0.05);
                    if (ratio < 4.5) found.push(`${el.className}: ${style.color} on ${style.backgroundColor} is ${ratio.toFixed(2)}:1`);
                }
                return found;
            }
            """);
        Assert.Empty(poor);
        Assert.True(await page.Locator(".alarm-state-insufficient, .alarm-state-alarm").CountAsync() > 0, "no filled chip to check");
        var path = Path.Combine(DashboardFixture.ArtifactsDirectory, $"alarms-{theme}-{width}.png");
        // The first screenful in both widths: the whole list of a fleet's alarms is no picture of the page.
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path });
        output.WriteLine($"screenshot: {path}");
        await context.CloseAsync();
    }

    private async Task<IPage> OpenAsync(string path)
    {
        var context = await dashboard.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1440, Height = 1000 } });
        var page = await context.NewPageAsync();
        await page.GotoAsync(new Uri(dashboard.BaseUrl, path).ToString());
        await page.Locator(".page[data-interactive]").WaitForAsync(new() { Timeout = Timeout });
        await page.Locator("[data-alarm]").First.WaitForAsync(new() { Timeout = Timeout });
        return page;
    }

    internal static async Task WaitUntilAsync(Func<Task<bool>> condition, Func<string> describe)
    {
        // Polls what the page shows until it holds; the deadline only bounds a failure.
        var deadline = DateTime.UtcNow.AddMilliseconds(Timeout);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"not within {Timeout / 1000} s: {describe()}");
            }

            await Task.Delay(50);
        }
    }
}
