using Observe.Store.Model;
using Observe.Store.Tests.Harness;

namespace Observe.Store.Tests;

/// <summary>
/// The anomaly rules' baseline read (<see cref="IFunctionBaselineReader"/>): per function, the median of its hourly
/// average durations and its peak invocations per window, over minutes and rolled-up hours alike, on both engines.
/// </summary>
public abstract class FunctionBaselineContractTests : StoreTestBase
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task GetFunctionBaselinesAsync_Minutes_MedianOfHourlyAveragesAndPeakPerWindow()
    {
        var points = new List<MetricPoint>();

        // Hours 0-29: one minute each with 10 invocations averaging 100 + hour ms; the 30 hourly averages are
        // 100..129, median (114 + 115) / 2.
        for (var hour = 0; hour < 30; hour++)
        {
            points.Add(Point(Fn("a"), (hour * 60) + 10, invocations: 10, duration: 100 + hour));
        }

        // Hour 20, minutes 0-4 (one window from the range's start): 35 invocations without a duration, the peak; the
        // hour's average stays that of its minute with a duration.
        points.AddRange(Enumerable.Range(0, 5).Select(m => Point(Fn("a"), 1200 + m, invocations: 7)));

        // Outside the range: before it and at its end.
        points.Add(Point(Fn("a"), -1, invocations: 1000, duration: 9999));
        points.Add(Point(Fn("a"), 48 * 60, invocations: 1000, duration: 9999));

        // Another function with invocations only; one in another account.
        points.Add(Point(Fn("b"), 100, invocations: 4));
        points.Add(Point(Fn("c", account: "222222222222"), 100, invocations: 4, duration: 50));
        await Store.WriteMetricsAsync(points, Ct);

        var baselines = (await Store.GetFunctionBaselinesAsync(FleetFilter.All, Minutes(0, 48 * 60), Window, Ct)).ToDictionary(b => b.Function);

        var a = baselines[Fn("a")];
        Assert.Equal((At(10), 114.5, 30, 35d), (a.Since, a.DurationMedianMs!.Value, a.DurationHours, a.InvocationsPeak));
        var b = baselines[Fn("b")];
        Assert.Equal((At(100), (double?)null, 0, 4d), (b.Since, b.DurationMedianMs, b.DurationHours, b.InvocationsPeak));
        Assert.Equal(3, baselines.Count);

        var filtered = await Store.GetFunctionBaselinesAsync(new FleetFilter("222222222222"), Minutes(0, 48 * 60), Window, Ct);
        Assert.Equal((Fn("c", account: "222222222222"), 50d), (Assert.Single(filtered).Function, filtered[0].DurationMedianMs!.Value));
    }

    [Fact]
    public async Task GetFunctionBaselinesAsync_HourWeightedByInvocations()
    {
        // One hour: 30 invocations at 100 ms and 10 at 500 ms average (30 x 100 + 10 x 500) / 40 = 200 ms.
        await Store.WriteMetricsAsync([Point(Fn("a"), 0, invocations: 30, duration: 100), Point(Fn("a"), 1, invocations: 10, duration: 500)], Ct);

        var baseline = Assert.Single(await Store.GetFunctionBaselinesAsync(FleetFilter.All, Minutes(0, 60), Window, Ct));

        Assert.Equal((200d, 1, 40d), (baseline.DurationMedianMs!.Value, baseline.DurationHours, baseline.InvocationsPeak));
    }

    [Fact]
    public async Task GetFunctionBaselinesAsync_RolledUpHours_CountAsOneBucketEach()
    {
        // Hours 0-2 at 100, 200 and 300 ms; hour 1 has 12 invocations spread over 12 minutes (at most 5 in a window).
        var points = new List<MetricPoint>
        {
            Point(Fn("a"), 0, invocations: 2, duration: 100),
            Point(Fn("a"), 120, invocations: 3, duration: 300),
        };
        points.AddRange(Enumerable.Range(0, 12).Select(m => Point(Fn("a"), 60 + m, invocations: 1, duration: 200)));
        await Store.WriteMetricsAsync(points, Ct);
        await Store.ApplyRetentionAsync(T0.AddDays(8), Ct);

        var baseline = Assert.Single(await Store.GetFunctionBaselinesAsync(FleetFilter.All, Minutes(0, 180), Window, Ct));

        // An hour's invocations are one bucket: 12, an upper bound of the 5 its busiest window had.
        Assert.Equal((At(0), 200d, 3, 12d), (baseline.Since, baseline.DurationMedianMs!.Value, baseline.DurationHours, baseline.InvocationsPeak));
    }

    [Fact]
    public async Task GetFunctionBaselinesAsync_WindowLongerThanRange_Throws()
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.GetFunctionBaselinesAsync(FleetFilter.All, Minutes(0, 4), Window, Ct));
    }
}

/// <summary>The baseline read on SQLite.</summary>
public sealed class SqliteFunctionBaselineTests : FunctionBaselineContractTests
{
    protected override Task<StoreLocation> UseLocationAsync() => Task.FromResult(Owned(new SqliteLocation()));

    protected override Task<StoreLocation> CreateFreshLocationAsync() => Task.FromResult<StoreLocation>(new SqliteLocation());
}

/// <summary>The baseline read on PostgreSQL.</summary>
public sealed class PostgresFunctionBaselineTests(PostgresDatabaseFixture database) : FunctionBaselineContractTests, IClassFixture<PostgresDatabaseFixture>
{
    protected override async Task<StoreLocation> UseLocationAsync() => await database.GetEmptyAsync();

    protected override async Task<StoreLocation> CreateFreshLocationAsync() => await PostgresLocation.CreateAsync();
}
