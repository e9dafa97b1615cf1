using Observe.Dashboard.Model;
using Observe.Store.Model;

namespace Observe.Dashboard.Tests.Model;

public class CollectorsViewModelTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(0, "$0")]
    [InlineData(0.00001, "<$0.0001")]
    [InlineData(0.0042, "$0.0042")]
    [InlineData(0.01, "$0.01")]
    [InlineData(1.235, "$1.24")]
    [InlineData(1234.5, "$1,234.50")]
    public void Dollars_Amount_ShortFormKeepsSmallCostsVisible(double amount, string expected)
    {
        Assert.Equal(expected, CollectorsFormat.Dollars((decimal)amount));
    }

    [Theory]
    [InlineData(0.4, "just now")]
    [InlineData(42, "42 s ago")]
    [InlineData(300, "5 min ago")]
    [InlineData(3 * 3600 + 59, "3 h ago")]
    [InlineData(2 * 86400 + 1, "2 d ago")]
    public void Ago_Age_WholeUnits(double seconds, string expected)
    {
        Assert.Equal(expected, CollectorsFormat.Ago(TimeSpan.FromSeconds(seconds)));
    }

    [Theory]
    [InlineData(850, "850 ms")]
    [InlineData(12_340, "12.3 s")]
    [InlineData(245_000, "4 min 5 s")]
    public void Duration_Length_Readable(double milliseconds, string expected)
    {
        Assert.Equal(expected, CollectorsFormat.Duration(TimeSpan.FromMilliseconds(milliseconds)));
    }

    [Fact]
    public void Create_StatusStates_FromTheRecordedTimes()
    {
        var statuses = new[]
        {
            Status("a") with { LastStart = null },
            Status("b") with { LastStart = Now, LastSuccess = Now.AddMinutes(-1), PassTimeout = TimeSpan.FromMinutes(15) },
            Status("c") with { LastStart = Now.AddSeconds(-5), LastSuccess = Now, LastError = "old error", LastFailure = Now.AddHours(-1) },
            Status("d") with { LastStart = Now.AddSeconds(-5), ConsecutiveFailures = 1, LastFailure = Now, LastError = "denied" },
        };

        var model = CollectorsViewModel.Create(statuses, [], Now, new Dictionary<string, string>());

        Assert.Equal(
            [("d", "Failing", "denied"), ("a", "Not run yet", null), ("b", "Running", null), ("c", "OK", null)],
            model.Statuses.Select(s => (s.Collector, s.State, s.Error)));
        Assert.Equal(1, model.Failing);
        Assert.Equal("never", model.Statuses[0].LastSuccess);
    }

    [Fact]
    public void Create_StartedLongPastThePassTimeoutWithNoEnd_InterruptedAndFailingWithTheReason()
    {
        var statuses = new[]
        {
            Status("running") with { LastStart = Now.AddMinutes(-15), LastSuccess = Now.AddMinutes(-30), Instance = "dashboard-1", PassTimeout = TimeSpan.FromMinutes(15) },
            Status("stopped") with { LastStart = Now.AddMinutes(-17), LastSuccess = Now.AddMinutes(-30), Instance = "worker-7", PassTimeout = TimeSpan.FromMinutes(15) },
        };

        var model = CollectorsViewModel.Create(statuses, [], Now, new Dictionary<string, string>());

        Assert.Equal([("stopped", "Interrupted", true), ("running", "Running", false)], model.Statuses.Select(s => (s.Collector, s.State, s.Failing)));
        Assert.Equal(1, model.Failing);
        Assert.Equal(
            "The pass that started 17 min ago never ended: the process running it (worker-7) stopped before recording it. The next pass replaces this row.",
            model.Statuses[0].Error);
    }

    [Fact]
    public void Create_OpenPassJudgedByTheTimeoutItsProcessRecorded_NotByThisDashboards()
    {
        // The worker runs with a 2-minute timeout; this dashboard's own setting (15 min by default) plays no part.
        var statuses = new[]
        {
            Status("short") with { LastStart = Now.AddMinutes(-4), LastSuccess = Now.AddMinutes(-30), Instance = "worker-7", PassTimeout = TimeSpan.FromMinutes(2) },
            Status("long") with { LastStart = Now.AddMinutes(-4), LastSuccess = Now.AddMinutes(-30), Instance = "worker-8", PassTimeout = TimeSpan.FromMinutes(60) },
        };

        var model = CollectorsViewModel.Create(statuses, [], Now, new Dictionary<string, string>());

        Assert.Equal([("short", "Interrupted", true), ("long", "Running", false)], model.Statuses.Select(s => (s.Collector, s.State, s.Failing)));
    }

    [Fact]
    public void Create_OpenPassWithoutARecordedTimeout_ShowsUnknownNotRunningNorInterrupted()
    {
        // A row written before the store recorded the timeout (schema version 9 and earlier).
        var statuses = new[] { Status("old") with { LastStart = Now.AddHours(-3), LastSuccess = Now.AddHours(-4), Instance = "worker-7" } };

        var row = Assert.Single(CollectorsViewModel.Create(statuses, [], Now, new Dictionary<string, string>()).Statuses);

        Assert.Equal(("Unknown", false), (row.State, row.Failing));
        Assert.Contains("recorded no pass timeout, so whether it still runs is unknown", row.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_AccountNameRecordedWithTheStatus_WinsOverThisDashboardsConfiguration()
    {
        var statuses = new[]
        {
            Status("named") with { AccountName = "prod" },
            Status("unnamed") with { AccountId = "222222222222" },
        };
        var configured = new Dictionary<string, string> { ["111111111111"] = "old-name", ["222222222222"] = "staging" };

        var model = CollectorsViewModel.Create(statuses, [], Now, configured);

        Assert.Equal(["111111111111 (prod)", "222222222222 (staging)"], model.Statuses.Select(s => s.Account));
    }

    private static CollectorStatus Status(string collector) => new() { Collector = collector, AccountId = "111111111111", Region = "eu-west-1" };
}
