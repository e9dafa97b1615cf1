using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Observe.Dashboard.Components.Layout;

namespace Observe.Dashboard.Tests.Browser;

/// <summary>What a new user tripped over on the first two pages (issue 10, item 7), tried in Chromium.</summary>
public sealed partial class OverviewBrowserTests
{
    public static TheoryData<string> UnknownAddresses()
    {
        var data = new TheoryData<string> { "/no-such-page", "/collectors/nothing-here" };
        foreach (var entry in NavEntry.All.Where(e => !e.Enabled))
        {
            data.Add("/" + entry.Path);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(UnknownAddresses))]
    public async Task UnknownAddress_GetsTheAppsNotFoundPageWithStatus404(string path)
    {
        using var client = dashboard.Http();

        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("No page at this address", html, StringComparison.Ordinal);
        Assert.Contains("data-nav=\"collectors\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownAddress_InTheBrowser_StaysOnTheAppsPageOnceInteractive()
    {
        var page = await NewPageAsync();

        var response = await page.GotoAsync(new Uri(dashboard.BaseUrl, "/no-such-page").ToString());

        Assert.Equal(404, response!.Status);
        await Assertions.Expect(page.Locator("[data-testid=not-found]")).ToBeVisibleAsync(new() { Timeout = Timeout });
        await Assertions.Expect(page.Locator("[data-nav='']")).ToBeVisibleAsync(new() { Timeout = Timeout });
        await ScreenshotAsync(page, "not-found.png");
    }

    [Fact]
    public async Task LiveBadge_HiddenUnderTheReconnectOverlay()
    {
        var page = await NewPageAsync();
        var down = false;
        IWebSocketRoute? circuit = null;
        // The circuit's socket goes through the test, which can drop it; while "down", reconnecting is refused too.
        await page.RouteWebSocketAsync(new Regex("/_blazor"), ws =>
        {
            if (down)
            {
                _ = ws.CloseAsync(new() { Code = 1011, Reason = "the test keeps the dashboard unreachable" });
                return;
            }

            circuit = ws;
            ws.ConnectToServer();
        });
        await page.RouteAsync(new Regex("/_blazor/negotiate"), route => down ? route.AbortAsync() : route.ContinueAsync());
        await page.GotoAsync(new Uri(dashboard.BaseUrl, "/?range=15m").ToString());
        await Assertions.Expect(page.Locator("[data-testid=live]")).ToBeVisibleAsync(new() { Timeout = Timeout });

        down = true;
        await circuit!.CloseAsync(new() { Code = 1011, Reason = "the test drops the connection" });

        await Assertions.Expect(page.Locator("#components-reconnect-modal")).ToBeVisibleAsync(new() { Timeout = Timeout });
        await Assertions.Expect(page.Locator("[data-testid=live]")).ToBeHiddenAsync(new() { Timeout = Timeout });
    }

    [Theory]
    [InlineData(1440, 1000)]
    [InlineData(390, 844)]
    public async Task DemoBannerAndCards_FitTheWidthAndWrapBetweenWords(int width, int height)
    {
        var context = await dashboard.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = width, Height = height } });
        var page = await context.NewPageAsync();
        await page.GotoAsync(new Uri(dashboard.BaseUrl, "/?range=1h").ToString());
        await WaitForLiveFiguresAsync(page);

        // Nothing is wider than its box (cut off or pushing the page sideways), and notes are not kept to one line.
        var problems = await page.EvaluateAsync<string[]>("""
            () => {
                const found = [];
                if (document.documentElement.scrollWidth > window.innerWidth) found.push(`page ${document.documentElement.scrollWidth}px wide`);
                for (const el of document.querySelectorAll('[data-testid=demo-banner], [data-testid=demo-banner] *, .figure-note, .figure-label')) {
                    if (el.scrollWidth > el.clientWidth + 1) found.push(`${el.className || el.tagName}: ${el.scrollWidth} > ${el.clientWidth}`);
                }
                for (const el of document.querySelectorAll('.figure-note')) {
                    const style = getComputedStyle(el);
                    if (style.whiteSpace === 'nowrap' || style.textOverflow === 'ellipsis') found.push(`note kept to one line: ${el.textContent}`);
                }
                return found;
            }
            """);

        Assert.Empty(problems);
        Assert.True(await page.Locator("[data-testid=demo-banner]").IsVisibleAsync());
        await context.CloseAsync();
    }

    [Fact]
    public async Task Navigation_OnAPhone_IsClosedUntilTheMenuButtonOpensItAndClosesOnceALinkIsFollowed()
    {
        var context = await dashboard.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 390, Height = 844 } });
        var page = await context.NewPageAsync();
        await page.GotoAsync(new Uri(dashboard.BaseUrl, "/?range=1h").ToString());
        await WaitForLiveFiguresAsync(page);
        var collectors = page.Locator("[data-nav='collectors']");
        Assert.False(await collectors.IsVisibleAsync(), "the navigation covers the page on a phone");

        await page.Locator("[data-testid=nav-toggle]").ClickAsync();
        await Assertions.Expect(page.Locator(".mud-drawer--open")).ToBeVisibleAsync(new() { Timeout = Timeout });
        await Assertions.Expect(collectors).ToBeVisibleAsync(new() { Timeout = Timeout });
        // Followed from the keyboard: Playwright's pointer finds the fixed drawer's links "outside of the viewport".
        await collectors.FocusAsync();
        await page.Keyboard.PressAsync("Enter");

        await WaitUntilAsync(() => Task.FromResult(page.Url.EndsWith("/collectors?range=1h", StringComparison.Ordinal)), () => $"the address is {page.Url}");
        // The page it opened shows: the drawer no longer lies over it.
        await Assertions.Expect(page.Locator(".mud-drawer--open")).ToHaveCountAsync(0, new() { Timeout = Timeout });
        // A closed drawer slides off the screen (it stays in the layout), so the check is the viewport, after the slide.
        await Assertions.Expect(collectors).Not.ToBeInViewportAsync(new() { Timeout = Timeout });
        await context.CloseAsync();
    }

    [Theory]
    [InlineData(DashboardThemes.Light)]
    [InlineData(DashboardThemes.Dark)]
    public async Task Logo_StandsOutFromTheHeaderInBothThemes(string theme)
    {
        var page = await NewPageAsync();
        await page.Context.AddCookiesAsync([new Microsoft.Playwright.Cookie { Name = DashboardThemes.CookieName, Value = theme, Url = dashboard.BaseUrl.ToString() }]);
        await page.GotoAsync(new Uri(dashboard.BaseUrl, "/collectors").ToString());

        var colors = await page.EvaluateAsync<string[]>("""
            () => [getComputedStyle(document.querySelector('.brand-logo circle')).stroke,
                   getComputedStyle(document.querySelector('.mud-appbar')).backgroundColor]
            """);

        // WCAG's 3:1 for graphics that identify something.
        var contrast = Contrast(colors[0], colors[1]);
        Assert.True(contrast >= 3, $"logo {colors[0]} on header {colors[1]}: contrast {contrast:0.00}");
    }

    [Fact]
    public async Task Navigation_KeyboardFocus_ShowsAVisibleRing()
    {
        var page = await OpenAsync("/?range=1h");

        // Tab on from the heading (where the page put focus on arrival) through the page, round to the header and the navigation.
        var visited = new List<string>();
        for (var i = 0; i < 40 && !visited.Contains("nav"); i++)
        {
            await page.Keyboard.PressAsync("Tab");
            visited.Add(await page.EvaluateAsync<string>(
                "() => document.activeElement?.closest('.observe-nav') ? 'nav' : (document.activeElement?.outerHTML ?? '').slice(0, 80)"));
        }

        Assert.True(visited.Contains("nav"), "Tab never reached the navigation; it went to: " + string.Join(" | ", visited));
        var ring = await page.EvaluateAsync<string[]>("() => { const s = getComputedStyle(document.activeElement); return [s.outlineStyle, s.outlineWidth]; }");
        Assert.NotEqual("none", ring[0]);
        Assert.True(double.Parse(ring[1].Replace("px", "", StringComparison.Ordinal), CultureInfo.InvariantCulture) >= 2, $"outline {ring[1]}");
    }

    private static double Contrast(string a, string b)
    {
        static double Luminance(string css)
        {
            var parts = Regex.Matches(css, @"[\d.]+").Select(m => double.Parse(m.Value, CultureInfo.InvariantCulture) / 255).Take(3)
                .Select(c => c <= 0.03928 ? c / 12.92 : Math.Pow((c + 0.055) / 1.055, 2.4)).ToArray();
            return 0.2126 * parts[0] + 0.7152 * parts[1] + 0.0722 * parts[2];
        }

        var (l1, l2) = (Luminance(a), Luminance(b));
        return (Math.Max(l1, l2) + 0.05) / (Math.Min(l1, l2) + 0.05);
    }
}
