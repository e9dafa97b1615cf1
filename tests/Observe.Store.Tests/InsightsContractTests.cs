using Observe.Store.Model;
using Observe.Store.Tests.Harness;

namespace Observe.Store.Tests;

/// <summary>
/// Schema version 12, on both engines: the Lambda Insights figures of a function-minute are merged like the other
/// nullable fields, rolled into hours by their maximum (memory, init duration) or sum (CPU time, network), read back on
/// the series and in the per-function figures, and stay unknown (null) where nothing was read.
/// </summary>
public abstract class InsightsContractTests : StoreTestBase
{
    [Fact]
    public async Task WriteMetricsAsync_InsightsFields_NullKeepsWhatIsStored_ValueOverwrites()
    {
        await Store.WriteMetricsAsync([Insights(Fn("a"), 0, memory: 40, used: 200, cpu: 900, network: 5000, init: 350) with { Invocations = 3 }], Ct);

        // The logs collector writes cold starts without Insights figures; a later metrics read revises one figure.
        await Store.WriteMetricsAsync([Point(Fn("a"), 0, coldStarts: 1)], Ct);
        await Store.WriteMetricsAsync([new MetricPoint { Function = Fn("a"), Minute = At(0), InsightsMemoryUtilizationMax = 55 }], Ct);
        await Store.WriteMetricsAsync([Point(Fn("b"), 0, invocations: 7)], Ct);

        var a = Assert.Single(await Store.GetFunctionSeriesAsync(Fn("a"), Minutes(0, 1), SeriesResolution.Minute, Ct));
        Assert.Equal((3d, 1d), (a.Invocations, a.ColdStarts));
        Assert.Equal(((double?)55, (double?)200, (double?)900, (double?)5000, (double?)350), InsightsOf(a));

        var b = Assert.Single(await Store.GetFunctionSeriesAsync(Fn("b"), Minutes(0, 1), SeriesResolution.Minute, Ct));
        Assert.Equal((null, null, null, null, null), InsightsOf(b));
    }

    [Fact]
    public async Task WriteMetricsAsync_OnlyInsightsChange_FleetTotalsUnchanged()
    {
        await Store.WriteMetricsAsync([Point(Fn("a"), 0, invocations: 4, errors: 1)], Ct);
        var before = await Store.GetOverviewAsync(FleetFilter.All, Minutes(0, 1), TimeSpan.FromMinutes(1), Ct);

        await Store.WriteMetricsAsync([Insights(Fn("a"), 0, memory: 90, used: 900, cpu: 10, network: 10, init: null)], Ct);

        var after = await Store.GetOverviewAsync(FleetFilter.All, Minutes(0, 1), TimeSpan.FromMinutes(1), Ct);
        Assert.Equal((before.Invocations, before.Errors, before.UnreadErrorInvocations), (after.Invocations, after.Errors, after.UnreadErrorInvocations));
        Assert.Equal((null, null, null, null, null), InsightsOf(Assert.Single(after.Series)));
    }

    [Fact]
    public async Task ApplyRetentionAsync_InsightsRolledUp_MaximaKeptSumsSummed_UnknownHourStaysNull()
    {
        // Hour 0: every third minute has Insights figures (init only on cold minutes); hour 1: none at all.
        var points = Enumerable.Range(0, 120).Select(m => m < 60 && m % 3 == 0
            ? Insights(Fn("a"), m, memory: 20 + (m % 17), used: 100 + m, cpu: 10 * m, network: 1000 + m, init: m % 9 == 0 ? 200 + m : null) with { Invocations = 2 }
            : Point(Fn("a"), m, invocations: 2)).ToList();
        await Store.WriteMetricsAsync(points, Ct);
        var before = await Store.GetFunctionSeriesAsync(Fn("a"), Minutes(0, 120), SeriesResolution.Hour, Ct);

        await Store.ApplyRetentionAsync(T0.AddDays(7).AddMinutes(150), Ct);
        Assert.Equal(0, await Location.ScalarAsync("SELECT COUNT(*) FROM metric_minute"));

        var after = await Store.GetFunctionSeriesAsync(Fn("a"), Minutes(0, 120), SeriesResolution.Hour, Ct);
        Assert.Equal(before.Select(InsightsOf), after.Select(InsightsOf));
        var known = points.Where(p => p.InsightsMemoryUtilizationMax is not null).ToList();
        Assert.Equal(
            (known.Max(p => p.InsightsMemoryUtilizationMax), known.Max(p => p.InsightsUsedMemoryMaxMb), known.Sum(p => p.InsightsCpuTotalTimeMs),
             known.Sum(p => p.InsightsNetworkBytes), known.Max(p => p.InsightsInitDurationMaxMs)),
            InsightsOf(after[0]));
        Assert.Equal((null, null, null, null, null), InsightsOf(after[1]));
        Assert.Equal(after.Select(InsightsOf), (await Store.GetFunctionSeriesAsync(Fn("a"), Minutes(0, 120), SeriesResolution.Minute, Ct)).Select(InsightsOf));
    }

    [Fact]
    public async Task GetFunctionStatsAsync_InsightsMemory_HighestOverMinutesAndHours_NullWithoutInsights()
    {
        // Minute 10 is rolled into its hour, minute 130 stays a minute: the range spans both tables.
        await Store.WriteMetricsAsync(
        [
            Insights(Fn("a"), 10, memory: 81, used: 410, cpu: 1, network: 1, init: null) with { Invocations = 1 },
            Insights(Fn("a"), 11, memory: 35, used: 500, cpu: 1, network: 1, init: null) with { Invocations = 1 },
            Insights(Fn("a"), 130, memory: 60, used: 300, cpu: 1, network: 1, init: null) with { Invocations = 1 },
            Point(Fn("b"), 130, invocations: 5),
        ], Ct);
        await Store.ApplyRetentionAsync(T0.AddDays(7).AddMinutes(120), Ct);

        var stats = (await Store.GetFunctionStatsAsync(FleetFilter.All, Minutes(0, 180), Ct)).ToDictionary(s => s.Function);

        Assert.Equal(((double?)81, (double?)500), (stats[Fn("a")].InsightsMemoryUtilizationMax, stats[Fn("a")].InsightsUsedMemoryMaxMb));
        Assert.Equal(((double?)null, (double?)null), (stats[Fn("b")].InsightsMemoryUtilizationMax, stats[Fn("b")].InsightsUsedMemoryMaxMb));
        var recent = (await Store.GetFunctionStatsAsync(FleetFilter.All, Minutes(120, 180), Ct)).Single(s => s.Function == Fn("a"));
        Assert.Equal(((double?)60, (double?)300), (recent.InsightsMemoryUtilizationMax, recent.InsightsUsedMemoryMaxMb));
    }

    [Fact]
    public async Task MigrateAsync_VersionElevenDatabase_KeepsMinutesAndHours_InsightsUnknown()
    {
        var location = await FreshLocationAsync();
        await Open(location).MigrateToAsync(11, Ct);
        var minute = At(0).ToUnixTimeMilliseconds() / 60_000;
        await location.ExecuteAsync($$"""
            INSERT INTO fn (account_id, region, name) VALUES ('111111111111', 'eu-west-1', 'a');
            INSERT INTO metric_minute (fid, minute, invocations) VALUES (1, {{minute}}, 3);
            INSERT INTO metric_hour (fid, hour, invocations, errors, throttles, cold_starts, duration_weighted, duration_weight)
            VALUES (1, {{minute / 60 - 5}}, 8, 0, 0, 0, 0, 0);
            """);

        var store = Open(location);
        await store.MigrateAsync(Ct);

        var series = await store.GetFunctionSeriesAsync(Fn("a"), new TimeRange(At(-360), At(1)), SeriesResolution.Minute, Ct);
        Assert.Equal([8d, 3d], series.Select(b => b.Invocations));
        Assert.All(series, b => Assert.Equal((null, null, null, null, null), InsightsOf(b)));
    }

    private static MetricPoint Insights(FunctionKey function, int minute, double? memory, double? used, double? cpu, double? network, double? init) => new()
    {
        Function = function,
        Minute = At(minute),
        InsightsMemoryUtilizationMax = memory,
        InsightsUsedMemoryMaxMb = used,
        InsightsCpuTotalTimeMs = cpu,
        InsightsNetworkBytes = network,
        InsightsInitDurationMaxMs = init,
    };

    private static (double?, double?, double?, double?, double?) InsightsOf(MetricBucket b) =>
        (b.InsightsMemoryUtilizationMax, b.InsightsUsedMemoryMaxMb, b.InsightsCpuTotalTimeMs, b.InsightsNetworkBytes, b.InsightsInitDurationMaxMs);
}

/// <summary>The version 12 contract on SQLite.</summary>
public sealed class SqliteInsightsTests : InsightsContractTests
{
    protected override Task<StoreLocation> UseLocationAsync() => Task.FromResult(Owned(new SqliteLocation()));

    protected override Task<StoreLocation> CreateFreshLocationAsync() => Task.FromResult<StoreLocation>(new SqliteLocation());
}

/// <summary>The version 12 contract on PostgreSQL.</summary>
public sealed class PostgresInsightsTests(PostgresDatabaseFixture database) : InsightsContractTests, IClassFixture<PostgresDatabaseFixture>
{
    protected override async Task<StoreLocation> UseLocationAsync() => await database.GetEmptyAsync();

    protected override async Task<StoreLocation> CreateFreshLocationAsync() => await PostgresLocation.CreateAsync();
}
