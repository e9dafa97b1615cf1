using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Observe.Dashboard.Auth;

namespace Observe.Dashboard.Tests.Auth;

/// <summary>Host filtering, security headers and the sign-in rate limit, over HTTP against the started dashboard.</summary>
public sealed class HardeningTests
{
    [Theory]
    [InlineData("evil.example")]
    [InlineData("evil.example:5080")]
    [InlineData("127.0.0.1.nip.io")]
    public async Task ForeignHostHeader_Refused(string host)
    {
        // DNS rebinding: a web page whose own name now resolves to 127.0.0.1 reaches the dashboard with its Host.
        await using var dashboard = await SignedInDashboard.StartAsync();
        using var client = dashboard.Client(dashboard.CookieFor("someone", DashboardRoles.Admin));

        foreach (var path in new[] { "/", "/health", "/auth/login?t=" + SignedInDashboard.Token })
        {
            using var request = SignedInDashboard.Page(HttpMethod.Get, path);
            request.Headers.Host = host;
            var response = await client.SendAsync(request);
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{path} with Host {host} answered {(int)response.StatusCode}");
        }

        using var loopback = SignedInDashboard.Page(HttpMethod.Get, "/");
        loopback.Headers.Host = $"localhost:{dashboard.BaseAddress.Port}";
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(loopback)).StatusCode);
    }

    [Fact]
    public async Task AllowedHosts_Configured_AcceptsThatNameOnly()
    {
        await using var dashboard = await SignedInDashboard.StartAsync(new Dictionary<string, string?> { ["AllowedHosts"] = "observe.example.com" });
        using var client = dashboard.Client();

        using var named = new HttpRequestMessage(HttpMethod.Get, new Uri("/alive", UriKind.Relative));
        named.Headers.Host = "observe.example.com";
        using var other = new HttpRequestMessage(HttpMethod.Get, new Uri("/alive", UriKind.Relative));
        other.Headers.Host = "evil.example";

        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(named)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.SendAsync(other)).StatusCode);
    }

    [Theory]
    [InlineData("/", true)]
    [InlineData("/login", false)]
    [InlineData("/alive", false)]
    [InlineData("/functions/export.csv", true)]
    [InlineData("/no-such-page", true)]
    public async Task EveryResponse_CarriesTheSecurityHeaders(string path, bool signedIn)
    {
        await using var dashboard = await SignedInDashboard.StartAsync();
        using var client = dashboard.Client(signedIn ? dashboard.CookieFor("someone", DashboardRoles.Viewer) : null);

        var response = await client.SendAsync(SignedInDashboard.Page(HttpMethod.Get, path));

        var csp = Assert.Single(response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.Contains("default-src 'self'", csp, StringComparison.Ordinal);
        Assert.Matches("script-src 'self' 'nonce-[0-9A-F]{32}';", csp);
        Assert.DoesNotContain("unsafe-eval", csp, StringComparison.Ordinal);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("DENY", Assert.Single(response.Headers.GetValues("X-Frame-Options")));
        Assert.Equal("no-referrer", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
        // Plain http: HSTS is only for HTTPS (see the next test).
        Assert.False(response.Headers.Contains("Strict-Transport-Security"));
    }

    [Fact]
    public async Task Page_ImportMapCarriesThisResponsesNonce()
    {
        await using var dashboard = await SignedInDashboard.StartAsync();
        using var client = dashboard.Client(dashboard.CookieFor("someone", DashboardRoles.Viewer));

        var response = await client.SendAsync(SignedInDashboard.Page(HttpMethod.Get, "/"));

        var nonce = System.Text.RegularExpressions.Regex.Match(response.Headers.GetValues("Content-Security-Policy").Single(), "'nonce-([^']+)'").Groups[1].Value;
        var html = await response.Content.ReadAsStringAsync();
        var importMap = System.Text.RegularExpressions.Regex.Match(html, "<script[^>]*importmap[^>]*>");
        Assert.True(importMap.Success, "the page has no import map");
        Assert.Contains($"nonce=\"{nonce}\"", importMap.Value, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Https_AddsHsts()
    {
        var context = new DefaultHttpContext();
        context.Request.Scheme = "https";
        var started = new StartingFeature();
        context.Features.Set<Microsoft.AspNetCore.Http.Features.IHttpResponseFeature>(started);
        var app = new ApplicationBuilder(new ServiceCollection().BuildServiceProvider());
        app.UseSecurityHeaders();
        app.Run(_ => Task.CompletedTask);

        await app.Build()(context);
        await started.StartAsync();

        Assert.Equal("max-age=31536000; includeSubDomains", context.Response.Headers.StrictTransportSecurity.ToString());
    }

    [Fact]
    public async Task Login_TooManyAttemptsFromOneAddress_429SayingWhatToDo()
    {
        await using var dashboard = await SignedInDashboard.StartAsync(new Dictionary<string, string?> { ["Observe:Auth:LoginAttemptsPerMinute"] = "3" });
        using var client = dashboard.Client();

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            statuses.Add((await client.GetAsync(new Uri("/auth/login?t=guess-" + i, UriKind.Relative))).StatusCode);
        }

        // The right token, after the limit: refused too, so guessing cannot go faster by mixing in one right answer.
        var right = await client.GetAsync(new Uri("/auth/login?t=" + SignedInDashboard.Token, UriKind.Relative));

        Assert.Equal([HttpStatusCode.Redirect, HttpStatusCode.Redirect, HttpStatusCode.Redirect, HttpStatusCode.TooManyRequests], statuses);
        Assert.Equal(HttpStatusCode.TooManyRequests, right.StatusCode);
        Assert.Contains("Too many sign-in attempts", await right.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        // Pages and probes are not counted against sign-in attempts.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/alive", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task ErrorPage_SaysWhatToDoWithoutExceptionText()
    {
        await using var dashboard = await SignedInDashboard.StartAsync();
        using var client = dashboard.Client(dashboard.CookieFor("someone", DashboardRoles.Viewer));

        var response = await client.SendAsync(SignedInDashboard.Page(HttpMethod.Get, "/error"));
        var html = await response.Content.ReadAsStringAsync();

        Assert.Contains("the server log has the details", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", html, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", html, StringComparison.Ordinal);
    }

    /// <summary>A response feature that runs the OnStarting callbacks when told to, as a server does before the first byte.</summary>
    private sealed class StartingFeature : Microsoft.AspNetCore.Http.Features.HttpResponseFeature
    {
        private readonly List<(Func<object, Task> Callback, object State)> _starting = [];

        public override void OnStarting(Func<object, Task> callback, object state) => _starting.Add((callback, state));

        public async Task StartAsync()
        {
            foreach (var (callback, state) in _starting)
            {
                await callback(state);
            }
        }
    }
}
