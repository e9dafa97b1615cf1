using Observe.Store.Model;
using Observe.Store.Tests.Harness;

namespace Observe.Store.Tests;

/// <summary>
/// Schema version 14, on both engines: the Traces page's search by function (through the trace_function rows every
/// trace write keeps), time, duration, status and trace id, its sort orders and pages, compared with the same filter
/// applied to the written traces in memory; the migration fills the rows for traces stored before it.
/// </summary>
public abstract class TraceSearchContractTests : StoreTestBase
{
    private static readonly FunctionKey[] Functions = [Fn("orders"), Fn("billing"), Fn("orders", region: "us-east-1")];

    [Fact]
    public async Task SearchTracesAsync_EachFilterAndSort_MatchesTheWrittenTracesFilteredInMemory()
    {
        var traces = Fleet(60);
        await Store.WriteTracesAsync(traces, Ct);
        var summaries = traces.Select(t => t.Summary).ToList();

        TraceSearch[] searches =
        [
            new() { Range = Minutes(0, 60), Limit = 100 },
            new() { Range = Minutes(10, 40), Limit = 100, Sort = TraceSort.Oldest },
            new() { Range = Minutes(0, 60), Limit = 100, FunctionName = "orders", Fleet = new FleetFilter(Region: "eu-west-1") },
            new() { Range = Minutes(0, 60), Limit = 100, FunctionName = "orders", Sort = TraceSort.Slowest },
            new() { Range = Minutes(0, 60), Limit = 100, MinDurationMs = 200, MaxDurationMs = 600, Sort = TraceSort.Fastest },
            new() { Range = Minutes(0, 60), Limit = 100, Statuses = TraceStatuses.Ok },
            new() { Range = Minutes(0, 60), Limit = 100, Statuses = TraceStatuses.Fault | TraceStatuses.Throttle },
            new() { Range = Minutes(0, 60), Limit = 100, Statuses = TraceStatuses.Error, FunctionName = "billing" },
            new() { Range = Minutes(0, 60), Limit = 100, TraceId = summaries[17].TraceId },
            new() { Range = Minutes(0, 60), Limit = 100, FunctionName = "never-traced" },
            new() { Range = Minutes(0, 60), Limit = 100, Fleet = new FleetFilter(Region: "us-east-1") },
            new() { Range = Minutes(0, 60), Limit = 100, Fleet = new FleetFilter("111111111111"), Sort = TraceSort.Fastest },
        ];

        foreach (var search in searches)
        {
            var result = await Store.SearchTracesAsync(search, Ct);
            Assert.Equal(Expected(summaries, search).Select(t => t.TraceId), result.Traces.Select(t => t.TraceId));
            Assert.False(result.HasMore);
        }

        // A read trace carries what was written.
        var one = Assert.Single((await Store.SearchTracesAsync(searches[8], Ct)).Traces);
        Assert.Equal(summaries[17], one with { Functions = summaries[17].Functions });
        Assert.Equal(summaries[17].Functions, one.Functions);
    }

    [Fact]
    public async Task GetStoredTraceIdsAsync_OnlyTheIdsStored_DuplicatesOnce_MoreThanOneChunk()
    {
        var traces = Fleet(5);
        await Store.WriteTracesAsync(traces, Ct);
        var asked = traces.Select(t => t.Summary.TraceId).Take(3)
            .Concat(Enumerable.Range(0, 600).Select(i => $"1-5f000000-{i:x24}"))
            .Append(traces[0].Summary.TraceId)
            .ToList();

        var stored = await Store.GetStoredTraceIdsAsync(asked, Ct);

        Assert.Equal(traces.Take(3).Select(t => t.Summary.TraceId).Order(StringComparer.Ordinal), stored.Order(StringComparer.Ordinal));
        Assert.Empty(await Store.GetStoredTraceIdsAsync([], Ct));
    }

    [Fact]
    public async Task SearchTracesAsync_Pages_FollowOneAnotherWithoutOverlap_HasMoreUntilTheLast()
    {
        var traces = Fleet(45);
        await Store.WriteTracesAsync(traces, Ct);

        var read = new List<string>();
        var pages = 0;
        TraceSearchResult page;
        do
        {
            page = await Store.SearchTracesAsync(new TraceSearch { Range = Minutes(0, 60), Sort = TraceSort.Slowest, Offset = pages * 10, Limit = 10 }, Ct);
            read.AddRange(page.Traces.Select(t => t.TraceId));
            pages++;
        }
        while (page.HasMore);

        Assert.Equal(5, pages);
        Assert.Equal(Expected(traces.Select(t => t.Summary).ToList(), new TraceSearch { Range = Minutes(0, 60), Sort = TraceSort.Slowest }).Select(t => t.TraceId), read);
    }

    [Fact]
    public async Task WriteTracesAsync_ReplacedWithOtherFunctionsAndStart_SearchFollowsTheNewTrace()
    {
        var tree = Trace("1-00000001-000000000000000000000001", At(5), Functions[0]);
        await Store.WriteTracesAsync([tree], Ct);
        await Store.WriteTracesAsync([tree with { Summary = tree.Summary with { Start = At(30), Functions = [Functions[1]] } }], Ct);

        Assert.Empty((await Store.SearchTracesAsync(new TraceSearch { Range = Minutes(0, 60), FunctionName = "orders", Fleet = new FleetFilter(Region: "eu-west-1") }, Ct)).Traces);
        Assert.Empty((await Store.SearchTracesAsync(new TraceSearch { Range = Minutes(0, 10), FunctionName = "billing" }, Ct)).Traces);
        var found = Assert.Single((await Store.SearchTracesAsync(new TraceSearch { Range = Minutes(25, 35), FunctionName = "billing" }, Ct)).Traces);
        Assert.Equal(At(30), found.Start);
    }

    [Fact]
    public async Task ApplyRetentionAsync_OldTraces_TheirFunctionRowsGoToo()
    {
        await Store.WriteTracesAsync([Trace("1-old", At(0), Functions[0]), Trace("1-new", T0.AddDays(40), Functions[0])], Ct);

        await Store.ApplyRetentionAsync(T0.AddDays(40).AddMinutes(1), Ct);

        Assert.Equal(1, await Location.ScalarAsync("SELECT COUNT(*) FROM trace_function"));
        var search = new TraceSearch { Range = new TimeRange(T0, T0.AddDays(41)), FunctionName = "orders", Fleet = new FleetFilter(Region: "eu-west-1") };
        Assert.Equal("1-new", Assert.Single((await Store.SearchTracesAsync(search, Ct)).Traces).TraceId);
    }

    [Fact]
    public async Task MigrateAsync_VersionTwelveTraces_AreFoundByFunction()
    {
        var location = await FreshLocationAsync();
        await Open(location).MigrateToAsync(12, Ct);
        var start = At(3).ToUnixTimeMilliseconds();

        // A trace stored before version 14, through a function the fn table already has and one it does not.
        await location.ExecuteAsync($$"""
            INSERT INTO fn (account_id, region, name) VALUES ('111111111111', 'eu-west-1', 'orders');
            INSERT INTO trace (trace_id, start_ms, duration_ms, has_error, has_fault, has_throttle, entry_point, http_status, functions, segments)
            VALUES ('1-old-trace', {{start}}, 120, false, true, false, NULL, NULL,
                '[{"accountId":"111111111111","region":"eu-west-1","name":"orders"},{"accountId":"111111111111","region":"eu-west-1","name":"billing"}]', '[]');
            """);

        var store = Open(location);
        await store.MigrateAsync(Ct);

        foreach (var function in Functions[..2])
        {
            var found = Assert.Single((await store.SearchTracesAsync(new TraceSearch { Range = Minutes(0, 10), FunctionName = function.Name }, Ct)).Traces);
            Assert.Equal(("1-old-trace", true), (found.TraceId, found.HasFault));
        }
    }

    /// <summary>The search's meaning, written independently of the SQL.</summary>
    private static IEnumerable<TraceSummary> Expected(IReadOnlyList<TraceSummary> all, TraceSearch search)
    {
        var matching = all.Where(t =>
            t.Start >= search.Range.From && t.Start < search.Range.To &&
            (search is { FunctionName: null, Fleet: { AccountId: null, Region: null } } || t.Functions.Any(f => (search.FunctionName is null || f.Name == search.FunctionName) &&
                (search.Fleet.AccountId is null || f.AccountId == search.Fleet.AccountId) && (search.Fleet.Region is null || f.Region == search.Fleet.Region))) &&
            (search.MinDurationMs is not { } min || t.DurationMs >= min) &&
            (search.MaxDurationMs is not { } max || t.DurationMs <= max) &&
            (search.TraceId is not { } id || t.TraceId == id) &&
            (search.Statuses == TraceStatuses.None ||
             (search.Statuses.HasFlag(TraceStatuses.Ok) && !t.HasError && !t.HasFault && !t.HasThrottle) ||
             (search.Statuses.HasFlag(TraceStatuses.Error) && t.HasError) ||
             (search.Statuses.HasFlag(TraceStatuses.Fault) && t.HasFault) ||
             (search.Statuses.HasFlag(TraceStatuses.Throttle) && t.HasThrottle)));
        return search.Sort switch
        {
            TraceSort.Oldest => matching.OrderBy(t => t.Start).ThenBy(t => t.TraceId, StringComparer.Ordinal),
            TraceSort.Slowest => matching.OrderByDescending(t => t.DurationMs).ThenByDescending(t => t.TraceId, StringComparer.Ordinal),
            TraceSort.Fastest => matching.OrderBy(t => t.DurationMs).ThenBy(t => t.TraceId, StringComparer.Ordinal),
            _ => matching.OrderByDescending(t => t.Start).ThenByDescending(t => t.TraceId, StringComparer.Ordinal),
        };
    }

    /// <summary>Traces one a minute with durations, outcomes and functions that vary, some with equal durations (ties).</summary>
    private static List<TraceTree> Fleet(int count) => Enumerable.Range(0, count).Select(i => Trace(
        $"1-{i:x8}-{i * 7919 % 1000:x24}",
        At(i).AddSeconds(i % 7),
        Functions[i % 3],
        Functions[(i + 1) % 3],
        duration: 50 + (i * 37 % 13) * 50,
        error: i % 4 == 1,
        fault: i % 5 == 2,
        throttle: i % 9 == 3)).ToList();

    private static TraceTree Trace(string id, DateTimeOffset start, FunctionKey function, FunctionKey? second = null, double duration = 100,
        bool error = false, bool fault = false, bool throttle = false) => new(
        new TraceSummary
        {
            TraceId = id,
            Start = start,
            DurationMs = duration,
            HasError = error,
            HasFault = fault,
            HasThrottle = throttle,
            EntryPoint = "GET /orders",
            HttpStatus = fault ? "502" : "200",
            Functions = second is { } other && other != function ? [function, other] : [function],
        },
        [new TraceSegment { Id = "s1", Name = function.Name, Origin = "AWS::Lambda::Function", Start = start, End = start.AddMilliseconds(duration) }]);
}

/// <summary>The version 14 contract on SQLite.</summary>
public sealed class SqliteTraceSearchTests : TraceSearchContractTests
{
    protected override Task<StoreLocation> UseLocationAsync() => Task.FromResult(Owned(new SqliteLocation()));

    protected override Task<StoreLocation> CreateFreshLocationAsync() => Task.FromResult<StoreLocation>(new SqliteLocation());
}

/// <summary>The version 14 contract on PostgreSQL.</summary>
public sealed class PostgresTraceSearchTests(PostgresDatabaseFixture database) : TraceSearchContractTests, IClassFixture<PostgresDatabaseFixture>
{
    protected override async Task<StoreLocation> UseLocationAsync() => await database.GetEmptyAsync();

    protected override async Task<StoreLocation> CreateFreshLocationAsync() => await PostgresLocation.CreateAsync();
}
