using Observe.Store.Model;
using Observe.Store.Tests.Harness;

namespace Observe.Store.Tests;

/// <summary>
/// Schema version 11, on both engines: per-function figures over a range (minutes, rolled-up hours and invocation
/// reports), the last invocation per function, watches recorded in the store, and deploy markers.
/// </summary>
public abstract class FleetPagesContractTests : StoreTestBase
{
    [Fact]
    public async Task GetFunctionStatsAsync_MinutesAndReports_SummedPerFunction_UnreadErrorsKept()
    {
        await Store.WriteMetricsAsync(
        [
            Point(Fn("a"), 0, invocations: 10, errors: 1, throttles: 2, duration: 100, p99: 300, coldStarts: 1),
            Point(Fn("a"), 1, invocations: 30, errors: 2, duration: 200, p99: 900),
            Point(Fn("a"), 2, invocations: 5),
            Point(Fn("b", region: "us-east-1"), 1, invocations: 4, errors: 0, duration: 50),
            Point(Fn("c"), 10, invocations: 99, errors: 0),
        ], Ct);
        await Store.WriteInvocationReportsAsync(
        [
            Report(Fn("a"), "r1", 0, maxMemory: 120, init: 350),
            Report(Fn("a"), "r2", 1, maxMemory: 200, status: "timeout"),
            Report(Fn("a"), "r3", 2, maxMemory: 90),
            Report(Fn("b", region: "us-east-1"), "r4", 1, maxMemory: 64),
            Report(Fn("a"), "late", 10, maxMemory: 500),
        ], Ct);

        var stats = (await Store.GetFunctionStatsAsync(FleetFilter.All, Minutes(0, 3), Ct)).ToDictionary(s => s.Function);

        Assert.Equal([Fn("a"), Fn("b", region: "us-east-1")], stats.Keys.OrderBy(k => k.Region).ThenBy(k => k.Name));
        var a = stats[Fn("a")];
        Assert.Equal((45d, 3d, 5d, 2d, 1d), (a.Invocations, a.Errors, a.UnreadErrorInvocations, a.Throttles, a.ColdStarts));
        Assert.Equal((10 * 100d + 30 * 200d, 40d, (double?)900), (a.DurationTotalMs, a.DurationInvocations, a.DurationP99MaxMs));
        Assert.Equal((3, (int?)200, 1, (double?)350), (a.Reports, a.MaxMemoryUsedMb, a.Timeouts, a.InitDurationMaxMs));

        var eu = Assert.Single(await Store.GetFunctionStatsAsync(new FleetFilter(Region: "eu-west-1"), Minutes(0, 3), Ct));
        Assert.Equal(Fn("a"), eu.Function);
        Assert.True(a.SeriesRead);
    }

    [Fact]
    public async Task GetFunctionStatsAsync_OnlyReportsStored_SeriesNotRead_SoInvocationsAreUnknownNotZero()
    {
        await Store.WriteInvocationReportsAsync([Report(Fn("reports-only"), "r1", 1, maxMemory: 70)], Ct);

        var only = Assert.Single(await Store.GetFunctionStatsAsync(FleetFilter.All, Minutes(0, 3), Ct));

        Assert.Equal((Fn("reports-only"), false, 1), (only.Function, only.SeriesRead, only.Reports));
    }

    [Fact]
    public async Task GetFunctionStatsAsync_RangeOverRolledUpHours_CountsEachMinuteOnce()
    {
        // Two hours of minutes; retention rolls the first into an hour, the second stays as minutes.
        await Store.WriteMetricsAsync([.. Enumerable.Range(0, 120).Select(m => Point(Fn("a"), m, invocations: 2, errors: 1, duration: 10, p99: m))], Ct);
        await Store.ApplyRetentionAsync(T0.AddDays(7).AddMinutes(60), Ct);

        var stats = Assert.Single(await Store.GetFunctionStatsAsync(FleetFilter.All, Minutes(0, 120), Ct));

        Assert.Equal((240d, 120d, 2400d, 240d, (double?)119), (stats.Invocations, stats.Errors, stats.DurationTotalMs, stats.DurationInvocations, stats.DurationP99MaxMs));
    }

    [Fact]
    public async Task GetLastInvocationsAsync_FollowsTheLatestMinuteWithInvocations_NotLaterEmptyMinutes()
    {
        await Store.WriteMetricsAsync([Point(Fn("a"), 5, invocations: 1), Point(Fn("a"), 9, invocations: 0), Point(Fn("b"), 2, invocations: 0)], Ct);
        await Store.WriteMetricsAsync([Point(Fn("a"), 3, invocations: 4)], Ct);

        var last = await Store.GetLastInvocationsAsync(FleetFilter.All, Ct);

        Assert.Equal(At(5), Assert.Single(last, l => l.Key == Fn("a")).Value);
        Assert.DoesNotContain(Fn("b"), last.Keys);
        Assert.Empty(await Store.GetLastInvocationsAsync(new FleetFilter("999999999999"), Ct));
    }

    [Fact]
    public async Task MigrateAsync_VersionTenDatabase_LastInvocationsFilledFromStoredMinutesAndHours()
    {
        var location = await FreshLocationAsync();
        await Open(location).MigrateToAsync(10, Ct);
        var minute = At(0).ToUnixTimeMilliseconds() / 60_000;
        await location.ExecuteAsync($$"""
            INSERT INTO fn (account_id, region, name) VALUES ('111111111111', 'eu-west-1', 'a');
            INSERT INTO fn (account_id, region, name) VALUES ('111111111111', 'eu-west-1', 'b');
            INSERT INTO metric_minute (fid, minute, invocations) VALUES (1, {{minute}}, 3);
            INSERT INTO metric_minute (fid, minute, invocations) VALUES (1, {{minute + 7}}, 0);
            INSERT INTO metric_hour (fid, hour, invocations, errors, throttles, cold_starts, duration_weighted, duration_weight)
            VALUES (2, {{minute / 60 - 5}}, 8, 0, 0, 0, 0, 0);
            """);

        var store = Open(location);
        await store.MigrateAsync(Ct);

        var last = await store.GetLastInvocationsAsync(FleetFilter.All, Ct);
        Assert.Equal(At(0), last[Fn("a")]);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds((minute / 60 - 5) * 3_600_000), last[Fn("b")]);
    }

    [Fact]
    public async Task WatchFunctionAsync_ReadByAnotherProcess_UntilItLapses_LaterExpiryKept()
    {
        await Store.WatchFunctionAsync(Fn("a"), At(10), Ct);
        await Store.WatchFunctionAsync(Fn("a"), At(5), Ct);
        await Store.WatchFunctionAsync(Fn("b"), At(3), Ct);

        // A collector in the worker opens its own store on the same database.
        var other = Open(Location);
        Assert.Equal([Fn("a"), Fn("b")], await other.GetWatchedFunctionsAsync(At(2), Ct));
        Assert.Equal([Fn("a")], await other.GetWatchedFunctionsAsync(At(3), Ct));
        Assert.Empty(await other.GetWatchedFunctionsAsync(At(10), Ct));

        await Store.ApplyRetentionAsync(At(4), Ct);
        Assert.Equal([Fn("a")], await other.GetWatchedFunctionsAsync(At(0), Ct));
    }

    [Fact]
    public async Task RecordFunctionChangesAsync_Replayed_StoredOnce_ReadNewestFirstByFunctionAndRange()
    {
        FunctionChange[] changes =
        [
            new(Fn("a"), At(1), "version", "version 7 published"),
            new(Fn("a"), At(5), "configuration", "memory 512 → 1024 MB"),
            new(Fn("a"), At(5), "alias", "live → 7"),
            new(Fn("b"), At(2), "code", "code changed"),
        ];
        await Store.RecordFunctionChangesAsync(changes, Ct);
        await Store.RecordFunctionChangesAsync(changes[..2], Ct);

        var ofA = await Store.GetFunctionChangesAsync(FleetFilter.All, Fn("a"), Minutes(0, 10), 10, Ct);
        Assert.Equal([changes[2], changes[1], changes[0]], ofA);
        Assert.Equal([changes[2], changes[1]], (await Store.GetFunctionChangesAsync(FleetFilter.All, null, Minutes(3, 10), 10, Ct)).OrderBy(c => c.Kind));
        Assert.Equal(3, (await Store.GetFunctionChangesAsync(FleetFilter.All, null, Minutes(0, 10), 3, Ct)).Count);
        Assert.Empty(await Store.GetFunctionChangesAsync(new FleetFilter(Region: "us-east-1"), null, Minutes(0, 10), 10, Ct));
    }

    [Fact]
    public async Task CountFunctionChangesAsync_CountsEachChangedFunctionInTheRangeAndFilter()
    {
        await Store.RecordFunctionChangesAsync(
        [
            new(Fn("a"), At(1), "version", "version 7 published"),
            new(Fn("a"), At(5), "configuration", "memory 512 → 1024 MB"),
            new(Fn("a"), At(5), "alias", "live → 7"),
            new(Fn("b"), At(2), "code", "code changed"),
            new(Fn("c"), At(10), "code", "code changed"),
        ], Ct);

        Assert.Equal(new Dictionary<FunctionKey, int> { [Fn("a")] = 3, [Fn("b")] = 1 }, await Store.CountFunctionChangesAsync(FleetFilter.All, Minutes(0, 10), Ct));
        // The range's end is excluded, like every range read.
        Assert.Equal(new Dictionary<FunctionKey, int> { [Fn("a")] = 2 }, await Store.CountFunctionChangesAsync(FleetFilter.All, Minutes(3, 10), Ct));
        Assert.Empty(await Store.CountFunctionChangesAsync(FleetFilter.All, Minutes(11, 20), Ct));
        Assert.Empty(await Store.CountFunctionChangesAsync(new FleetFilter(Region: "us-east-1"), Minutes(0, 20), Ct));
        Assert.Equal(3, (await Store.CountFunctionChangesAsync(new FleetFilter(Fn("a").AccountId, Fn("a").Region), Minutes(0, 20), Ct)).Count);
    }

    [Fact]
    public async Task GetFunctionAsync_LiveDeletedAndUnknown()
    {
        await Store.UpsertFunctionsAsync([Function(Fn("a")), Function(Fn("b"))], Ct);
        await Store.MarkDeletedExceptAsync("111111111111", "eu-west-1", ["a"], At(3), Ct);

        Assert.Equal(Function(Fn("a")).Arn, (await Store.GetFunctionAsync(Fn("a"), Ct))!.Arn);
        Assert.Equal(At(3), (await Store.GetFunctionAsync(Fn("b"), Ct))!.DeletedAt);
        Assert.Null(await Store.GetFunctionAsync(Fn("nope"), Ct));
    }

    private static InvocationReport Report(FunctionKey function, string requestId, int minute, int maxMemory, double? init = null, string status = "success") => new()
    {
        Function = function,
        RequestId = requestId,
        Timestamp = At(minute).AddSeconds(10),
        DurationMs = 100,
        BilledDurationMs = 100,
        MemorySizeMb = 512,
        MaxMemoryUsedMb = maxMemory,
        InitDurationMs = init,
        Status = status,
    };
}

/// <summary>The version 11 contract on SQLite.</summary>
public sealed class SqliteFleetPagesTests : FleetPagesContractTests
{
    protected override Task<StoreLocation> UseLocationAsync() => Task.FromResult(Owned(new SqliteLocation()));

    protected override Task<StoreLocation> CreateFreshLocationAsync() => Task.FromResult<StoreLocation>(new SqliteLocation());
}

/// <summary>The version 11 contract on PostgreSQL.</summary>
public sealed class PostgresFleetPagesTests(PostgresDatabaseFixture database) : FleetPagesContractTests, IClassFixture<PostgresDatabaseFixture>
{
    protected override async Task<StoreLocation> UseLocationAsync() => await database.GetEmptyAsync();

    protected override async Task<StoreLocation> CreateFreshLocationAsync() => await PostgresLocation.CreateAsync();
}
