using System.Data.Common;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Observe.Store.Model;

namespace Observe.Store.Internal;

internal abstract partial class RelationalStore
{
    private const string WatermarkKey = "rollup_watermark";

    public async Task WriteMetricsAsync(IReadOnlyCollection<MetricPoint> points, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(points);
        if (points.Count == 0)
        {
            return;
        }

        var source = points as IReadOnlyList<MetricPoint> ?? [.. points];

        // Each point's function as an index into the distinct functions: one dictionary lookup per point, and the
        // batch below works on integers.
        var functionIndex = new Dictionary<FunctionKey, int>();
        var functions = new List<FunctionKey>();
        var functionOfPoint = new int[source.Count];
        for (var i = 0; i < source.Count; i++)
        {
            var key = source[i].Function;
            if (!functionIndex.TryGetValue(key, out var index))
            {
                index = functions.Count;
                functionIndex.Add(key, index);
                functions.Add(key);
            }

            functionOfPoint[i] = index;
        }

        await using var scope = await BeginWriteAsync(WriteLock.Metrics, cancellationToken);
        var watermark = await ReadWatermarkAsync(scope, cancellationToken);
        var ids = await ResolveFunctionIdsAsync(scope, functions, cancellationToken);
        var batch = MetricBatch.Create(source, functionOfPoint, functions, [.. functions.Select(f => ids[f])], watermark);
        if (batch.Ignored > 0)
        {
            Logger.LogDebug("Ignored {Count} metric points for minutes already rolled up into hours", batch.Ignored);
        }

        if (batch.Rows.Length > 0)
        {
            var existing = await ReadMetricRowsAsync(scope, batch.Runs, cancellationToken);
            var (changed, deltas) = batch.Merge(existing);
            if (changed.Count > 0)
            {
                await WriteMetricRowsAsync(scope, changed, cancellationToken);
                await ApplyFleetDeltasAsync(scope, batch.Scopes, deltas, cancellationToken);
                await RecordActivityAsync(scope, changed, cancellationToken);
                scope.Changed |= StoreChangeKind.Metrics;
            }
        }

        await scope.CommitAsync(cancellationToken);
    }

    /// <summary>
    /// The SET list of an upsert into <c>metric_minute</c> that replaces every value column with the incoming row's
    /// (rows arrive already merged), shared by both engines.
    /// </summary>
    protected static readonly string OverwriteMetricColumns =
        string.Join(", ", MetricValues.Columns.Split(", ").Select(c => $"{c} = excluded.{c}"));

    /// <summary>Stored rows for the runs' functions and minutes, ordered by function then minute.</summary>
    protected abstract Task<IReadOnlyList<StoredMetricRow>> ReadMetricRowsAsync(WriteScope scope, IReadOnlyList<MetricRun> runs, CancellationToken cancellationToken);

    /// <summary>Writes whole rows (already merged) over whatever is stored for their keys.</summary>
    protected abstract Task WriteMetricRowsAsync(WriteScope scope, IReadOnlyList<MetricRow> rows, CancellationToken cancellationToken);

    protected async Task<int> ReadWatermarkAsync(WriteScope scope, CancellationToken cancellationToken)
    {
        await using var command = scope.Command("SELECT value FROM store_state WHERE key = @key");
        command.AddText("@key", WatermarkKey);
        var value = await command.ExecuteScalarAsync(cancellationToken);
        return value is null or DBNull ? int.MinValue : Convert.ToInt32(value, CultureInfo.InvariantCulture);
    }

    private static async Task ApplyFleetDeltasAsync(
        WriteScope scope, IReadOnlyList<(string AccountId, string Region)> scopes, Dictionary<FleetKey, FleetDelta> deltas, CancellationToken cancellationToken)
    {
        await using var command = scope.Command("""
            INSERT INTO fleet_minute (minute, account_id, region, invocations, errors, throttles, cold_starts,
                                      duration_weighted, duration_weight, concurrency, concurrency_count,
                                      dead_letter_errors, async_events_dropped, unread_error_invocations)
            VALUES (@minute, @account, @region, @invocations, @errors, @throttles, @cold_starts,
                    @duration_weighted, @duration_weight, @concurrency, @concurrency_count,
                    @dead_letter_errors, @async_events_dropped, @unread_error_invocations)
            ON CONFLICT (minute, account_id, region) DO UPDATE SET
                invocations = fleet_minute.invocations + excluded.invocations,
                errors = fleet_minute.errors + excluded.errors,
                throttles = fleet_minute.throttles + excluded.throttles,
                cold_starts = fleet_minute.cold_starts + excluded.cold_starts,
                duration_weighted = fleet_minute.duration_weighted + excluded.duration_weighted,
                duration_weight = fleet_minute.duration_weight + excluded.duration_weight,
                concurrency = fleet_minute.concurrency + excluded.concurrency,
                concurrency_count = fleet_minute.concurrency_count + excluded.concurrency_count,
                dead_letter_errors = fleet_minute.dead_letter_errors + excluded.dead_letter_errors,
                async_events_dropped = fleet_minute.async_events_dropped + excluded.async_events_dropped,
                unread_error_invocations = fleet_minute.unread_error_invocations + excluded.unread_error_invocations
            """);
        var minute = command.AddInt32("@minute", 0);
        var account = command.AddText("@account", "");
        var region = command.AddText("@region", "");
        var invocations = command.AddDouble("@invocations", 0);
        var errors = command.AddDouble("@errors", 0);
        var throttles = command.AddDouble("@throttles", 0);
        var coldStarts = command.AddDouble("@cold_starts", 0);
        var durationWeighted = command.AddDouble("@duration_weighted", 0);
        var durationWeight = command.AddDouble("@duration_weight", 0);
        var concurrency = command.AddDouble("@concurrency", 0);
        var concurrencyCount = command.AddInt32("@concurrency_count", 0);
        var deadLetterErrors = command.AddDouble("@dead_letter_errors", 0);
        var asyncEventsDropped = command.AddDouble("@async_events_dropped", 0);
        var unreadErrorInvocations = command.AddDouble("@unread_error_invocations", 0);
        foreach (var (key, delta) in deltas)
        {
            minute.Value = key.Minute;
            account.Value = scopes[key.Scope].AccountId;
            region.Value = scopes[key.Scope].Region;
            invocations.Value = delta.Invocations;
            errors.Value = delta.Errors;
            throttles.Value = delta.Throttles;
            coldStarts.Value = delta.ColdStarts;
            durationWeighted.Value = delta.DurationWeighted;
            durationWeight.Value = delta.DurationWeight;
            concurrency.Value = delta.Concurrency;
            concurrencyCount.Value = (int)delta.ConcurrencyCount;
            deadLetterErrors.Value = delta.DeadLetterErrors;
            asyncEventsDropped.Value = delta.AsyncEventsDropped;
            unreadErrorInvocations.Value = delta.UnreadErrorInvocations;
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    public async Task<IReadOnlyList<MetricBucket>> GetFunctionSeriesAsync(
        FunctionKey function, TimeRange range, SeriesResolution resolution, CancellationToken cancellationToken)
    {
        await using var connection = await OpenReadConnectionAsync(cancellationToken);
        await using var snapshot = await BeginSnapshotAsync(connection, cancellationToken);
        int fid;
        await using (var lookup = connection.Command(snapshot, "SELECT id FROM fn WHERE account_id = @account AND region = @region AND name = @name"))
        {
            lookup.AddText("@account", function.AccountId);
            lookup.AddText("@region", function.Region);
            lookup.AddText("@name", function.Name);
            var id = await lookup.ExecuteScalarAsync(cancellationToken);
            if (id is null or DBNull)
            {
                return [];
            }

            fid = Convert.ToInt32(id, CultureInfo.InvariantCulture);
        }

        List<(int Minute, MetricValues Values)> minutes;
        await using (var command = connection.Command(snapshot, $"""
            SELECT minute, {MetricValues.Columns} FROM metric_minute
            WHERE fid = @fid AND minute >= @from AND minute < @to ORDER BY minute
            """))
        {
            command.AddInt32("@fid", fid);
            command.AddInt32("@from", StoreTime.CeilMinute(range.From));
            command.AddInt32("@to", StoreTime.CeilMinute(range.To));
            minutes = await command.ReadAllAsync(reader => (reader.GetInt32(0), MetricValues.Read(reader, 1)), cancellationToken);
        }

        List<(int Hour, HourValues Values)> hours;
        await using (var command = connection.Command(snapshot, $"""
            SELECT hour, {HourValues.Columns} FROM metric_hour
            WHERE fid = @fid AND hour >= @from AND hour < @to ORDER BY hour
            """))
        {
            command.AddInt32("@fid", fid);
            command.AddInt32("@from", StoreTime.CeilHour(range.From));
            command.AddInt32("@to", StoreTime.CeilHour(range.To));
            hours = await command.ReadAllAsync(reader => (reader.GetInt32(0), HourValues.Read(reader, 1)), cancellationToken);
        }

        if (resolution == SeriesResolution.Minute)
        {
            var series = minutes.Select(m => BucketAccumulator.Minute(StoreTime.FromMinute(m.Minute), m.Values)).ToList();
            foreach (var (hour, values) in hours)
            {
                var bucket = new BucketAccumulator();
                bucket.AddRollup(values);
                series.Add(bucket.ToBucket(StoreTime.FromHour(hour)));
            }

            return [.. series.OrderBy(b => b.Start)];
        }

        var byHour = new SortedDictionary<int, BucketAccumulator>();
        foreach (var (minute, values) in minutes)
        {
            Bucket(byHour, (int)Math.Floor(minute / 60d)).AddMinute(values);
        }

        foreach (var (hour, values) in hours)
        {
            Bucket(byHour, hour).AddRollup(values);
        }

        return [.. byHour.Select(h => h.Value.ToBucket(StoreTime.FromHour(h.Key)))];
    }

    public async Task<FleetOverview> GetOverviewAsync(FleetFilter filter, TimeRange range, TimeSpan bucket, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentOutOfRangeException.ThrowIfLessThan(bucket, TimeSpan.FromMinutes(1));
        await using var connection = await OpenReadConnectionAsync(cancellationToken);
        await using var snapshot = await BeginSnapshotAsync(connection, cancellationToken);

        // Each time point (a minute, or an hour past the raw retention) is first summed over accounts and regions,
        // then points are folded into buckets; concurrency takes the busiest point of the bucket.
        var points = new List<(DateTimeOffset Start, FleetPoint Point)>();
        await using (var command = connection.Command(snapshot, ""))
        {
            var where = FilterSql(command, filter, "account_id", "region");
            command.CommandText = $"""
                SELECT minute, SUM(invocations), SUM(errors), SUM(throttles), SUM(cold_starts), SUM(duration_weighted),
                       SUM(duration_weight), SUM(concurrency), SUM(concurrency_count), SUM(dead_letter_errors), SUM(async_events_dropped),
                       SUM(unread_error_invocations)
                FROM fleet_minute WHERE minute >= @from AND minute < @to{where} GROUP BY minute
                """;
            command.AddInt32("@from", StoreTime.CeilMinute(range.From));
            command.AddInt32("@to", StoreTime.CeilMinute(range.To));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var hasConcurrency = Convert.ToInt64(reader.GetValue(8), CultureInfo.InvariantCulture) > 0;
                points.Add((StoreTime.FromMinute(reader.GetInt32(0)), FleetPoint.Read(reader, hasConcurrency ? reader.GetDouble(7) : null, 9)));
            }
        }

        await using (var command = connection.Command(snapshot, ""))
        {
            var where = FilterSql(command, filter, "account_id", "region");
            command.CommandText = $"""
                SELECT hour, SUM(invocations), SUM(errors), SUM(throttles), SUM(cold_starts), SUM(duration_weighted),
                       SUM(duration_weight), SUM(concurrency), SUM(dead_letter_errors), SUM(async_events_dropped),
                       SUM(unread_error_invocations)
                FROM fleet_hour WHERE hour >= @from AND hour < @to{where} GROUP BY hour
                """;
            command.AddInt32("@from", StoreTime.CeilHour(range.From));
            command.AddInt32("@to", StoreTime.CeilHour(range.To));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                points.Add((StoreTime.FromHour(reader.GetInt32(0)), FleetPoint.Read(reader, reader.GetNullableDouble(7), 8)));
            }
        }

        var bucketMs = (long)bucket.TotalMilliseconds;
        var buckets = new SortedDictionary<long, FleetPoint>();
        var total = new FleetPoint();
        foreach (var (start, point) in points)
        {
            var key = (long)Math.Floor(StoreTime.ToMs(start) / (double)bucketMs) * bucketMs;
            buckets[key] = buckets.TryGetValue(key, out var sum) ? sum.Combine(point) : point;
            total = total.Combine(point);
        }

        // The first time point anything was stored for, in or before the range: the charts count a bucket with no
        // rows as zero only from there on; before it nothing was being collected, so its figures are unknown.
        DateTimeOffset? firstData = null;
        await using (var command = connection.Command(snapshot, ""))
        {
            var where = FilterSql(command, filter, "account_id", "region");
            command.CommandText = $"SELECT (SELECT MIN(minute) FROM fleet_minute WHERE minute < @to{where}), (SELECT MIN(hour) FROM fleet_hour WHERE hour < @to_hour{where})";
            command.AddInt32("@to", StoreTime.CeilMinute(range.To));
            command.AddInt32("@to_hour", StoreTime.CeilHour(range.To));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            if (await reader.ReadAsync(cancellationToken))
            {
                var minute = reader.IsDBNull(0) ? (DateTimeOffset?)null : StoreTime.FromMinute(Convert.ToInt32(reader.GetValue(0), CultureInfo.InvariantCulture));
                var hour = reader.IsDBNull(1) ? (DateTimeOffset?)null : StoreTime.FromHour(Convert.ToInt32(reader.GetValue(1), CultureInfo.InvariantCulture));
                firstData = minute is null ? hour : hour is null ? minute : (hour < minute ? hour : minute);
            }
        }

        int functions;
        await using (var command = connection.Command(snapshot, ""))
        {
            var where = FilterSql(command, filter, "f.account_id", "f.region");
            command.CommandText = $"SELECT COUNT(*) FROM function_inventory i JOIN fn f ON f.id = i.fid WHERE i.deleted_at IS NULL{where}";
            functions = Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
        }

        int alarms;
        await using (var command = connection.Command(snapshot, ""))
        {
            var where = FilterSql(command, filter, "account_id", "region");
            command.CommandText = $"SELECT COUNT(*) FROM alarm WHERE state = @state{where}";
            command.AddText("@state", nameof(AlarmState.Alarm));
            alarms = Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
        }

        return new FleetOverview(
            functions,
            total.Invocations,
            total.Errors,
            total.Throttles,
            total.ColdStarts,
            alarms,
            [.. buckets.Select(b => b.Value.ToBucket(StoreTime.FromMs(b.Key)))],
            firstData,
            total.UnreadErrorInvocations);
    }

    private static BucketAccumulator Bucket(SortedDictionary<int, BucketAccumulator> buckets, int key)
    {
        if (!buckets.TryGetValue(key, out var bucket))
        {
            bucket = new BucketAccumulator();
            buckets.Add(key, bucket);
        }

        return bucket;
    }

    /// <summary>Fleet sums at one time point or over a bucket.</summary>
    private readonly record struct FleetPoint(
        double Invocations, double Errors, double Throttles, double ColdStarts, double DurationWeighted, double DurationWeight, double? Concurrency,
        double DeadLetterErrors, double AsyncEventsDropped, double UnreadErrorInvocations)
    {
        /// <param name="r">The row: time, five sums, duration weight at 1 to 6.</param>
        /// <param name="concurrency">The point's concurrency, or null when no function reported one.</param>
        /// <param name="deadLetter">Column of the dead-letter sum; dropped events and unread-error invocations follow it.</param>
        public static FleetPoint Read(DbDataReader r, double? concurrency, int deadLetter) =>
            new(r.GetDouble(1), r.GetDouble(2), r.GetDouble(3), r.GetDouble(4), r.GetDouble(5), r.GetDouble(6), concurrency,
                r.GetDouble(deadLetter), r.GetDouble(deadLetter + 1), r.GetDouble(deadLetter + 2));

        public FleetPoint Combine(in FleetPoint other) => new(
            Invocations + other.Invocations,
            Errors + other.Errors,
            Throttles + other.Throttles,
            ColdStarts + other.ColdStarts,
            DurationWeighted + other.DurationWeighted,
            DurationWeight + other.DurationWeight,
            Concurrency is null ? other.Concurrency : other.Concurrency is null ? Concurrency : Math.Max(Concurrency.Value, other.Concurrency.Value),
            DeadLetterErrors + other.DeadLetterErrors,
            AsyncEventsDropped + other.AsyncEventsDropped,
            UnreadErrorInvocations + other.UnreadErrorInvocations);

        public MetricBucket ToBucket(DateTimeOffset start) => new(
            start, Invocations, Errors, Throttles, DurationWeight > 0 ? DurationWeighted / DurationWeight : null,
            null, null, null, Concurrency, null, ColdStarts, DeadLetterErrors, AsyncEventsDropped, UnreadErrorInvocations);
    }
}
