using System.Data.Common;
using Observe.Store.Model;

namespace Observe.Store.Internal;

internal abstract partial class RelationalStore
{
    private const string StatusColumns =
        "collector, account_id, region, last_start, last_success, last_duration_ms, consecutive_failures, last_error, last_failure, instance, updated_at, last_warning, consecutive_degraded, last_skipped, total_skipped, pass_timeout_ms, account_name";

    private static readonly int UnixEpochDay = new DateOnly(1970, 1, 1).DayNumber;

    public async Task UpsertCollectorStatusAsync(CollectorStatus status, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(status);
        await using var scope = await BeginWriteAsync(WriteLock.None, cancellationToken);
        await using (var command = scope.Command($"""
            INSERT INTO collector_status ({StatusColumns})
            VALUES (@collector, @account, @region, @last_start, @last_success, @last_duration_ms, @failures, @last_error, @last_failure, @instance, @updated_at,
                @last_warning, @degraded, @last_skipped, @total_skipped, @pass_timeout_ms, @account_name)
            ON CONFLICT (collector, account_id, region) DO UPDATE SET
                last_start = excluded.last_start, last_success = excluded.last_success,
                last_duration_ms = excluded.last_duration_ms, consecutive_failures = excluded.consecutive_failures,
                last_error = excluded.last_error, last_failure = excluded.last_failure, instance = excluded.instance,
                updated_at = excluded.updated_at, last_warning = excluded.last_warning,
                consecutive_degraded = excluded.consecutive_degraded, last_skipped = excluded.last_skipped,
                total_skipped = excluded.total_skipped, pass_timeout_ms = excluded.pass_timeout_ms,
                account_name = excluded.account_name
            """))
        {
            command.AddText("@collector", status.Collector);
            command.AddText("@account", status.AccountId);
            command.AddText("@region", status.Region);
            command.AddInt64("@last_start", StoreTime.ToMs(status.LastStart));
            command.AddInt64("@last_success", StoreTime.ToMs(status.LastSuccess));
            command.AddInt64("@last_duration_ms", status.LastDuration is { } d ? (long)d.TotalMilliseconds : null);
            command.AddInt32("@failures", status.ConsecutiveFailures);
            command.AddText("@last_error", status.LastError);
            command.AddInt64("@last_failure", StoreTime.ToMs(status.LastFailure));
            command.AddText("@instance", status.Instance);
            command.AddInt64("@updated_at", StoreTime.ToMs(status.UpdatedAt));
            command.AddText("@last_warning", status.LastWarning);
            command.AddInt32("@degraded", status.ConsecutiveDegraded);
            command.AddText("@last_skipped", StoreJson.Skips(status.LastSkipped));
            command.AddText("@total_skipped", StoreJson.Skips(status.TotalSkipped));
            command.AddInt64("@pass_timeout_ms", status.PassTimeout is { } timeout ? (long)timeout.TotalMilliseconds : null);
            command.AddText("@account_name", status.AccountName);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await scope.CommitAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<CollectorStatus>> GetCollectorStatusAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenReadConnectionAsync(cancellationToken);
        await using var command = connection.Command(null, $"SELECT {StatusColumns} FROM collector_status ORDER BY collector, account_id, region");
        return await command.ReadAllAsync(ReadCollectorStatus, cancellationToken);
    }

    public async Task UpsertApiUsageAsync(string instanceId, IReadOnlyCollection<ApiUsage> usage, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(instanceId);
        ArgumentNullException.ThrowIfNull(usage);
        if (usage.Count == 0)
        {
            return;
        }

        await using var scope = await BeginWriteAsync(WriteLock.None, cancellationToken);
        await using (var command = scope.Command("""
            INSERT INTO api_usage (day, account_id, region, service, operation, instance, calls, attempts, throttled, failed, metrics, cost_usd, unpriced, updated_at)
            VALUES (@day, @account, @region, @service, @operation, @instance, @calls, @attempts, @throttled, @failed, @metrics, @cost, @unpriced, @updated_at)
            ON CONFLICT (day, account_id, region, service, operation, instance) DO UPDATE SET
                calls = excluded.calls, attempts = excluded.attempts, throttled = excluded.throttled, failed = excluded.failed,
                metrics = excluded.metrics, cost_usd = excluded.cost_usd, unpriced = excluded.unpriced, updated_at = excluded.updated_at
            """))
        {
            var day = command.AddInt32("@day", null);
            var account = command.AddText("@account", null);
            var region = command.AddText("@region", null);
            var service = command.AddText("@service", null);
            var operation = command.AddText("@operation", null);
            command.AddText("@instance", instanceId);
            var calls = command.AddInt64("@calls", null);
            var attempts = command.AddInt64("@attempts", null);
            var throttled = command.AddInt64("@throttled", null);
            var failed = command.AddInt64("@failed", null);
            var metrics = command.AddInt64("@metrics", null);
            var cost = command.AddDouble("@cost", null);
            var unpriced = command.AddInt64("@unpriced", null);
            command.AddInt64("@updated_at", StoreTime.ToMs(DateTimeOffset.UtcNow));
            foreach (var row in usage)
            {
                day.Set(row.Day.DayNumber - UnixEpochDay);
                account.Set(row.AccountId);
                region.Set(row.Region);
                service.Set(row.Service);
                operation.Set(row.Operation);
                calls.Set(row.Calls);
                attempts.Set(row.Attempts);
                throttled.Set(row.ThrottledAttempts);
                failed.Set(row.FailedCalls);
                metrics.Set(row.BilledUnits);
                cost.Set((double)row.EstimatedCostUsd);
                unpriced.Set(row.UnpricedCalls);
                await command.ExecuteNonQueryAsync(cancellationToken);
            }
        }

        await scope.CommitAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<ApiUsage>> GetApiUsageAsync(DateOnly from, DateOnly to, CancellationToken cancellationToken)
    {
        await using var connection = await OpenReadConnectionAsync(cancellationToken);

        // CAST: PostgreSQL sums bigint into numeric.
        await using var command = connection.Command(null, """
            SELECT day, account_id, region, service, operation,
                CAST(SUM(calls) AS BIGINT), CAST(SUM(attempts) AS BIGINT), CAST(SUM(throttled) AS BIGINT),
                CAST(SUM(failed) AS BIGINT), CAST(SUM(metrics) AS BIGINT), SUM(cost_usd), CAST(SUM(unpriced) AS BIGINT)
            FROM api_usage WHERE day >= @from AND day <= @to
            GROUP BY day, account_id, region, service, operation
            ORDER BY day, account_id, region, service, operation
            """);
        command.AddInt32("@from", from.DayNumber - UnixEpochDay);
        command.AddInt32("@to", to.DayNumber - UnixEpochDay);
        return await command.ReadAllAsync(ReadApiUsage, cancellationToken);
    }

    /// <summary>API usage is kept as long as the hourly metrics whose collection it accounts for.</summary>
    private async Task DeleteApiUsageBeforeAsync(DateOnly oldestKept, CancellationToken cancellationToken)
    {
        await using var scope = await BeginWriteAsync(WriteLock.None, cancellationToken);
        await using (var command = scope.Command("DELETE FROM api_usage WHERE day < @day"))
        {
            command.AddInt32("@day", oldestKept.DayNumber - UnixEpochDay);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await scope.CommitAsync(cancellationToken);
    }

    private static CollectorStatus ReadCollectorStatus(DbDataReader reader) => new()
    {
        Collector = reader.GetString(0),
        AccountId = reader.GetString(1),
        Region = reader.GetString(2),
        LastStart = reader.GetNullableInstant(3),
        LastSuccess = reader.GetNullableInstant(4),
        LastDuration = reader.GetNullableInt64(5) is { } ms ? TimeSpan.FromMilliseconds(ms) : null,
        ConsecutiveFailures = reader.GetInt32(6),
        LastError = reader.GetNullableString(7),
        LastFailure = reader.GetNullableInstant(8),
        Instance = reader.GetString(9),
        UpdatedAt = reader.GetInstant(10),
        LastWarning = reader.GetNullableString(11),
        ConsecutiveDegraded = reader.GetInt32(12),
        LastSkipped = StoreJson.Skips(reader.GetString(13)),
        TotalSkipped = StoreJson.Skips(reader.GetString(14)),
        PassTimeout = reader.GetNullableInt64(15) is { } timeoutMs ? TimeSpan.FromMilliseconds(timeoutMs) : null,
        AccountName = reader.GetNullableString(16),
    };

    private static ApiUsage ReadApiUsage(DbDataReader reader) => new(
        DateOnly.FromDayNumber(UnixEpochDay + reader.GetInt32(0)),
        reader.GetString(1),
        reader.GetString(2),
        reader.GetString(3),
        reader.GetString(4),
        reader.GetInt64(5),
        reader.GetInt64(6),
        reader.GetInt64(7),
        reader.GetInt64(8),
        reader.GetInt64(9),
        // Summing doubles leaves float noise; a billing estimate needs no more than micro-dollars.
        Math.Round((decimal)reader.GetDouble(10), 6, MidpointRounding.AwayFromZero),
        reader.GetInt64(11));
}
