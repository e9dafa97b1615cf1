using System.Globalization;
using Microsoft.Extensions.Logging;
using Observe.Store.Model;

namespace Observe.Store.Internal;

internal abstract partial class RelationalStore
{
    /// <summary>
    /// Rolls the minutes of the functions <paramref name="functionPredicate"/> selects into hours with the rules of
    /// <see cref="BucketAccumulator"/>, adding to an hour already rolled.
    /// </summary>
    protected static string RollUpSql(string functionPredicate) => $"""
        INSERT INTO metric_hour (fid, hour, invocations, errors, throttles, cold_starts, duration_weighted, duration_weight,
                                 duration_p50, duration_p90, duration_p99, concurrency, iterator_age, dead_letter_errors, async_events_dropped,
                                 {MetricValues.InsightsColumns})
        SELECT fid, minute / 60, COALESCE(SUM(invocations), 0), COALESCE(SUM(errors), 0), COALESCE(SUM(throttles), 0),
               COALESCE(SUM(cold_starts), 0),
               COALESCE(SUM(duration_avg * (CASE WHEN invocations > 0 THEN invocations ELSE 1 END)), 0),
               COALESCE(SUM(CASE WHEN duration_avg IS NULL THEN 0 WHEN invocations > 0 THEN invocations ELSE 1 END), 0),
               MAX(duration_p50), MAX(duration_p90), MAX(duration_p99), MAX(concurrency), MAX(iterator_age),
               SUM(dead_letter_errors), SUM(async_events_dropped),
               MAX(insights_memory_utilization), MAX(insights_used_memory), SUM(insights_cpu_time), SUM(insights_network),
               MAX(insights_init_duration)
        FROM metric_minute WHERE {functionPredicate} AND minute < @watermark GROUP BY fid, minute / 60
        ON CONFLICT (fid, hour) DO UPDATE SET
            invocations = metric_hour.invocations + excluded.invocations,
            errors = metric_hour.errors + excluded.errors,
            throttles = metric_hour.throttles + excluded.throttles,
            cold_starts = metric_hour.cold_starts + excluded.cold_starts,
            duration_weighted = metric_hour.duration_weighted + excluded.duration_weighted,
            duration_weight = metric_hour.duration_weight + excluded.duration_weight,
            dead_letter_errors = COALESCE(metric_hour.dead_letter_errors + excluded.dead_letter_errors, metric_hour.dead_letter_errors, excluded.dead_letter_errors),
            async_events_dropped = COALESCE(metric_hour.async_events_dropped + excluded.async_events_dropped, metric_hour.async_events_dropped, excluded.async_events_dropped),
            insights_cpu_time = COALESCE(metric_hour.insights_cpu_time + excluded.insights_cpu_time, metric_hour.insights_cpu_time, excluded.insights_cpu_time),
            insights_network = COALESCE(metric_hour.insights_network + excluded.insights_network, metric_hour.insights_network, excluded.insights_network),
        {GreatestOfHour}
        """;

    // Null-safe maximum spelled out: SQLite's two-argument MAX returns NULL when either side is NULL.
    private const string GreatestOfHour = """
            duration_p50 = CASE WHEN excluded.duration_p50 IS NULL OR metric_hour.duration_p50 >= excluded.duration_p50 THEN COALESCE(metric_hour.duration_p50, excluded.duration_p50) ELSE excluded.duration_p50 END,
            duration_p90 = CASE WHEN excluded.duration_p90 IS NULL OR metric_hour.duration_p90 >= excluded.duration_p90 THEN COALESCE(metric_hour.duration_p90, excluded.duration_p90) ELSE excluded.duration_p90 END,
            duration_p99 = CASE WHEN excluded.duration_p99 IS NULL OR metric_hour.duration_p99 >= excluded.duration_p99 THEN COALESCE(metric_hour.duration_p99, excluded.duration_p99) ELSE excluded.duration_p99 END,
            concurrency = CASE WHEN excluded.concurrency IS NULL OR metric_hour.concurrency >= excluded.concurrency THEN COALESCE(metric_hour.concurrency, excluded.concurrency) ELSE excluded.concurrency END,
            iterator_age = CASE WHEN excluded.iterator_age IS NULL OR metric_hour.iterator_age >= excluded.iterator_age THEN COALESCE(metric_hour.iterator_age, excluded.iterator_age) ELSE excluded.iterator_age END,
            insights_memory_utilization = CASE WHEN excluded.insights_memory_utilization IS NULL OR metric_hour.insights_memory_utilization >= excluded.insights_memory_utilization THEN COALESCE(metric_hour.insights_memory_utilization, excluded.insights_memory_utilization) ELSE excluded.insights_memory_utilization END,
            insights_used_memory = CASE WHEN excluded.insights_used_memory IS NULL OR metric_hour.insights_used_memory >= excluded.insights_used_memory THEN COALESCE(metric_hour.insights_used_memory, excluded.insights_used_memory) ELSE excluded.insights_used_memory END,
            insights_init_duration = CASE WHEN excluded.insights_init_duration IS NULL OR metric_hour.insights_init_duration >= excluded.insights_init_duration THEN COALESCE(metric_hour.insights_init_duration, excluded.insights_init_duration) ELSE excluded.insights_init_duration END
        """;

    /// <summary>
    /// Sent and failed notifications past the cutoff, except each (channel, group)'s newest in the order
    /// <see cref="GetLatestNotificationAsync"/> reads: deduplication compares against it, however old. Pending ones
    /// stay, so a notification is never lost unsent.
    /// </summary>
    private const string DeleteNotificationsSql = """
        DELETE FROM notification
        WHERE created_at < @cutoff AND status IN ('sent', 'failed')
          AND EXISTS (SELECT 1 FROM notification newer
                      WHERE newer.channel_id = notification.channel_id AND newer.group_key = notification.group_key
                        AND (newer.created_at > notification.created_at
                             OR (newer.created_at = notification.created_at AND newer.id > notification.id)))
        """;

    public async Task<RetentionResult> ApplyRetentionAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        // Whole hours only, so an hour is rolled up in one pass and never split between the two tables.
        var watermark = StoreTime.FloorHour(now - Options.RawRetention) * 60;
        var hourCutoff = StoreTime.FloorHour(now - Options.HourlyRetention);

        // First the watermark moves: from then on writes to older minutes are ignored, so what is below it is
        // exactly what the per-function passes below roll up, however they interleave with writers.
        await using (var scope = await BeginWriteAsync(WriteLock.Metrics, cancellationToken))
        {
            var current = await ReadWatermarkAsync(scope, cancellationToken);
            if (watermark > current)
            {
                await using var command = scope.Command("""
                    INSERT INTO store_state (key, value) VALUES (@key, @value)
                    ON CONFLICT (key) DO UPDATE SET value = excluded.value
                    """);
                command.AddText("@key", WatermarkKey);
                command.AddInt64("@value", watermark);
                await command.ExecuteNonQueryAsync(cancellationToken);
            }

            await RollUpFleetAsync(scope, Math.Max(watermark, current), hourCutoff, cancellationToken);
            await scope.CommitAsync(cancellationToken);
        }

        List<int> functionIds;
        await using (var connection = await OpenReadConnectionAsync(cancellationToken))
        await using (var command = connection.Command(null, "SELECT id FROM fn ORDER BY id"))
        {
            functionIds = await command.ReadAllAsync(reader => reader.GetInt32(0), cancellationToken);
        }

        long minutesRolled = 0;
        long hoursDeleted = 0;
        foreach (var chunk in functionIds.Chunk(Options.BatchSize))
        {
            await using var scope = await BeginWriteAsync(WriteLock.Metrics, cancellationToken);
            var current = await ReadWatermarkAsync(scope, cancellationToken);
            var (rolled, deleted) = await RollUpFunctionsAsync(scope, chunk, current, hourCutoff, cancellationToken);
            minutesRolled += rolled;
            hoursDeleted += deleted;
            await scope.CommitAsync(cancellationToken);
        }

        var reports = await DeleteOlderAsync("DELETE FROM invocation_report WHERE ts < @cutoff", now - Options.ReportRetention, WriteLock.None, cancellationToken);
        await DeleteOlderAsync("DELETE FROM init_event WHERE ts < @cutoff", now - Options.ReportRetention, WriteLock.None, cancellationToken);
        var traces = await DeleteOlderAsync("DELETE FROM trace WHERE start_ms < @cutoff", now - Options.TraceRetention, WriteLock.None, cancellationToken);
        await DeleteOlderAsync("DELETE FROM trace_function WHERE start_ms < @cutoff", now - Options.TraceRetention, WriteLock.None, cancellationToken);
        var graphWindows = await DeleteOlderAsync("DELETE FROM service_graph WHERE start_ms < @cutoff", now - Options.TraceRetention, WriteLock.None, cancellationToken);
        // The cutoff's own day loses only some windows: its total is summed again from the windows it keeps.
        await DeleteOlderAsync("""
            DELETE FROM error_window WHERE last_seen < @cutoff;
            DELETE FROM error_day WHERE day <= @cutoff / 86400000;
            INSERT INTO error_day (group_id, day, count)
            SELECT group_id, last_seen / 86400000, SUM(count) FROM error_window
            WHERE last_seen >= @cutoff AND last_seen < (@cutoff / 86400000 + 1) * 86400000
            GROUP BY group_id, last_seen / 86400000;
            DELETE FROM error_group WHERE NOT EXISTS (SELECT 1 FROM error_window w WHERE w.group_id = error_group.id);
            DELETE FROM error_status WHERE NOT EXISTS (SELECT 1 FROM error_group g WHERE g.fingerprint = error_status.fingerprint);
            DELETE FROM error_status_change WHERE NOT EXISTS (SELECT 1 FROM error_group g WHERE g.fingerprint = error_status_change.fingerprint)
            """, now - Options.HourlyRetention, WriteLock.Errors, cancellationToken);
        // Deploy markers live as long as the hourly series they mark; a watch past its expiry means nothing.
        await DeleteOlderAsync("DELETE FROM function_change WHERE ts < @cutoff", now - Options.HourlyRetention, WriteLock.None, cancellationToken);
        await DeleteOlderAsync("DELETE FROM watched_function WHERE until_ms < @cutoff", now, WriteLock.None, cancellationToken);
        await DeleteApiUsageBeforeAsync(DateOnly.FromDateTime((now - Options.HourlyRetention).UtcDateTime), cancellationToken);

        // No engine lock, like the alerting writes: each delete decides on its own rows only, and the one that looks
        // at other rows (notifications) never deletes the row it keeps, so a concurrent writer cannot make it wrong.
        var alertCutoff = now - Options.AlertHistoryRetention;
        var alarmHistory = await DeleteOlderAsync("DELETE FROM alarm_history WHERE ts < @cutoff", alertCutoff, WriteLock.None, cancellationToken);
        var notifications = await DeleteOlderAsync(DeleteNotificationsSql, alertCutoff, WriteLock.None, cancellationToken);
        var alertInstances = await DeleteOlderAsync(
            $"DELETE FROM alert_instance WHERE status = '{nameof(AlertStatus.Resolved)}' AND resolved_at < @cutoff", alertCutoff, WriteLock.None, cancellationToken);
        var silences = await DeleteOlderAsync("DELETE FROM silence WHERE ends_at < @cutoff", alertCutoff, WriteLock.None, cancellationToken);
        var transitions = await DeleteOlderAsync("DELETE FROM alert_transition WHERE ts < @cutoff", alertCutoff, WriteLock.None, cancellationToken);

        // The log of a notification still queued or in flight stays whole: it holds the attempt a crash cut off.
        var attempts = await DeleteOlderAsync("""
            DELETE FROM delivery_attempt WHERE started_at < @cutoff
              AND NOT EXISTS (SELECT 1 FROM notification n WHERE n.id = delivery_attempt.notification_id AND n.status IN ('pending', 'sending'))
            """, alertCutoff, WriteLock.None, cancellationToken);

        // The audit log is kept as long as the alerting history it sits beside on the Settings page.
        var auditEntries = await DeleteOlderAsync("DELETE FROM audit_entry WHERE at < @cutoff", alertCutoff, WriteLock.None, cancellationToken);

        // A target no collector has reported on for that long was removed from the configuration (account, region
        // or collector); a live one is rewritten after every pass.
        var collectorStatuses = await DeleteOlderAsync(
            "DELETE FROM collector_status WHERE updated_at < @cutoff", now - Options.HourlyRetention, WriteLock.None, cancellationToken);

        // Every live checkpoint is rewritten by its collector's passes; one untouched that long belongs to a removed
        // function, account or collector. Should it come back, its collector starts from its first-pass lookback.
        var checkpoints = await DeleteOlderAsync(
            "DELETE FROM checkpoint WHERE updated_at < @cutoff", now - Options.HourlyRetention, WriteLock.None, cancellationToken);

        var result = new RetentionResult(
            minutesRolled, minutesRolled, hoursDeleted, reports, traces, graphWindows,
            alarmHistory, notifications, alertInstances, silences, collectorStatuses, checkpoints)
        {
            AlertTransitionsDeleted = transitions,
            DeliveryAttemptsDeleted = attempts,
            AuditEntriesDeleted = auditEntries,
        };
        Logger.LogInformation(
            "Retention: {Minutes} function-minutes rolled up into hours, {Hours} function-hours, {Reports} invocation reports, {Traces} traces, " +
            "{GraphWindows} service graph windows, {AlarmHistory} alarm state changes, {Notifications} notifications, " +
            "{AlertInstances} resolved alert instances, {Silences} expired silences, {AlertTransitions} alert transitions, {DeliveryAttempts} delivery attempts, {AuditEntries} audit entries, " +
            "{CollectorStatuses} collector statuses and {Checkpoints} checkpoints deleted",
            result.MinutesRolledUp, result.HoursDeleted, result.ReportsDeleted, result.TracesDeleted, result.ServiceGraphWindowsDeleted,
            result.AlarmHistoryDeleted, result.NotificationsDeleted, result.AlertInstancesDeleted, result.SilencesDeleted,
            result.AlertTransitionsDeleted, result.DeliveryAttemptsDeleted, result.AuditEntriesDeleted, result.CollectorStatusesDeleted, result.CheckpointsDeleted);
        return result;
    }

    /// <summary>
    /// Rolls each function's minutes before <paramref name="watermark"/> into hours, deletes them, and deletes
    /// hours before <paramref name="hourCutoff"/>; returns the minutes rolled up and the hours deleted.
    /// </summary>
    protected virtual async Task<(long Rolled, long HoursDeleted)> RollUpFunctionsAsync(
        WriteScope scope, IReadOnlyList<int> functionIds, int watermark, int hourCutoff, CancellationToken cancellationToken)
    {
        await using var rollUp = scope.Command(RollUpSql("fid = @fid"));
        var rollUpFid = rollUp.AddInt32("@fid", 0);
        rollUp.AddInt32("@watermark", watermark);
        await using var deleteMinutes = scope.Command("DELETE FROM metric_minute WHERE fid = @fid AND minute < @watermark");
        var deleteMinutesFid = deleteMinutes.AddInt32("@fid", 0);
        deleteMinutes.AddInt32("@watermark", watermark);
        await using var deleteHours = scope.Command("DELETE FROM metric_hour WHERE fid = @fid AND hour < @cutoff");
        var deleteHoursFid = deleteHours.AddInt32("@fid", 0);
        deleteHours.AddInt32("@cutoff", hourCutoff);
        long rolled = 0;
        long hoursDeleted = 0;
        foreach (var fid in functionIds)
        {
            rollUpFid.Value = fid;
            deleteMinutesFid.Value = fid;
            deleteHoursFid.Value = fid;
            await rollUp.ExecuteNonQueryAsync(cancellationToken);
            rolled += await deleteMinutes.ExecuteNonQueryAsync(cancellationToken);
            hoursDeleted += await deleteHours.ExecuteNonQueryAsync(cancellationToken);
        }

        return (rolled, hoursDeleted);
    }

    private static async Task RollUpFleetAsync(WriteScope scope, int watermark, int hourCutoff, CancellationToken cancellationToken)
    {
        await using (var command = scope.Command("""
            INSERT INTO fleet_hour (hour, account_id, region, invocations, errors, throttles, cold_starts,
                                    duration_weighted, duration_weight, concurrency, dead_letter_errors, async_events_dropped,
                                    unread_error_invocations)
            SELECT minute / 60, account_id, region, SUM(invocations), SUM(errors), SUM(throttles), SUM(cold_starts),
                   SUM(duration_weighted), SUM(duration_weight), MAX(CASE WHEN concurrency_count > 0 THEN concurrency END),
                   SUM(dead_letter_errors), SUM(async_events_dropped), SUM(unread_error_invocations)
            FROM fleet_minute WHERE minute < @watermark GROUP BY minute / 60, account_id, region
            ON CONFLICT (hour, account_id, region) DO UPDATE SET
                invocations = fleet_hour.invocations + excluded.invocations,
                errors = fleet_hour.errors + excluded.errors,
                throttles = fleet_hour.throttles + excluded.throttles,
                cold_starts = fleet_hour.cold_starts + excluded.cold_starts,
                duration_weighted = fleet_hour.duration_weighted + excluded.duration_weighted,
                duration_weight = fleet_hour.duration_weight + excluded.duration_weight,
                dead_letter_errors = fleet_hour.dead_letter_errors + excluded.dead_letter_errors,
                async_events_dropped = fleet_hour.async_events_dropped + excluded.async_events_dropped,
                unread_error_invocations = fleet_hour.unread_error_invocations + excluded.unread_error_invocations,
                concurrency = CASE WHEN excluded.concurrency IS NULL OR fleet_hour.concurrency >= excluded.concurrency
                    THEN COALESCE(fleet_hour.concurrency, excluded.concurrency) ELSE excluded.concurrency END
            """))
        {
            command.AddInt32("@watermark", watermark);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var command = scope.Command("DELETE FROM fleet_minute WHERE minute < @watermark"))
        {
            command.AddInt32("@watermark", watermark);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var command = scope.Command("DELETE FROM fleet_hour WHERE hour < @cutoff"))
        {
            command.AddInt32("@cutoff", hourCutoff);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private async Task<long> DeleteOlderAsync(string sql, DateTimeOffset cutoff, WriteLock writeLock, CancellationToken cancellationToken)
    {
        await using var scope = await BeginWriteAsync(writeLock, cancellationToken);
        long deleted;
        await using (var command = scope.Command(sql))
        {
            command.AddInt64("@cutoff", StoreTime.ToMs(cutoff));
            deleted = Convert.ToInt64(await command.ExecuteNonQueryAsync(cancellationToken), CultureInfo.InvariantCulture);
        }

        await scope.CommitAsync(cancellationToken);
        return deleted;
    }
}
