using System.Data.Common;
using System.Globalization;
using Observe.Store.Model;

namespace Observe.Store.Internal;

internal abstract partial class RelationalStore
{
    private const string TraceSummaryColumns = "trace_id, start_ms, duration_ms, has_error, has_fault, has_throttle, entry_point, http_status, functions";

    // Invocation reports

    public async Task WriteInvocationReportsAsync(IReadOnlyCollection<InvocationReport> reports, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reports);
        if (reports.Count == 0)
        {
            return;
        }

        await using var scope = await BeginWriteAsync(WriteLock.None, cancellationToken);
        var ids = await ResolveFunctionIdsAsync(scope, reports.Select(r => r.Function), cancellationToken);
        var inserted = 0;
        await using (var command = scope.Command("""
            INSERT INTO invocation_report (request_id, fid, ts, duration_ms, billed_duration_ms, memory_size_mb,
                max_memory_used_mb, init_duration_ms, restore_duration_ms, status, trace_id)
            VALUES (@request_id, @fid, @ts, @duration, @billed, @memory, @max_memory, @init, @restore, @status, @trace_id)
            ON CONFLICT (request_id) DO NOTHING
            """))
        {
            var requestId = command.AddText("@request_id", "");
            var fid = command.AddInt32("@fid", 0);
            var ts = command.AddInt64("@ts", 0);
            var duration = command.AddDouble("@duration", 0);
            var billed = command.AddDouble("@billed", 0);
            var memory = command.AddInt32("@memory", 0);
            var maxMemory = command.AddInt32("@max_memory", 0);
            var init = command.AddDouble("@init", null);
            var restore = command.AddDouble("@restore", null);
            var status = command.AddText("@status", "");
            var traceId = command.AddText("@trace_id", null);
            foreach (var report in reports)
            {
                requestId.Value = report.RequestId;
                fid.Value = ids[report.Function];
                ts.Value = StoreTime.ToMs(report.Timestamp);
                duration.Value = report.DurationMs;
                billed.Value = report.BilledDurationMs;
                memory.Value = report.MemorySizeMb;
                maxMemory.Value = report.MaxMemoryUsedMb;
                init.Set(report.InitDurationMs);
                restore.Set(report.RestoreDurationMs);
                status.Value = report.Status;
                traceId.Set(report.TraceId);
                inserted += await command.ExecuteNonQueryAsync(cancellationToken);
            }
        }

        if (inserted > 0)
        {
            scope.Changed |= StoreChangeKind.Invocations;
        }

        await scope.CommitAsync(cancellationToken);
    }

    public async Task<IReadOnlyDictionary<DateTimeOffset, int>> CountColdStartsAsync(FunctionKey function, TimeRange range, CancellationToken cancellationToken)
    {
        await using var connection = await OpenReadConnectionAsync(cancellationToken);

        // Counted by the database, so a burst of cold starts is a few rows here, not every report.
        await using var command = connection.Command(null, """
            SELECT (r.ts / 60000) * 60000, COUNT(*)
            FROM invocation_report r
            WHERE r.fid = (SELECT id FROM fn WHERE account_id = @account AND region = @region AND name = @name)
              AND r.ts >= @from AND r.ts < @to AND r.init_duration_ms IS NOT NULL
            GROUP BY (r.ts / 60000) * 60000
            """);
        command.AddText("@account", function.AccountId);
        command.AddText("@region", function.Region);
        command.AddText("@name", function.Name);
        command.AddInt64("@from", StoreTime.ToMs(range.From));
        command.AddInt64("@to", StoreTime.ToMs(range.To));
        var rows = await command.ReadAllAsync(r => (Minute: r.GetInstant(0), Count: (int)r.GetInt64(1)), cancellationToken);
        return rows.ToDictionary(r => r.Minute, r => r.Count);
    }

    public async Task<IReadOnlyList<InvocationReport>> GetInvocationReportsAsync(
        FunctionKey? function, TimeRange range, bool coldStartsOnly, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await OpenReadConnectionAsync(cancellationToken);
        await using var command = connection.Command(null, "");
        var where = "";
        if (function is { } key)
        {
            // A scalar subquery, so the planner seeks the (fid, ts) index instead of joining first.
            where += " AND r.fid = (SELECT id FROM fn WHERE account_id = @account AND region = @region AND name = @name)";
            command.AddText("@account", key.AccountId);
            command.AddText("@region", key.Region);
            command.AddText("@name", key.Name);
        }

        if (coldStartsOnly)
        {
            where += " AND r.init_duration_ms IS NOT NULL";
        }

        command.CommandText = $"""
            SELECT f.account_id, f.region, f.name, r.request_id, r.ts, r.duration_ms, r.billed_duration_ms, r.memory_size_mb,
                   r.max_memory_used_mb, r.init_duration_ms, r.restore_duration_ms, r.status, r.trace_id
            FROM invocation_report r JOIN fn f ON f.id = r.fid
            WHERE r.ts >= @from AND r.ts < @to{where}
            ORDER BY r.ts DESC, r.request_id DESC LIMIT @limit
            """;
        command.AddInt64("@from", StoreTime.ToMs(range.From));
        command.AddInt64("@to", StoreTime.ToMs(range.To));
        command.AddInt32("@limit", limit);
        return await command.ReadAllAsync(ReadInvocationReport, cancellationToken);
    }

    // Error groups

    public async Task RecordErrorsAsync(IReadOnlyCollection<ErrorOccurrences> occurrences, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(occurrences);
        if (occurrences.Count == 0)
        {
            return;
        }

        await using var scope = await BeginWriteAsync(WriteLock.Errors, cancellationToken);
        var ids = await ResolveFunctionIdsAsync(scope, occurrences.Select(o => o.Function), cancellationToken);

        // The group keeps the earliest first sighting, the latest last sighting, and the text and sample of the
        // latest occurrence; CASE rather than MIN/MAX because SQLite's two-argument MAX is a different function.
        await using var group = scope.Command("""
            INSERT INTO error_group (fid, fingerprint, error_type, message, first_seen, last_seen,
                sample_stack_trace, sample_request_id, sample_trace_id)
            VALUES (@fid, @fingerprint, @error_type, @message, @first_seen, @last_seen, @stack, @request_id, @trace_id)
            ON CONFLICT (fid, fingerprint) DO UPDATE SET
                first_seen = CASE WHEN excluded.first_seen < error_group.first_seen THEN excluded.first_seen ELSE error_group.first_seen END,
                error_type = CASE WHEN excluded.last_seen >= error_group.last_seen THEN excluded.error_type ELSE error_group.error_type END,
                message = CASE WHEN excluded.last_seen >= error_group.last_seen THEN excluded.message ELSE error_group.message END,
                sample_stack_trace = CASE WHEN excluded.last_seen >= error_group.last_seen
                    THEN COALESCE(excluded.sample_stack_trace, error_group.sample_stack_trace) ELSE error_group.sample_stack_trace END,
                sample_request_id = CASE WHEN excluded.last_seen >= error_group.last_seen
                    THEN COALESCE(excluded.sample_request_id, error_group.sample_request_id) ELSE error_group.sample_request_id END,
                sample_trace_id = CASE WHEN excluded.last_seen >= error_group.last_seen
                    THEN COALESCE(excluded.sample_trace_id, error_group.sample_trace_id) ELSE error_group.sample_trace_id END,
                last_seen = CASE WHEN excluded.last_seen > error_group.last_seen THEN excluded.last_seen ELSE error_group.last_seen END
            RETURNING id
            """);
        // The day's total moves by what the window adds: all of it, or the difference when a pass is written again.
        // Before the window's own write, which it reads.
        await using var day = scope.Command("""
            INSERT INTO error_day (group_id, day, count)
            VALUES (@group_id, @day, @count - COALESCE((SELECT count FROM error_window
                WHERE group_id = @group_id AND first_seen = @first_seen AND last_seen = @last_seen), 0))
            ON CONFLICT (group_id, day) DO UPDATE SET count = error_day.count + excluded.count
            """);
        await using var window = scope.Command("""
            INSERT INTO error_window (group_id, first_seen, last_seen, count) VALUES (@group_id, @first_seen, @last_seen, @count)
            ON CONFLICT (group_id, first_seen, last_seen) DO UPDATE SET count = excluded.count
            """);
        foreach (var o in occurrences)
        {
            group.Parameters.Clear();
            group.AddInt32("@fid", ids[o.Function]);
            group.AddText("@fingerprint", o.Fingerprint);
            group.AddText("@error_type", o.ErrorType);
            group.AddText("@message", o.Message);
            group.AddInt64("@first_seen", StoreTime.ToMs(o.FirstSeen));
            group.AddInt64("@last_seen", StoreTime.ToMs(o.LastSeen));
            group.AddText("@stack", o.SampleStackTrace);
            group.AddText("@request_id", o.SampleRequestId);
            group.AddText("@trace_id", o.SampleTraceId);
            var groupId = Convert.ToInt64(await group.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);

            foreach (var command in (ReadOnlySpan<DbCommand>)[day, window])
            {
                command.Parameters.Clear();
                command.AddInt64("@group_id", groupId);
                command.AddInt64("@first_seen", StoreTime.ToMs(o.FirstSeen));
                command.AddInt64("@last_seen", StoreTime.ToMs(o.LastSeen));
                command.AddInt64("@count", o.Count);
            }

            day.AddInt64("@day", ErrorDay(o.LastSeen));
            await day.ExecuteNonQueryAsync(cancellationToken);
            await window.ExecuteNonQueryAsync(cancellationToken);
        }

        // Here rather than on a page: a resolved error that comes back re-opens even when nobody is looking.
        await ReopenRecurredAsync(scope, occurrences, cancellationToken);
        scope.Changed |= StoreChangeKind.Errors;
        await scope.CommitAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<ErrorGroup>> GetErrorGroupsAsync(FleetFilter filter, TimeRange range, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await OpenReadConnectionAsync(cancellationToken);
        await using var command = connection.Command(null, "");
        var where = FilterSql(command, filter, "f.account_id", "f.region");
        command.CommandText = $"""
            SELECT f.account_id, f.region, f.name, g.fingerprint, g.error_type, g.message, g.first_seen, g.last_seen,
                   CAST(SUM(w.count) AS BIGINT) AS occurrences, g.sample_stack_trace, g.sample_request_id, g.sample_trace_id
            FROM error_window w JOIN error_group g ON g.id = w.group_id JOIN fn f ON f.id = g.fid
            WHERE w.last_seen >= @from AND w.first_seen < @to{where}
            GROUP BY g.id, f.id
            ORDER BY occurrences DESC, g.last_seen DESC, g.id LIMIT @limit
            """;
        command.AddInt64("@from", StoreTime.ToMs(range.From));
        command.AddInt64("@to", StoreTime.ToMs(range.To));
        command.AddInt32("@limit", limit);
        return await command.ReadAllAsync(ReadErrorGroup, cancellationToken);
    }

    // Traces

    public async Task WriteTracesAsync(IReadOnlyCollection<TraceTree> traces, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(traces);
        if (traces.Count == 0)
        {
            return;
        }

        await using var scope = await BeginWriteAsync(WriteLock.None, cancellationToken);
        await using (var command = scope.Command($"""
            INSERT INTO trace ({TraceSummaryColumns}, segments)
            VALUES (@trace_id, @start, @duration, @error, @fault, @throttle, @entry_point, @http_status, @functions, @segments)
            ON CONFLICT (trace_id) DO UPDATE SET
                start_ms = excluded.start_ms, duration_ms = excluded.duration_ms, has_error = excluded.has_error,
                has_fault = excluded.has_fault, has_throttle = excluded.has_throttle, entry_point = excluded.entry_point,
                http_status = excluded.http_status, functions = excluded.functions, segments = excluded.segments
            """))
        {
            foreach (var (summary, segments) in traces)
            {
                command.Parameters.Clear();
                command.AddText("@trace_id", summary.TraceId);
                command.AddInt64("@start", StoreTime.ToMs(summary.Start));
                command.AddDouble("@duration", summary.DurationMs);
                command.AddBool("@error", summary.HasError);
                command.AddBool("@fault", summary.HasFault);
                command.AddBool("@throttle", summary.HasThrottle);
                command.AddText("@entry_point", summary.EntryPoint);
                command.AddText("@http_status", summary.HttpStatus);
                command.AddText("@functions", StoreJson.Functions(summary.Functions));
                command.AddText("@segments", StoreJson.Segments(segments));
                await command.ExecuteNonQueryAsync(cancellationToken);
            }
        }

        // The search's index by function: replaced with the trace, since a later write may name other functions or move its start.
        var ids = await ResolveFunctionIdsAsync(scope, traces.SelectMany(t => t.Summary.Functions), cancellationToken);
        await using (var delete = scope.Command("DELETE FROM trace_function WHERE trace_id = @trace_id"))
        await using (var insert = scope.Command("INSERT INTO trace_function (fid, start_ms, trace_id) VALUES (@fid, @start, @trace_id) ON CONFLICT DO NOTHING"))
        {
            var deleteId = delete.AddText("@trace_id", null);
            var fid = insert.AddInt32("@fid", 0);
            var start = insert.AddInt64("@start", 0);
            var insertId = insert.AddText("@trace_id", null);
            foreach (var (summary, _) in traces)
            {
                deleteId.Set(summary.TraceId);
                await delete.ExecuteNonQueryAsync(cancellationToken);
                foreach (var function in summary.Functions.Distinct())
                {
                    fid.Set(ids[function]);
                    start.Set(StoreTime.ToMs(summary.Start));
                    insertId.Set(summary.TraceId);
                    await insert.ExecuteNonQueryAsync(cancellationToken);
                }
            }
        }

        scope.Changed |= StoreChangeKind.Traces;
        await scope.CommitAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<TraceSummary>> GetTraceSummariesAsync(TimeRange range, bool faultsOrErrorsOnly, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await OpenReadConnectionAsync(cancellationToken);
        await using var command = connection.Command(null, $"""
            SELECT {TraceSummaryColumns} FROM trace
            WHERE start_ms >= @from AND start_ms < @to{(faultsOrErrorsOnly ? " AND (has_fault OR has_error)" : "")}
            ORDER BY start_ms DESC, trace_id DESC LIMIT @limit
            """);
        command.AddInt64("@from", StoreTime.ToMs(range.From));
        command.AddInt64("@to", StoreTime.ToMs(range.To));
        command.AddInt32("@limit", limit);
        return await command.ReadAllAsync(ReadTraceSummary, cancellationToken);
    }

    public async Task<TraceSearchResult> SearchTracesAsync(TraceSearch search, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(search);
        ArgumentOutOfRangeException.ThrowIfNegative(search.Offset);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(search.Limit);
        await using var connection = await OpenReadConnectionAsync(cancellationToken);
        await using var command = connection.Command(null, "");
        var where = new List<string>();
        string from;
        var byFunction = search.FunctionName is not null || search.Fleet.AccountId is not null || search.Fleet.Region is not null;
        if (byFunction)
        {
            // Through the functions' index rows: a range read per matching function, whatever the fleet's size.
            from = "trace_function tf JOIN trace t ON t.trace_id = tf.trace_id";
            var functions = "SELECT id FROM fn WHERE 1 = 1" + FilterSql(command, search.Fleet, "account_id", "region");
            if (search.FunctionName is { } name)
            {
                functions += " AND name = @name";
                command.AddText("@name", name);
            }

            where.Add($"tf.fid IN ({functions})");
            where.Add("tf.start_ms >= @from AND tf.start_ms < @to");
        }
        else
        {
            from = "trace t";
            where.Add("t.start_ms >= @from AND t.start_ms < @to");
        }

        command.AddInt64("@from", StoreTime.ToMs(search.Range.From));
        command.AddInt64("@to", StoreTime.ToMs(search.Range.To));
        if (search.MinDurationMs is { } min)
        {
            where.Add("t.duration_ms >= @min_duration");
            command.AddDouble("@min_duration", min);
        }

        if (search.MaxDurationMs is { } max)
        {
            where.Add("t.duration_ms <= @max_duration");
            command.AddDouble("@max_duration", max);
        }

        if (search.TraceId is { } traceId)
        {
            where.Add("t.trace_id = @trace_id");
            command.AddText("@trace_id", traceId);
        }

        if (search.Statuses != TraceStatuses.None)
        {
            var any = new List<string>();
            if (search.Statuses.HasFlag(TraceStatuses.Ok))
            {
                any.Add("NOT (t.has_error OR t.has_fault OR t.has_throttle)");
            }

            if (search.Statuses.HasFlag(TraceStatuses.Error))
            {
                any.Add("t.has_error");
            }

            if (search.Statuses.HasFlag(TraceStatuses.Fault))
            {
                any.Add("t.has_fault");
            }

            if (search.Statuses.HasFlag(TraceStatuses.Throttle))
            {
                any.Add("t.has_throttle");
            }

            where.Add($"({string.Join(" OR ", any)})");
        }

        var order = search.Sort switch
        {
            TraceSort.Oldest => "t.start_ms ASC, t.trace_id ASC",
            TraceSort.Slowest => "t.duration_ms DESC, t.trace_id DESC",
            TraceSort.Fastest => "t.duration_ms ASC, t.trace_id ASC",
            _ => "t.start_ms DESC, t.trace_id DESC",
        };

        // A trace through two matching functions has two index rows: DISTINCT shows it once (the order's columns are selected).
        // One row past the page tells whether there is a next page without counting every match over a long range.
        command.CommandText = $"""
            SELECT {(byFunction ? "DISTINCT " : "")}{string.Join(", ", TraceSummaryColumns.Split(", ").Select(c => "t." + c))} FROM {from}
            WHERE {string.Join(" AND ", where)}
            ORDER BY {order} LIMIT @limit OFFSET @offset
            """;
        command.AddInt32("@limit", search.Limit + 1);
        command.AddInt32("@offset", search.Offset);
        var rows = await command.ReadAllAsync(ReadTraceSummary, cancellationToken);
        return rows.Count > search.Limit
            ? new TraceSearchResult(rows.Take(search.Limit).ToList(), true)
            : new TraceSearchResult(rows, false);
    }

    public async Task<IReadOnlySet<string>> GetStoredTraceIdsAsync(IReadOnlyCollection<string> traceIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(traceIds);
        var stored = new HashSet<string>(StringComparer.Ordinal);
        if (traceIds.Count == 0)
        {
            return stored;
        }

        await using var connection = await OpenReadConnectionAsync(cancellationToken);
        foreach (var chunk in traceIds.Distinct(StringComparer.Ordinal).Chunk(500))
        {
            await using var command = connection.Command(null, "");
            var names = new List<string>(chunk.Length);
            for (var i = 0; i < chunk.Length; i++)
            {
                var name = string.Create(CultureInfo.InvariantCulture, $"@id{i}");
                names.Add(name);
                command.AddText(name, chunk[i]);
            }

            command.CommandText = $"SELECT trace_id FROM trace WHERE trace_id IN ({string.Join(", ", names)})";
            foreach (var id in await command.ReadAllAsync(r => r.GetString(0), cancellationToken))
            {
                stored.Add(id);
            }
        }

        return stored;
    }

    public async Task<TraceTree?> GetTraceAsync(string traceId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(traceId);
        await using var connection = await OpenReadConnectionAsync(cancellationToken);
        await using var command = connection.Command(null, $"SELECT {TraceSummaryColumns}, segments FROM trace WHERE trace_id = @trace_id");
        command.AddText("@trace_id", traceId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new TraceTree(ReadTraceSummary(reader), StoreJson.Segments(reader.GetString(9)))
            : null;
    }

    private static TraceSummary ReadTraceSummary(DbDataReader reader) => new()
    {
        TraceId = reader.GetString(0),
        Start = reader.GetInstant(1),
        DurationMs = reader.GetDouble(2),
        HasError = reader.GetBoolean(3),
        HasFault = reader.GetBoolean(4),
        HasThrottle = reader.GetBoolean(5),
        EntryPoint = reader.GetNullableString(6),
        HttpStatus = reader.GetNullableString(7),
        Functions = StoreJson.Functions(reader.GetString(8)),
    };

    private static InvocationReport ReadInvocationReport(DbDataReader reader) => new()
    {
        Function = new FunctionKey(reader.GetString(0), reader.GetString(1), reader.GetString(2)),
        RequestId = reader.GetString(3),
        Timestamp = reader.GetInstant(4),
        DurationMs = reader.GetDouble(5),
        BilledDurationMs = reader.GetDouble(6),
        MemorySizeMb = reader.GetInt32(7),
        MaxMemoryUsedMb = reader.GetInt32(8),
        InitDurationMs = reader.GetNullableDouble(9),
        RestoreDurationMs = reader.GetNullableDouble(10),
        Status = reader.GetString(11),
        TraceId = reader.GetNullableString(12),
    };

    private static ErrorGroup ReadErrorGroup(DbDataReader reader) => new()
    {
        Function = new FunctionKey(reader.GetString(0), reader.GetString(1), reader.GetString(2)),
        Fingerprint = reader.GetString(3),
        ErrorType = reader.GetString(4),
        Message = reader.GetString(5),
        FirstSeen = reader.GetInstant(6),
        LastSeen = reader.GetInstant(7),
        Count = reader.GetInt64(8),
        SampleStackTrace = reader.GetNullableString(9),
        SampleRequestId = reader.GetNullableString(10),
        SampleTraceId = reader.GetNullableString(11),
    };
}
