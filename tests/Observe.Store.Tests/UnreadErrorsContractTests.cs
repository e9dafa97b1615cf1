using Observe.Store.Model;
using Observe.Store.Tests.Harness;

namespace Observe.Store.Tests;

/// <summary>
/// Schema version 9: a function-minute with invocations and no error count (the metrics collector could not read
/// Errors) makes the fleet's error total unknown, through the merge, the hourly rollup and the migration, on both engines.
/// </summary>
public abstract class UnreadErrorsContractTests : StoreTestBase
{
    [Fact]
    public async Task GetOverviewAsync_ErrorsNotRead_RateIsUnknownNotZero_UntilTheyAreRead()
    {
        await Store.WriteMetricsAsync(
        [
            Point(Fn("a"), 0, invocations: 10),
            Point(Fn("a"), 1, invocations: 0),
            Point(Fn("b"), 0, invocations: 5, errors: 1),
            Point(Fn("c", region: "us-east-1"), 1, invocations: 7),
        ], Ct);

        var overview = await Store.GetOverviewAsync(FleetFilter.All, Minutes(0, 2), TimeSpan.FromMinutes(1), Ct);

        // A minute without invocations has no errors to read; the others are unknown, so the total is a lower bound.
        Assert.Equal((22d, 1d, 17d, false, (double?)null), (overview.Invocations, overview.Errors, overview.UnreadErrorInvocations, overview.ErrorsKnown, overview.ErrorRate));
        var eu = await Store.GetOverviewAsync(new FleetFilter(Region: "eu-west-1"), Minutes(0, 2), TimeSpan.FromMinutes(1), Ct);
        Assert.Equal(10d, eu.UnreadErrorInvocations);

        // The series says which buckets' error counts are only partly known, for the fleet and for one function.
        Assert.Equal([10d, 7d], overview.Series.Select(b => b.UnreadErrorInvocations));
        var series = await Store.GetFunctionSeriesAsync(Fn("a"), Minutes(0, 2), SeriesResolution.Minute, Ct);
        Assert.Equal([10d, 0d], series.Select(b => b.UnreadErrorInvocations));
        var hour = Assert.Single(await Store.GetFunctionSeriesAsync(Fn("a"), Minutes(0, 60), SeriesResolution.Hour, Ct));
        Assert.Equal(10d, hour.UnreadErrorInvocations);

        // Read later (a retried query): the merge replaces the unknown with the figure, and the rate becomes known.
        await Store.WriteMetricsAsync([Point(Fn("a"), 0, errors: 2), Point(Fn("c", region: "us-east-1"), 1, errors: 0)], Ct);

        overview = await Store.GetOverviewAsync(FleetFilter.All, Minutes(0, 2), TimeSpan.FromMinutes(1), Ct);
        Assert.Equal((3d, 0d, true, 3d / 22), (overview.Errors, overview.UnreadErrorInvocations, overview.ErrorsKnown, overview.ErrorRate!.Value));
    }

    [Fact]
    public async Task ApplyRetentionAsync_UnreadErrors_RolledIntoHours_StillUnknown()
    {
        var points = Enumerable.Range(0, 120).Select(m => Point(Fn("a"), m, invocations: 2, errors: m < 30 ? null : 1)).ToList();
        await Store.WriteMetricsAsync(points, Ct);

        await Store.ApplyRetentionAsync(T0.AddDays(8), Ct);

        var overview = await Store.GetOverviewAsync(FleetFilter.All, Minutes(0, 120), TimeSpan.FromHours(1), Ct);
        Assert.Equal((240d, 90d, 60d, (double?)null), (overview.Invocations, overview.Errors, overview.UnreadErrorInvocations, overview.ErrorRate));
    }

    [Fact]
    public async Task MigrateAsync_VersionSixDatabaseWithUnreadErrors_CountsThemInTheFleetAggregate()
    {
        var location = await FreshLocationAsync();
        await Open(location).MigrateToAsync(6, Ct);
        var minute = At(0).ToUnixTimeMilliseconds() / 60_000;

        // What today's collector left behind when the Errors query failed: invocations stored, errors NULL, and a
        // fleet row counting those NULLs as 0 errors.
        await location.ExecuteAsync($$"""
            INSERT INTO fn (account_id, region, name) VALUES ('111111111111', 'eu-west-1', 'a');
            INSERT INTO fn (account_id, region, name) VALUES ('111111111111', 'eu-west-1', 'b');
            INSERT INTO metric_minute (fid, minute, invocations, errors) VALUES (1, {{minute}}, 10, NULL);
            INSERT INTO metric_minute (fid, minute, invocations, errors) VALUES (2, {{minute}}, 5, 1);
            INSERT INTO metric_minute (fid, minute, invocations, errors) VALUES (2, {{minute + 1}}, 4, 0);
            INSERT INTO fleet_minute (minute, account_id, region, invocations, errors, throttles, cold_starts,
                duration_weighted, duration_weight, concurrency, concurrency_count)
            VALUES ({{minute}}, '111111111111', 'eu-west-1', 15, 1, 0, 0, 0, 0, 0, 0),
                   ({{minute + 1}}, '111111111111', 'eu-west-1', 4, 0, 0, 0, 0, 0, 0, 0);
            """);

        var store = Open(location);
        await store.MigrateAsync(Ct);

        var overview = await store.GetOverviewAsync(FleetFilter.All, Minutes(0, 2), TimeSpan.FromMinutes(1), Ct);
        Assert.Equal((19d, 1d, 10d, (double?)null), (overview.Invocations, overview.Errors, overview.UnreadErrorInvocations, overview.ErrorRate));

        await store.WriteMetricsAsync([Point(Fn("a"), 0, errors: 3)], Ct);
        overview = await store.GetOverviewAsync(FleetFilter.All, Minutes(0, 2), TimeSpan.FromMinutes(1), Ct);
        Assert.Equal((4d, 0d, 4d / 19), (overview.Errors, overview.UnreadErrorInvocations, overview.ErrorRate!.Value));
    }
}

/// <summary>The version 9 contract on SQLite.</summary>
public sealed class SqliteUnreadErrorsTests : UnreadErrorsContractTests
{
    protected override Task<StoreLocation> UseLocationAsync() => Task.FromResult(Owned(new SqliteLocation()));

    protected override Task<StoreLocation> CreateFreshLocationAsync() => Task.FromResult<StoreLocation>(new SqliteLocation());
}

/// <summary>The version 9 contract on PostgreSQL.</summary>
public sealed class PostgresUnreadErrorsTests(PostgresDatabaseFixture database) : UnreadErrorsContractTests, IClassFixture<PostgresDatabaseFixture>
{
    protected override async Task<StoreLocation> UseLocationAsync() => await database.GetEmptyAsync();

    protected override async Task<StoreLocation> CreateFreshLocationAsync() => await PostgresLocation.CreateAsync();
}
