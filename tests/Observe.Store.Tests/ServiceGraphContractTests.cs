using Observe.Store.Model;
using Observe.Store.Tests.Harness;

namespace Observe.Store.Tests;

/// <summary>
/// The service graph part of the <see cref="IObserveStore"/> contract (schema version 3), run identically against
/// every engine (<see cref="SqliteServiceGraphTests"/>, <see cref="PostgresServiceGraphTests"/>).
/// </summary>
public abstract class ServiceGraphContractTests : StoreTestBase
{
    private const string Account = "111111111111";

    [Fact]
    public async Task WriteServiceGraphAsync_TwoWindows_ReadBackSummedByNodeAndEdge()
    {
        await Store.WriteServiceGraphAsync([Window(0, requests: 100, faults: 2), Window(5, requests: 50, faults: 1)], Ct);

        var graph = await Store.GetServiceGraphAsync(FleetFilter.All, Minutes(0, 10), Ct);

        Assert.Equal(2, graph.Windows);
        Assert.Equal([TableKey, ApiKey], graph.Nodes.Select(n => n.Key));
        var api = graph.Nodes[1];
        Assert.Equal(("orders-api", "AWS::Lambda::Function", true), (api.Name, api.Type, api.Root));
        Assert.Equal(new ServiceGraphStats { Requests = 150, Ok = 141, Errors = 4, Faults = 3, Throttles = 2, ResponseTimeSumMs = 1_500 }, api.Stats);
        var edge = Assert.Single(graph.Edges);
        Assert.Equal((ApiKey, TableKey, 150L, 30d), (edge.SourceKey, edge.TargetKey, edge.Stats.Requests, edge.Stats.ResponseTimeSumMs));
    }

    [Fact]
    public async Task WriteServiceGraphAsync_SameWindowAgain_ReplacesInsteadOfAdding()
    {
        await Store.WriteServiceGraphAsync([Window(0, requests: 100, faults: 2)], Ct);
        await Store.WriteServiceGraphAsync([Window(0, requests: 120, faults: 5)], Ct);
        await Store.WriteServiceGraphAsync([Window(0, requests: 120, faults: 5)], Ct);

        var graph = await Store.GetServiceGraphAsync(FleetFilter.All, Minutes(0, 5), Ct);

        Assert.Equal(1, graph.Windows);
        Assert.Equal((120L, 5L), (Api(graph).Stats.Requests, Api(graph).Stats.Faults));
    }

    [Fact]
    public async Task GetServiceGraphAsync_FilterAndRange_OnlyMatchingWindowsStartingInRange()
    {
        await Store.WriteServiceGraphAsync(
            [Window(0, requests: 1), Window(5, requests: 10), Window(10, requests: 100), Window(5, requests: 1_000, region: "us-east-1")], Ct);

        var euFromFive = await Store.GetServiceGraphAsync(new FleetFilter(Account, "eu-west-1"), Minutes(5, 15), Ct);
        var all = await Store.GetServiceGraphAsync(FleetFilter.All, Minutes(0, 15), Ct);
        var none = await Store.GetServiceGraphAsync(new FleetFilter("222222222222"), Minutes(0, 15), Ct);

        Assert.Equal((2, 110L), (euFromFive.Windows, Api(euFromFive).Stats.Requests));
        Assert.Equal((4, 1_111L), (all.Windows, Api(all).Stats.Requests));
        Assert.Equal(0, none.Windows);
        Assert.Empty(none.Nodes);
        Assert.Empty(none.Edges);
    }

    [Fact]
    public async Task WriteServiceGraphAsync_EmptyWindow_IsStoredAsCollected()
    {
        await Store.WriteServiceGraphAsync([Window(0, requests: 0) with { Nodes = [], Edges = [] }], Ct);

        var graph = await Store.GetServiceGraphAsync(FleetFilter.All, Minutes(0, 5), Ct);

        Assert.Equal(1, graph.Windows);
        Assert.Empty(graph.Nodes);
    }

    [Fact]
    public async Task WriteServiceGraphAsync_WindowEndingBeforeItStarts_ThrowsNamingTheWindow()
    {
        var window = Window(5, requests: 1) with { End = At(4) };

        var error = await Assert.ThrowsAsync<ArgumentException>(() => Store.WriteServiceGraphAsync([window], Ct));

        Assert.StartsWith($"service graph window of {Account} eu-west-1 ends", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, (await Store.GetServiceGraphAsync(FleetFilter.All, Minutes(0, 10), Ct)).Windows);
    }

    [Fact]
    public async Task ApplyRetentionAsync_WindowsPastTraceRetention_Deleted()
    {
        var now = T0.AddDays(8);
        await Store.WriteServiceGraphAsync([Window(0, requests: 1), Window(0, requests: 2) with { Start = now.AddMinutes(-10), End = now.AddMinutes(-5) }], Ct);

        var result = await Store.ApplyRetentionAsync(now, Ct);
        var again = await Store.ApplyRetentionAsync(now, Ct);

        Assert.Equal((1L, 0L), (result.ServiceGraphWindowsDeleted, again.ServiceGraphWindowsDeleted));
        Assert.Equal(0, (await Store.GetServiceGraphAsync(FleetFilter.All, Minutes(0, 10), Ct)).Windows);
        Assert.Equal(2L, (await Store.GetServiceGraphAsync(FleetFilter.All, new TimeRange(now.AddHours(-1), now), Ct)).Nodes.Single(n => n.Key == ApiKey).Stats.Requests);
    }

    [Fact]
    public async Task MigrateAsync_VersionTwoDatabaseWithTraces_UpgradesAndKeepsThem()
    {
        var location = await FreshLocationAsync();
        var old = Open(location);
        await old.MigrateToAsync(2, Ct);
        // Written as a version 2 store did: today's write also fills tables that version lacks (trace_function).
        await location.ExecuteAsync($$"""
            INSERT INTO trace (trace_id, start_ms, duration_ms, has_error, has_fault, has_throttle, entry_point, http_status, functions, segments)
            VALUES ('1-5759e988-bd862e3fe1be46a994272793', {{At(1).ToUnixTimeMilliseconds()}}, 12, false, false, false, NULL, NULL, '[]',
                '[{"id":"53995c3f42cd8ad8","name":"orders","start":"{{At(1):O}}"}]');
            """);

        var store = Open(location);
        await store.MigrateAsync(Ct);
        await store.WriteServiceGraphAsync([Window(0, requests: 7)], Ct);

        Assert.Equal(store.LatestVersion, await store.GetSchemaVersionAsync(Ct));
        Assert.Equal("orders", (await store.GetTraceAsync("1-5759e988-bd862e3fe1be46a994272793", Ct))!.Segments[0].Name);
        Assert.Equal(7L, (await store.GetServiceGraphAsync(FleetFilter.All, Minutes(0, 5), Ct)).Nodes.Single(n => n.Key == ApiKey).Stats.Requests);
    }

    private static ServiceGraphNode Api(ServiceGraph graph) => graph.Nodes.Single(n => n.Key == ApiKey);

    private static string ApiKey => ServiceGraphNode.KeyFor(Account, "AWS::Lambda::Function", "orders-api");

    private static string TableKey => ServiceGraphNode.KeyFor(Account, "AWS::DynamoDB::Table", "orders");

    private static ServiceGraphWindow Window(int minute, long requests, long faults = 0, string region = "eu-west-1") => new()
    {
        AccountId = Account,
        Region = region,
        Start = At(minute),
        End = At(minute + 5),
        Nodes =
        [
            new ServiceGraphNode
            {
                Key = ApiKey,
                Name = "orders-api",
                Type = "AWS::Lambda::Function",
                AccountId = Account,
                Root = true,
                Stats = new ServiceGraphStats
                {
                    Requests = requests,
                    Ok = requests - faults - (requests > 0 ? 2 : 0) - (requests > 0 ? 1 : 0),
                    Errors = requests > 0 ? 2 : 0,
                    Faults = faults,
                    Throttles = requests > 0 ? 1 : 0,
                    ResponseTimeSumMs = requests * 10,
                },
            },
            new ServiceGraphNode { Key = TableKey, Name = "orders", Type = "AWS::DynamoDB::Table", AccountId = Account, Stats = new ServiceGraphStats { Requests = requests, Ok = requests } },
        ],
        Edges = [new ServiceGraphEdge { SourceKey = ApiKey, TargetKey = TableKey, Stats = new ServiceGraphStats { Requests = requests, Ok = requests, ResponseTimeSumMs = requests / 5.0 } }],
    };
}

/// <summary>The service graph contract on SQLite.</summary>
public sealed class SqliteServiceGraphTests : ServiceGraphContractTests
{
    protected override Task<StoreLocation> UseLocationAsync() => Task.FromResult(Owned(new SqliteLocation()));

    protected override Task<StoreLocation> CreateFreshLocationAsync() => Task.FromResult<StoreLocation>(new SqliteLocation());
}

/// <summary>The service graph contract on PostgreSQL.</summary>
public sealed class PostgresServiceGraphTests(PostgresDatabaseFixture database) : ServiceGraphContractTests, IClassFixture<PostgresDatabaseFixture>
{
    protected override async Task<StoreLocation> UseLocationAsync() => await database.GetEmptyAsync();

    protected override async Task<StoreLocation> CreateFreshLocationAsync() => await PostgresLocation.CreateAsync();
}
