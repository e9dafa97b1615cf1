using System.Data.Common;
using Observe.Store.Model;

namespace Observe.Store.Internal;

internal abstract partial class RelationalStore
{
    private const string GroupFrom = """
        error_group g JOIN fn f ON f.id = g.fid LEFT JOIN error_status s ON s.fingerprint = g.fingerprint
        """;

    private const long DayMs = 86_400_000;

    /// <summary>
    /// The <c>error_day</c> row a window belongs to: the UTC day of its last sighting, in days since 1970, divided as the
    /// migration and retention divide it in SQL.
    /// </summary>
    private static long ErrorDay(DateTimeOffset lastSeen) => StoreTime.ToMs(lastSeen) / DayMs;

    public async Task<IReadOnlyList<ErrorSummary>> GetErrorSummariesAsync(ErrorQuery query, TimeRange range, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        await using var connection = await OpenReadConnectionAsync(cancellationToken);

        // First the page of fingerprints, aggregated by the database; then one row per fingerprint for its text, sample
        // and all-time first and last sighting, so a fingerprint in thousands of functions still sends one row.
        List<(string Fingerprint, long Count, int Functions, ErrorStatusInfo Status)> page;
        await using (var command = connection.Command(null, ""))
        {
            var where = ErrorQuerySql(command, query);
            var sortKey = query.Sort switch
            {
                ErrorSort.LastSeen => "MAX(g.last_seen)",
                ErrorSort.FirstSeen => "MIN(g.first_seen)",
                _ => "SUM(occurrences)",
            };
            // Each group's occurrences are summed first (GroupSumsSqlAsync); then the groups are summed by fingerprint,
            // read in order from the fingerprint index, which holds their sightings too (no sort, and no read of the
            // table's long rows), and only the page's fingerprints meet their status. A fingerprint has one group per
            // function (UNIQUE (fid, fingerprint)), so its groups with occurrences are its functions.
            var sums = await GroupSumsSqlAsync(connection, command, where, range, cancellationToken);
            command.CommandText = $"""
                WITH {sums.Tables},
                b AS (SELECT g.fingerprint, SUM(occurrences) AS occurrences, COUNT(*) AS functions, {sortKey} AS sort_key
                    FROM (SELECT g.fingerprint, g.first_seen, g.last_seen, {sums.Occurrences} AS occurrences FROM error_group g {sums.Joins}) g
                    WHERE occurrences > 0
                    GROUP BY g.fingerprint
                    ORDER BY sort_key DESC, g.fingerprint LIMIT @limit)
                SELECT b.fingerprint, CAST(b.occurrences AS BIGINT), b.functions, s.status, s.changed_by, s.changed_at, s.regression
                FROM b LEFT JOIN error_status s ON s.fingerprint = b.fingerprint
                ORDER BY b.sort_key DESC, b.fingerprint
                """;
            command.AddInt32("@limit", limit);
            page = (await command.ReadAllAsync(
                r => (r.GetString(0), r.GetInt64(1), (int)r.GetInt64(2), ReadStatus(r, 3)), cancellationToken)).ToList();
        }

        if (page.Count == 0)
        {
            return [];
        }

        await using var samples = connection.Command(null, "");
        var sampleWhere = ErrorQuerySql(samples, query) + " AND g.fingerprint IN (" + FingerprintList(samples, page.Select(p => p.Fingerprint)) + ")";
        // The window functions rank only ids and sightings; the text and stack trace are read for the one group picked
        // per fingerprint, not carried through the sort for each of a shared fingerprint's thousands of groups.
        samples.CommandText = $"""
            SELECT x.fingerprint, f.account_id, f.region, f.name, g.error_type, g.message, x.first_all, x.last_all,
                   g.sample_stack_trace, g.sample_request_id, g.sample_trace_id
            FROM (
                SELECT g.fingerprint, g.id,
                       ROW_NUMBER() OVER (PARTITION BY g.fingerprint ORDER BY g.last_seen DESC, g.id DESC) AS latest,
                       MIN(g.first_seen) OVER (PARTITION BY g.fingerprint) AS first_all,
                       MAX(g.last_seen) OVER (PARTITION BY g.fingerprint) AS last_all
                FROM error_group g JOIN fn f ON f.id = g.fid LEFT JOIN error_status s ON s.fingerprint = g.fingerprint
                WHERE 1 = 1{sampleWhere}) x
            JOIN error_group g ON g.id = x.id JOIN fn f ON f.id = g.fid
            WHERE x.latest = 1
            """;
        var rows = (await samples.ReadAllAsync(r => new
        {
            Fingerprint = r.GetString(0),
            Function = new FunctionKey(r.GetString(1), r.GetString(2), r.GetString(3)),
            ErrorType = r.GetString(4),
            Message = r.GetString(5),
            FirstSeen = r.GetInstant(6),
            LastSeen = r.GetInstant(7),
            Stack = r.GetNullableString(8),
            RequestId = r.GetNullableString(9),
            TraceId = r.GetNullableString(10),
        }, cancellationToken)).ToDictionary(r => r.Fingerprint, StringComparer.Ordinal);

        return page.Where(p => rows.ContainsKey(p.Fingerprint)).Select(p =>
        {
            var sample = rows[p.Fingerprint];
            return new ErrorSummary
            {
                Fingerprint = p.Fingerprint,
                ErrorType = sample.ErrorType,
                Message = sample.Message,
                FirstSeen = sample.FirstSeen,
                LastSeen = sample.LastSeen,
                Count = p.Count,
                Functions = p.Functions,
                Status = p.Status,
                SampleFunction = sample.Function,
                SampleStackTrace = sample.Stack,
                SampleRequestId = sample.RequestId,
                SampleTraceId = sample.TraceId,
            };
        }).ToList();
    }

    public async Task<IReadOnlyDictionary<string, long[]>> GetErrorTrendsAsync(
        IReadOnlyCollection<string> fingerprints, ErrorQuery query, TimeRange range, TimeSpan bucket, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(fingerprints);
        ArgumentNullException.ThrowIfNull(query);
        var bucketMs = (long)bucket.TotalMilliseconds;
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bucketMs, nameof(bucket));
        var buckets = (int)Math.Max(1, (StoreTime.ToMs(range.To) - StoreTime.ToMs(range.From) + bucketMs - 1) / bucketMs);
        var trends = new Dictionary<string, long[]>(StringComparer.Ordinal);
        if (fingerprints.Count == 0)
        {
            return trends;
        }

        await using var connection = await OpenReadConnectionAsync(cancellationToken);
        await using var command = connection.Command(null, "");
        var where = ErrorQuerySql(command, query) + " AND g.fingerprint IN (" + FingerprintList(command, fingerprints) + ")";
        command.CommandText = $"""
            SELECT g.fingerprint, t.bucket, CAST(SUM(t.occurrences) AS BIGINT)
            FROM (
                SELECT w.group_id, (w.last_seen - @from) / @bucket AS bucket, SUM(w.count) AS occurrences
                FROM error_window w
                WHERE w.last_seen >= @from AND w.first_seen < @to AND w.group_id IN (SELECT g.id FROM {GroupFrom} WHERE 1 = 1{where})
                GROUP BY 1, 2) t
            JOIN error_group g ON g.id = t.group_id
            GROUP BY g.fingerprint, t.bucket
            """;
        command.AddInt64("@from", StoreTime.ToMs(range.From));
        command.AddInt64("@to", StoreTime.ToMs(range.To));
        command.AddInt64("@bucket", bucketMs);
        foreach (var (fingerprint, index, count) in await command.ReadAllAsync(r => (r.GetString(0), r.GetInt64(1), r.GetInt64(2)), cancellationToken))
        {
            if (!trends.TryGetValue(fingerprint, out var trend))
            {
                trends[fingerprint] = trend = new long[buckets];
            }

            trend[(int)Math.Min(index, buckets - 1)] += count;
        }

        return trends;
    }

    public async Task<IReadOnlyList<ErrorFunction>> GetErrorFunctionsAsync(
        string fingerprint, ErrorQuery query, TimeRange range, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(fingerprint);
        ArgumentNullException.ThrowIfNull(query);
        await using var connection = await OpenReadConnectionAsync(cancellationToken);
        await using var command = connection.Command(null, "");
        var where = ErrorQuerySql(command, query with { Fingerprint = fingerprint });
        // Each group's occurrences are summed as the list sums them (GroupSumsSqlAsync), then met with its function.
        var sums = await GroupSumsSqlAsync(connection, command, where, range, cancellationToken);
        command.CommandText = $"""
            WITH {sums.Tables}
            SELECT f.account_id, f.region, f.name, CAST(g.occurrences AS BIGINT), g.first_seen, g.last_seen
            FROM (SELECT g.fid, g.first_seen, g.last_seen, {sums.Occurrences} AS occurrences FROM error_group g {sums.Joins}) g
            JOIN fn f ON f.id = g.fid
            WHERE g.occurrences > 0
            ORDER BY g.occurrences DESC, f.account_id, f.region, f.name LIMIT @limit
            """;
        command.AddInt32("@limit", limit);
        return await command.ReadAllAsync(
            r => new ErrorFunction(new FunctionKey(r.GetString(0), r.GetString(1), r.GetString(2)), r.GetInt64(3), r.GetInstant(4), r.GetInstant(5)),
            cancellationToken);
    }

    public async Task<IReadOnlyList<ErrorStatusChange>> GetErrorStatusHistoryAsync(string fingerprint, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(fingerprint);
        await using var connection = await OpenReadConnectionAsync(cancellationToken);
        await using var command = connection.Command(null, """
            SELECT fingerprint, ts, from_status, to_status, actor, regression FROM error_status_change
            WHERE fingerprint = @fingerprint ORDER BY ts DESC, id DESC LIMIT @limit
            """);
        command.AddText("@fingerprint", fingerprint);
        command.AddInt32("@limit", limit);
        return await command.ReadAllAsync(
            r => new ErrorStatusChange(r.GetString(0), r.GetInstant(1), ParseStatus(r.GetString(2)), ParseStatus(r.GetString(3)), r.GetString(4), r.GetBoolean(5)),
            cancellationToken);
    }

    public async Task<ErrorStatusChange?> SetErrorStatusAsync(string fingerprint, ErrorStatus status, string actor, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(fingerprint);
        ArgumentException.ThrowIfNullOrWhiteSpace(actor);
        if (!Enum.IsDefined(status))
        {
            throw new ArgumentOutOfRangeException(nameof(status), status, "not an error status");
        }

        // The errors lock orders this against RecordErrorsAsync re-opening the same group.
        await using var scope = await BeginWriteAsync(WriteLock.Errors, cancellationToken);
        await using (var exists = scope.Command("SELECT COUNT(*) FROM error_group WHERE fingerprint = @fingerprint"))
        {
            exists.AddText("@fingerprint", fingerprint);
            if (Convert.ToInt64(await exists.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture) == 0)
            {
                throw new ArgumentException($"no error group has the fingerprint \"{fingerprint}\"", nameof(fingerprint));
            }
        }

        var current = ErrorStatusInfo.Untriaged;
        await using (var read = scope.Command("SELECT status, changed_by, changed_at, regression FROM error_status WHERE fingerprint = @fingerprint"))
        {
            read.AddText("@fingerprint", fingerprint);
            await using var reader = await read.ExecuteReaderAsync(cancellationToken);
            if (await reader.ReadAsync(cancellationToken))
            {
                current = ReadStatus(reader, 0);
            }
        }

        if (current.Status == status && !current.Regression)
        {
            return null;
        }

        await using (var upsert = scope.Command("""
            INSERT INTO error_status (fingerprint, status, regression, changed_by, changed_at)
            VALUES (@fingerprint, @status, @regression, @actor, @at)
            ON CONFLICT (fingerprint) DO UPDATE SET status = excluded.status, regression = excluded.regression,
                changed_by = excluded.changed_by, changed_at = excluded.changed_at
            """))
        {
            upsert.AddText("@fingerprint", fingerprint);
            upsert.AddText("@status", StatusToken(status));
            upsert.AddBool("@regression", false);
            upsert.AddText("@actor", actor);
            upsert.AddInt64("@at", StoreTime.ToMs(at));
            await upsert.ExecuteNonQueryAsync(cancellationToken);
        }

        var change = new ErrorStatusChange(fingerprint, StoreTime.FromMs(StoreTime.ToMs(at)), current.Status, status, actor, Regression: false);
        await InsertStatusChangeAsync(scope, change, cancellationToken);
        scope.Changed |= StoreChangeKind.Errors;
        await scope.CommitAsync(cancellationToken);
        return change;
    }

    /// <summary>
    /// Re-opens each resolved group of the batch that occurred after it was resolved, marking it a regression. An
    /// occurrence from before the resolution (a late pass) leaves it resolved: nothing came back.
    /// </summary>
    private static async Task ReopenRecurredAsync(WriteScope scope, IReadOnlyCollection<ErrorOccurrences> occurrences, CancellationToken cancellationToken)
    {
        await using var reopen = scope.Command("""
            UPDATE error_status SET status = @active, regression = @regression, changed_by = @actor, changed_at = @at
            WHERE fingerprint = @fingerprint AND status = @resolved AND changed_at < @at
            """);
        var fingerprint = reopen.AddText("@fingerprint", "");
        var at = reopen.AddInt64("@at", 0);
        reopen.AddText("@active", StatusToken(ErrorStatus.Active));
        reopen.AddText("@resolved", StatusToken(ErrorStatus.Resolved));
        reopen.AddBool("@regression", true);
        reopen.AddText("@actor", ErrorStatusChange.RecurrenceActor);
        foreach (var latest in occurrences.GroupBy(o => o.Fingerprint, StringComparer.Ordinal).Select(g => (Fingerprint: g.Key, LastSeen: g.Max(o => o.LastSeen))))
        {
            fingerprint.Value = latest.Fingerprint;
            at.Value = StoreTime.ToMs(latest.LastSeen);
            if (await reopen.ExecuteNonQueryAsync(cancellationToken) > 0)
            {
                await InsertStatusChangeAsync(scope, new ErrorStatusChange(
                    latest.Fingerprint, StoreTime.FromMs(StoreTime.ToMs(latest.LastSeen)), ErrorStatus.Resolved, ErrorStatus.Active,
                    ErrorStatusChange.RecurrenceActor, Regression: true), cancellationToken);
            }
        }
    }

    private static async Task InsertStatusChangeAsync(WriteScope scope, ErrorStatusChange change, CancellationToken cancellationToken)
    {
        await using var insert = scope.Command("""
            INSERT INTO error_status_change (fingerprint, ts, from_status, to_status, actor, regression)
            VALUES (@fingerprint, @at, @from, @to, @actor, @regression)
            """);
        insert.AddText("@fingerprint", change.Fingerprint);
        insert.AddInt64("@at", StoreTime.ToMs(change.At));
        insert.AddText("@from", StatusToken(change.From));
        insert.AddText("@to", StatusToken(change.To));
        insert.AddText("@actor", change.Actor);
        insert.AddBool("@regression", change.Regression);
        await insert.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The query's filters over <c>f</c> (function), <c>g</c> (group) and <c>s</c> (status), each as <c> AND ...</c>.</summary>
    private static string ErrorQuerySql(DbCommand command, ErrorQuery query)
    {
        var sql = FilterSql(command, query.Filter, "f.account_id", "f.region");
        if (query.FunctionName is { } name)
        {
            sql += " AND f.name = @function_name";
            command.AddText("@function_name", name);
        }

        if (query.Fingerprint is { } fingerprint)
        {
            sql += " AND g.fingerprint = @only_fingerprint";
            command.AddText("@only_fingerprint", fingerprint);
        }

        if (query.Status is { } status)
        {
            // A group nobody triaged has no status row and is active.
            sql += " AND COALESCE(s.status, @untriaged) = @status";
            command.AddText("@untriaged", StatusToken(ErrorStatus.Active));
            command.AddText("@status", StatusToken(status));
        }

        if (!string.IsNullOrWhiteSpace(query.Text))
        {
            sql += """
                 AND (LOWER(g.message) LIKE @text ESCAPE '\' OR LOWER(g.error_type) LIKE @text ESCAPE '\' OR LOWER(g.fingerprint) LIKE @text ESCAPE '\')
                """;
            var escaped = query.Text.Trim().ToLowerInvariant().Replace("\\", "\\\\", StringComparison.Ordinal)
                .Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);
            command.AddText("@text", $"%{escaped}%");
        }

        return sql;
    }

    /// <summary>
    /// The occurrences per group in <paramref name="range"/>, for the groups that pass <paramref name="where"/>
    /// (<see cref="ErrorQuerySql"/>'s filters, read once), adding <c>@from</c> and <c>@to</c> to
    /// <paramref name="command"/>: common table expressions (<c>Tables</c>), their joins to <c>error_group g</c>
    /// (<c>Joins</c>, perhaps ending with a <c>WHERE</c>) and a group's sum over them (<c>Occurrences</c>). A window
    /// counts when it overlaps the range. A group with nothing in the range sums to 0 or has no row; the caller leaves
    /// it out.
    /// </summary>
    /// <remarks>
    /// A range that holds a whole UTC day and ends less than a day before the newest window (a range ending now, the
    /// page's default) is read from the day totals (<c>d</c>): every day total from the first whole day on, plus
    /// (<c>e</c>) the windows of the partial first day, minus the windows that start at or after the range's end.
    /// Every window counted by a day total has its last sighting after the range's start, and it overlaps the range
    /// unless it starts at or after the end, which is what the last part takes away; that part is at most a day of
    /// windows. The day totals are summed on their own (in key order, without a sort) and met by a join, not a union
    /// summed again. Any other range (short, or ending long ago) sums its windows, as a page of history is read rarely.
    /// </remarks>
    private static async Task<(string Tables, string Joins, string Occurrences)> GroupSumsSqlAsync(
        DbConnection connection, DbCommand command, string where, TimeRange range, CancellationToken cancellationToken)
    {
        var from = StoreTime.ToMs(range.From);
        var to = StoreTime.ToMs(range.To);
        command.AddInt64("@from", from);
        command.AddInt64("@to", to);
        var firstDay = (from + DayMs - 1) / DayMs;
        var picked = where.Length == 0 ? "" : $"picked AS MATERIALIZED (SELECT g.id FROM {GroupFrom} WHERE 1 = 1{where}), ";
        var groups = where.Length == 0 ? "" : " AND group_id IN (SELECT id FROM picked)";
        // The newest window is looked up only for a range the day totals could serve.
        if (from < 0 || to / DayMs <= firstDay
            || await NewestErrorWindowAsync(connection, cancellationToken) is not { } last || last - to >= DayMs)
        {
            return ($"""
                {picked}a AS MATERIALIZED (SELECT group_id, SUM(count) AS occurrences FROM error_window
                WHERE last_seen >= @from AND first_seen < @to{groups}
                GROUP BY group_id)
                """, "JOIN a ON a.group_id = g.id", "a.occurrences");
        }

        command.AddInt64("@first_day", firstDay);
        command.AddInt64("@first_day_ms", firstDay * DayMs);
        // Filtered, only the picked groups are met with their sums, not every group stored.
        var joins = "LEFT JOIN d ON d.group_id = g.id LEFT JOIN e ON e.group_id = g.id" + (where.Length == 0 ? "" : " WHERE g.id IN (SELECT id FROM picked)");
        return ($"""
            {picked}d AS MATERIALIZED (SELECT group_id, SUM(count) AS occurrences FROM error_day WHERE day >= @first_day{groups} GROUP BY group_id),
            e AS MATERIALIZED (SELECT group_id, SUM(occurrences) AS occurrences FROM (
                SELECT group_id, count AS occurrences FROM error_window WHERE last_seen >= @from AND last_seen < @first_day_ms{groups}
                UNION ALL SELECT group_id, -count FROM error_window WHERE last_seen >= @to AND first_seen >= @to{groups}) parts
            GROUP BY group_id)
            """,
            joins,
            "COALESCE(d.occurrences, 0) + COALESCE(e.occurrences, 0)");
    }

    /// <summary>The newest window's last sighting (one step down the <c>error_window_last_seen</c> index), or null.</summary>
    private static async Task<long?> NewestErrorWindowAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        await using var command = connection.Command(null, "SELECT MAX(last_seen) FROM error_window");
        return await command.ExecuteScalarAsync(cancellationToken) is long newest ? newest : null;
    }

    private static string FingerprintList(DbCommand command, IEnumerable<string> fingerprints)
    {
        var names = new List<string>();
        foreach (var fingerprint in fingerprints.Distinct(StringComparer.Ordinal))
        {
            var name = "@fp" + names.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
            command.AddText(name, fingerprint);
            names.Add(name);
        }

        return string.Join(", ", names);
    }

    private static ErrorStatusInfo ReadStatus(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal)
        ? ErrorStatusInfo.Untriaged
        : new ErrorStatusInfo(ParseStatus(reader.GetString(ordinal)), reader.GetString(ordinal + 1), reader.GetInstant(ordinal + 2), reader.GetBoolean(ordinal + 3));

    private static string StatusToken(ErrorStatus status) => status switch
    {
        ErrorStatus.Ignored => "ignored",
        ErrorStatus.Resolved => "resolved",
        _ => "active",
    };

    private static ErrorStatus ParseStatus(string token) => token switch
    {
        "ignored" => ErrorStatus.Ignored,
        "resolved" => ErrorStatus.Resolved,
        "active" => ErrorStatus.Active,
        _ => throw new InvalidDataException($"the store holds an unknown error status \"{token}\""),
    };
}
