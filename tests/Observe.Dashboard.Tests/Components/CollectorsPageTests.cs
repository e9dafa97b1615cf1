using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Observe.Dashboard.Collection;
using CollectorsPage = Observe.Dashboard.Components.Pages.Collectors;
using Observe.Alerting;
using Observe.Collectors.Aws;
using Observe.Dashboard.Configuration;
using Observe.Dashboard.Model;
using Observe.Dashboard.Tests.Hosting;
using Observe.Store;
using Observe.Store.Model;

namespace Observe.Dashboard.Tests.Components;

public sealed class CollectorsPageTests : MudContext
{
    private const string Prod = "111111111111";
    private const string Staging = "222222222222";

    private readonly CountingTimeProvider _time = new();
    private TestStore _store = null!;

    public override async Task InitializeAsync()
    {
        _store = await TestStore.CreateAsync();
        Services.AddObserveStore(_store.Store);
        Services.AddSingleton(_store.Changes);
        Services.AddLiveData();
        Services.AddSingleton<TimeProvider>(_time);
        Services.AddSingleton(Options.Create(new DashboardOptions { SlideInterval = TimeSpan.FromMilliseconds(100) }));
        Services.AddSingleton(new CollectorsMode(false, "Observe:Collectors:InProcess is false: a separate collectors worker writes to the store"));
        Services.AddSingleton(Options.Create(new AwsOptions { Accounts = [new AwsAccountOptions { AccountId = Prod, Name = "prod" }] }));
    }

    protected override ValueTask DisposeResourcesAsync() => _store.DisposeAsync();

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

        var page = Render<CollectorsPage>();

        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("[data-status]").Count), TimeSpan.FromSeconds(5));
        var rows = page.FindAll("[data-status]");
        Assert.Equal([$"metrics/{Staging}/us-east-1", $"alarms/{Prod}/eu-west-1"], rows.Select(r => r.GetAttribute("data-status")));
        Assert.True(rows[0].HasAttribute("data-row-failing"));
        Assert.False(rows[1].HasAttribute("data-row-failing"));
        Assert.Equal("TR", rows[0].TagName);
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
    public async Task Collectors_EveryBilledApi_TotalAndSplitByWhatIsBilled_WithThePricesDateAndWhatCouldNotBePriced()
    {
        // Issue 9 defect 8. Dollars as the writers estimated them at list prices, worked out by hand: 12,000 metrics at
        // $0.01/1,000 = $0.12; 300 requests at $0.01/1,000 = $0.003; 4 GiB scanned at $0.005/GB = $0.02; 30 session
        // minutes at $0.01 = $0.30; 2M traces scanned and 10,000 retrieved at $0.50/1M = $1.00 and $0.005.
        var today = DateOnly.FromDateTime(DateTimeOffset.UtcNow.UtcDateTime);
        ApiUsage Row(string service, string operation, long calls, long units, decimal cost, long unpriced = 0) =>
            new(today, Prod, "eu-west-1", service, operation, calls, calls, 0, 0, units, cost, unpriced);
        await _store.Store.UpsertApiUsageAsync("worker/2/b",
        [
            Row("CloudWatch", "GetMetricData", 24, 12_000, 0.12m),
            Row("CloudWatch", "ListMetrics", 100, 100, 0.001m),
            Row("CloudWatch", "DescribeAlarms", 200, 200, 0.002m),
            Row("Logs", "StartQuery", 40, 4L * 1024 * 1024 * 1024, 0.02m, unpriced: 2),
            Row("Logs", "GetQueryResults", 120, 0, 0m),
            Row("Logs", "FilterLogEvents", 500, 0, 0m),
            Row("Logs", "StartLiveTail", 1, 1800, 0.30m),
            Row("XRay", "GetTraceSummaries", 50, 2_000_000, 1.00m),
            Row("XRay", "BatchGetTraces", 2000, 10_000, 0.005m),
            Row("Lambda", "ListFunctions", 20, 0, 0m),
        ], CancellationToken.None);

        var page = Render<CollectorsPage>();

        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-testid=billed-grid]")), TimeSpan.FromSeconds(5));
        Assert.Equal(("1.448", "$1.45"), Usage(page, "billed-total", "cost-today"));
        Assert.Equal(("1.448", "$1.45"), Usage(page, Prod, "cost-week"));
        Assert.Equal(("0.12", "$0.12"), Usage(page, "CloudWatchMetrics", "cost-today"));
        Assert.Equal(("0.003", "$0.003"), Usage(page, "CloudWatchRequests", "cost-week"));
        Assert.Equal(("0.02", "$0.02"), Usage(page, "InsightsBytesScanned", "cost-week"));
        Assert.Equal(("0.3", "$0.30"), Usage(page, "LiveTailSessionSeconds", "cost-week"));
        Assert.Equal(("1", "$1.00"), Usage(page, "XRayTracesScanned", "cost-week"));
        Assert.Equal(("0.005", "$0.005"), Usage(page, "XRayTracesRetrieved", "cost-week"));
        Assert.Equal(("12,000 metrics", "300 requests", "4 GB", "30 min", "2,000,000 traces", "10,000 traces"), (
            Billed(page, "CloudWatchMetrics"), Billed(page, "CloudWatchRequests"), Billed(page, "InsightsBytesScanned"),
            Billed(page, "LiveTailSessionSeconds"), Billed(page, "XRayTracesScanned"), Billed(page, "XRayTracesRetrieved")));

        // Only GetMetricData's units are metrics: bytes and traces must not be added to the metrics column.
        Assert.Equal(("12000", "12K"), Usage(page, Prod, "metrics-today"));
        Assert.Equal(("2", "2"), Usage(page, "InsightsBytesScanned", "unpriced-week"));
        Assert.Contains("2 billed calls in the last 7 days are not in the estimate", Text(page, "unpriced"), StringComparison.Ordinal);
        Assert.Contains("$0.005 per GB scanned", Text(page, "billed-grid"), StringComparison.Ordinal);
        Assert.Contains("list prices as of 2026-12-03 (Observe:Aws:Prices)", Text(page, "usage-caption"), StringComparison.Ordinal);
    }

    [Fact]
    public void Collectors_NothingRecorded_SaysSo()
    {
        var page = Render<CollectorsPage>();

        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-testid=no-status]")), TimeSpan.FromSeconds(5));
        Assert.NotEmpty(page.FindAll("[data-testid=no-usage]"));
        Assert.Empty(page.FindAll("[data-testid=failing-summary]"));
    }

    [Fact]
    public async Task Collectors_AnotherProcessRecordsAFailure_ShownAtTheNextRefresh()
    {
        var page = Render<CollectorsPage>();
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
    public async Task Collectors_Dispose_StopsItsRefreshTimer()
    {
        var page = Render<CollectorsPage>();
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-testid=no-status]")), TimeSpan.FromSeconds(5));
        Assert.True(_time.Active >= 1, "the page refreshes on a timer");

        await DisposeComponentsAsync();

        Assert.Equal(0, _time.Active);
    }

    [Fact]
    public void Alerting_NothingRecorded_GreyUnknownNeverOk()
    {
        var page = Render<CollectorsPage>();

        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-testid=alerting-health]")), TimeSpan.FromSeconds(5));
        var section = page.Find("[data-testid=alerting-health]");
        Assert.Equal("Unknown", section.GetAttribute("data-state"));
        var state = page.Find("[data-alerting-state]");
        Assert.Equal("Unknown", state.TextContent);
        Assert.Contains("state-unknown", state.ClassName, StringComparison.Ordinal);
        Assert.Contains("No alerting cycle has been recorded", section.TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("OK", section.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Alerting_FailedEvaluationAndFailingChannel_RedWithWhatToDo_DataAsText()
    {
        var now = DateTimeOffset.UtcNow;
        await RecordAsync(new AlertingHealth
        {
            Holder = "worker-1/4242/abc123",
            EvaluatedAt = now.AddSeconds(-20),
            Duration = TimeSpan.FromMilliseconds(340),
            EvaluationInterval = TimeSpan.FromMinutes(1),
            LeaseDuration = TimeSpan.FromSeconds(30),
            Error = "StoreUnavailableException: <script>alert(1)</script> connection refused",
            LastSuccessAt = now.AddMinutes(-5),
            Rules = 7,
            RuleProblems = ["rules file, rule slow: condition: unknown metric 'latency'"],
            Channels =
            [
                new AlertingChannelHealth { Id = "oncall", Queued = 3, OldestQueuedAt = now.AddMinutes(-4), HeadAttempts = 4, HeadError = "HTTP 500 Internal Server Error" },
                new AlertingChannelHealth { Id = "team-chat", Queued = 0 },
            ],
        });

        var page = Render<CollectorsPage>();

        page.WaitForAssertion(() => Assert.Equal("Failing", page.Find("[data-testid=alerting-health]").GetAttribute("data-state")), TimeSpan.FromSeconds(5));
        var problems = page.FindAll("[data-alerting-problem]").Select(p => p.TextContent).ToList();
        Assert.Equal(3, problems.Count);
        Assert.StartsWith("The last evaluation failed: StoreUnavailableException: <script>alert(1)</script> connection refused. Alerts keep their state", problems[0], StringComparison.Ordinal);
        Assert.Contains("the log of worker-1/4242/abc123", problems[0], StringComparison.Ordinal);
        Assert.Contains("rule slow: condition: unknown metric 'latency'. Fix it in the rules file or on the Rules page", problems[1], StringComparison.Ordinal);
        Assert.Contains("Channel oncall is failing (HTTP 500 Internal Server Error); 3 notifications wait", problems[2], StringComparison.Ordinal);
        Assert.Contains("check the receiver's address", problems[2], StringComparison.Ordinal);
        Assert.Empty(page.FindAll("[data-testid=alerting-problems] script"));
        Assert.True(page.Find("[data-alerting-channel=oncall]").HasAttribute("data-row-failing"));
        Assert.Equal("OK", page.Find("[data-alerting-channel=team-chat] [data-state]").GetAttribute("data-state"));
        Assert.Contains("worker-1/4242/abc123", page.Find("[data-testid=alerting-cycle]").TextContent, StringComparison.Ordinal);

        // The cycle failed before evaluating: unknown, not zero.
        Assert.Equal("unknown", page.Find("[data-alerting=instances]").TextContent);
        Assert.False(page.Find("[data-alerting=instances]").HasAttribute("data-value"));
    }

    [Fact]
    public async Task Alerting_RecentCleanCycle_OkWithItsFigures_StaleOneIsRed()
    {
        var now = DateTimeOffset.UtcNow;
        var clean = new AlertingHealth
        {
            Holder = "dashboard-1/7/def456",
            EvaluatedAt = now.AddSeconds(-10),
            Duration = TimeSpan.FromMilliseconds(120),
            EvaluationInterval = TimeSpan.FromMinutes(1),
            LeaseDuration = TimeSpan.FromSeconds(30),
            LastSuccessAt = now.AddSeconds(-10),
            Rules = 10,
            Instances = 1200,
            UnknownFigures = 3,
            Channels = [new AlertingChannelHealth { Id = "oncall" }],
        };
        await RecordAsync(clean);

        var page = Render<CollectorsPage>();

        page.WaitForAssertion(() => Assert.Equal("Ok", page.Find("[data-testid=alerting-health]").GetAttribute("data-state")), TimeSpan.FromSeconds(5));
        Assert.Equal("OK", page.Find("[data-alerting-state]").TextContent);
        Assert.Equal("1,200", page.Find("[data-alerting=instances]").TextContent);
        Assert.Equal("3", page.Find("[data-alerting=unknown]").GetAttribute("data-value"));
        Assert.Empty(page.FindAll("[data-alerting-problem]"));

        // The holder died and nobody took over: the same record, ten minutes on, is a problem.
        var view = AlertingHealthView.Create(clean, null, now.AddMinutes(10));
        Assert.Equal(AlertingHealthState.Failing, view.State);
        Assert.StartsWith("No replica has evaluated the rules for 10 min", Assert.Single(view.Problems), StringComparison.Ordinal);
    }

    private Task RecordAsync(AlertingHealth health) =>
        _store.Store.SetCheckpointAsync(AlertingHealth.CheckpointKey, health.ToJson(), CancellationToken.None);

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

        var page = Render<CollectorsPage>();

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

    // Markup wraps long sentences over lines: compare with single spaces.
    private static string Text(IRenderedComponent<CollectorsPage> page, string testId) =>
        System.Text.RegularExpressions.Regex.Replace(page.Find($"[data-testid={testId}]").TextContent, @"\s+", " ");

    private static string Billed(IRenderedComponent<CollectorsPage> page, string kind) =>
        page.Find($"[data-billed='{kind}/quantity-week']").TextContent.Trim();

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
