using Observe.Store.Model;
using Observe.Store.Tests.Harness;

namespace Observe.Store.Tests;

/// <summary>
/// Schema version 15, on both engines: error groups read by fingerprint across functions (filters, sorts, trends,
/// affected functions) and their triage status, its history, and the re-opening of a resolved group that occurs again.
/// </summary>
public abstract class ErrorStatusContractTests : StoreTestBase
{
    private static readonly TimeRange Hour = Minutes(0, 60);

    [Fact]
    public async Task GetErrorSummariesAsync_OneFingerprintInTwoFunctions_SummedWithTheLatestSampleAndAllTimeSightings()
    {
        await Store.RecordErrorsAsync(
        [
            Occurrence(Fn("orders"), "fp-a", At(-600), At(-590), 4) with { Message = "old text" },
            Occurrence(Fn("orders"), "fp-a", At(5), At(10), 3),
            Occurrence(Fn("billing", region: "us-east-1"), "fp-a", At(20), At(30), 2) with { Message = "latest text", SampleTraceId = "1-latest" },
            Occurrence(Fn("orders"), "fp-b", At(1), At(2), 9),
        ], Ct);

        var summaries = await Store.GetErrorSummariesAsync(new ErrorQuery(), Hour, 10, Ct);

        Assert.Equal(["fp-b", "fp-a"], summaries.Select(s => s.Fingerprint));
        var a = summaries[1];
        Assert.Equal((5L, 2), (a.Count, a.Functions));
        Assert.Equal((At(-600), At(30)), (a.FirstSeen, a.LastSeen));
        Assert.Equal(("latest text", "1-latest", Fn("billing", region: "us-east-1")), (a.Message, a.SampleTraceId, a.SampleFunction));
        Assert.Equal(ErrorStatusInfo.Untriaged, a.Status);
    }

    [Fact]
    public async Task GetErrorSummariesAsync_FiltersAndSorts()
    {
        await Store.RecordErrorsAsync(
        [
            Occurrence(Fn("orders"), "fp-a", At(5), At(10), 3) with { Message = "100% <script>alert(1)</script>" },
            Occurrence(Fn("billing", account: "222222222222"), "fp-a", At(20), At(21), 1) with { Message = "other" },
            Occurrence(Fn("orders"), "fp-b", At(1), At(40), 9) with { ErrorType = "KeyError", Message = "'customer_id'" },
            Occurrence(Fn("orders"), "fp-c", At(-9000), At(15), 1),
        ], Ct);
        await Store.SetErrorStatusAsync("fp-b", ErrorStatus.Ignored, "alice", At(45), Ct);

        async Task<string[]> Read(ErrorQuery query) => [.. (await Store.GetErrorSummariesAsync(query, Hour, 10, Ct)).Select(s => s.Fingerprint)];

        Assert.Equal(["fp-b", "fp-a", "fp-c"], await Read(new ErrorQuery()));
        Assert.Equal(["fp-b", "fp-a", "fp-c"], await Read(new ErrorQuery { Sort = ErrorSort.LastSeen }));
        Assert.Equal(["fp-a", "fp-b", "fp-c"], await Read(new ErrorQuery { Sort = ErrorSort.FirstSeen }));
        Assert.Equal(["fp-a"], await Read(new ErrorQuery { FunctionName = "billing" }));
        Assert.Equal(["fp-b", "fp-a", "fp-c"], await Read(new ErrorQuery { Filter = new FleetFilter("111111111111", "eu-west-1") }));
        Assert.Equal(["fp-a"], await Read(new ErrorQuery { Filter = new FleetFilter("222222222222") }));
        Assert.Equal(["fp-a"], await Read(new ErrorQuery { Text = "100%" }));
        Assert.Empty(await Read(new ErrorQuery { Text = "1_0" }));
        Assert.Equal(["fp-b"], await Read(new ErrorQuery { Text = "keyerror" }));
        Assert.Equal(["fp-b"], await Read(new ErrorQuery { Status = ErrorStatus.Ignored }));
        Assert.Equal(["fp-a", "fp-c"], await Read(new ErrorQuery { Status = ErrorStatus.Active }));
        Assert.Equal(["fp-c"], await Read(new ErrorQuery { Fingerprint = "fp-c" }));
        Assert.Single(await Store.GetErrorSummariesAsync(new ErrorQuery(), Hour, 1, Ct));

        // The account filter counts only that account's occurrences.
        var billing = Assert.Single(await Store.GetErrorSummariesAsync(new ErrorQuery { Filter = new FleetFilter("222222222222") }, Hour, 10, Ct));
        Assert.Equal((1L, 1, "other"), (billing.Count, billing.Functions, billing.Message));
    }

    [Fact]
    public async Task GetErrorTrendsAsync_BucketsAddUpToTheCount()
    {
        await Store.RecordErrorsAsync(
        [
            Occurrence(Fn("orders"), "fp-a", At(0), At(5), 3),
            Occurrence(Fn("orders"), "fp-a", At(6), At(14), 2),
            Occurrence(Fn("billing"), "fp-a", At(50), At(59), 4),
            Occurrence(Fn("billing"), "fp-a", At(55), At(70), 1),
            Occurrence(Fn("orders"), "fp-b", At(30), At(31), 7),
        ], Ct);

        var trends = await Store.GetErrorTrendsAsync(["fp-a", "fp-none"], new ErrorQuery(), Hour, TimeSpan.FromMinutes(15), Ct);

        Assert.Equal(["fp-a"], trends.Keys);
        Assert.Equal([5L, 0, 0, 5], trends["fp-a"]);
        var summary = Assert.Single(await Store.GetErrorSummariesAsync(new ErrorQuery { Fingerprint = "fp-a" }, Hour, 10, Ct));
        Assert.Equal(summary.Count, trends["fp-a"].Sum());
        var orders = await Store.GetErrorTrendsAsync(["fp-a"], new ErrorQuery { FunctionName = "orders" }, Hour, TimeSpan.FromMinutes(15), Ct);
        Assert.Equal([5L, 0, 0, 0], orders["fp-a"]);
    }

    [Fact]
    public async Task GetErrorFunctionsAsync_MostOccurrencesFirst()
    {
        await Store.RecordErrorsAsync(
        [
            Occurrence(Fn("orders"), "fp-a", At(-100), At(5), 3),
            Occurrence(Fn("billing"), "fp-a", At(20), At(30), 8),
            Occurrence(Fn("quiet"), "fp-a", At(-300), At(-200), 8),
        ], Ct);

        var functions = await Store.GetErrorFunctionsAsync("fp-a", new ErrorQuery(), Hour, 10, Ct);

        Assert.Equal(
            [new ErrorFunction(Fn("billing"), 8, At(20), At(30)), new ErrorFunction(Fn("orders"), 3, At(-100), At(5))],
            functions);
    }

    [Fact]
    public async Task SetErrorStatusAsync_RecordsWhoAndWhen_KeepsHistory_SurvivesAnotherStoreInstance()
    {
        await Store.RecordErrorsAsync([Occurrence(Fn("orders"), "fp-a", At(0), At(1), 1), Occurrence(Fn("billing"), "fp-a", At(0), At(1), 1)], Ct);

        var ignored = await Store.SetErrorStatusAsync("fp-a", ErrorStatus.Ignored, "alice", At(10), Ct);
        var again = await Store.SetErrorStatusAsync("fp-a", ErrorStatus.Ignored, "bob", At(11), Ct);
        await Store.SetErrorStatusAsync("fp-a", ErrorStatus.Resolved, "bob", At(12), Ct);

        Assert.Equal(new ErrorStatusChange("fp-a", At(10), ErrorStatus.Active, ErrorStatus.Ignored, "alice", false), ignored);
        Assert.Null(again);

        // A second store on the same database, as after a restart.
        var restarted = Open(Location);
        var summary = Assert.Single(await restarted.GetErrorSummariesAsync(new ErrorQuery(), Hour, 10, Ct));
        Assert.Equal(new ErrorStatusInfo(ErrorStatus.Resolved, "bob", At(12), false), summary.Status);
        Assert.Equal(
            [
                new ErrorStatusChange("fp-a", At(12), ErrorStatus.Ignored, ErrorStatus.Resolved, "bob", false),
                new ErrorStatusChange("fp-a", At(10), ErrorStatus.Active, ErrorStatus.Ignored, "alice", false),
            ],
            await restarted.GetErrorStatusHistoryAsync("fp-a", 10, Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.SetErrorStatusAsync("fp-unknown", ErrorStatus.Resolved, "bob", At(12), Ct));
    }

    [Fact]
    public async Task RecordErrorsAsync_ResolvedGroupOccursAgain_ReopensAsRegression_LatePassFromBeforeDoesNot()
    {
        await Store.RecordErrorsAsync([Occurrence(Fn("orders"), "fp-a", At(0), At(5), 2)], Ct);
        await Store.SetErrorStatusAsync("fp-a", ErrorStatus.Resolved, "alice", At(10), Ct);

        // A pass collected late whose occurrences precede the resolution: nothing came back.
        await Store.RecordErrorsAsync([Occurrence(Fn("billing"), "fp-a", At(6), At(9), 1)], Ct);
        Assert.Equal(ErrorStatus.Resolved, (await StatusOf("fp-a")).Status);

        await Store.RecordErrorsAsync([Occurrence(Fn("billing"), "fp-a", At(20), At(25), 1)], Ct);

        Assert.Equal(new ErrorStatusInfo(ErrorStatus.Active, ErrorStatusChange.RecurrenceActor, At(25), true), await StatusOf("fp-a"));
        Assert.Equal(
            new ErrorStatusChange("fp-a", At(25), ErrorStatus.Resolved, ErrorStatus.Active, ErrorStatusChange.RecurrenceActor, true),
            (await Store.GetErrorStatusHistoryAsync("fp-a", 10, Ct))[0]);
        Assert.Equal(["fp-a"], (await Store.GetErrorSummariesAsync(new ErrorQuery { Status = ErrorStatus.Active }, Hour, 10, Ct)).Select(s => s.Fingerprint));

        // Acknowledging the regression (setting the same status) clears its mark.
        var acknowledged = await Store.SetErrorStatusAsync("fp-a", ErrorStatus.Active, "bob", At(30), Ct);
        Assert.NotNull(acknowledged);
        Assert.Equal(new ErrorStatusInfo(ErrorStatus.Active, "bob", At(30), false), await StatusOf("fp-a"));

        // An ignored group stays ignored whatever occurs.
        await Store.SetErrorStatusAsync("fp-a", ErrorStatus.Ignored, "bob", At(31), Ct);
        await Store.RecordErrorsAsync([Occurrence(Fn("orders"), "fp-a", At(40), At(41), 1)], Ct);
        Assert.Equal(ErrorStatus.Ignored, (await StatusOf("fp-a")).Status);
    }

    [Fact]
    public async Task ApplyRetentionAsync_GroupGone_StatusAndHistoryGoWithIt()
    {
        await Store.RecordErrorsAsync([Occurrence(Fn("orders"), "fp-old", At(0), At(1), 1), Occurrence(Fn("orders"), "fp-new", At(0), T0.AddDays(100), 1)], Ct);
        await Store.SetErrorStatusAsync("fp-old", ErrorStatus.Resolved, "alice", At(2), Ct);
        await Store.SetErrorStatusAsync("fp-new", ErrorStatus.Resolved, "alice", T0.AddDays(100).AddMinutes(1), Ct);

        await Store.ApplyRetentionAsync(T0.AddDays(101), Ct);

        Assert.Equal(0, await Location.ScalarAsync("SELECT COUNT(*) FROM error_status WHERE fingerprint = 'fp-old'"));
        Assert.Equal(0, await Location.ScalarAsync("SELECT COUNT(*) FROM error_status_change WHERE fingerprint = 'fp-old'"));
        Assert.Single(await Store.GetErrorStatusHistoryAsync("fp-new", 10, Ct));
    }

    private async Task<ErrorStatusInfo> StatusOf(string fingerprint) =>
        Assert.Single(await Store.GetErrorSummariesAsync(new ErrorQuery { Fingerprint = fingerprint }, new TimeRange(At(-10_000), At(10_000)), 1, Ct)).Status;

    private static ErrorOccurrences Occurrence(FunctionKey function, string fingerprint, DateTimeOffset first, DateTimeOffset last, long count) =>
        new(function, fingerprint, "TimeoutError", "Task timed out", first, last, count, "at Orders.Handler()", "req-1", "1-abc-def");
}

/// <summary>The version 15 error contract on SQLite.</summary>
public sealed class SqliteErrorStatusTests : ErrorStatusContractTests
{
    protected override Task<StoreLocation> UseLocationAsync() => Task.FromResult(Owned(new SqliteLocation()));

    protected override Task<StoreLocation> CreateFreshLocationAsync() => Task.FromResult<StoreLocation>(new SqliteLocation());
}

/// <summary>The version 15 error contract on PostgreSQL.</summary>
public sealed class PostgresErrorStatusTests(PostgresDatabaseFixture database) : ErrorStatusContractTests, IClassFixture<PostgresDatabaseFixture>
{
    protected override async Task<StoreLocation> UseLocationAsync() => await database.GetEmptyAsync();

    protected override async Task<StoreLocation> CreateFreshLocationAsync() => await PostgresLocation.CreateAsync();
}
