using Observe.Store.Model;
using Observe.Store.Tests.Harness;

namespace Observe.Store.Tests;

/// <summary>
/// Schema version 16, on both engines: init events (<c>platform.initReport</c>) stored once however often written,
/// and the Cold starts page's read of reports' init and restore durations and init events per function.
/// </summary>
public abstract class ColdStartContractTests : StoreTestBase
{
    [Fact]
    public async Task GetColdStartsAsync_ReportsAndInitEvents_PerFunctionWithinTheRangeAndFilter()
    {
        await Store.WriteInvocationReportsAsync(
        [
            Report(Fn("orders"), "r1", At(1), init: 412.5),
            Report(Fn("orders"), "r2", At(2)),
            Report(Fn("orders"), "r3", At(3), init: 380),
            Report(Fn("orders"), "r4", At(4), restore: 210.25),
            Report(Fn("orders"), "r-before", At(-5), init: 999),
            Report(Fn("billing", region: "us-east-1"), "r5", At(5), init: 1200),
            Report(Fn("quiet"), "r6", At(6)),
        ], Ct);
        await Store.WriteInitEventsAsync(
        [
            new InitEvent(Fn("orders"), At(1), InitializationType.OnDemand, 412.5, "success"),
            new InitEvent(Fn("orders"), At(3), InitializationType.OnDemand, 380, "success"),
            new InitEvent(Fn("orders"), At(0), InitializationType.ProvisionedConcurrency, 1890.25, "success"),
            new InitEvent(Fn("orders"), At(7), InitializationType.OnDemand, 10000, "timeout"),
            new InitEvent(Fn("prewarmed"), At(8), InitializationType.ProvisionedConcurrency, 700, "success"),
        ], Ct);

        var all = (await Store.GetColdStartsAsync(FleetFilter.All, Minutes(0, 60), Ct)).ToDictionary(c => c.Function);

        Assert.Equal(["billing", "orders", "prewarmed", "quiet"], all.Keys.Select(k => k.Name).Order());
        var orders = all[Fn("orders")];
        Assert.Equal(4, orders.Invocations);
        Assert.Equal([380, 412.5], orders.InitDurationsMs.Order());
        Assert.Equal([210.25], orders.RestoreDurationsMs);
        Assert.Equal([380, 412.5, 10000], orders.InitEventsMs[InitializationType.OnDemand].Order());
        Assert.Equal([1890.25], orders.InitEventsMs[InitializationType.ProvisionedConcurrency]);
        Assert.Equal(1, orders.FailedInits);
        Assert.Equal((0L, 1), (all[Fn("prewarmed")].Invocations, all[Fn("prewarmed")].InitEventsMs.Count));
        Assert.Empty(all[Fn("quiet")].InitDurationsMs);

        var usEast = await Store.GetColdStartsAsync(new FleetFilter(Region: "us-east-1"), Minutes(0, 60), Ct);
        Assert.Equal([1200], Assert.Single(usEast).InitDurationsMs);
        Assert.Empty(await Store.GetColdStartsAsync(new FleetFilter("222222222222"), Minutes(0, 60), Ct));
    }

    [Fact]
    public async Task WriteInitEventsAsync_SameEventTwice_StoredOnce()
    {
        InitEvent[] events = [new(Fn("orders"), At(1), InitializationType.OnDemand, 412.5, "success"), new(Fn("orders"), At(1), InitializationType.OnDemand, 398, "success")];

        await Store.WriteInitEventsAsync(events, Ct);
        await Store.WriteInitEventsAsync(events, Ct);
        await Store.WriteInitEventsAsync([], Ct);

        var orders = Assert.Single(await Store.GetColdStartsAsync(FleetFilter.All, Minutes(0, 60), Ct));
        Assert.Equal([398, 412.5], orders.InitEventsMs[InitializationType.OnDemand].Order());
    }

    [Fact]
    public async Task Retention_InitEventsGoWithTheReports()
    {
        await Store.WriteInitEventsAsync([new(Fn("orders"), At(0), InitializationType.OnDemand, 412.5, "success")], Ct);

        await Store.ApplyRetentionAsync(At(0) + TimeSpan.FromDays(8), Ct);

        Assert.Empty(await Store.GetColdStartsAsync(FleetFilter.All, Minutes(-60, 60), Ct));
    }

    private static InvocationReport Report(FunctionKey function, string id, DateTimeOffset at, double? init = null, double? restore = null) => new()
    {
        Function = function,
        RequestId = $"{function.Name}-{id}",
        Timestamp = at,
        DurationMs = 40,
        BilledDurationMs = 40,
        MemorySizeMb = 256,
        MaxMemoryUsedMb = 80,
        InitDurationMs = init,
        RestoreDurationMs = restore,
    };
}

/// <summary>The version 16 cold-start contract on SQLite.</summary>
public sealed class SqliteColdStartTests : ColdStartContractTests
{
    protected override Task<StoreLocation> UseLocationAsync() => Task.FromResult(Owned(new SqliteLocation()));

    protected override Task<StoreLocation> CreateFreshLocationAsync() => Task.FromResult<StoreLocation>(new SqliteLocation());
}

/// <summary>The version 16 cold-start contract on PostgreSQL.</summary>
public sealed class PostgresColdStartTests(PostgresDatabaseFixture database) : ColdStartContractTests, IClassFixture<PostgresDatabaseFixture>
{
    protected override async Task<StoreLocation> UseLocationAsync() => await database.GetEmptyAsync();

    protected override async Task<StoreLocation> CreateFreshLocationAsync() => await PostgresLocation.CreateAsync();
}
