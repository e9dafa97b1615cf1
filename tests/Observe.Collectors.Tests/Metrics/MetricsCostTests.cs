using Observe.Collectors.Tests.Clients;
using Observe.Collectors.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Observe.Collectors.Tests.Metrics;

/// <summary>
/// What collection costs, counted by running the real collector for an hour of a synthetic fleet against
/// <see cref="FakeCloudWatch"/> (counting is deterministic, so the figures are exact), against the naive way: one
/// GetMetricStatistics call per function, metric and minute ($0.01 per 1,000 requests), 8 metrics, which is the
/// issue's "$115 a day per 1,000 functions". Ours is priced as AWS bills: $0.01 per 1,000 metrics requested through
/// GetMetricData, plus $0.01 per 1,000 ListMetrics requests. The same scenario is in bench/Observe.Benchmarks.
/// </summary>
public class MetricsCostTests(ITestOutputHelper output)
{
    private const decimal PricePerThousand = 0.01m;

    [Fact]
    public async Task TypicalFleetOf1000_AtMost5DollarsADay_AndOver100TimesFewerCallsThanNaive()
    {
        // Half the functions had no data in 3 hours; of the rest 30% run every minute and 70% once an hour; 10 watched.
        var day = await MeasureDayAsync(1000, activeShare: 0.5, busyShare: 0.3);
        output.WriteLine(day.ToString());

        Assert.True(day.Dollars <= 5m, $"typical fleet: ${day.Dollars} a day");
        Assert.True(day.NaiveCalls >= 100 * day.Calls, $"typical fleet: {day.Calls} calls a day against {day.NaiveCalls}");

        // 500 active functions: every cold pass probes 1,000 metrics in 2 calls; 10 watched x 8 metrics in 1 call.
        Assert.Equal((1000, 2), (day.ColdProbeMetrics, day.ColdProbeCalls));
        Assert.Equal((80, 1), (day.WatchedMetricsPerPass, day.WatchedCallsPerPass));
    }

    [Fact]
    public async Task EveryFunctionBusy_CostIsEightMetricsPerColdPass_StillOver100TimesFewerCalls()
    {
        var day = await MeasureDayAsync(1000, activeShare: 1, busyShare: 1);
        output.WriteLine(day.ToString());

        // No function is idle: 96 cold passes x 1,000 functions x 8 metrics + 10 watched x 8 metrics x 1,344 other minutes.
        Assert.Equal(24 * ((4 * 8000) + (56 * 80)), day.Metrics);
        Assert.Equal((2000, 4, 6000, 12), (day.ColdProbeMetrics, day.ColdProbeCalls, day.ColdDetailMetrics, day.ColdDetailCalls));
        Assert.True(day.NaiveCalls >= 100 * day.Calls, $"{day.Calls} calls a day against {day.NaiveCalls}");
        Assert.Equal(8.7552m + (day.ListMetricsCalls * PricePerThousand / 1000), day.Dollars);
    }

    /// <summary>One steady hour (after the first pass's backfill and one warm-up hour), times 24.</summary>
    internal static async Task<CostDay> MeasureDayAsync(int functions, double activeShare, double busyShare)
    {
        ManualTimeProvider? clock = null;
        var fake = new FakeCloudWatch(new ClockOf(() => clock!));
        await using var rig = await MetricsRig.StartAsync(LambdaRecordedTests.DirectAccount(), new DateTimeOffset(2026, 11, 29, 10, 0, 30, TimeSpan.Zero), fake);
        clock = rig.Time;
        var active = (int)(functions * activeShare);
        var busy = (int)(active * busyShare);
        string[] metrics = ["Invocations", "Errors", "Throttles", "Duration", "ConcurrentExecutions"];
        for (var i = 0; i < functions; i++)
        {
            var name = $"fn-{i:00000}";
            var hourlyAt = i % 60;
            fake.Add(name, metrics, i >= active ? (_, _, _) => null
                : i < busy ? (m, s, t) => MetricsCollectorTests.Value(m, s, t)
                : (m, s, t) => t.Minute == hourlyAt ? MetricsCollectorTests.Value(m, s, t) : null);
        }

        // Ten open detail pages, each renewing its watch for longer than the test runs.
        foreach (var i in Enumerable.Range(0, 10))
        {
            await rig.Store.WatchFunctionAsync(rig.Fn($"fn-{i:00000}"), rig.Time.GetUtcNow().AddDays(1), CancellationToken.None);
        }

        await rig.CollectAsync();
        await rig.RunAsync(TimeSpan.FromHours(1));

        var cold = new List<GetMetricDataCall>();
        var watched = new List<GetMetricDataCall>();
        fake.ClearCalls();
        for (var pass = 0; pass < 60; pass++)
        {
            var before = fake.Calls.Count;
            await rig.RunAsync(TimeSpan.FromMinutes(1));
            var calls = fake.Calls.Skip(before).ToList();
            (rig.Time.GetUtcNow().Minute % 15 == 0 ? cold : watched).AddRange(calls);
        }

        var probe = cold.Where(c => c.Queries.All(q => q.Metric is "Invocations" or "Throttles")).ToList();
        var detail = cold.Except(probe).ToList();
        var metricsPerHour = fake.Calls.Sum(c => c.Queries.Count);
        var callsPerHour = fake.Calls.Count + fake.ListMetricsCalls;
        return new CostDay(
            Functions: functions,
            Calls: 24L * callsPerHour,
            Metrics: 24L * metricsPerHour,
            ListMetricsCalls: 24L * fake.ListMetricsCalls,
            ColdProbeMetrics: probe.Sum(c => c.Queries.Count) / 4,
            ColdProbeCalls: probe.Count / 4,
            ColdDetailMetrics: detail.Sum(c => c.Queries.Count) / 4,
            ColdDetailCalls: detail.Count / 4,
            WatchedMetricsPerPass: watched.Sum(c => c.Queries.Count) / 56,
            WatchedCallsPerPass: watched.Count / 56,
            NaiveCalls: 8L * functions * 1440,
            PricePerThousand: PricePerThousand);
    }

    private sealed class ClockOf(Func<TimeProvider> clock) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => clock().GetUtcNow();
    }
}

/// <summary>A day of collection for one fleet, extrapolated from one steady hour, and the naive way's day.</summary>
internal sealed record CostDay(
    int Functions,
    long Calls,
    long Metrics,
    long ListMetricsCalls,
    int ColdProbeMetrics,
    int ColdProbeCalls,
    int ColdDetailMetrics,
    int ColdDetailCalls,
    int WatchedMetricsPerPass,
    int WatchedCallsPerPass,
    long NaiveCalls,
    decimal PricePerThousand)
{
    public decimal Dollars => (Metrics + ListMetricsCalls) * PricePerThousand / 1000;

    public decimal NaiveDollars => NaiveCalls * PricePerThousand / 1000;
}
