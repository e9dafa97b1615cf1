using Bunit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Observe.Dashboard.Collection;
using CollectorsPage = Observe.Dashboard.Components.Pages.Collectors;
using Observe.Dashboard.Configuration;
using Observe.Dashboard.Tests.Hosting;
using Observe.Store.Model;
using Radzen;

namespace Observe.Dashboard.Tests.Components;

public sealed class CollectorsPageTests : TestContext, IAsyncLifetime
{
    private const string Prod = "111111111111";
    private const string Staging = "222222222222";

    private readonly CountingTimeProvider _time = new();
    private TestStore _store = null!;

    public async Task InitializeAsync()
    {
        _store = await TestStore.CreateAsync();
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddRadzenComponents();
        Services.AddSingleton(_store.Store);
        Services.AddSingleton<TimeProvider>(_time);
        Services.AddSingleton(Options.Create(new DashboardOptions { SlideInterval = TimeSpan.FromMilliseconds(100) }));
        Services.AddSingleton(new CollectorsMode(false, "Observe:Collectors:InProcess is false: a separate collectors worker writes to the store"));
        Services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Observe:Aws:Accounts:0:AccountId"] = Prod,
            ["Observe:Aws:Accounts:0:Name"] = "prod",
        }).Build());
    }

    public async Task DisposeAsync()
    {
        Dispose();
        await _store.DisposeAsync();
    }

    [Fact]
    public async Task Collectors_StatusAndUsageInTheStore_FailingTargetsFirstAndHighlightedWithUsagePerAccount()
    {
        var now = DateTimeOffset.UtcNow;
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        await _store.Store.UpsertCollectorStatusAsync(Status("alarms", Prod, "eu-west-1", now) with { LastStart = now.AddMinutes(-5).AddSeconds(-1), LastSuccess = now.AddMinutes(-5) }, CancellationToken.None);
        await _store.Store.UpsertCollectorStatusAsync(Status("metrics", Staging, "us-east-1", now) with
        {
            ConsecutiveFailures = 3,
            LastFailure = now,
            LastError = "Credentials expired, invalid or missing for 222222222222 us-east-1: account 222222222222: the security token is expired (ExpiredToken)",
        }, CancellationToken.None);

        // Two processes (this dashboard and a worker) counted on the same day; the 8-day-old row is outside the window.
        await _store.Store.UpsertApiUsageAsync("dashboard/1/a", [Usage(today, Prod, calls: 10, metrics: 2000, cost: 0.02m)], CancellationToken.None);
        await _store.Store.UpsertApiUsageAsync("worker/2/b", [Usage(today, Prod, calls: 5, metrics: 500, cost: 0.005m), Usage(today.AddDays(-3), Prod, calls: 100, metrics: 100_000, cost: 1m)], CancellationToken.None);
        await _store.Store.UpsertApiUsageAsync("worker/2/b", [Usage(today.AddDays(-6), Staging, calls: 7, metrics: 0, cost: 0m), Usage(today.AddDays(-7), Staging, calls: 1000, metrics: 1000, cost: 0.01m)], CancellationToken.None);

        var page = RenderComponent<CollectorsPage>();

        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("[data-status]").Count), TimeSpan.FromSeconds(5));
        var rows = page.FindAll("[data-status]");
        Assert.Equal([$"metrics/{Staging}/us-east-1", $"alarms/{Prod}/eu-west-1"], rows.Select(r => r.GetAttribute("data-status")));
        Assert.True(rows[0].HasAttribute("data-row-failing"));
        Assert.False(rows[1].HasAttribute("data-row-failing"));
        Assert.Contains("rz-data-row", rows[0].ClassList);
        Assert.Equal("Failing (3 in a row)", rows[0].QuerySelector("[data-state]")!.GetAttribute("data-state"));
        Assert.Contains("the security token is expired", rows[0].QuerySelector("[data-error]")!.TextContent, StringComparison.Ordinal);
        Assert.Empty(rows[1].QuerySelectorAll("[data-error]"));
        Assert.Equal("OK", rows[1].QuerySelector("[data-state]")!.GetAttribute("data-state"));
        Assert.Contains($"{Prod} (prod)", rows[1].TextContent, StringComparison.Ordinal);
        Assert.Contains("5 min ago", rows[1].TextContent, StringComparison.Ordinal);
        Assert.Contains("1 of 2 collector targets are failing:", page.Find("[data-testid=failing-summary]").TextContent, StringComparison.Ordinal);
        var failure = Assert.Single(page.FindAll("[data-failing]"));
        Assert.Equal($"metrics/{Staging}/us-east-1", failure.GetAttribute("data-failing"));
        Assert.Contains("metrics, 222222222222, us-east-1: Credentials expired", failure.TextContent, StringComparison.Ordinal);
        Assert.Contains("a separate collectors worker writes to the store", page.Find("[data-testid=collectors-mode]").TextContent, StringComparison.Ordinal);

        Assert.Equal(("15", "15"), Usage(page, Prod, "calls-today"));
        Assert.Equal(("2500", "2,500"), Usage(page, Prod, "metrics-today"));
        Assert.Equal(("0.025", "$0.03"), Usage(page, Prod, "cost-today"));
        Assert.Equal(("115", "115"), Usage(page, Prod, "calls-week"));
        Assert.Equal(("1.025", "$1.03"), Usage(page, Prod, "cost-week"));
        Assert.Equal(("0", "0"), Usage(page, Staging, "calls-today"));
        Assert.Equal(("7", "7"), Usage(page, Staging, "calls-week"));
        Assert.Equal(("122", "122"), Usage(page, "total", "calls-week"));
        Assert.Equal(("102500", "102.5K"), Usage(page, "total", "metrics-week"));
    }

    [Fact]
    public void Collectors_NothingRecorded_SaysSo()
    {
        var page = RenderComponent<CollectorsPage>();

        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-testid=no-status]")), TimeSpan.FromSeconds(5));
        Assert.NotEmpty(page.FindAll("[data-testid=no-usage]"));
        Assert.Empty(page.FindAll("[data-testid=failing-summary]"));
    }

    [Fact]
    public async Task Collectors_AnotherProcessRecordsAFailure_ShownAtTheNextRefresh()
    {
        var page = RenderComponent<CollectorsPage>();
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-testid=no-status]")), TimeSpan.FromSeconds(5));

        await _store.Store.UpsertCollectorStatusAsync(Status("logs", Prod, "eu-west-1", DateTimeOffset.UtcNow) with
        {
            ConsecutiveFailures = 1,
            LastFailure = DateTimeOffset.UtcNow,
            LastError = "account 111111111111 (prod), eu-west-1, Logs FilterLogEvents: HTTP 400 AccessDeniedException",
        }, CancellationToken.None);

        page.WaitForAssertion(() => Assert.Contains("AccessDeniedException", page.Find("[data-error]").TextContent, StringComparison.Ordinal), TimeSpan.FromSeconds(5));
        Assert.Equal("Failing", page.Find("[data-state]").GetAttribute("data-state"));
    }

    [Fact]
    public void Collectors_Dispose_StopsItsRefreshTimer()
    {
        RenderComponent<CollectorsPage>();
        Assert.Equal(1, _time.Active);

        DisposeComponents();

        Assert.Equal(0, _time.Active);
    }

    private static (string? Value, string Display) Usage(IRenderedComponent<CollectorsPage> page, string account, string figure)
    {
        var cell = page.Find($"[data-usage='{account}/{figure}']");
        return (cell.GetAttribute("data-value"), cell.TextContent.Trim());
    }

    [Fact]
    public async Task Collectors_DegradedPassWithSkippedRows_ShownAsDegradedWithItsWarningAndCountsNotAsOk()
    {
        var now = DateTimeOffset.UtcNow;
        var skipped = SkipCounts.From([new("unreadable Insights @timestamp", 2), new("malformed REPORT line", 1)]);
        await _store.Store.UpsertCollectorStatusAsync(Status("logs", Prod, "eu-west-1", now) with
        {
            LastSuccess = now,
            LastWarning = "account 111111111111 (prod), eu-west-1: 2 Insights rows had an unreadable @timestamp; the checkpoint stays before them",
            ConsecutiveDegraded = 3,
            LastSkipped = skipped,
            TotalSkipped = skipped.Add(skipped),
        }, CancellationToken.None);
        await _store.Store.UpsertCollectorStatusAsync(Status("alarms", Prod, "eu-west-1", now) with { LastSuccess = now }, CancellationToken.None);

        var page = RenderComponent<CollectorsPage>();

        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("[data-status]").Count), TimeSpan.FromSeconds(5));
        var rows = page.FindAll("[data-status]");
        Assert.Equal($"logs/{Prod}/eu-west-1", rows[0].GetAttribute("data-status"));
        Assert.True(rows[0].HasAttribute("data-row-degraded"));
        Assert.Equal("Degraded (3 in a row)", rows[0].QuerySelector("[data-state]")!.GetAttribute("data-state"));
        Assert.Contains("unreadable @timestamp", rows[0].QuerySelector("[data-warning]")!.TextContent, StringComparison.Ordinal);
        var count = rows[0].QuerySelector("[data-skipped]")!;
        Assert.Equal("3", count.GetAttribute("data-skipped"));
        Assert.Equal(
            "Latest pass: 3 (malformed REPORT line 1, unreadable Insights @timestamp 2). All recorded passes: 6 (malformed REPORT line 2, unreadable Insights @timestamp 4).",
            count.GetAttribute("title"));
        Assert.Equal("OK", rows[1].QuerySelector("[data-state]")!.GetAttribute("data-state"));
        Assert.Equal("0", rows[1].QuerySelector("[data-skipped]")!.GetAttribute("data-skipped"));
        Assert.Contains("1 of 2 collector targets ran their last pass to the end but could not do all of it:", page.Find("[data-testid=degraded-summary]").TextContent, StringComparison.Ordinal);
        Assert.Empty(page.FindAll("[data-testid=failing-summary]"));
    }

    private static CollectorStatus Status(string collector, string account, string region, DateTimeOffset now) => new()
    {
        Collector = collector,
        AccountId = account,
        Region = region,
        LastStart = now.AddSeconds(-2),
        LastDuration = TimeSpan.FromMilliseconds(850),
        Instance = "worker/2/b",
        UpdatedAt = now,
    };

    private static ApiUsage Usage(DateOnly day, string account, long calls, long metrics, decimal cost) =>
        new(day, account, "eu-west-1", "CloudWatch", "GetMetricData", calls, calls, 0, 0, metrics, cost);
}
