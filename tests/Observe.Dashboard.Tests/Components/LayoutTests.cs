using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Observe.Dashboard.Components.Layout;
using Observe.Dashboard.Configuration;
using Observe.Dashboard.Demo;

// MUD0012 guards components against setting another component's parameters; these tests only read the one the
// layout set on MudThemeProvider.
#pragma warning disable MUD0012

namespace Observe.Dashboard.Tests.Components;

public class LayoutTests : MudContext
{
    public LayoutTests()
    {
    }

    [Fact]
    public void MainLayout_Navigation_ListsEveryPageAndDisablesThoseNotBuiltYet()
    {
        var layout = RenderLayout(new DemoMode(false, "AWS accounts are configured"));

        var items = layout.FindAll("[data-nav]");
        Assert.Equal(NavEntry.All.Select(e => e.Path), items.Select(i => i.GetAttribute("data-nav")));
        Assert.Equal(["Overview", "Functions", "Errors", "Cold starts", "Traces", "Live tail", "Alarms", "Alerts", "Collectors", "Settings"], NavEntry.All.Select(e => e.Title));
        Assert.Equal(["Overview", "Functions", "Errors", "Cold starts", "Traces", "Live tail", "Alarms", "Alerts", "Collectors", "Settings"], NavEntry.All.Where(e => e.Enabled).Select(e => e.Title));

        Assert.Equal("", layout.Find("[data-nav='']").GetAttribute("href"));
        Assert.Equal("collectors", layout.Find("[data-nav='collectors']").GetAttribute("href"));
        Assert.Equal("functions", layout.Find("[data-nav='functions']").GetAttribute("href"));
        Assert.Equal("alarms", layout.Find("[data-nav='alarms']").GetAttribute("href"));
        Assert.Equal("errors", layout.Find("[data-nav='errors']").GetAttribute("href"));
        Assert.Equal("cold-starts", layout.Find("[data-nav='cold-starts']").GetAttribute("href"));
        foreach (var entry in NavEntry.All.Where(e => !e.Enabled))
        {
            var item = layout.Find($"[data-nav='{entry.Path}']");
            Assert.Contains($"arrives with {entry.ArrivesWith}", item.TextContent, StringComparison.Ordinal);
            Assert.Contains(entry.Title, item.TextContent, StringComparison.Ordinal);
            Assert.Contains("mud-nav-link-disabled", item.ClassList);
            Assert.Null(item.GetAttribute("href"));
        }

        Assert.Equal("alerts", layout.Find("[data-nav='alerts']").GetAttribute("href"));
        Assert.Equal("settings", layout.Find("[data-nav='settings']").GetAttribute("href"));
    }

    [Fact]
    public void MainLayout_Navigation_KeepsTheTimeRangeOfTheAddress()
    {
        var layout = RenderLayout(new DemoMode(false, "AWS accounts are configured"), "/?range=6h&other=1");

        Assert.Equal("?range=6h", layout.Find("[data-nav='']").GetAttribute("href"));
    }

    [Fact]
    public void MainLayout_DemoActive_ShowsBannerWithHowToConfigureAnAccount()
    {
        var layout = RenderLayout(DemoMode.Resolve(new DemoOptions(), new Observe.Collectors.Aws.AwsOptions()));

        var banner = layout.Find("[data-testid=demo-banner]");
        Assert.Contains("Demo fleet: generated data, no AWS account configured", banner.TextContent, StringComparison.Ordinal);
        Assert.Contains("Observe:Aws:Accounts", banner.TextContent, StringComparison.Ordinal);
        Assert.Contains("Observe__Aws__Accounts__0__AccountId", banner.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void MainLayout_DemoOff_ShowsNoBanner()
    {
        var layout = RenderLayout(new DemoMode(false, "AWS accounts are configured"));

        Assert.Empty(layout.FindAll("[data-testid=demo-banner]"));
        Assert.Contains("page body", layout.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void DemoBanner_StatusChanges_ShowsBackfillProgressThenHidesIt()
    {
        var status = new DemoFleetStatus(new DemoMode(true, "no AWS account configured"));
        Services.AddSingleton(status);
        var banner = Render<DemoBanner>();

        status.Report(TimeSpan.FromHours(6), TimeSpan.FromHours(24), DateTimeOffset.UtcNow);
        banner.WaitForAssertion(() => Assert.Contains("Generating history: 6 h of 24 h", banner.Markup, StringComparison.Ordinal));

        status.Report(TimeSpan.FromHours(24), TimeSpan.FromHours(24), DateTimeOffset.UtcNow);
        banner.WaitForAssertion(() => Assert.Empty(banner.FindAll("[data-testid=demo-backfill]")));
    }

    [Theory]
    [InlineData("/", "")]
    [InlineData("/?range=6h", "")]
    [InlineData("/collectors?range=6h", "collectors")]
    public void MainLayout_Navigation_HighlightsTheCurrentPageOnly(string uri, string current)
    {
        var layout = RenderLayout(new DemoMode(false, "AWS accounts are configured"), uri);

        var active = layout.FindAll("[data-nav].active").Select(e => e.GetAttribute("data-nav")).ToList();
        Assert.Equal([current], active);
    }

    [Fact]
    public void ThemeToggle_Click_SwitchesToDarkAndRemembersItInTheCookie()
    {
        var layout = RenderLayout(new DemoMode(false, "AWS accounts are configured"));
        var toggle = () => layout.Find("[data-testid=theme-toggle]");
        Assert.Equal(DashboardThemes.Light, toggle().GetAttribute("data-theme"));

        toggle().Click();

        Assert.Equal(DashboardThemes.Dark, toggle().GetAttribute("data-theme"));
        Assert.Contains(JSInterop.Invocations, i => i.Identifier == "observe.setTheme" && i.Arguments.SequenceEqual([DashboardThemes.Dark]));
        Assert.True(layout.FindComponent<MudBlazor.MudThemeProvider>().Instance.IsDarkMode);

        toggle().Click();
        Assert.Equal(DashboardThemes.Light, toggle().GetAttribute("data-theme"));
        Assert.False(layout.FindComponent<MudBlazor.MudThemeProvider>().Instance.IsDarkMode);
    }

    [Fact]
    public void MainLayout_RequestedInTheDarkTheme_StartsDark()
    {
        Services.AddSingleton(new DemoFleetStatus(new DemoMode(false, "AWS accounts are configured")));

        var layout = Render<MainLayout>(p => p
            .Add(l => l.Body, (RenderFragment)(b => b.AddContent(0, "page body")))
            .AddCascadingValue(Observe.Dashboard.Components.Routes.ThemeCascade, DashboardThemes.Dark));

        Assert.True(layout.FindComponent<MudBlazor.MudThemeProvider>().Instance.IsDarkMode);
        Assert.Equal(DashboardThemes.Dark, layout.Find("[data-testid=theme-toggle]").GetAttribute("data-theme"));
    }

    private IRenderedComponent<MainLayout> RenderLayout(DemoMode mode, string? uri = null)
    {
        Services.AddSingleton(new DemoFleetStatus(mode));
        if (uri is not null)
        {
            Services.GetRequiredService<NavigationManager>().NavigateTo(uri);
        }

        return Render<MainLayout>(p => p.Add(l => l.Body, (RenderFragment)(b => b.AddContent(0, "page body"))));
    }
}
