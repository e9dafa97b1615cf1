using System.Net;
using System.Text.RegularExpressions;
using Observe.Dashboard.Auth;

namespace Observe.Dashboard.Tests.Auth;

/// <summary>The browser token: exchanged for a session cookie by the printed link or the sign-in page's form.</summary>
public sealed partial class SignInTests
{
    [Fact]
    public async Task Link_RightToken_SetsAHardenedSessionCookieAndRedirectsWithoutTheToken()
    {
        await using var dashboard = await SignedInDashboard.StartAsync();
        using var client = dashboard.Client();

        var response = await client.GetAsync(new Uri($"/auth/login?t={SignedInDashboard.Token}&ReturnUrl=%2Ffunctions%3Frange%3D1h", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/functions?range=1h", response.Headers.Location!.OriginalString);
        var setCookie = Assert.Single(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith(AuthExtensions.CookieName + "=", StringComparison.Ordinal));
        var flags = setCookie.Split(';', StringSplitOptions.TrimEntries).Skip(1).Select(f => f.ToLowerInvariant()).ToList();
        Assert.Contains("httponly", flags);
        Assert.Contains("samesite=lax", flags);
        Assert.Contains("path=/", flags);
        // Plain http on loopback: a Secure cookie would never come back. On HTTPS it is Secure (SecurePolicy SameAsRequest).
        Assert.DoesNotContain("secure", flags);
        Assert.DoesNotContain(flags, f => f.StartsWith("expires=", StringComparison.Ordinal));

        using var signedIn = dashboard.Client(setCookie.Split(';')[0]);
        var page = await signedIn.SendAsync(SignedInDashboard.Page(HttpMethod.Get, "/functions?range=1h"));
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("data-testid=\"user-name\"", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("wrong-token-0123456789-abcdefghijklmnopqrstuvwxyz")]
    [InlineData("")]
    [InlineData("test-token-0123456789-abcdefghijklmnopqrstuvwxy")]
    public async Task Link_WrongToken_BackToTheSignInPageSayingSo_NoCookie(string token)
    {
        await using var dashboard = await SignedInDashboard.StartAsync();
        using var client = dashboard.Client();

        var response = await client.GetAsync(new Uri($"/auth/login?t={Uri.EscapeDataString(token)}", UriKind.Relative));

        Assert.True(SignedInDashboard.IsRedirectTo(response, "/login"), $"{(int)response.StatusCode} {response.Headers.Location}");
        Assert.Contains("failed=1", response.Headers.Location!.OriginalString, StringComparison.Ordinal);
        Assert.False(response.Headers.Contains("Set-Cookie") && response.Headers.GetValues("Set-Cookie").Any(c => c.StartsWith(AuthExtensions.CookieName, StringComparison.Ordinal)));
        var page = await client.SendAsync(SignedInDashboard.Page(HttpMethod.Get, response.Headers.Location.OriginalString));
        Assert.Contains("That is not the token of this dashboard", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://evil.example/")]
    [InlineData("//evil.example/")]
    [InlineData("/\\evil.example/")]
    public async Task Link_ReturnUrlOffSite_GoesToTheOverviewInstead(string returnUrl)
    {
        await using var dashboard = await SignedInDashboard.StartAsync();
        using var client = dashboard.Client();

        var response = await client.GetAsync(new Uri($"/auth/login?t={SignedInDashboard.Token}&ReturnUrl={Uri.EscapeDataString(returnUrl)}", UriKind.Relative));

        Assert.Equal("/", response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task Form_WithTheSignInPagesAntiforgeryToken_SignsIn_WithoutIt_Refused()
    {
        await using var dashboard = await SignedInDashboard.StartAsync();
        using var client = dashboard.Client();

        var login = await client.SendAsync(SignedInDashboard.Page(HttpMethod.Get, "/login?ReturnUrl=%2Falarms"));
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        var html = await login.Content.ReadAsStringAsync();
        var antiforgery = AntiforgeryField().Match(html);
        Assert.True(antiforgery.Success, html);
        var antiforgeryCookie = login.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(".AspNetCore.Antiforgery", StringComparison.Ordinal)).Split(';')[0];

        // Without the field and cookie (what another site's form would send): refused before the token is looked at.
        var forged = await client.PostAsync(new Uri("/auth/login", UriKind.Relative), new FormUrlEncodedContent(new Dictionary<string, string> { ["t"] = SignedInDashboard.Token }));
        Assert.True(forged.StatusCode == HttpStatusCode.BadRequest, $"{(int)forged.StatusCode}: {await forged.Content.ReadAsStringAsync()}");

        using var withCookie = dashboard.Client(antiforgeryCookie);
        var signedIn = await withCookie.PostAsync(new Uri("/auth/login", UriKind.Relative), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            [antiforgery.Groups["name"].Value] = WebUtility.HtmlDecode(antiforgery.Groups["value"].Value),
            ["t"] = SignedInDashboard.Token,
            ["ReturnUrl"] = "/alarms",
        }));
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        Assert.Equal("/alarms", signedIn.Headers.Location!.OriginalString);
        Assert.Contains(signedIn.Headers.GetValues("Set-Cookie"), c => c.StartsWith(AuthExtensions.CookieName + "=", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SignOut_EndsTheSession()
    {
        await using var dashboard = await SignedInDashboard.StartAsync();
        var cookie = dashboard.CookieFor("someone", DashboardRoles.Viewer);
        using var client = dashboard.Client(cookie);
        var page = await client.SendAsync(SignedInDashboard.Page(HttpMethod.Get, "/"));
        var html = await page.Content.ReadAsStringAsync();
        var antiforgery = AntiforgeryField().Match(html);
        Assert.True(antiforgery.Success, "the sign-out form carries an anti-forgery token");
        var antiforgeryCookie = page.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(".AspNetCore.Antiforgery", StringComparison.Ordinal)).Split(';')[0];

        using var withBoth = dashboard.Client($"{cookie}; {antiforgeryCookie}");
        var signOut = await withBoth.PostAsync(new Uri("/auth/logout", UriKind.Relative), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            [antiforgery.Groups["name"].Value] = WebUtility.HtmlDecode(antiforgery.Groups["value"].Value),
        }));

        Assert.True(SignedInDashboard.IsRedirectTo(signOut, "/login"), $"{(int)signOut.StatusCode} {signOut.Headers.Location}");
        var cleared = Assert.Single(signOut.Headers.GetValues("Set-Cookie"), c => c.StartsWith(AuthExtensions.CookieName + "=", StringComparison.Ordinal));
        Assert.Contains("expires=Thu, 01 Jan 1970", cleared, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Session_IssuedForAnotherToken_IsRefused()
    {
        await using var dashboard = await SignedInDashboard.StartAsync();
        // Sealed with this dashboard's own keys, so only the token's hash inside tells them apart: a session from before
        // a restart that drew a new token.
        using var current = dashboard.Client(dashboard.CookieFor("someone", DashboardRoles.Admin));
        using var old = dashboard.Client(dashboard.CookieWithTokenHash("someone", "0000", DashboardRoles.Admin));

        Assert.Equal(HttpStatusCode.OK, (await current.GetAsync(new Uri("/functions/export.csv", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await old.GetAsync(new Uri("/functions/export.csv", UriKind.Relative))).StatusCode);
    }

    [GeneratedRegex("<input type=\"hidden\" name=\"(?<name>__RequestVerificationToken)\" value=\"(?<value>[^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}
