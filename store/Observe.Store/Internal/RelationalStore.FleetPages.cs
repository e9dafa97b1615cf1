using System.Data.Common;
using System.Globalization;
using Observe.Store.Model;

namespace Observe.Store.Internal;

internal abstract partial class RelationalStore
{
    public async Task<LambdaFunction?> GetFunctionAsync(FunctionKey function, CancellationToken cancellationToken)
    {
        await using var connection = await OpenReadConnectionAsync(cancellationToken);
        await using var command = connection.Command(null, $"""
            SELECT {FunctionColumns} FROM function_inventory i JOIN fn f ON f.id = i.fid
            WHERE f.account_id = @account AND f.region = @region AND f.name = @name
            """);
        command.AddText("@account", function.AccountId);
        command.AddText("@region", function.Region);
        command.AddText("@name", function.Name);
        var rows = await command.ReadAllAsync(ReadLambdaFunction, cancellationToken);
        return rows.Count == 0 ? null : rows[0];
    }

    public async Task<IReadOnlyList<FunctionStats>> GetFunctionStatsAsync(FleetFilter filter, TimeRange range, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        await using var connection = await OpenReadConnectionAsync(cancellationToken);
        await using var snapshot = await BeginSnapshotAsync(connection, cancellationToken);
        var byFunction = new Dictionary<int, StatsAccumulator>();

        // Minutes and rolled-up hours never overlap (a minute exists in one table only), so their sums add up. Each
        // table is read only where the rollup watermark says it can hold the range: the Functions grid's usual range
        // (the last hour) then never scans the hourly table.
        var watermark = await ReadWatermarkAsync(connection, snapshot, cancellationToken);
        if (StoreTime.CeilMinute(range.To) > watermark)
        {
            await ReadSeriesSumsAsync(connection, snapshot, filter, """
                SELECT f.id, f.account_id, f.region, f.name,
                       COALESCE(SUM(m.invocations), 0), COALESCE(SUM(m.errors), 0),
                       COALESCE(SUM(CASE WHEN m.errors IS NULL AND m.invocations > 0 THEN m.invocations ELSE 0 END), 0),
                       COALESCE(SUM(m.throttles), 0), COALESCE(SUM(m.cold_starts), 0),
                       COALESCE(SUM(CASE WHEN m.duration_avg IS NOT NULL AND m.invocations > 0 THEN m.duration_avg * m.invocations ELSE 0 END), 0),
                       COALESCE(SUM(CASE WHEN m.duration_avg IS NOT NULL AND m.invocations > 0 THEN m.invocations ELSE 0 END), 0),
                       MAX(m.duration_p99), MAX(m.iterator_age), MAX(m.insights_memory_utilization), MAX(m.insights_used_memory)
                FROM metric_minute m JOIN fn f ON f.id = m.fid
                WHERE m.minute >= @from AND m.minute < @to{0}
                GROUP BY f.id, f.account_id, f.region, f.name
                """, StoreTime.CeilMinute(range.From), StoreTime.CeilMinute(range.To), byFunction, cancellationToken);
        }

        if (StoreTime.CeilMinute(range.From) < watermark)
        {
            await ReadSeriesSumsAsync(connection, snapshot, filter, """
                SELECT f.id, f.account_id, f.region, f.name,
                       SUM(h.invocations), SUM(h.errors), 0, SUM(h.throttles), SUM(h.cold_starts),
                       SUM(h.duration_weighted), SUM(h.duration_weight), MAX(h.duration_p99), MAX(h.iterator_age),
                       MAX(h.insights_memory_utilization), MAX(h.insights_used_memory)
                FROM metric_hour h JOIN fn f ON f.id = h.fid
                WHERE h.hour >= @from AND h.hour < @to{0}
                GROUP BY f.id, f.account_id, f.region, f.name
                """, StoreTime.CeilHour(range.From), StoreTime.CeilHour(range.To), byFunction, cancellationToken);
        }

        await using (var command = connection.Command(snapshot, ""))
        {
            var where = FilterSql(command, filter, "f.account_id", "f.region");
            command.CommandText = $"""
                SELECT f.id, f.account_id, f.region, f.name, COUNT(*), MAX(r.max_memory_used_mb),
                       SUM(CASE WHEN r.status = 'timeout' THEN 1 ELSE 0 END), MAX(r.init_duration_ms)
                FROM invocation_report r JOIN fn f ON f.id = r.fid
                WHERE r.ts >= @from AND r.ts < @to{where}
                GROUP BY f.id, f.account_id, f.region, f.name
                """;
            command.AddInt64("@from", StoreTime.ToMs(range.From));
            command.AddInt64("@to", StoreTime.ToMs(range.To));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var stats = Accumulator(byFunction, reader);
                stats.Reports += Convert.ToInt32(reader.GetValue(4), CultureInfo.InvariantCulture);
                stats.MaxMemoryUsedMb = reader.IsDBNull(5) ? null : Convert.ToInt32(reader.GetValue(5), CultureInfo.InvariantCulture);
                stats.Timeouts += Convert.ToInt32(reader.GetValue(6), CultureInfo.InvariantCulture);
                stats.InitDurationMaxMs = reader.GetNullableDouble(7);
            }
        }

        return [.. byFunction.Values.Select(s => s.ToStats())];
    }

    private static async Task<int> ReadWatermarkAsync(DbConnection connection, DbTransaction snapshot, CancellationToken cancellationToken)
    {
        await using var command = connection.Command(snapshot, "SELECT value FROM store_state WHERE key = @key");
        command.AddText("@key", WatermarkKey);
        var value = await command.ExecuteScalarAsync(cancellationToken);
        return value is null or DBNull ? int.MinValue : Convert.ToInt32(value, CultureInfo.InvariantCulture);
    }

    /// <summary>Runs one of the series sums (<paramref name="sql"/> with <c>{0}</c> where the filter goes) and adds its rows.</summary>
    private static async Task ReadSeriesSumsAsync(
        DbConnection connection, DbTransaction snapshot, FleetFilter filter, string sql, int from, int to,
        Dictionary<int, StatsAccumulator> byFunction, CancellationToken cancellationToken)
    {
        await using var command = connection.Command(snapshot, "");
        command.CommandText = string.Format(CultureInfo.InvariantCulture, sql, FilterSql(command, filter, "f.account_id", "f.region"));
        command.AddInt32("@from", from);
        command.AddInt32("@to", to);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var stats = Accumulator(byFunction, reader);
            stats.SeriesRead = true;
            stats.Invocations += reader.GetDouble(4);
            stats.Errors += reader.GetDouble(5);
            stats.UnreadErrorInvocations += Convert.ToDouble(reader.GetValue(6), CultureInfo.InvariantCulture);
            stats.Throttles += reader.GetDouble(7);
            stats.ColdStarts += reader.GetDouble(8);
            stats.DurationTotalMs += reader.GetDouble(9);
            stats.DurationInvocations += reader.GetDouble(10);
            stats.DurationP99MaxMs = Max(stats.DurationP99MaxMs, reader.GetNullableDouble(11));
            stats.IteratorAgeMaxMs = Max(stats.IteratorAgeMaxMs, reader.GetNullableDouble(12));
            stats.InsightsMemoryUtilizationMax = Max(stats.InsightsMemoryUtilizationMax, reader.GetNullableDouble(13));
            stats.InsightsUsedMemoryMaxMb = Max(stats.InsightsUsedMemoryMaxMb, reader.GetNullableDouble(14));
        }
    }

    private static StatsAccumulator Accumulator(Dictionary<int, StatsAccumulator> byFunction, DbDataReader reader)
    {
        var id = Convert.ToInt32(reader.GetValue(0), CultureInfo.InvariantCulture);
        if (!byFunction.TryGetValue(id, out var stats))
        {
            stats = new StatsAccumulator(new FunctionKey(reader.GetString(1), reader.GetString(2), reader.GetString(3)));
            byFunction.Add(id, stats);
        }

        return stats;
    }

    private static double? Max(double? a, double? b) => a is null ? b : b is null ? a : Math.Max(a.Value, b.Value);

    public async Task<IReadOnlyDictionary<FunctionKey, DateTimeOffset>> GetLastInvocationsAsync(FleetFilter filter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        await using var connection = await OpenReadConnectionAsync(cancellationToken);
        await using var command = connection.Command(null, "");
        var where = FilterSql(command, filter, "f.account_id", "f.region");
        command.CommandText = $"""
            SELECT f.account_id, f.region, f.name, a.last_invocation
            FROM function_activity a JOIN fn f ON f.id = a.fid
            WHERE 1 = 1{where}
            """;
        var rows = await command.ReadAllAsync(r => (Key: new FunctionKey(r.GetString(0), r.GetString(1), r.GetString(2)), At: r.GetInstant(3)), cancellationToken);
        return rows.ToDictionary(r => r.Key, r => r.At);
    }

    /// <summary>Moves each function's last invocation forward to the latest merged minute with invocations.</summary>
    private static async Task RecordActivityAsync(WriteScope scope, IReadOnlyList<MetricRow> rows, CancellationToken cancellationToken)
    {
        var latest = new Dictionary<int, int>();
        foreach (var row in rows)
        {
            if (row.Values.Invocations > 0 && (!latest.TryGetValue(row.FunctionId, out var minute) || row.Minute > minute))
            {
                latest[row.FunctionId] = row.Minute;
            }
        }

        if (latest.Count == 0)
        {
            return;
        }

        await using var command = scope.Command("""
            INSERT INTO function_activity (fid, last_invocation) VALUES (@fid, @at)
            ON CONFLICT (fid) DO UPDATE SET last_invocation = CASE
                WHEN excluded.last_invocation > function_activity.last_invocation THEN excluded.last_invocation
                ELSE function_activity.last_invocation END
            """);
        var fid = command.AddInt32("@fid", 0);
        var at = command.AddInt64("@at", 0);
        foreach (var (function, minute) in latest)
        {
            fid.Value = function;
            at.Value = minute * 60_000L;
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    public async Task WatchFunctionAsync(FunctionKey function, DateTimeOffset until, CancellationToken cancellationToken)
    {
        await using var scope = await BeginWriteAsync(WriteLock.None, cancellationToken);
        var ids = await ResolveFunctionIdsAsync(scope, [function], cancellationToken);
        await using var command = scope.Command("""
            INSERT INTO watched_function (fid, until_ms) VALUES (@fid, @until)
            ON CONFLICT (fid) DO UPDATE SET until_ms = CASE
                WHEN excluded.until_ms > watched_function.until_ms THEN excluded.until_ms ELSE watched_function.until_ms END
            """);
        command.AddInt32("@fid", ids[function]);
        command.AddInt64("@until", StoreTime.ToMs(until));
        await command.ExecuteNonQueryAsync(cancellationToken);
        await scope.CommitAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<FunctionKey>> GetWatchedFunctionsAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await OpenReadConnectionAsync(cancellationToken);
        await using var command = connection.Command(null, """
            SELECT f.account_id, f.region, f.name FROM watched_function w JOIN fn f ON f.id = w.fid
            WHERE w.until_ms > @now ORDER BY f.account_id, f.region, f.name
            """);
        command.AddInt64("@now", StoreTime.ToMs(now));
        return await command.ReadAllAsync(r => new FunctionKey(r.GetString(0), r.GetString(1), r.GetString(2)), cancellationToken);
    }

    public async Task RecordFunctionChangesAsync(IReadOnlyCollection<FunctionChange> changes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(changes);
        if (changes.Count == 0)
        {
            return;
        }

        await using var scope = await BeginWriteAsync(WriteLock.None, cancellationToken);
        var ids = await ResolveFunctionIdsAsync(scope, changes.Select(c => c.Function), cancellationToken);
        await using var command = scope.Command("""
            INSERT INTO function_change (fid, ts, kind, description) VALUES (@fid, @ts, @kind, @description)
            ON CONFLICT (fid, ts, kind) DO NOTHING
            """);
        var fid = command.AddInt32("@fid", 0);
        var ts = command.AddInt64("@ts", 0);
        var kind = command.AddText("@kind", "");
        var description = command.AddText("@description", "");
        var added = 0;
        foreach (var change in changes)
        {
            fid.Value = ids[change.Function];
            ts.Value = StoreTime.ToMs(change.At);
            kind.Value = change.Kind;
            description.Value = change.Description;
            added += await command.ExecuteNonQueryAsync(cancellationToken);
        }

        if (added > 0)
        {
            scope.Changed |= StoreChangeKind.Functions;
        }

        await scope.CommitAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<FunctionChange>> GetFunctionChangesAsync(
        FleetFilter filter, FunctionKey? function, TimeRange range, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        await using var connection = await OpenReadConnectionAsync(cancellationToken);
        await using var command = connection.Command(null, "");
        var where = FilterSql(command, filter, "f.account_id", "f.region");
        if (function is { } key)
        {
            where += " AND c.fid = (SELECT id FROM fn WHERE account_id = @account AND region = @region AND name = @name)";
            command.AddText("@account", key.AccountId);
            command.AddText("@region", key.Region);
            command.AddText("@name", key.Name);
        }

        command.CommandText = $"""
            SELECT f.account_id, f.region, f.name, c.ts, c.kind, c.description
            FROM function_change c JOIN fn f ON f.id = c.fid
            WHERE c.ts >= @from AND c.ts < @to{where}
            ORDER BY c.ts DESC, c.kind LIMIT @limit
            """;
        command.AddInt64("@from", StoreTime.ToMs(range.From));
        command.AddInt64("@to", StoreTime.ToMs(range.To));
        command.AddInt32("@limit", limit);
        return await command.ReadAllAsync(
            r => new FunctionChange(new FunctionKey(r.GetString(0), r.GetString(1), r.GetString(2)), r.GetInstant(3), r.GetString(4), r.GetString(5)),
            cancellationToken);
    }

    public async Task<IReadOnlyDictionary<FunctionKey, int>> CountFunctionChangesAsync(FleetFilter filter, TimeRange range, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        await using var connection = await OpenReadConnectionAsync(cancellationToken);
        await using var command = connection.Command(null, "");
        var where = FilterSql(command, filter, "f.account_id", "f.region");
        command.CommandText = $"""
            SELECT f.account_id, f.region, f.name, COUNT(*)
            FROM function_change c JOIN fn f ON f.id = c.fid
            WHERE c.ts >= @from AND c.ts < @to{where}
            GROUP BY f.account_id, f.region, f.name
            """;
        command.AddInt64("@from", StoreTime.ToMs(range.From));
        command.AddInt64("@to", StoreTime.ToMs(range.To));
        var rows = await command.ReadAllAsync(
            r => (Key: new FunctionKey(r.GetString(0), r.GetString(1), r.GetString(2)), Count: r.GetInt32(3)),
            cancellationToken);
        return rows.ToDictionary(r => r.Key, r => r.Count);
    }

    private sealed class StatsAccumulator(FunctionKey function)
    {
        public bool SeriesRead;
        public double Invocations;
        public double Errors;
        public double UnreadErrorInvocations;
        public double Throttles;
        public double ColdStarts;
        public double DurationTotalMs;
        public double DurationInvocations;
        public double? DurationP99MaxMs;
        public double? IteratorAgeMaxMs;
        public int Reports;
        public int? MaxMemoryUsedMb;
        public int Timeouts;
        public double? InitDurationMaxMs;
        public double? InsightsMemoryUtilizationMax;
        public double? InsightsUsedMemoryMaxMb;

        public FunctionStats ToStats() => new()
        {
            Function = function,
            SeriesRead = SeriesRead,
            Invocations = Invocations,
            Errors = Errors,
            UnreadErrorInvocations = UnreadErrorInvocations,
            Throttles = Throttles,
            ColdStarts = ColdStarts,
            DurationTotalMs = DurationTotalMs,
            DurationInvocations = DurationInvocations,
            DurationP99MaxMs = DurationP99MaxMs,
            IteratorAgeMaxMs = IteratorAgeMaxMs,
            Reports = Reports,
            MaxMemoryUsedMb = MaxMemoryUsedMb,
            Timeouts = Timeouts,
            InitDurationMaxMs = InitDurationMaxMs,
            InsightsMemoryUtilizationMax = InsightsMemoryUtilizationMax,
            InsightsUsedMemoryMaxMb = InsightsUsedMemoryMaxMb,
        };
    }
}
