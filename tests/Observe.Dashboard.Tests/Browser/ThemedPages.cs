using Microsoft.Playwright;

namespace Observe.Dashboard.Tests.Browser;

/// <summary>
/// A page opened as a user with a theme and a screen width sees it, and its screenshot after checking it is no wider
/// than the screen: what every page's theme-and-width test does.
/// </summary>
internal static class ThemedPages
{
    private const float Timeout = 15_000;

    /// <summary>A new browser context of the width (a phone's height below 600 px) with the theme's cookie, at <paramref name="address"/>, once interactive.</summary>
    public static async Task<IPage> OpenAsync(IBrowser browser, Uri baseUrl, string address, string theme, int width)
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = width, Height = width < 600 ? 844 : 1000 },
            DeviceScaleFactor = 1,
        });
        await context.AddCookiesAsync([new Cookie { Name = DashboardThemes.CookieName, Value = theme, Url = baseUrl.ToString() }]);
        var page = await context.NewPageAsync();
        await page.GotoAsync(new Uri(baseUrl, address).ToString());
        await page.Locator(".page[data-interactive]").WaitForAsync(new() { Timeout = Timeout });
        return page;
    }

    /// <summary>A new 1440 px wide browser context at <paramref name="url"/>, in the default theme, once interactive.</summary>
    public static async Task<IPage> OpenInteractiveAsync(IBrowser browser, string url)
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1440, Height = 1000 } });
        var page = await context.NewPageAsync();
        await page.GotoAsync(url);
        await page.Locator(".page[data-interactive]").WaitForAsync(new() { Timeout = Timeout });
        return page;
    }

    /// <summary>Fails naming what reaches past the screen's edge; otherwise writes the screenshot to the test artifacts and returns its path.</summary>
    public static async Task<string> ScreenshotAsync(IPage page, string file, bool fullPage)
    {
        var wider = await PageWidth.WiderThanTheScreenAsync(page);
        Assert.True(wider.Length == 0, $"{file}: the page scrolls sideways: {string.Join("; ", wider)}");
        var path = Path.Combine(DashboardFixture.ArtifactsDirectory, file);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = fullPage });
        return path;
    }
}
