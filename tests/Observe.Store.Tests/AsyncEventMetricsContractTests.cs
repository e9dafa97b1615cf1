using Observe.Store.Model;
using Observe.Store.Tests.Harness;

namespace Observe.Store.Tests;

/// <summary>
/// Schema version 3: dead-letter errors and dropped async events per function-minute, through the merge, the hourly
/// rollup and the fleet aggregate, on both engines.
/// </summary>
public abstract class AsyncEventMetricsContractTests : StoreTestBase
{
    [Fact]
    public async Task WriteMetricsAsync_DeadLetterAndDropped_MergeLikeOtherFields_AndStayNullWhenUnknown()
    {
        var f = Fn("orders");
        await Store.WriteMetricsAsync([Point(f, 0, invocations: 10) with { DeadLetterErrors = 2, AsyncEventsDropped = 1 }], Ct);

        // Another writer (the logs collector) knows nothing of them: its null fields keep what is stored.
        await Store.WriteMetricsAsync([Point(f, 0, coldStarts: 3), Point(f, 1, invocations: 4)], Ct);
        await Store.WriteMetricsAsync([Point(f, 0, invocations: 10) with { DeadLetterErrors = 5 }], Ct);

        var series = await Store.GetFunctionSeriesAsync(f, Minutes(0, 2), SeriesResolution.Minute, Ct);

        Assert.Equal((5d, 1d, 3d), (series[0].DeadLetterErrors!.Value, series[0].AsyncEventsDropped!.Value, series[0].ColdStarts));
        Assert.Equal((null, null), (series[1].DeadLetterErrors, series[1].AsyncEventsDropped));
        var hour = Assert.Single(await Store.GetFunctionSeriesAsync(f, Minutes(0, 60), SeriesResolution.Hour, Ct));
        Assert.Equal((5d, 1d), (hour.DeadLetterErrors!.Value, hour.AsyncEventsDropped!.Value));
    }

    [Fact]
    public async Task GetOverviewAsync_DeadLetterAndDropped_SummedOverFunctions_AndFollowRevisions()
    {
        await Store.WriteMetricsAsync(
        [
            Point(Fn("a"), 0, invocations: 1) with { DeadLetterErrors = 1, AsyncEventsDropped = 2 },
            Point(Fn("b"), 0, invocations: 1) with { DeadLetterErrors = 3 },
            Point(Fn("c", region: "us-east-1"), 1, invocations: 1) with { AsyncEventsDropped = 7 },
        ], Ct);
        await Store.WriteMetricsAsync([Point(Fn("b"), 0, invocations: 1) with { DeadLetterErrors = 4 }], Ct);

        var overview = await Store.GetOverviewAsync(FleetFilter.All, Minutes(0, 2), TimeSpan.FromMinutes(1), Ct);

        Assert.Equal([5d, 0d], overview.Series.Select(b => b.DeadLetterErrors!.Value));
        Assert.Equal([2d, 7d], overview.Series.Select(b => b.AsyncEventsDropped!.Value));
    }

    [Fact]
    public async Task ApplyRetentionAsync_DeadLetterAndDropped_RolledIntoEqualHours()
    {
        var f = Fn("orders");
        var now = T0.AddDays(8);
        var points = Enumerable.Range(0, 120)
            .Select(m => Point(f, m, invocations: 1) with { DeadLetterErrors = m % 3, AsyncEventsDropped = m < 60 ? null : m % 2 })
            .ToList();
        await Store.WriteMetricsAsync(points, Ct);
        var before = await Store.GetFunctionSeriesAsync(f, Minutes(0, 120), SeriesResolution.Hour, Ct);
        var fleetBefore = await Store.GetOverviewAsync(FleetFilter.All, Minutes(0, 120), TimeSpan.FromHours(1), Ct);

        await Store.ApplyRetentionAsync(now, Ct);

        var after = await Store.GetFunctionSeriesAsync(f, Minutes(0, 120), SeriesResolution.Hour, Ct);
        Assert.Equal(before.Select(b => (b.DeadLetterErrors, b.AsyncEventsDropped)), after.Select(b => (b.DeadLetterErrors, b.AsyncEventsDropped)));
        Assert.Equal([(60d, (double?)null), (60d, 30d)], after.Select(b => (b.DeadLetterErrors!.Value, b.AsyncEventsDropped)));
        var fleetAfter = await Store.GetOverviewAsync(FleetFilter.All, Minutes(0, 120), TimeSpan.FromHours(1), Ct);
        Assert.Equal(fleetBefore.Series.Select(b => (b.DeadLetterErrors, b.AsyncEventsDropped)), fleetAfter.Series.Select(b => (b.DeadLetterErrors, b.AsyncEventsDropped)));
    }

    [Fact]
    public async Task MigrateAsync_VersionTwoDatabaseWithData_AddsTheColumnsAndKeepsRows()
    {
        var location = await FreshLocationAsync();
        await Open(location).MigrateToAsync(2, Ct);
        var minute = At(0).ToUnixTimeMilliseconds() / 60_000;
        await location.ExecuteAsync($$"""
            INSERT INTO fn (account_id, region, name) VALUES ('111111111111', 'eu-west-1', 'orders');
            INSERT INTO metric_minute (fid, minute, invocations, errors) VALUES (1, {{minute}}, 10, 1);
            INSERT INTO fleet_minute (minute, account_id, region, invocations, errors, throttles, cold_starts,
                duration_weighted, duration_weight, concurrency, concurrency_count)
            VALUES ({{minute}}, '111111111111', 'eu-west-1', 10, 1, 0, 0, 0, 0, 0, 0);
            """);

        var store = Open(location);
        await store.MigrateAsync(Ct);
        await store.WriteMetricsAsync([Point(Fn("orders"), 0, invocations: 10) with { DeadLetterErrors = 2 }], Ct);

        var bucket = Assert.Single(await store.GetFunctionSeriesAsync(Fn("orders"), Minutes(0, 1), SeriesResolution.Minute, Ct));
        Assert.Equal((10d, 1d, 2d, (double?)null), (bucket.Invocations, bucket.Errors, bucket.DeadLetterErrors!.Value, bucket.AsyncEventsDropped));
        var overview = await store.GetOverviewAsync(FleetFilter.All, Minutes(0, 1), TimeSpan.FromMinutes(1), Ct);
        Assert.Equal((10d, 2d, 0d), (overview.Invocations, overview.Series[0].DeadLetterErrors!.Value, overview.Series[0].AsyncEventsDropped!.Value));
    }
}

/// <summary>The version 3 contract on SQLite.</summary>
public sealed class SqliteAsyncEventMetricsTests : AsyncEventMetricsContractTests
{
    protected override Task<StoreLocation> UseLocationAsync() => Task.FromResult(Owned(new SqliteLocation()));

    protected override Task<StoreLocation> CreateFreshLocationAsync() => Task.FromResult<StoreLocation>(new SqliteLocation());
}

/// <summary>The version 3 contract on PostgreSQL.</summary>
public sealed class PostgresAsyncEventMetricsTests(PostgresDatabaseFixture database) : AsyncEventMetricsContractTests, IClassFixture<PostgresDatabaseFixture>
{
    protected override async Task<StoreLocation> UseLocationAsync() => await database.GetEmptyAsync();

    protected override async Task<StoreLocation> CreateFreshLocationAsync() => await PostgresLocation.CreateAsync();
}
