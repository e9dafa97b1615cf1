using System.Net;
using Observe.Collectors.Aws;
using Observe.Collectors.Collection;
using Observe.Collectors.Metrics;
using Observe.Collectors.Tests.Clients;
using Observe.Collectors.Tests.Infrastructure;
using Observe.Store.Model;

namespace Observe.Collectors.Tests.Metrics;

/// <summary>
/// The collector against <see cref="FakeCloudWatch"/>, whose answers follow the CloudWatch API reference for
/// ListMetrics and GetMetricData: moto cannot answer percentile statistics (HTTP 500), never pages GetMetricData and
/// ignores RecentlyActive, and a cadence test needs a clock moto does not share.
/// </summary>
public class MetricsCollectorTests
{
    private const string Account = "123456789012";
    private static readonly DateTimeOffset Start = new(2026, 11, 29, 12, 0, 30, TimeSpan.Zero);
    private static readonly DateTimeOffset FirstEnd = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);
    private static readonly string[] Core = ["Invocations", "Errors", "Throttles", "Duration", "ConcurrentExecutions"];
    private static readonly string[] Everything = [.. Core, "IteratorAge", "DeadLetterErrors", "AsyncEventsDropped"];

    [Fact]
    public async Task Collect_EveryStatisticIncludingPercentiles_StoredPerMinute_AndColdStartsKept()
    {
        var (rig, fake) = await StartAsync();
        await using var _ = rig;
        fake.Add("orders", Everything, Value);
        var minute = FirstEnd.AddMinutes(-30);
        await rig.Store.WriteMetricsAsync([new MetricPoint { Function = rig.Fn("orders"), Minute = minute, ColdStarts = 3 }], CancellationToken.None);

        await rig.CollectAsync();

        var series = await rig.SeriesAsync("orders", FirstEnd.AddHours(-3), FirstEnd);
        Assert.Equal(180, series.Count);
        foreach (var b in series)
        {
            Assert.Equal(Value("Invocations", "Sum", b.Start), b.Invocations);
            Assert.Equal(Value("Errors", "Sum", b.Start), b.Errors);
            Assert.Equal(Value("Throttles", "Sum", b.Start), b.Throttles);
            Assert.Equal(Value("Duration", "Average", b.Start), b.DurationAvgMs);
            Assert.Equal(Value("Duration", "p50", b.Start), b.DurationP50Ms);
            Assert.Equal(Value("Duration", "p90", b.Start), b.DurationP90Ms);
            Assert.Equal(Value("Duration", "p99", b.Start), b.DurationP99Ms);
            Assert.Equal(Value("ConcurrentExecutions", "Maximum", b.Start), b.ConcurrentExecutions);
            Assert.Equal(Value("IteratorAge", "Maximum", b.Start), b.IteratorAgeMs);
            Assert.Equal(Value("DeadLetterErrors", "Sum", b.Start), b.DeadLetterErrors);
            Assert.Equal(Value("AsyncEventsDropped", "Sum", b.Start), b.AsyncEventsDropped);
            Assert.Equal(b.Start == minute ? 3 : 0, b.ColdStarts);
        }

        var call = Assert.Single(fake.Calls, c => c.Queries.Any(q => q.Stat == "p99"));
        Assert.Equal((FirstEnd.AddHours(-3).AddMinutes(-5), FirstEnd), (call.Start, call.End));
        Assert.Equal(
            ["AsyncEventsDropped Sum", "ConcurrentExecutions Maximum", "DeadLetterErrors Sum", "Duration Average", "Duration p50", "Duration p90", "Duration p99", "Errors Sum", "Invocations Sum", "IteratorAge Maximum", "Throttles Sum"],
            fake.Calls.SelectMany(c => c.Queries).Select(q => $"{q.Metric} {q.Stat}").Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Collect_MoreThan500Queries_SplitIntoCallsOf500_PagesFollowed_AndEveryMetricMetered()
    {
        var (rig, fake) = await StartAsync();
        await using var _ = rig;
        fake.ResultsPerPage = 300;
        foreach (var i in Enumerable.Range(0, 100))
        {
            fake.Add($"fn-{i:000}", Core, (m, s, t) => Value(m, s, t) + i);
        }

        await rig.CollectAsync();

        // 100 functions: a probe of 200 queries (invocations, throttles), then 600 detail queries in calls of 500 + 100.
        var firstPages = fake.Calls.Where(c => c.NextToken is null).ToList();
        Assert.Equal([200, 500, 100], firstPages.Select(c => c.Queries.Count));
        Assert.Equal(["page-300"], fake.Calls.Where(c => c.NextToken is not null).Select(c => c.NextToken));
        Assert.All(fake.Calls, c => Assert.Equal(c.Queries.Count, c.Queries.Select(q => (q.Function, q.Metric, q.Stat)).Distinct().Count()));

        var usage = rig.Aws.Meter.GetUsage(DateOnly.FromDateTime(Start.UtcDateTime)).Single(u => u.Operation == "GetMetricData");
        Assert.Equal(fake.Calls.Count, usage.Calls);
        Assert.Equal(fake.Calls.Sum(c => c.Queries.Count), usage.BilledUnits);
        Assert.Equal(1300 * 0.01m / 1000, usage.EstimatedCostUsd);

        var minute = FirstEnd.AddMinutes(-7);
        var bucket = (await rig.SeriesAsync("fn-077", minute, minute.AddMinutes(1))).Single();
        Assert.Equal((Value("Duration", "p99", minute) + 77, Value("Invocations", "Sum", minute) + 77), (bucket.DurationP99Ms, bucket.Invocations));
    }

    [Fact]
    public async Task Collect_FunctionsWithoutRecentActivity_NeverQueried()
    {
        var (rig, fake) = await StartAsync();
        await using var _ = rig;
        fake.Add("busy", Core, Value);
        fake.Add("dormant", Core, (m, s, t) => t < FirstEnd.AddHours(-4) ? Value(m, s, t) : null);

        await rig.CollectAsync();
        await rig.RunAsync(TimeSpan.FromMinutes(40));

        Assert.DoesNotContain(fake.Calls.SelectMany(c => c.Queries), q => q.Function == "dormant");
        Assert.Contains(fake.Calls.SelectMany(c => c.Queries), q => q.Function == "busy");

        // Refreshed every cold interval (15 minutes: the default ActivityRefreshInterval of 30 is shortened to it), not
        // on every pass.
        Assert.Equal(3, fake.ListMetricsCalls);
    }

    [Fact]
    public async Task Collect_IdleInTheWindow_OnlyInvocationsAndThrottlesRequested()
    {
        var (rig, fake) = await StartAsync();
        await using var _ = rig;

        // Invoked once an hour, at minute 50: active in the last 3 hours, idle in most 20-minute windows.
        fake.Add("hourly", Core, (m, s, t) => t.Minute == 50 ? Value(m, s, t) : m is "Invocations" or "Throttles" ? 0 : null);
        await rig.CollectAsync();
        fake.ClearCalls();

        await rig.RunAsync(TimeSpan.FromMinutes(15));
        Assert.Equal(["Invocations Sum", "Throttles Sum"], fake.Calls.SelectMany(c => c.Queries).Select(q => $"{q.Metric} {q.Stat}").Order(StringComparer.Ordinal));

        fake.ClearCalls();
        await rig.RunAsync(TimeSpan.FromMinutes(45));
        var detail = fake.Calls.Where(c => c.Queries.Any(q => q.Metric == "Duration")).ToList();
        var call = Assert.Single(detail);
        Assert.True(call.Start <= FirstEnd.AddMinutes(50) && call.End > FirstEnd.AddMinutes(50), $"the detail call covers {call.Start}..{call.End}");
        Assert.Equal(Value("Duration", "p90", FirstEnd.AddMinutes(50)), (await rig.SeriesAsync("hourly", FirstEnd.AddMinutes(50), FirstEnd.AddMinutes(51))).Single().DurationP90Ms);
    }

    [Fact]
    public async Task Run_WatchedFunctionEveryMinute_OthersEveryColdInterval_NoneStalerThan15Minutes()
    {
        var (rig, fake) = await StartAsync();
        await using var _ = rig;
        foreach (var name in new[] { "a", "b", "c" })
        {
            fake.Add(name, Core, Value);
        }

        await rig.CollectAsync();
        // The page renews its watch while open; here one watch covers the hour, then lapses.
        await rig.Store.WatchFunctionAsync(rig.Fn("a"), rig.Time.GetUtcNow().AddMinutes(60).AddSeconds(30), CancellationToken.None);
        var passes = new List<(DateTimeOffset At, HashSet<string> Functions, GetMetricDataCall[] Calls)>();
        for (var i = 0; i < 60; i++)
        {
            fake.ClearCalls();
            await rig.RunAsync(TimeSpan.FromMinutes(1));
            passes.Add((rig.Time.GetUtcNow(), [.. fake.Calls.SelectMany(c => c.Queries).Select(q => q.Function)], [.. fake.Calls]));

            // The watched function is current to the last whole minute after every pass.
            var end = UtcMinute.Floor(rig.Time.GetUtcNow());
            Assert.Equal(end.AddMinutes(-1), (await rig.SeriesAsync("a", end.AddMinutes(-30), end))[^1].Start);
        }

        Assert.All(passes, p => Assert.Contains("a", p.Functions));
        var coldPasses = passes.Where(p => p.Functions.Contains("b")).Select(p => UtcMinute.Floor(p.At)).ToList();
        Assert.Equal([FirstEnd.AddMinutes(15), FirstEnd.AddMinutes(30), FirstEnd.AddMinutes(45), FirstEnd.AddMinutes(60)], coldPasses);
        Assert.Equal(coldPasses, passes.Where(p => p.Functions.Contains("c")).Select(p => UtcMinute.Floor(p.At)));

        // Each cold pass reads every minute since the previous one (and the late window) in one query per statistic.
        foreach (var pass in passes.Where(p => p.Functions.Contains("b")))
        {
            Assert.All(pass.Calls, c => Assert.Equal((UtcMinute.Floor(pass.At).AddMinutes(-20), UtcMinute.Floor(pass.At)), (c.Start, c.End)));
        }

        var stored = await rig.SeriesAsync("b", FirstEnd, FirstEnd.AddMinutes(60));
        Assert.Equal(Enumerable.Range(0, 60).Select(m => FirstEnd.AddMinutes(m)), stored.Select(b => b.Start));

        // The page closed and stopped renewing: once the watch lapses the function falls back to the cold cadence.
        fake.ClearCalls();
        await rig.RunAsync(TimeSpan.FromMinutes(14));
        Assert.Empty(fake.Calls);
    }

    [Fact]
    public async Task Run_EnabledAlertRuleOnTheTarget_WatchesItsActiveFunctionsUpToTheCap()
    {
        var (rig, fake) = await StartAsync(o => o.MaxWatchedFunctions = 2);
        await using var _ = rig;
        foreach (var name in new[] { "a", "b", "c" })
        {
            fake.Add(name, Core, Value);
        }

        await rig.Store.UpsertAlertRuleAsync(new AlertRule { Id = "other", Name = "other region", Condition = "errors > 0", Scope = new FleetFilter(Account, "us-east-1") }, CancellationToken.None);
        await rig.CollectAsync();
        fake.ClearCalls();
        await rig.RunAsync(TimeSpan.FromMinutes(2));
        Assert.Empty(fake.Calls);

        await rig.Store.UpsertAlertRuleAsync(new AlertRule { Id = "errors", Name = "errors", Condition = "errors > 0", Scope = new FleetFilter(Account) }, CancellationToken.None);
        await rig.Store.WatchFunctionAsync(rig.Fn("c"), rig.Time.GetUtcNow().AddMinutes(5), CancellationToken.None);
        fake.ClearCalls();
        await rig.RunAsync(TimeSpan.FromMinutes(1));

        // The dashboard's watch first, then the rule's functions in name order, two in all.
        Assert.Equal(["a", "c"], fake.Calls.SelectMany(c => c.Queries).Select(q => q.Function).Distinct().Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Run_LateData_ReadAgainWithinTheLateWindow_StoredValueFollows()
    {
        var (rig, fake) = await StartAsync();
        await using var _ = rig;

        // CloudWatch's count for a minute still grows for 3 minutes after the minute ends.
        fake.Add("orders", Core, (m, s, t) => m == "Invocations" ? (rig.Time.GetUtcNow() - t < TimeSpan.FromMinutes(4) ? 5 : 8) : Value(m, s, t));
        await rig.CollectAsync();
        fake.ClearCalls();
        await rig.RunAsync(TimeSpan.FromMinutes(15));

        // The pass at 12:15 reads from 11:55: the minutes still growing at 12:00 are read again, at the price of one query.
        Assert.All(fake.Calls, c => Assert.Equal((FirstEnd.AddMinutes(-5), FirstEnd.AddMinutes(15)), (c.Start, c.End)));
        Assert.Equal(2, fake.Calls.Count);
        var series = await rig.SeriesAsync("orders", FirstEnd.AddMinutes(-5), FirstEnd.AddMinutes(15));
        Assert.Equal([.. Enumerable.Repeat(8d, 17), 5d, 5d, 5d], series.Select(b => b.Invocations));

        await rig.RunAsync(TimeSpan.FromMinutes(15));

        series = await rig.SeriesAsync("orders", FirstEnd.AddMinutes(-5), FirstEnd.AddMinutes(15));
        Assert.All(series, b => Assert.Equal(8, b.Invocations));
    }

    [Fact]
    public async Task Collect_RestartMidPass_ResumesFromTheCheckpoint_NoGapNoDuplicate()
    {
        ManualTimeProvider? clock = null;
        var fake = new FakeCloudWatch(new DeferredClock(() => clock!));
        var failing = new FailNth(fake, 3);
        await using var rig = await MetricsRig.StartAsync(LambdaRecordedTests.DirectAccount(Account), Start, failing, o => o.QueriesPerCall = 2);
        clock = rig.Time;
        foreach (var name in new[] { "a", "b", "c" })
        {
            fake.Add(name, Core, Value);
        }

        await rig.CollectAsync();
        var checkpoint = await rig.Store.GetCheckpointAsync("metrics/123456789012/eu-west-1", CancellationToken.None);

        // Five hours later the next pass fails on its third call, after writing the first two.
        rig.Time.Advance(TimeSpan.FromHours(5));
        failing.Arm();
        await Assert.ThrowsAsync<AwsServiceException>(rig.CollectAsync);
        Assert.Equal(checkpoint, await rig.Store.GetCheckpointAsync("metrics/123456789012/eu-west-1", CancellationToken.None));
        Assert.NotEmpty(await rig.SeriesAsync("a", FirstEnd.AddHours(4), FirstEnd.AddHours(5)));

        rig.Restart();
        await rig.CollectAsync();

        var end = FirstEnd.AddHours(5);
        Assert.Equal(end.ToString("O", System.Globalization.CultureInfo.InvariantCulture), await rig.Store.GetCheckpointAsync("metrics/123456789012/eu-west-1", CancellationToken.None));
        foreach (var name in new[] { "a", "b", "c" })
        {
            var series = await rig.SeriesAsync(name, FirstEnd.AddHours(-3), end);
            Assert.Equal(Enumerable.Range(0, 8 * 60).Select(m => FirstEnd.AddHours(-3).AddMinutes(m)), series.Select(b => b.Start));
            Assert.All(series, b => Assert.Equal((Value("Invocations", "Sum", b.Start), Value("Errors", "Sum", b.Start)), (b.Invocations, b.Errors)));
        }

        var overview = await rig.Store.GetOverviewAsync(FleetFilter.All, new TimeRange(FirstEnd.AddHours(-3), end), TimeSpan.FromHours(1), CancellationToken.None);
        Assert.Equal(3 * Enumerable.Range(0, 8 * 60).Sum(m => Value("Invocations", "Sum", FirstEnd.AddHours(-3).AddMinutes(m))!.Value), overview.Invocations);
    }

    [Fact]
    public async Task Collect_AfterALongOutage_CatchesUpMaxCatchUp_InCallsThatFitOnePage()
    {
        var (rig, fake) = await StartAsync();
        await using var _ = rig;
        foreach (var i in Enumerable.Range(0, 20))
        {
            fake.Add($"fn-{i:00}", Core, Value);
        }

        await rig.Store.SetCheckpointAsync("metrics/123456789012/eu-west-1", FirstEnd.AddDays(-3).ToString("O", System.Globalization.CultureInfo.InvariantCulture), CancellationToken.None);

        await rig.CollectAsync();

        // 24 hours of minutes: 1,440 points per query, so at most 70 queries (100,800 points) per call and no second page.
        Assert.All(fake.Calls, c => Assert.Equal((FirstEnd.AddDays(-1), FirstEnd, (string?)null), (c.Start, c.End, c.NextToken)));
        Assert.Equal([40, 70, 50], fake.Calls.Select(c => c.Queries.Count));
        Assert.Equal(1440, (await rig.SeriesAsync("fn-13", FirstEnd.AddDays(-2), FirstEnd)).Count);
    }

    [Fact]
    public async Task Collect_QueryForbidden_PassDegradedNamingTheStatistic_ReadAgainFromWhereItIsMissing()
    {
        var forbidden = true;
        var transport = new StubTransport((r, _) => r.Target!.EndsWith("ListMetrics", StringComparison.Ordinal)
            ? (HttpStatusCode.OK, """{"Metrics":[{"Namespace":"AWS/Lambda","MetricName":"Invocations","Dimensions":[{"Name":"FunctionName","Value":"orders"}]}]}""")
            : forbidden
                ? (HttpStatusCode.OK, """{"MetricDataResults":[{"Id":"q0","Label":"Invocations","Timestamps":[],"Values":[],"StatusCode":"Forbidden","Messages":[{"Code":"Forbidden","Value":"not authorized"}]}],"Messages":[]}""")
                : (HttpStatusCode.OK, """{"MetricDataResults":[{"Id":"q0","Label":"Invocations","Timestamps":[1795950000],"Values":[7],"StatusCode":"Complete"}],"Messages":[]}"""));
        await using var rig = await MetricsRig.StartAsync(LambdaRecordedTests.DirectAccount(Account), Start, transport);

        var report = await rig.CollectReportAsync();

        var problem = Assert.Single(report.Problems);
        Assert.Contains("could not read Invocations Sum of 1 function (e.g. orders) since 2026-11-29 08:55Z: GetMetricData answered Forbidden (Forbidden: not authorized)", problem, StringComparison.Ordinal);
        Assert.Contains("123456789012 (prod), eu-west-1", problem, StringComparison.Ordinal);

        // The checkpoint moves over the pass; the statistic keeps its own start, and is asked for from there once
        // its backoff (one watched interval at first) allows.
        Assert.Equal(FirstEnd.ToString("O", System.Globalization.CultureInfo.InvariantCulture), await rig.Store.GetCheckpointAsync("metrics/123456789012/eu-west-1", CancellationToken.None));
        forbidden = false;
        rig.Time.Advance(TimeSpan.FromMinutes(1));
        await rig.CollectAsync();

        var retry = System.Text.Json.Nodes.JsonNode.Parse(transport.Seen[^1].Body)!;
        Assert.Equal(FirstEnd.AddHours(-3).AddMinutes(-5).ToUnixTimeSeconds(), (long)retry["StartTime"]!.GetValue<double>());
        Assert.Equal(7, (await rig.SeriesAsync("orders", FirstEnd.AddHours(-1), FirstEnd)).Single().Invocations);
    }

    [Fact]
    public async Task Run_PercentilesFailEveryPass_WhatWasReadIsNotReadAgain_FailedStatisticsBackedOff()
    {
        ManualTimeProvider? clock = null;
        var fake = new FakeCloudWatch(new DeferredClock(() => clock!));
        var rejecting = new RejectPercentiles(fake, new DeferredClock(() => clock!));
        await using var rig = await MetricsRig.StartAsync(LambdaRecordedTests.DirectAccount(Account), Start, rejecting);
        clock = rig.Time;
        fake.Add("orders", Core, Value);

        var failed = new List<string>();
        for (var pass = 0; pass <= 60; pass++)
        {
            if (pass > 0)
            {
                rig.Time.Advance(TimeSpan.FromMinutes(1));
            }

            failed.Add(string.Join("; ", (await rig.CollectReportAsync()).Problems));
            if (pass == 0)
            {
                // The pass stored what it could read, so its checkpoint moves over it.
                Assert.Equal(FirstEnd.ToString("O", System.Globalization.CultureInfo.InvariantCulture), await rig.Store.GetCheckpointAsync("metrics/123456789012/eu-west-1", CancellationToken.None));
            }
        }

        // Invocations are read by the cold passes only (12:00, 12:15, 12:30, 12:45, 13:00), not again every minute
        // because the percentiles fail: the issue saw 61 here.
        Assert.Equal(5, fake.Calls.SelectMany(c => c.Queries).Count(q => q.Metric == "Invocations"));

        // The percentiles are retried with a doubling wait, capped at 15 minutes: 12:00 (found), 12:01, 12:03, 12:07,
        // 12:15, 12:30, 12:45, 13:00.
        Assert.InRange(rejecting.RejectedAfter(Start.AddSeconds(1)), 1, 7 * 3);
        Assert.Equal(8, rejecting.PassesRejected);

        // Every pass says what it could not read; what it could read is stored.
        Assert.All(failed, m => Assert.Contains("Duration p99", m, StringComparison.Ordinal));
        var series = await rig.SeriesAsync("orders", FirstEnd.AddHours(-3), FirstEnd.AddHours(1));
        Assert.Equal(240, series.Count);
        Assert.All(series, b => Assert.Equal((Value("Errors", "Sum", b.Start), Value("Duration", "Average", b.Start), (double?)null), (b.Errors, b.DurationAvgMs, b.DurationP99Ms)));
    }

    [Fact]
    public async Task Run_TargetFailsEveryPass_AttemptsBackOffToTheCap_NotEveryMinute()
    {
        var transport = new StubTransport((r, _) => (HttpStatusCode.BadRequest, """{"__type":"InvalidParameterValue","message":"injected: nothing works"}"""));
        await using var rig = await MetricsRig.StartAsync(LambdaRecordedTests.DirectAccount(Account), Start, transport);

        var failed = 0;
        for (var pass = 0; pass <= 60; pass++)
        {
            if (pass > 0)
            {
                rig.Time.Advance(TimeSpan.FromMinutes(1));
            }

            failed += await Record.ExceptionAsync(rig.CollectAsync) is null ? 0 : 1;
        }

        // Attempts at 12:00, 12:01, 12:03, 12:07, 12:15, 12:30, 12:45 and 13:00; every pass in between still fails.
        Assert.Equal(8, transport.Seen.Count);
        Assert.Equal(61, failed);
    }

    [Fact]
    public async Task Run_FunctionBecomesActive_ReadWithinAColdInterval_FromItsFirstMinute()
    {
        var (rig, fake) = await StartAsync();
        await using var _ = rig;
        fake.Add("old", Core, Value);

        // Deployed at 12:05: no metrics before.
        fake.Add("new", Core, (m, s, t) => t >= FirstEnd.AddMinutes(5) ? Value(m, s, t) : null);
        await rig.CollectAsync();

        await rig.RunAsync(TimeSpan.FromMinutes(15));

        // The cold pass at 12:15 lists activity again and backfills the newcomer from its first minute; the issue saw
        // it first read after ActivityRefreshInterval (30 min).
        var series = await rig.SeriesAsync("new", FirstEnd.AddHours(-3), FirstEnd.AddMinutes(15));
        Assert.Equal(Enumerable.Range(5, 10).Select(m => FirstEnd.AddMinutes(m)), series.Select(b => b.Start));
        Assert.All(series, b => Assert.Equal(Value("Errors", "Sum", b.Start), b.Errors));
        Assert.Equal(2, fake.ListMetricsCalls);
    }

    /// <summary>A deterministic value per metric, statistic and minute; whole numbers so sums compare exactly.</summary>
    internal static double? Value(string metric, string stat, DateTimeOffset minute)
    {
        var m = minute.ToUnixTimeSeconds() / 60 % 97;
        return (metric, stat) switch
        {
            ("Invocations", _) => 10 + m,
            ("Errors", _) => m % 3,
            ("Throttles", _) => m % 2,
            ("Duration", "Average") => 100 + m,
            ("Duration", "p50") => 90 + m,
            ("Duration", "p90") => 200 + m,
            ("Duration", "p99") => 400 + m,
            ("ConcurrentExecutions", _) => 1 + (m % 5),
            ("IteratorAge", _) => 1000 * m,
            ("DeadLetterErrors", _) => m % 4,
            ("AsyncEventsDropped", _) => m % 6,
            _ => throw new ArgumentException($"no value for {metric} {stat}"),
        };
    }

    private static async Task<(MetricsRig Rig, FakeCloudWatch Fake)> StartAsync(Action<MetricsCollectorOptions>? configure = null)
    {
        ManualTimeProvider? clock = null;
        var fake = new FakeCloudWatch(new DeferredClock(() => clock!));
        var rig = await MetricsRig.StartAsync(LambdaRecordedTests.DirectAccount(Account), Start, fake, configure);
        clock = rig.Time;
        return (rig, fake);
    }


    /// <summary>
    /// Answers every GetMetricData call that asks for a percentile with a client error (not retried), the whole call as
    /// moto does with HTTP 500; the rest goes to <paramref name="inner"/>. Counts what it rejected, and when.
    /// </summary>
    private sealed class RejectPercentiles(HttpMessageHandler inner, TimeProvider clock) : DelegatingHandler(inner)
    {
        private readonly List<DateTimeOffset> _rejected = [];
        private readonly HashSet<DateTimeOffset> _passes = [];

        public int PassesRejected
        {
            get
            {
                lock (_rejected)
                {
                    return _passes.Count;
                }
            }
        }

        public int RejectedAfter(DateTimeOffset at)
        {
            lock (_rejected)
            {
                return _rejected.Count(r => r > at);
            }
        }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
            if (System.Text.RegularExpressions.Regex.IsMatch(body, "\"Stat\":\"p[0-9]"))
            {
                var date = clock.GetUtcNow();
                lock (_rejected)
                {
                    _rejected.Add(date);
                    _passes.Add(date);
                }

                return new HttpResponseMessage(HttpStatusCode.BadRequest)
                {
                    Content = new StringContent("""{"__type":"InvalidParameterCombination","message":"injected: percentiles are not answered"}"""),
                };
            }

            return await base.SendAsync(request, cancellationToken);
        }
    }

    /// <summary>The rig's clock, known only once the rig exists.</summary>
    private sealed class DeferredClock(Func<TimeProvider> clock) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => clock().GetUtcNow();
    }
}
