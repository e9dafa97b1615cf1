using Microsoft.Playwright;
using Observe.Dashboard.Tests.Browser;

namespace Observe.Dashboard.Tests.Auth;

/// <summary>
/// Signing in with the browser token in Chromium, then the pages working interactively under the
/// Content-Security-Policy with no violation reported, and signing out.
/// </summary>
public sealed class SignInBrowserTests
{
    private static readonly float Timeout = 30_000;

    [Fact]
    public async Task BrowserToken_SignInOnThePage_PagesWorkUnderTheCsp_SignOutEndsIt()
    {
        await using var host = new BrowserDashboard(signedIn: false);
        host.Build(new Dictionary<string, string?>
        {
            ["Observe:Auth:Mode"] = "BrowserToken",
            ["Observe:Auth:BrowserToken"] = SignedInDashboard.Token,
            ["Observe:Demo:Enabled"] = "true",
            ["Observe:Demo:Interval"] = "00:00:01",
            ["Observe:Demo:Backfill"] = "00:30:00",
        });
        await host.StartDashboardAsync();
        await host.LaunchChromiumAsync();
        await using var context = await host.Browser.NewContextAsync();
        var page = await context.NewPageAsync();

        // Every violation the browser reports, by event (before any page script runs) and on the console.
        await page.AddInitScriptAsync("window.__csp = []; document.addEventListener('securitypolicyviolation', e => window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));");
        var console = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                lock (console)
                {
                    console.Add(message.Text);
                }
            }
        };
        page.PageError += (_, error) =>
        {
            lock (console)
            {
                console.Add(error);
            }
        };

        // Not signed in: the page asked for sends the browser to sign in, and back there after.
        await page.GotoAsync(new Uri(host.BaseUrl, "/errors?range=1h").ToString());
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/login\\?ReturnUrl="), new() { Timeout = Timeout });
        Assert.Empty(await page.EvaluateAsync<string[]>("window.__csp"));

        await page.Locator("[data-testid=login-token]").FillAsync("not the token at all, but long enough to look like one");
        await page.Locator("[data-testid=login-submit]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=login-failed]")).ToBeVisibleAsync(new() { Timeout = Timeout });

        await page.Locator("[data-testid=login-token]").FillAsync(SignedInDashboard.Token);
        await page.Locator("[data-testid=login-submit]").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Uri(host.BaseUrl, "/errors?range=1h").ToString(), new() { Timeout = Timeout });
        await Assertions.Expect(page.Locator("[data-testid=user-name]")).ToHaveTextAsync(Observe.Dashboard.Auth.AuthEndpoints.BrowserTokenUserName, new() { Timeout = Timeout });

        // Interactive: the theme toggle goes through the circuit and app.js, the navigation through Blazor's router.
        await page.Locator(".page[data-interactive]").WaitForAsync(new() { Timeout = Timeout });
        var toggle = page.Locator("[data-testid=theme-toggle]");
        await Assertions.Expect(toggle).ToHaveAttributeAsync("data-theme", "light", new() { Timeout = Timeout });
        await toggle.ClickAsync();
        try
        {
            await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("data-theme", "dark", new() { Timeout = Timeout });
        }
        catch (PlaywrightException ex)
        {
            string reported;
            lock (console)
            {
                reported = string.Join("\n", console);
            }

            throw new InvalidOperationException($"the page did not become interactive; CSP violations: {string.Join("; ", await page.EvaluateAsync<string[]>("window.__csp"))}; console:\n{reported}", ex);
        }
        foreach (var path in new[] { "/", "/functions", "/alarms", "/traces", "/cold-starts", "/collectors" })
        {
            await page.GotoAsync(new Uri(host.BaseUrl, path).ToString());
            await page.Locator(".page[data-interactive]").WaitForAsync(new() { Timeout = Timeout });
            await Assertions.Expect(page.Locator("[data-testid=theme-toggle]")).ToHaveAttributeAsync("data-theme", "dark", new() { Timeout = Timeout });
        }

        await page.Locator("[data-testid=nav-toggle]").ClickAsync();
        Assert.Empty(await page.EvaluateAsync<string[]>("window.__csp"));

        await page.Locator("[data-testid=sign-out] button").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Uri(host.BaseUrl, "/login").ToString(), new() { Timeout = Timeout });
        await page.GotoAsync(new Uri(host.BaseUrl, "/functions").ToString());
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/login\\?ReturnUrl="), new() { Timeout = Timeout });

        lock (console)
        {
            Assert.DoesNotContain(console, m => m.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase));
        }
    }
}
