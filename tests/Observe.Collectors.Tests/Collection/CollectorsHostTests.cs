using System.Net;
using Observe.Collectors.Aws;
using Observe.Collectors.Collection;
using Observe.Collectors.Tests.Infrastructure;

namespace Observe.Collectors.Tests.Collection;

public class CollectorsHostTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);


    [Fact]
    public async Task Run_OneAccountsCredentialsExpired_OtherTargetsKeepCollectingAndEachStatusSaysWhy()
    {
        var prod = HostHarness.Account("111111111111", "prod", "eu-west-1", "us-east-1");
        var staging = HostHarness.Account("222222222222", "staging", "eu-west-1");
        var metrics = new FakeCollector("metrics", TimeSpan.FromMilliseconds(50), (target, _) => target.AccountId == staging.AccountId
            ? throw ExpiredToken(staging)
            : Task.CompletedTask);
        var logs = new FakeCollector("logs", TimeSpan.FromMilliseconds(50), (target, _) => target.Region == "us-east-1"
            ? throw new InvalidOperationException("log group listing was empty")
            : Task.CompletedTask);
        await using var harness = await HostHarness.CreateAsync([prod, staging], Immediate(), TimeProvider.System, metrics, logs);

        await harness.Host.StartAsync(CancellationToken.None);
        await HostHarness.WaitUntilAsync(
            () => metrics.PassesOn(prod.AccountId, "eu-west-1") >= 3 && metrics.PassesOn(prod.AccountId, "us-east-1") >= 3
                && metrics.PassesOn(staging.AccountId, "eu-west-1") >= 3 && logs.PassesOn(prod.AccountId, "us-east-1") >= 3,
            "three passes on every target");
        await harness.Host.StopAsync(CancellationToken.None);

        var statuses = (await harness.Store.GetCollectorStatusAsync(CancellationToken.None)).ToDictionary(s => (s.Collector, s.AccountId, s.Region));
        Assert.Equal(6, statuses.Count);
        var healthy = statuses[("metrics", prod.AccountId, "eu-west-1")];
        Assert.Equal(0, healthy.ConsecutiveFailures);
        Assert.NotNull(healthy.LastSuccess);
        Assert.NotNull(healthy.LastDuration);
        Assert.Null(healthy.LastError);
        Assert.Equal(harness.Instance.Id, healthy.Instance);
        // Recorded so a dashboard judges an open pass by this process's timeout and names the account as it does.
        Assert.Equal((TimeSpan.FromMinutes(15), "prod"), (healthy.PassTimeout, healthy.AccountName));

        var expired = statuses[("metrics", staging.AccountId, "eu-west-1")];
        Assert.True(expired.ConsecutiveFailures >= 3, $"{expired.ConsecutiveFailures} failures recorded");
        Assert.Null(expired.LastSuccess);
        Assert.StartsWith("Credentials expired, invalid or missing for 222222222222 (staging) eu-west-1: account 222222222222 (staging): the security token is expired (ExpiredToken)", expired.LastError, StringComparison.Ordinal);

        var broken = statuses[("logs", prod.AccountId, "us-east-1")];
        Assert.Equal("account 111111111111 (prod), us-east-1: InvalidOperationException: log group listing was empty", broken.LastError);
        Assert.Equal(0, statuses[("logs", staging.AccountId, "eu-west-1")].ConsecutiveFailures);
    }

    [Fact]
    public async Task Run_ManualClock_FirstStartsSpreadThenEveryIntervalOnItsGrid()
    {
        var time = new ManualTimeProvider(T0);
        var account = HostHarness.Account("111111111111", "prod", "eu-west-1", "eu-west-2", "eu-west-3");
        var inventory = new FakeCollector("inventory", TimeSpan.FromMinutes(1), time, (_, _) => Task.CompletedTask);
        await using var harness = await HostHarness.CreateAsync([account], new CollectorsOptions { StartSpread = TimeSpan.FromSeconds(30) }, time, inventory);

        await harness.Host.StartAsync(CancellationToken.None);

        // One timer per loop once each is waiting: the first target waits for its next pass, the others for their first.
        await HostHarness.WaitUntilAsync(() => inventory.Passes.Count == 1 && time.PendingTimers == 3, "the first pass");
        await AdvanceAsync(TimeSpan.FromSeconds(10), 2);
        await AdvanceAsync(TimeSpan.FromSeconds(10), 3);
        await AdvanceAsync(TimeSpan.FromSeconds(39), 3);
        await AdvanceAsync(TimeSpan.FromSeconds(1), 4);
        await AdvanceAsync(TimeSpan.FromSeconds(30), 6);
        await harness.Host.StopAsync(CancellationToken.None);

        Assert.Equal(
        [
            ("eu-west-1", T0), ("eu-west-2", T0.AddSeconds(10)), ("eu-west-3", T0.AddSeconds(20)),
            ("eu-west-1", T0.AddSeconds(60)), ("eu-west-2", T0.AddSeconds(70)), ("eu-west-3", T0.AddSeconds(80)),
        ], inventory.Passes.Select(p => (p.Target.Region, p.At)));

        async Task AdvanceAsync(TimeSpan by, int passes)
        {
            time.Advance(by);
            await HostHarness.WaitUntilAsync(() => inventory.Passes.Count == passes && time.PendingTimers == 3, $"{passes} passes after {time.GetUtcNow() - T0}");
        }
    }

    [Fact]
    public async Task Run_PassOverrunsItsInterval_SkipsMissedStartsInsteadOfRunningBackToBack()
    {
        var time = new ManualTimeProvider(T0);
        var account = HostHarness.Account("111111111111", "prod", "eu-west-1");
        var release = new SemaphoreSlim(0);
        var traces = new FakeCollector("traces", TimeSpan.FromMinutes(1), time, (_, ct) => release.WaitAsync(ct));
        await using var harness = await HostHarness.CreateAsync([account], Immediate(), time, traces);

        await harness.Host.StartAsync(CancellationToken.None);
        await HostHarness.WaitUntilAsync(() => traces.Passes.Count == 1, "the first pass");
        time.Advance(TimeSpan.FromSeconds(150));
        release.Release();

        // The pass ended at 2.5 min: the starts at 1 and 2 min are gone, the next is at 3 min.
        await HostHarness.WaitUntilAsync(() => time.PendingTimers == 1, "the wait for the next start");
        time.Advance(TimeSpan.FromSeconds(29));
        Assert.Single(traces.Passes);
        release.Release();
        time.Advance(TimeSpan.FromSeconds(1));
        await HostHarness.WaitUntilAsync(() => traces.Passes.Count == 2, "the second pass");
        await harness.Host.StopAsync(CancellationToken.None);

        Assert.Equal(T0.AddMinutes(3), traces.Passes[1].At);
    }

    [Fact]
    public async Task Run_SixTargetsAndTwoSlots_NeverMoreThanTwoPassesOfOneCollectorAtOnce()
    {
        var account = HostHarness.Account("111111111111", "prod", "eu-west-1", "eu-west-2", "eu-west-3", "us-east-1", "us-east-2", "us-west-2");
        var running = 0;
        var most = 0;
        var finished = 0;
        using var release = new SemaphoreSlim(0);
        var alarms = new FakeCollector("alarms", TimeSpan.FromHours(1), async (_, ct) =>
        {
            var now = Interlocked.Increment(ref running);
            InterlockedMax(ref most, now);
            await release.WaitAsync(ct);
            Interlocked.Decrement(ref running);
            Interlocked.Increment(ref finished);
        });
        await using var harness = await HostHarness.CreateAsync([account], Immediate(maxConcurrentTargets: 2), TimeProvider.System, alarms);

        // Each pass holds its slot until the test lets it go, so the two slots are both taken however slowly the
        // passes start; passes are let go one at a time once the slots are full again.
        await harness.Host.StartAsync(CancellationToken.None);
        for (var i = 0; i < 6; i++)
        {
            var (released, busy) = (i, Math.Min(2, 6 - i));
            await HostHarness.WaitUntilAsync(
                () => Volatile.Read(ref finished) == released && Volatile.Read(ref running) >= busy, $"{busy} passes running after {released} finished");
            release.Release();
        }

        await HostHarness.WaitUntilAsync(() => alarms.Passes.Count == 6 && Volatile.Read(ref finished) == 6, "six passes");
        await harness.Host.StopAsync(CancellationToken.None);

        Assert.Equal(2, most);
    }

    [Fact]
    public async Task StopAsync_PassInProgress_EndsPromptlyWithoutCountingAFailure()
    {
        var account = HostHarness.Account("111111111111", "prod", "eu-west-1");
        var logs = new FakeCollector("logs", TimeSpan.FromMinutes(5), (_, ct) => Task.Delay(Timeout.Infinite, ct));
        await using var harness = await HostHarness.CreateAsync([account], Immediate(), TimeProvider.System, logs);
        await harness.Host.StartAsync(CancellationToken.None);
        await HostHarness.WaitUntilAsync(() => logs.Passes.Count == 1, "the pass to start");

        // Not cancelled, the pass would hold the stop until PassTimeout (15 min); 30 s tells the two apart on any machine.
        var stopping = System.Diagnostics.Stopwatch.StartNew();
        var stopped = harness.Host.StopAsync(CancellationToken.None);
        Assert.True(await Task.WhenAny(stopped, Task.Delay(TimeSpan.FromSeconds(30))) == stopped, $"stopping took over {stopping.Elapsed}: the pass in progress was not cancelled");
        await stopped;

        var status = Assert.Single(await harness.Store.GetCollectorStatusAsync(CancellationToken.None));
        Assert.NotNull(status.LastStart);
        Assert.Equal(0, status.ConsecutiveFailures);
        Assert.Null(status.LastError);
    }

    [Fact]
    public async Task Run_PassHangs_CancelledAtPassTimeoutAndRecordedAsFailed()
    {
        var account = HostHarness.Account("111111111111", "prod", "eu-west-1");
        var metrics = new FakeCollector("metrics", TimeSpan.FromHours(1), (_, ct) => Task.Delay(Timeout.Infinite, ct));
        await using var harness = await HostHarness.CreateAsync([account], Immediate(passTimeout: TimeSpan.FromMilliseconds(100)), TimeProvider.System, metrics);

        await harness.Host.StartAsync(CancellationToken.None);
        await HostHarness.WaitUntilAsync(async () => await FailuresAsync(harness) == 1, "the pass to time out");
        await harness.Host.StopAsync(CancellationToken.None);

        var status = Assert.Single(await harness.Store.GetCollectorStatusAsync(CancellationToken.None));
        Assert.Equal(
            "account 111111111111 (prod), eu-west-1: the pass took longer than Observe:Collectors:PassTimeout (00:00:00.1000000) and was stopped",
            status.LastError);
    }

    [Fact]
    public async Task Run_AfterRestart_KeepsLastSuccessAndCountsFailuresOn()
    {
        var account = HostHarness.Account("111111111111", "prod", "eu-west-1");
        var failing = new FakeCollector("inventory", TimeSpan.FromHours(1), (_, _) => throw ExpiredToken(account));
        await using var harness = await HostHarness.CreateAsync([account], Immediate(), TimeProvider.System, failing);
        var earlier = new Observe.Store.Model.CollectorStatus
        {
            Collector = "inventory",
            AccountId = account.AccountId,
            Region = "eu-west-1",
            LastSuccess = T0,
            ConsecutiveFailures = 3,
            LastError = "older error",
            Instance = "another/1/000000",
        };
        await harness.Store.UpsertCollectorStatusAsync(earlier, CancellationToken.None);

        await harness.Host.StartAsync(CancellationToken.None);
        await HostHarness.WaitUntilAsync(async () => await FailuresAsync(harness) == 4, "the failure to be recorded");
        await harness.Host.StopAsync(CancellationToken.None);

        var status = Assert.Single(await harness.Store.GetCollectorStatusAsync(CancellationToken.None));
        Assert.Equal(T0, status.LastSuccess);
        Assert.Contains("the security token is expired", status.LastError, StringComparison.Ordinal);
        Assert.Equal(harness.Instance.Id, status.Instance);
    }

    [Fact]
    public async Task Run_PassSkipsRowsAndASubStepFails_DegradedWithCountsUntilACleanPassAndTotalsKept()
    {
        var time = new ManualTimeProvider(T0);
        var account = HostHarness.Account("111111111111", "prod", "eu-west-1");
        var pass = 0;
        var logs = new FakeCollector("logs", TimeSpan.FromMinutes(1), (_, report, _) =>
        {
            switch (Interlocked.Increment(ref pass))
            {
                case 1 or 2:
                    report.Skipped("unreadable Insights @timestamp", 2);
                    report.Skipped("malformed REPORT line");
                    report.Degraded("2 Insights rows had an unreadable @timestamp");
                    report.Degraded("2 Insights rows had an unreadable @timestamp");
                    break;
                case 3:
                    // A line malformed at its source is counted, but the pass did all it could: not degraded.
                    report.Skipped("malformed REPORT line");
                    break;
                default:
                    report.Skipped("malformed REPORT line", 4);
                    throw new InvalidOperationException("store unreachable");
            }

            return Task.CompletedTask;
        });
        await using var harness = await HostHarness.CreateAsync([account], Immediate(), time, logs);
        await harness.Host.StartAsync(CancellationToken.None);

        var first = await StatusAfterAsync(1);
        Assert.True(first.IsDegraded);
        Assert.False(first.IsFailing);
        Assert.Equal(T0, first.LastSuccess);
        Assert.Equal(1, first.ConsecutiveDegraded);
        Assert.Equal("account 111111111111 (prod), eu-west-1: 2 Insights rows had an unreadable @timestamp", first.LastWarning);
        Assert.Equal("3 (malformed REPORT line 1, unreadable Insights @timestamp 2)", first.LastSkipped.ToString());

        time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(2, (await StatusAfterAsync(2)).ConsecutiveDegraded);

        time.Advance(TimeSpan.FromMinutes(1));
        var clean = await StatusAfterAsync(3);
        Assert.False(clean.IsDegraded);
        Assert.Null(clean.LastWarning);
        Assert.Equal(0, clean.ConsecutiveDegraded);
        Assert.Equal("1 (malformed REPORT line 1)", clean.LastSkipped.ToString());
        Assert.Equal("7 (malformed REPORT line 3, unreadable Insights @timestamp 4)", clean.TotalSkipped.ToString());

        time.Advance(TimeSpan.FromMinutes(1));
        var failed = await StatusAfterAsync(4);
        Assert.True(failed.IsFailing);
        Assert.False(failed.IsDegraded);
        Assert.Equal(4, failed.LastSkipped.Total);
        Assert.Equal(11, failed.TotalSkipped.Total);
        await harness.Host.StopAsync(CancellationToken.None);

        async Task<Store.Model.CollectorStatus> StatusAfterAsync(int passes)
        {
            Store.Model.CollectorStatus? status = null;
            await HostHarness.WaitUntilAsync(
                async () => (status = (await harness.Store.GetCollectorStatusAsync(CancellationToken.None)).SingleOrDefault()) is { } s
                    && logs.Passes.Count == passes && s.UpdatedAt == time.GetUtcNow() && s.LastStart == time.GetUtcNow()
                    && (s.LastSuccess == time.GetUtcNow() || s.LastFailure == time.GetUtcNow()),
                $"pass {passes} recorded");
            return status!;
        }
    }

    [Fact]
    public async Task Run_Disabled_RunsNoPassAndEnds()
    {
        var account = HostHarness.Account("111111111111", "prod", "eu-west-1");
        var metrics = new FakeCollector("metrics", TimeSpan.FromMilliseconds(10), (_, _) => Task.CompletedTask);
        await using var harness = await HostHarness.CreateAsync([account], new CollectorsOptions { Enabled = false, StartSpread = TimeSpan.Zero }, TimeProvider.System, metrics);

        await harness.Host.StartAsync(CancellationToken.None);
        await harness.Host.ExecuteTask!.WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Empty(metrics.Passes);
        Assert.Empty(await harness.Store.GetCollectorStatusAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Run_TwoCollectorsWithOneName_HostFailsNamingBoth()
    {
        var account = HostHarness.Account("111111111111", "prod", "eu-west-1");
        var first = new FakeCollector("metrics", TimeSpan.FromMinutes(1), (_, _) => Task.CompletedTask);
        var second = new FakeCollector("metrics", TimeSpan.FromMinutes(1), (_, _) => Task.CompletedTask);
        await using var harness = await HostHarness.CreateAsync([account], Immediate(), TimeProvider.System, first, second);

        await harness.Host.StartAsync(CancellationToken.None);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => harness.Host.ExecuteTask!);

        Assert.Equal("collectors FakeCollector and FakeCollector are both named 'metrics': their statuses and checkpoints would mix", error.Message);
        Assert.Empty(first.Passes);
    }

    private static AwsServiceException ExpiredToken(AwsAccountOptions account) => new(
        $"account {account.DisplayName}: the security token is expired (ExpiredToken)", account.AccountId, "CloudWatch", "GetMetricData",
        HttpStatusCode.BadRequest, "ExpiredToken", "The security token included in the request is expired", "req-1", 1, isCredentialError: true);

    private static CollectorsOptions Immediate(int maxConcurrentTargets = 8, TimeSpan? passTimeout = null) => new()
    {
        StartSpread = TimeSpan.Zero,
        MaxConcurrentTargets = maxConcurrentTargets,
        PassTimeout = passTimeout ?? TimeSpan.FromMinutes(15),
    };

    private static async Task<int?> FailuresAsync(HostHarness harness) =>
        (await harness.Store.GetCollectorStatusAsync(CancellationToken.None)).SingleOrDefault()?.ConsecutiveFailures;

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
