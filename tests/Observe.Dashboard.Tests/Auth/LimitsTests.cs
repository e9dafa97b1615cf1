using System.Net;
using System.Security.Claims;
using Microsoft.Extensions.Options;
using Microsoft.Playwright;
using Observe.Collectors.Hosting;
using Observe.Dashboard.Auth;
using Observe.Dashboard.Configuration;
using Observe.Dashboard.Tests.Browser;
using Observe.Dashboard.Tests.Hosting;

namespace Observe.Dashboard.Tests.Auth;

/// <summary>
/// The limits one user's requests meet: the time range a page or export may query (<c>Observe:Dashboard:MaxRange</c>),
/// the circuits one user may hold (<c>Observe:Dashboard:MaxCircuitsPerUser</c>), and AWS endpoint overrides on plain
/// http refused at start outside loopback.
/// </summary>
public sealed class LimitsTests
{
    private const float Timeout = 20_000;

    [Fact]
    public void Options_Defaults_90DaysAnd20Circuits_Valid()
    {
        var options = new DashboardOptions();

        Assert.Equal(TimeSpan.FromDays(90), options.MaxRange);
        Assert.Equal(20, options.MaxCircuitsPerUser);
        Assert.True(new DashboardOptionsValidator().Validate(null, options).Succeeded);
    }

    [Fact]
    public void Options_BadLimits_NameTheSettings()
    {
        var result = new DashboardOptionsValidator().Validate(null, new DashboardOptions { MaxRange = TimeSpan.FromMinutes(10), DefaultRange = "1h", MaxCircuitsPerUser = 0 });

        Assert.Equal(
        [
            "Observe:Dashboard:MaxRange is 00:10:00; it must be between 01:00:00 and 3650.00:00:00.",
            "Observe:Dashboard:DefaultRange 1h is longer than Observe:Dashboard:MaxRange (00:10:00); every page would open refused.",
            "Observe:Dashboard:MaxCircuitsPerUser is 0; it must be between 1 and 1000.",
        ], result.Failures);
    }

    [Fact]
    public async Task RangeOverTheConfiguredMaximum_PageAndExport_RefusedWithTheLimit_WithinIt_Served()
    {
        await using var dashboard = await SignedInDashboard.StartAsync(new Dictionary<string, string?> { ["Observe:Dashboard:MaxRange"] = "7.00:00:00" });
        using var client = dashboard.Client(dashboard.CookieFor("vic", DashboardRoles.Viewer));

        // Every page's range goes through LivePage; the prerendered page shows the message and queries nothing.
        var page = await client.SendAsync(SignedInDashboard.Page(HttpMethod.Get, "/functions?range=8d"));
        var html = WebUtility.HtmlDecode(await page.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("range: \"8d\" is longer than the longest range allowed, 7d (Observe:Dashboard:MaxRange). Choose a shorter range.", html, StringComparison.Ordinal);

        var fixedRange = await client.SendAsync(SignedInDashboard.Page(HttpMethod.Get, "/errors?from=2026-11-01T00:00:00Z&to=2026-11-09T00:00:00Z"));
        Assert.Contains("is 8 days long; the longest allowed is 7d (Observe:Dashboard:MaxRange)", WebUtility.HtmlDecode(await fixedRange.Content.ReadAsStringAsync()), StringComparison.Ordinal);

        var export = await client.GetAsync(new Uri(Observe.Dashboard.Model.FunctionsExport.Path.TrimStart('/') + "?range=30d", UriKind.Relative));
        Assert.Equal(HttpStatusCode.BadRequest, export.StatusCode);
        Assert.Contains("longest range allowed, 7d (Observe:Dashboard:MaxRange)", await export.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var within = await client.GetAsync(new Uri(Observe.Dashboard.Model.FunctionsExport.Path.TrimStart('/') + "?range=7d", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, within.StatusCode);
    }

    [Fact]
    public void CircuitLimiter_CountsEachUserApart_AndFreesAPlaceOnLeave()
    {
        var limiter = new CircuitLimiter(Options.Create(new DashboardOptions { MaxCircuitsPerUser = 2 }));

        Assert.True(limiter.TryEnter("ana"));
        Assert.True(limiter.TryEnter("ana"));
        Assert.False(limiter.TryEnter("ana"));
        Assert.True(limiter.TryEnter("ben"));
        limiter.Leave("ana");
        Assert.True(limiter.TryEnter("ana"));
        Assert.False(limiter.TryEnter("ana"));
    }

    [Fact]
    public void CircuitLimiter_KeysBySubjectWhenThereIsOne()
    {
        var withSubject = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, "sub-1"), new Claim(ClaimTypes.Name, "Ana")], "test"));
        var nameOnly = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, "Ana")], "test"));

        Assert.Equal("sub-1", CircuitLimiter.KeyOf(withSubject));
        Assert.Equal("Ana", CircuitLimiter.KeyOf(nameOnly));
    }

    [Fact]
    public async Task Circuits_PastTheLimit_TheNextTabSaysWhatToDo_AndLoadsOnceATabCloses()
    {
        await using var host = new BrowserDashboard();
        host.Build(new Dictionary<string, string?> { ["Observe:Dashboard:MaxCircuitsPerUser"] = "2" });
        await host.StartDashboardAsync();
        await host.LaunchChromiumAsync();
        await using var context = await host.Browser.NewContextAsync();
        var url = new Uri(host.BaseUrl, "/functions").ToString();

        var first = await context.NewPageAsync();
        await first.GotoAsync(url);
        await first.Locator(".page[data-interactive]").WaitForAsync(new() { Timeout = Timeout });
        var second = await context.NewPageAsync();
        await second.GotoAsync(url);
        await second.Locator(".page[data-interactive]").WaitForAsync(new() { Timeout = Timeout });

        var third = await context.NewPageAsync();
        await third.GotoAsync(url);
        var refused = third.Locator("[data-testid=circuit-refused]");
        await Assertions.Expect(refused).ToContainTextAsync(
            "You already have 2 dashboard tabs open, the most one user may have at a time (Observe:Dashboard:MaxCircuitsPerUser). Close a tab you no longer need, then reload this one.",
            new() { Timeout = Timeout });
        Assert.Equal(0, await third.Locator("[data-testid=functions-grid]").CountAsync());

        // Leaving a page ends its circuit (Blazor's disconnect beacon); the refused tab, reloaded, then gets its place.
        await first.GotoAsync(new Uri(host.BaseUrl, "/alive").ToString());
        await BrowserPoll.UntilAsync(
            async () =>
            {
                await third.ReloadAsync();
                await third.Locator(".page[data-interactive], [data-testid=circuit-refused]").First.WaitForAsync(new() { Timeout = Timeout });
                return await third.Locator(".page[data-interactive]").CountAsync() > 0;
            },
            () => "the reloaded tab was still refused after another tab left",
            Timeout);
    }

    [Theory]
    [InlineData("Observe:Aws:Endpoints:Logs", "http://logs.vpce.example.com")]
    [InlineData("Observe:Aws:Endpoints:Sts", "http://10.0.0.5:4566")]
    public async Task Start_PlainHttpEndpointOffLoopback_RefusedNamingTheSetting(string setting, string url)
    {
        using var directory = new TempDirectory();
        // With an account, as the overrides are only read then (the collectors, in the dashboard or the worker, and Live Tail).
        await using var app = DashboardHost.Build(directory.Path, new Dictionary<string, string?>
        {
            ["Observe:Aws:Accounts:0:AccountId"] = "123456789012",
            ["Observe:Aws:Accounts:0:Regions:0"] = "eu-west-1",
            ["Observe:Collectors:InProcess"] = "false",
            [setting] = url,
        });

        var error = await Assert.ThrowsAsync<ObserveStartupException>(() => app.StartDashboardAsync(CancellationToken.None));

        Assert.Contains($"{setting} '{url}' is plain http to ", error.Message, StringComparison.Ordinal);
        Assert.Contains("Observe:Aws:AllowPlainHttpEndpoints=true", error.Message, StringComparison.Ordinal);
    }
}
