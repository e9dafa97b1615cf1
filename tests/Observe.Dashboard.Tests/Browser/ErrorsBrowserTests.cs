using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Observe.Dashboard.Model;
using Observe.Dashboard.Tests.Hosting;
using Observe.Store;
using Observe.Store.Model;

namespace Observe.Dashboard.Tests.Browser;

/// <summary>The Errors page in Chromium: over the demo fleet (loads, filters, drills down) and over a store of its own across a restart.</summary>
public sealed class ErrorsBrowserTests(DashboardFixture dashboard) : IClassFixture<DashboardFixture>
{
    private const float Timeout = 15_000;

    [Fact]
    public async Task Errors_DemoFleetOverAPastRange_RowsAndCountsEqualTheStoresPerFunctionGroupsSummedHere()
    {
        // A range ending in the past: the demo keeps writing, but only occurrences from now on.
        var to = DateTimeOffset.UtcNow.AddMinutes(-20);
        var range = new TimeRange(to.AddMinutes(-60), to);
        var query = BrowserTime.RangeQuery(range.From, range.To);

        var page = await OpenAsync($"/errors?{query}");

        // Summed here from the older per-function reader, not through the page's store query or view model.
        var groups = await dashboard.Store.GetErrorGroupsAsync(FleetFilter.All, new TimeRange(BrowserTime.AsAddressed(range.From), BrowserTime.AsAddressed(range.To)), 100_000, CancellationToken.None);
        var expected = groups.GroupBy(g => g.Fingerprint, StringComparer.Ordinal)
            .Select(g => (Fingerprint: g.Key, Count: g.Sum(x => x.Count), Functions: g.Select(x => x.Function).Distinct().Count()))
            .OrderByDescending(g => g.Count).ThenBy(g => g.Fingerprint, StringComparer.Ordinal)
            .Take(ErrorsData.PageSize)
            .Select(g => $"{g.Fingerprint}:{g.Count}:{g.Functions}")
            .ToArray();
        Assert.NotEmpty(expected);
        var shown = await page.Locator("[data-error]").EvaluateAllAsync<string[]>("rows => rows.map(r => `${r.dataset.error}:${r.dataset.count}:${r.dataset.functions}`)");
        Assert.Equal(expected, shown);
    }

    [Fact]
    public async Task Errors_SortAndSearchAndStatus_FollowTheAddress_TheBackButtonRestores()
    {
        var page = await OpenAsync("/errors?range=1h");

        await page.Locator("[data-facet=sort] [data-value=last-seen]").ClickAsync();
        await page.Locator(".errors-page[data-query*='sort=last-seen'] [data-error]").First.WaitForAsync(new() { Timeout = Timeout });
        Assert.Contains("range=1h", page.Url, StringComparison.Ordinal);
        var lastSeen = await page.Locator("[data-error] [data-last-seen]").EvaluateAllAsync<string[]>("cells => cells.map(c => c.dataset.lastSeen)");
        Assert.Equal(lastSeen.OrderDescending(StringComparer.Ordinal), lastSeen);

        // The search box's text goes to the address after the typing pause and the store filters by it.
        var type = await page.Locator("[data-error] .error-type").First.InnerTextAsync();
        await page.Locator(".errors-search input").FillAsync(type);
        await page.Locator($".errors-page[data-query*='q={Uri.EscapeDataString(type)}'] [data-error]").First.WaitForAsync(new() { Timeout = Timeout });
        var types = await page.Locator("[data-error] .error-type").EvaluateAllAsync<string[]>("cells => cells.map(c => c.textContent)");
        Assert.All(types, t => Assert.Contains(type, t, StringComparison.OrdinalIgnoreCase));

        // The demo resolves nothing: the empty result names the filter and offers to clear it.
        await page.Locator("[data-facet=status] [data-value=resolved]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=filtered-empty]")).ToContainTextAsync("status Resolved", new() { Timeout = Timeout });

        await page.GoBackAsync();
        await page.Locator(".errors-page[data-query*='sort=last-seen'] [data-error]").First.WaitForAsync(new() { Timeout = Timeout });
        Assert.DoesNotContain("status=", page.Url, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Errors_RowOpened_ShowsTheErrorsView_ItsFunctionLinksToTheFunctionPage_WhichLinksBackToItsErrors()
    {
        var to = DateTimeOffset.UtcNow.AddMinutes(-20);
        var query = BrowserTime.RangeQuery(to.AddMinutes(-60), to);
        var page = await OpenAsync($"/errors?{query}");
        var row = page.Locator("[data-error]").First;
        var (fingerprint, count) = (await row.GetAttributeAsync("data-error"), await row.GetAttributeAsync("data-count"));

        await row.Locator("[data-open-error]").ClickAsync();

        await Assertions.Expect(page.Locator("[data-figure=occurrences]")).ToHaveAttributeAsync("data-value", count!, new() { Timeout = Timeout });
        Assert.Contains($"/errors/{fingerprint}?", page.Url, StringComparison.Ordinal);
        await Assertions.Expect(page.Locator("[data-testid=fingerprint]")).ToHaveTextAsync(fingerprint!);
        await Assertions.Expect(page.Locator("[data-chart=error-trend]")).ToBeAttachedAsync();
        var function = page.Locator("[data-testid=error-functions] [data-function-link]").First;
        var name = await function.InnerTextAsync();

        await function.ClickAsync();
        await page.WaitForURLAsync(url => url.Contains("/functions/", StringComparison.Ordinal), new() { Timeout = Timeout });
        await page.Locator("[data-testid=errors-link]").ClickAsync();

        await page.Locator("[data-error]").First.WaitForAsync(new() { Timeout = Timeout });
        Assert.Contains($"function={Uri.EscapeDataString(name)}", page.Url, StringComparison.Ordinal);
        var functions = await page.Locator("[data-error] [data-function-link]").EvaluateAllAsync<string[]>("links => links.map(l => l.textContent)");
        Assert.All(functions, f => Assert.Equal(name, f));
    }

    [Fact]
    public async Task ErrorView_HostileMessageAsText_StatusSetInTheBrowserSurvivesARestart_AndReopensWhenItOccursAgain()
    {
        const string hostile = "<script>window.__pwned = 1; alert('x')</script><img src=x onerror=\"window.__pwned = 2\">";
        using var directory = new TempDirectory();
        var now = DateTimeOffset.UtcNow;
        string url;
        await using (var first = await StartAsync(directory.Path))
        {
            await first.Services.GetRequiredService<IObserveStore>().RecordErrorsAsync(
                [new(new FunctionKey("111122223333", "eu-west-1", "orders"), "fp-hostile", "TypeError", hostile, now.AddMinutes(-10), now.AddMinutes(-5), 3,
                    "TypeError: <b>boom</b>\n    at handler (/var/task/index.mjs:1:1)", "req-1", "1-5f000000-abcdefabcdefabcdefabcdef")],
                CancellationToken.None);
            url = new Uri(first.GetListeningUrls()[0], "/errors/fp-hostile?range=1h").ToString();
            var page = await OpenInteractiveAsync(url);
            var dialogs = 0;
            page.Dialog += (_, dialog) => { dialogs++; _ = dialog.DismissAsync(); };

            await Assertions.Expect(page.Locator("[data-testid=error-message]")).ToHaveTextAsync(hostile, new() { Timeout = Timeout });
            await Assertions.Expect(page.Locator("[data-sample-stack]")).ToContainTextAsync("<b>boom</b>");
            Assert.Equal(0, await page.Locator(".errors-page img, .errors-page b").CountAsync());
            Assert.Null(await page.EvaluateAsync<int?>("() => window.__pwned ?? null"));
            Assert.Equal("traces/1-5f000000-abcdefabcdefabcdefabcdef?range=1h", await page.Locator("[data-sample-trace]").First.GetAttributeAsync("href"));

            await page.Locator("[data-set-status=resolved]").ClickAsync();
            await Assertions.Expect(page.Locator("[data-testid=status]")).ToHaveTextAsync("Resolved", new() { Timeout = Timeout });
            Assert.Equal(0, dialogs);
            await page.Context.CloseAsync();
        }

        await using var second = await StartAsync(directory.Path);
        url = new Uri(second.GetListeningUrls()[0], "/errors/fp-hostile?range=1h").ToString();
        var again = await OpenInteractiveAsync(url);
        await Assertions.Expect(again.Locator("[data-testid=status]")).ToHaveTextAsync("Resolved", new() { Timeout = Timeout });
        await Assertions.Expect(again.Locator("[data-testid=status-note]")).ToContainTextAsync($"Resolved by {Observe.Dashboard.Auth.UnsecuredAuthenticationHandler.UserName}");

        // It occurs again: the store re-opens it and the open page follows.
        await second.Services.GetRequiredService<IObserveStore>().RecordErrorsAsync(
            [new(new FunctionKey("111122223333", "eu-west-1", "orders"), "fp-hostile", "TypeError", hostile, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, 1, null, null, null)],
            CancellationToken.None);
        await Assertions.Expect(again.Locator("[data-testid=status]")).ToHaveTextAsync("Active", new() { Timeout = Timeout });
        await Assertions.Expect(again.Locator("[data-badge=regression]")).ToBeVisibleAsync();
        await again.Context.CloseAsync();
    }

    [Theory]
    [InlineData(DashboardThemes.Light, 1440)]
    [InlineData(DashboardThemes.Dark, 1440)]
    [InlineData(DashboardThemes.Light, 390)]
    [InlineData(DashboardThemes.Dark, 390)]
    public async Task Errors_InThemeAndWidth_ListAndViewNoWiderThanTheScreen(string theme, int width)
    {
        var page = await ThemedPages.OpenAsync(dashboard.Browser, dashboard.BaseUrl, "/errors?range=6h", theme, width);
        await page.Locator("[data-error]").First.WaitForAsync(new() { Timeout = Timeout });
        await ThemedPages.ScreenshotAsync(page, $"errors-{theme}-{width}.png", fullPage: false);

        await page.Locator("[data-open-error]").First.ClickAsync();
        await page.Locator("[data-testid=error-functions] [data-function]").First.WaitForAsync(new() { Timeout = Timeout });
        await ThemedPages.ScreenshotAsync(page, $"error-view-{theme}-{width}.png", fullPage: false);
        await page.Context.CloseAsync();
    }

    private static async Task<WebApplication> StartAsync(string directory)
    {
        var app = DashboardHost.Build(directory);
        await app.StartDashboardAsync(CancellationToken.None);
        return app;
    }

    private async Task<IPage> OpenAsync(string path)
    {
        var page = await OpenInteractiveAsync(new Uri(dashboard.BaseUrl, path).ToString());
        await page.Locator("[data-error]").First.WaitForAsync(new() { Timeout = Timeout });
        return page;
    }

    private Task<IPage> OpenInteractiveAsync(string url) => ThemedPages.OpenInteractiveAsync(dashboard.Browser, url);
}
