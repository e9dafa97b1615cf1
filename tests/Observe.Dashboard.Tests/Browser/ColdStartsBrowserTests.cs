using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Observe.Dashboard.Tests.Hosting;
using Observe.Store;
using Observe.Store.Model;

namespace Observe.Dashboard.Tests.Browser;

/// <summary>The Cold starts page in Chromium: over the demo fleet (loads, filters, drills down) and over a store of its own.</summary>
public sealed class ColdStartsBrowserTests(DashboardFixture dashboard) : IClassFixture<DashboardFixture>
{
    private const float Timeout = 15_000;

    [Fact]
    public async Task ColdStarts_DemoFleetOverAPastRange_FiguresEqualTheStoresReportsCountedHere()
    {
        // A range ending in the past, so the demo's later writes do not move the figures.
        var to = DateTimeOffset.UtcNow.AddMinutes(-20);
        var range = new TimeRange(BrowserTime.AsAddressed(to.AddMinutes(-120)), BrowserTime.AsAddressed(to));
        var page = await OpenAsync($"/cold-starts?{BrowserTime.RangeQuery(range.From, range.To)}");

        // Computed here from the per-report reader, not through the page's store query or view model.
        var reports = await dashboard.Store.GetInvocationReportsAsync(null, range, coldStartsOnly: false, 1_000_000, CancellationToken.None);
        var cold = reports.Where(r => r.InitDurationMs is not null).ToList();
        Assert.NotEmpty(cold);
        var sorted = cold.Select(r => r.InitDurationMs!.Value).Order().ToArray();
        Assert.Equal(ColdStartFigures.Exact((double)cold.Count / reports.Count), await page.Locator("[data-figure=rate]").GetAttributeAsync("data-value"));
        Assert.Equal(ColdStartFigures.Exact(ColdStartFigures.NearestRank(sorted, 0.5)), await page.Locator("[data-figure=p50]").GetAttributeAsync("data-value"));
        Assert.Equal(ColdStartFigures.Exact(ColdStartFigures.NearestRank(sorted, 0.99)), await page.Locator("span[data-figure=p99]").GetAttributeAsync("data-value"));
        var onDemand = long.Parse((await page.Locator("[data-figure=on-demand]").GetAttributeAsync("data-value"))!, CultureInfo.InvariantCulture);
        var unknown = long.Parse((await page.Locator("[data-figure=unknown-type]").GetAttributeAsync("data-value"))!, CultureInfo.InvariantCulture);
        Assert.Equal(cold.Count, onDemand + unknown);
        Assert.True(onDemand > 0 && unknown > 0, $"the demo logs in both formats: {onDemand} on-demand, {unknown} unknown");

        var expected = cold.GroupBy(r => r.Function)
            .Select(g => (g.Key.Name, Count: g.Count(), Total: g.Sum(r => r.InitDurationMs!.Value)))
            .OrderByDescending(g => g.Total)
            .Take(10)
            .Select(g => $"{g.Name}:{g.Count}")
            .ToArray();
        var shown = await page.Locator("[data-testid=cold-worst] tr[data-function]").EvaluateAllAsync<string[]>("rows => rows.map(r => `${r.dataset.function}:${r.dataset.cold}`)");
        Assert.Equal(expected, shown);
        var bars = await page.Locator("[data-bar]").EvaluateAllAsync<long[]>("bars => bars.map(b => Number(b.dataset.count))");
        Assert.Equal(cold.Count, bars.Sum());
    }

    [Fact]
    public async Task ColdStarts_FacetAndDrillDown_FollowTheAddress_TheDetailLinksBackFilteredToTheFunction()
    {
        var page = await OpenAsync("/cold-starts?range=6h");

        // A runtime the range has reports of, from its group table.
        var runtime = await page.Locator("[data-group=Runtime] tr[data-value]").First.GetAttributeAsync("data-value");
        await page.Locator($"[data-facet=runtime] [data-value='{runtime}']").ClickAsync();
        await page.Locator($".cold-page[data-query*='runtime={runtime}'] [data-group=Runtime] tr[data-value]").First.WaitForAsync(new() { Timeout = Timeout });
        Assert.Contains("range=6h", page.Url, StringComparison.Ordinal);
        var runtimes = await page.Locator("[data-group=Runtime] tr[data-value]").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.value)");
        Assert.All(runtimes, r => Assert.Equal(runtime, r));

        await page.GotoAsync(new Uri(dashboard.BaseUrl, "/cold-starts?range=6h").ToString());
        var link = page.Locator("[data-testid=cold-worst] [data-function-link]").First;
        await link.WaitForAsync(new() { Timeout = Timeout });
        var name = await link.InnerTextAsync();
        await link.ClickAsync();
        await page.WaitForURLAsync(url => url.Contains("/functions/", StringComparison.Ordinal), new() { Timeout = Timeout });

        await page.Locator("[data-testid=cold-starts-link]").ClickAsync();
        await page.Locator("[data-testid=cold-worst] tr[data-function]").First.WaitForAsync(new() { Timeout = Timeout });
        Assert.Contains($"q={Uri.EscapeDataString(name)}", page.Url, StringComparison.Ordinal);
        var names = await page.Locator("[data-testid=cold-worst] tr[data-function]").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.function)");
        Assert.All(names, n => Assert.Contains(name, n, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task ColdStarts_HostileFunctionName_RendersAsText()
    {
        const string hostile = "<script>window.__pwned=1</script>";
        using var directory = new TempDirectory();
        await using var app = DashboardHost.Build(directory.Path);
        await app.StartDashboardAsync(CancellationToken.None);
        var key = new FunctionKey("111122223333", "eu-west-1", hostile);
        await app.Services.GetRequiredService<IObserveStore>().WriteInvocationReportsAsync(
            [new InvocationReport { Function = key, RequestId = "req-hostile", Timestamp = DateTimeOffset.UtcNow.AddMinutes(-5), DurationMs = 10, InitDurationMs = 321 }],
            CancellationToken.None);

        var page = await OpenInteractiveAsync(new Uri(app.GetListeningUrls()[0], "/cold-starts?range=1h").ToString());

        await Assertions.Expect(page.Locator("[data-testid=cold-worst] [data-function-link]")).ToHaveTextAsync(hostile, new() { Timeout = Timeout });
        Assert.Null(await page.EvaluateAsync<int?>("() => window.__pwned ?? null"));
        await page.Context.CloseAsync();
    }

    [Theory]
    [InlineData(DashboardThemes.Light, 1440)]
    [InlineData(DashboardThemes.Dark, 1440)]
    [InlineData(DashboardThemes.Light, 390)]
    [InlineData(DashboardThemes.Dark, 390)]
    public async Task ColdStarts_InThemeAndWidth_NoWiderThanTheScreen(string theme, int width)
    {
        var page = await ThemedPages.OpenAsync(dashboard.Browser, dashboard.BaseUrl, "/cold-starts?range=6h", theme, width);
        await page.Locator("[data-testid=cold-worst] tr[data-function]").First.WaitForAsync(new() { Timeout = Timeout });

        await ThemedPages.ScreenshotAsync(page, $"cold-starts-{theme}-{width}.png", fullPage: true);
        await page.Context.CloseAsync();
    }

    private async Task<IPage> OpenAsync(string path)
    {
        var page = await OpenInteractiveAsync(new Uri(dashboard.BaseUrl, path).ToString());
        await page.Locator("[data-testid=cold-worst] tr[data-function]").First.WaitForAsync(new() { Timeout = Timeout });
        return page;
    }

    private Task<IPage> OpenInteractiveAsync(string url) => ThemedPages.OpenInteractiveAsync(dashboard.Browser, url);
}
