using Observe.Store.Model;
using Xunit.Abstractions;

namespace Observe.Dashboard.Tests.Browser;

/// <summary>
/// The pages as a user sees them, in both themes, on a wide screen and a phone: written to the test artifacts
/// (docs/screenshots/ holds a copy, shown in the README). Each also checks the page is not wider than the screen.
/// </summary>
public sealed class ScreenshotTests(DashboardFixture dashboard, ITestOutputHelper output) : IClassFixture<DashboardFixture>
{
    private const float Timeout = 15_000;

    public static TheoryData<string, string, int> Views()
    {
        var data = new TheoryData<string, string, int>();
        foreach (var page in new[] { "overview", "functions", "collectors", "alert-rules", "alert-channels" })
        {
            foreach (var theme in new[] { DashboardThemes.Light, DashboardThemes.Dark })
            {
                data.Add(page, theme, 1440);
                data.Add(page, theme, 390);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Views))]
    public async Task Page_InThemeAndWidth_ScreenshotWithNothingWiderThanTheScreen(string name, string theme, int width)
    {
        await SeedCollectorsAsync();
        var (address, content) = name switch
        {
            "overview" => ("/?range=6h", "[data-chart=invocations] svg"),
            "functions" => ("/functions?range=6h&sort=cost&dir=desc", "[data-testid=functions-grid] a.function-name"),
            // The demo configures no channel: the Channels page shows what to configure. The default rules are seeded.
            "alert-rules" => ("/alerts/rules", "[data-rule]"),
            "alert-channels" => ("/alerts/channels", "[data-testid=no-channels]"),
            _ => ("/collectors", "[data-status]"),
        };
        var page = await ThemedPages.OpenAsync(dashboard.Browser, dashboard.BaseUrl, address, theme, width);
        await page.Locator(content).First.WaitForAsync(new() { Timeout = Timeout });

        // A phone's whole page; the wide screen's first screenful (the drawer is fixed to the viewport's height).
        output.WriteLine($"screenshot: {await ThemedPages.ScreenshotAsync(page, $"{name}-{theme}-{width}.png", fullPage: width < 600)}");
        await page.Context.CloseAsync();
    }

    private async Task SeedCollectorsAsync()
    {
        var now = DateTimeOffset.UtcNow;
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        CollectorStatus Status(string collector, string account, string region) => new()
        {
            Collector = collector, AccountId = account, Region = region, LastStart = now.AddSeconds(-40), LastSuccess = now.AddSeconds(-38),
            LastDuration = TimeSpan.FromMilliseconds(1850), Instance = "worker/1/a", UpdatedAt = now,
        };
        await dashboard.Store.UpsertCollectorStatusAsync(Status("metrics", "111111111111", "eu-west-1"), CancellationToken.None);
        await dashboard.Store.UpsertCollectorStatusAsync(Status("inventory", "111111111111", "eu-west-1"), CancellationToken.None);
        await dashboard.Store.UpsertCollectorStatusAsync(Status("logs", "111111111111", "eu-west-1") with
        {
            LastWarning = "account 111111111111, eu-west-1: 2 Insights rows had an unreadable @timestamp; the checkpoint stays before them",
            ConsecutiveDegraded = 2,
        }, CancellationToken.None);
        await dashboard.Store.UpsertCollectorStatusAsync(Status("metrics", "222222222222", "us-east-1") with
        {
            LastSuccess = now.AddHours(-3), ConsecutiveFailures = 4, LastFailure = now.AddSeconds(-38),
            LastError = "Credentials expired, invalid or missing for 222222222222 us-east-1: the security token is expired (ExpiredToken)",
        }, CancellationToken.None);
        await dashboard.Store.UpsertApiUsageAsync("worker/1/a",
        [
            new ApiUsage(today, "111111111111", "eu-west-1", "CloudWatch", "GetMetricData", 1440, 1442, 2, 0, 216_000, 2.16m),
            new ApiUsage(today, "111111111111", "eu-west-1", "Logs", "StartQuery", 96, 96, 0, 0, 3L * 1024 * 1024 * 1024, 0.015m),
            new ApiUsage(today.AddDays(-1), "222222222222", "us-east-1", "CloudWatch", "GetMetricData", 720, 730, 10, 3, 108_000, 1.08m),
        ], CancellationToken.None);
    }
}
