using Microsoft.Playwright;
using Observe.Store.Model;
using Xunit.Abstractions;

namespace Observe.Dashboard.Tests.Browser;

public sealed class CollectorsBrowserTests(DashboardFixture dashboard, ITestOutputHelper output) : IClassFixture<DashboardFixture>
{
    private const float Timeout = 15_000;

    [Fact]
    public async Task Collectors_FailingTarget_ShownFirstOnARedRowWithItsErrorAndTheUsage()
    {
        var now = DateTimeOffset.UtcNow;
        await dashboard.Store.UpsertCollectorStatusAsync(new CollectorStatus
        {
            Collector = "metrics", AccountId = "111111111111", Region = "eu-west-1",
            LastStart = now.AddMinutes(-1), LastSuccess = now.AddSeconds(-58), LastDuration = TimeSpan.FromSeconds(2), Instance = "worker/1/a", UpdatedAt = now,
        }, CancellationToken.None);
        await dashboard.Store.UpsertCollectorStatusAsync(new CollectorStatus
        {
            Collector = "metrics", AccountId = "222222222222", Region = "us-east-1",
            LastStart = now.AddMinutes(-1), LastDuration = TimeSpan.FromMilliseconds(300), ConsecutiveFailures = 4, LastFailure = now.AddSeconds(-59),
            LastError = "Credentials expired, invalid or missing for 222222222222 us-east-1: account 222222222222: the security token is expired (ExpiredToken)",
            Instance = "worker/1/a", UpdatedAt = now,
        }, CancellationToken.None);
        await dashboard.Store.UpsertApiUsageAsync("worker/1/a",
            [new ApiUsage(DateOnly.FromDateTime(now.UtcDateTime), "111111111111", "eu-west-1", "CloudWatch", "GetMetricData", 40, 41, 1, 0, 12_000, 0.12m)],
            CancellationToken.None);

        var page = await dashboard.Browser.NewPageAsync();
        await page.GotoAsync(new Uri(dashboard.BaseUrl, "/collectors").ToString());
        await page.Locator("[data-status]").First.WaitForAsync(new() { Timeout = Timeout });

        var rows = page.Locator("[data-status]");
        Assert.Equal("metrics/222222222222/us-east-1", await rows.Nth(0).GetAttributeAsync("data-status"));
        Assert.Contains("the security token is expired", await rows.Nth(0).Locator("[data-error]").InnerTextAsync(), StringComparison.Ordinal);
        // Read in one script: the prerendered rows are replaced once the circuit connects.
        var colors = await page.EvaluateAsync<string[]>("""
            () => {
                const probe = document.createElement('div');
                probe.style.backgroundColor = 'color-mix(in srgb, var(--mud-palette-error) 12%, transparent)';
                document.body.append(probe);
                const danger = getComputedStyle(probe).backgroundColor;
                probe.remove();
                const cell = row => getComputedStyle(document.querySelectorAll('[data-status]')[row].querySelector('td')).backgroundColor;
                return [danger, cell(0), cell(1)];
            }
            """);
        Assert.Equal(colors[0], colors[1]);
        Assert.NotEqual(colors[0], colors[2]);
        Assert.Equal("$0.12", (await page.Locator("[data-usage='111111111111/cost-today']").InnerTextAsync()).Trim());
        Assert.Equal("12K", (await page.Locator("[data-usage='111111111111/metrics-today']").InnerTextAsync()).Trim());

        var path = Path.Combine(DashboardFixture.ArtifactsDirectory, "collectors.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        output.WriteLine($"screenshot: {path}");
        await page.CloseAsync();
    }
}
