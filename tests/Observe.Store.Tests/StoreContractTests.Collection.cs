using Observe.Store.Model;

namespace Observe.Store.Tests;

/// <summary>The collectors host's tables: per-target status and per-process API usage.</summary>
public abstract partial class StoreContractTests
{
    [Fact]
    public async Task UpsertCollectorStatusAsync_SameTargetTwice_KeepsOneRowWithTheLatestValues()
    {
        var failing = new CollectorStatus
        {
            Collector = "metrics",
            AccountId = "111111111111",
            Region = "eu-west-1",
            LastStart = T0,
            LastSuccess = null,
            LastDuration = TimeSpan.FromMilliseconds(1234),
            ConsecutiveFailures = 2,
            LastError = "credentials for account 111111111111 (prod) expired",
            LastFailure = T0.AddSeconds(1),
            Instance = "host/42/abc",
            UpdatedAt = T0.AddSeconds(1),
        };
        var other = failing with { Collector = "alarms", ConsecutiveFailures = 0, LastError = null, LastFailure = null, LastSuccess = T0 };
        await Store.UpsertCollectorStatusAsync(failing, Ct);
        await Store.UpsertCollectorStatusAsync(other, Ct);
        await Store.UpsertCollectorStatusAsync(failing with { Region = "us-east-1" }, Ct);
        Assert.Equal([other, failing, failing with { Region = "us-east-1" }], await Store.GetCollectorStatusAsync(Ct));

        var recovered = failing with { LastStart = T0.AddMinutes(1), LastSuccess = T0.AddMinutes(1).AddSeconds(2), ConsecutiveFailures = 0, UpdatedAt = T0.AddMinutes(2) };
        await Store.UpsertCollectorStatusAsync(recovered, Ct);

        var statuses = await Store.GetCollectorStatusAsync(Ct);
        Assert.Equal(3, statuses.Count);
        Assert.Equal(recovered, statuses[1]);
        Assert.False(statuses[1].IsFailing);
        Assert.True(statuses[2].IsFailing);
    }

    [Fact]
    public async Task UpsertCollectorStatusAsync_DegradedWithSkips_ReadsBackWarningAndCountsByReason()
    {
        var degraded = new CollectorStatus
        {
            Collector = "logs",
            AccountId = "111111111111",
            Region = "eu-west-1",
            LastStart = T0,
            LastSuccess = T0.AddSeconds(3),
            LastWarning = "account 111111111111, eu-west-1: 2 Insights rows had an unreadable @timestamp",
            ConsecutiveDegraded = 2,
            LastSkipped = SkipCounts.From([new("unreadable Insights @timestamp", 2), new("malformed REPORT line", 1)]),
            TotalSkipped = SkipCounts.From([new("unreadable Insights @timestamp", 5), new("malformed REPORT line", 1), new("markup", 7)]),
            Instance = "host/42/abc",
            UpdatedAt = T0.AddSeconds(3),
        };
        await Store.UpsertCollectorStatusAsync(degraded, Ct);
        var read = Assert.Single(await Store.GetCollectorStatusAsync(Ct));
        Assert.Equal(degraded, read);
        Assert.True(read.IsDegraded);
        Assert.Equal(13, read.TotalSkipped.Total);
        Assert.Equal(2, read.LastSkipped.ByReason["unreadable Insights @timestamp"]);

        var clean = degraded with { LastWarning = null, ConsecutiveDegraded = 0, LastSkipped = SkipCounts.None, UpdatedAt = T0.AddMinutes(5) };
        await Store.UpsertCollectorStatusAsync(clean, Ct);
        read = Assert.Single(await Store.GetCollectorStatusAsync(Ct));
        Assert.Equal(clean, read);
        Assert.False(read.IsDegraded);
        Assert.Equal(0, read.LastSkipped.Total);
    }

    [Fact]
    public async Task UpsertCollectorStatusAsync_PassTimeoutAndAccountName_ReadBackAsRecorded()
    {
        var status = new CollectorStatus
        {
            Collector = "metrics",
            AccountId = "111111111111",
            Region = "eu-west-1",
            LastStart = T0,
            Instance = "worker/1/a",
            UpdatedAt = T0,
            PassTimeout = TimeSpan.FromMinutes(3),
            AccountName = "prod",
        };

        await Store.UpsertCollectorStatusAsync(status, Ct);
        Assert.Equal(status, Assert.Single(await Store.GetCollectorStatusAsync(Ct)));

        // A writer without a name for the account clears the old one rather than keeping a stale name.
        await Store.UpsertCollectorStatusAsync(status with { AccountName = null, PassTimeout = TimeSpan.FromSeconds(90) }, Ct);
        var read = Assert.Single(await Store.GetCollectorStatusAsync(Ct));
        Assert.Equal((TimeSpan.FromSeconds(90), (string?)null), (read.PassTimeout, read.AccountName));
    }

    [Fact]
    public async Task MigrateAsync_StatusWrittenBeforeVersion10_ReadsPassTimeoutAndAccountNameAsUnknown()
    {
        var location = await FreshLocationAsync();
        await Open(location).MigrateToAsync(9, Ct);

        // A row exactly as the version-9 build wrote it.
        await location.ExecuteAsync("""
            INSERT INTO collector_status (collector, account_id, region, last_start, last_success, last_duration_ms, consecutive_failures,
                last_error, last_failure, instance, updated_at, last_warning, consecutive_degraded, last_skipped, total_skipped)
            VALUES ('metrics', '111111111111', 'eu-west-1', 1000, NULL, NULL, 0, NULL, NULL, 'worker/1/a', 1000, NULL, 0, '{}', '{}');
            """);
        var store = Open(location);
        await store.MigrateAsync(Ct);

        var read = Assert.Single(await store.GetCollectorStatusAsync(Ct));
        Assert.Null(read.PassTimeout);
        Assert.Null(read.AccountName);
        Assert.Equal("worker/1/a", read.Instance);
    }

    [Fact]
    public async Task UpsertApiUsageAsync_TotalsRewrittenByTwoInstances_ReadsSumOverInstancesOnce()
    {
        var day = new DateOnly(2026, 11, 2);
        var worker = new[]
        {
            Usage(day, "GetMetricData", calls: 10, metrics: 5000, cost: 0.05m),
            Usage(day, "ListFunctions", calls: 3, metrics: 0, cost: 0m),
        };

        // A process rewrites its running totals every minute: the same or larger absolute values.
        await Store.UpsertApiUsageAsync("worker/1/a", worker, Ct);
        await Store.UpsertApiUsageAsync("worker/1/a", worker, Ct);
        worker[0] = Usage(day, "GetMetricData", calls: 12, metrics: 6000, cost: 0.06m);
        await Store.UpsertApiUsageAsync("worker/1/a", worker, Ct);
        await Store.UpsertApiUsageAsync("dashboard/7/b", [Usage(day, "GetMetricData", calls: 1, metrics: 500, cost: 0.005m)], Ct);
        await Store.UpsertApiUsageAsync("dashboard/7/b", [Usage(day.AddDays(1), "GetMetricData", calls: 2, metrics: 1000, cost: 0.01m)], Ct);
        await Store.UpsertApiUsageAsync("dashboard/7/b", [Usage(day.AddDays(-1), "GetMetricData", calls: 9, metrics: 9, cost: 0.00009m)], Ct);
        await Store.UpsertApiUsageAsync("dashboard/7/b", [], Ct);

        var usage = await Store.GetApiUsageAsync(day, day.AddDays(1), Ct);

        Assert.Equal(
        [
            new ApiUsage(day, "111111111111", "eu-west-1", "CloudWatch", "GetMetricData", 13, 15, 2, 0, 6500, 0.065m),
            new ApiUsage(day, "111111111111", "eu-west-1", "CloudWatch", "ListFunctions", 3, 4, 1, 0, 0, 0m),
            new ApiUsage(day.AddDays(1), "111111111111", "eu-west-1", "CloudWatch", "GetMetricData", 2, 3, 1, 0, 1000, 0.01m),
        ], usage);
        Assert.Empty(await Store.GetApiUsageAsync(day.AddDays(2), day.AddDays(9), Ct));
    }

    [Fact]
    public async Task UpsertApiUsageAsync_BilledUnitsAndUnpricedCalls_RewrittenAndSummedOverInstances()
    {
        // Issue 9 defect 8: Insights bytes scanned and the queries whose scan AWS never reported.
        var day = new DateOnly(2026, 11, 2);
        Task Write(string instance, long bytes, decimal cost, long unpriced) => Store.UpsertApiUsageAsync(
            instance, [new ApiUsage(day, "111111111111", "eu-west-1", "Logs", "StartQuery", 4, 4, 0, 0, bytes, cost, unpriced)], Ct);

        await Write("worker/1/a", 5_000_000_000, 0.0233m, 2);
        await Write("worker/1/a", 6_000_000_000, 0.0279m, 1);
        await Write("dashboard/7/b", 1_073_741_824, 0.005m, 3);

        var row = Assert.Single(await Store.GetApiUsageAsync(day, day, Ct));

        Assert.Equal((8L, 7_073_741_824L, 0.0329m, 4L), (row.Calls, row.BilledUnits, row.EstimatedCostUsd, row.UnpricedCalls));
    }

    [Fact]
    public async Task MigrateAsync_UsageWrittenBeforeVersion8_ReadsWithNoUnpricedCalls()
    {
        var location = await FreshLocationAsync();
        await Open(location).MigrateToAsync(6, Ct);

        // A row exactly as the version-6 build wrote it: GetMetricData priced alone.
        await location.ExecuteAsync("""
            INSERT INTO api_usage (day, account_id, region, service, operation, instance, calls, attempts, throttled, failed, metrics, cost_usd, updated_at)
            VALUES (20394, '111111111111', 'eu-west-1', 'CloudWatch', 'GetMetricData', 'worker/1/a', 10, 11, 1, 0, 5000, 0.05, 0);
            """);
        var store = Open(location);
        await store.MigrateAsync(Ct);

        var day = DateOnly.FromDayNumber(DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber + 20394);
        Assert.Equal(
            [new ApiUsage(day, "111111111111", "eu-west-1", "CloudWatch", "GetMetricData", 10, 11, 1, 0, 5000, 0.05m, 0)],
            await store.GetApiUsageAsync(day, day, Ct));
    }

    [Fact]
    public async Task ApplyRetentionAsync_UsageOlderThanHourlyRetention_Deleted()
    {
        var today = DateOnly.FromDateTime(T0.UtcDateTime);
        var oldestKept = DateOnly.FromDateTime((T0 - new StoreOptions().HourlyRetention).UtcDateTime);
        await Store.UpsertApiUsageAsync("worker/1/a", [Usage(oldestKept.AddDays(-1), "GetMetricData", 1, 1, 0m), Usage(oldestKept, "GetMetricData", 2, 2, 0m), Usage(today, "GetMetricData", 3, 3, 0m)], Ct);

        await Store.ApplyRetentionAsync(T0, Ct);

        Assert.Equal([2L, 3L], (await Store.GetApiUsageAsync(oldestKept.AddDays(-10), today, Ct)).Select(u => u.Calls));
    }

    private static ApiUsage Usage(DateOnly day, string operation, long calls, long metrics, decimal cost) =>
        new(day, "111111111111", "eu-west-1", "CloudWatch", operation, calls, calls + 1, 1, 0, metrics, cost);
}
