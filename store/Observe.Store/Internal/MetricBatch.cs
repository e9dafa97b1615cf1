using System.Data.Common;
using Observe.Store.Model;

namespace Observe.Store.Internal;

/// <summary>The figures of one function-minute; null means "not known", never zero.</summary>
internal readonly record struct MetricValues(
    double? Invocations,
    double? Errors,
    double? Throttles,
    double? DurationAvgMs,
    double? DurationP50Ms,
    double? DurationP90Ms,
    double? DurationP99Ms,
    double? ConcurrentExecutions,
    double? IteratorAgeMs,
    double? ColdStarts,
    double? DeadLetterErrors,
    double? AsyncEventsDropped,
    double? InsightsMemoryUtilizationMax,
    double? InsightsUsedMemoryMaxMb,
    double? InsightsCpuTotalTimeMs,
    double? InsightsNetworkBytes,
    double? InsightsInitDurationMaxMs)
{
    /// <summary>Column list in the order <see cref="Read"/> expects, shared by every engine's SQL.</summary>
    public const string Columns =
        "invocations, errors, throttles, duration_avg, duration_p50, duration_p90, duration_p99, concurrency, iterator_age, cold_starts, dead_letter_errors, async_events_dropped, " +
        InsightsColumns;

    /// <summary>The Lambda Insights columns, named alike in <c>metric_minute</c> and <c>metric_hour</c>.</summary>
    public const string InsightsColumns =
        "insights_memory_utilization, insights_used_memory, insights_cpu_time, insights_network, insights_init_duration";

    /// <summary>How many columns <see cref="Columns"/> names.</summary>
    public const int ColumnCount = 17;

    public static MetricValues From(MetricPoint p) => new(
        p.Invocations, p.Errors, p.Throttles, p.DurationAvgMs, p.DurationP50Ms, p.DurationP90Ms, p.DurationP99Ms,
        p.ConcurrentExecutions, p.IteratorAgeMs, p.ColdStarts, p.DeadLetterErrors, p.AsyncEventsDropped,
        p.InsightsMemoryUtilizationMax, p.InsightsUsedMemoryMaxMb, p.InsightsCpuTotalTimeMs, p.InsightsNetworkBytes, p.InsightsInitDurationMaxMs);

    public static MetricValues Read(DbDataReader reader, int first) => new(
        reader.GetNullableDouble(first),
        reader.GetNullableDouble(first + 1),
        reader.GetNullableDouble(first + 2),
        reader.GetNullableDouble(first + 3),
        reader.GetNullableDouble(first + 4),
        reader.GetNullableDouble(first + 5),
        reader.GetNullableDouble(first + 6),
        reader.GetNullableDouble(first + 7),
        reader.GetNullableDouble(first + 8),
        reader.GetNullableDouble(first + 9),
        reader.GetNullableDouble(first + 10),
        reader.GetNullableDouble(first + 11),
        reader.GetNullableDouble(first + 12),
        reader.GetNullableDouble(first + 13),
        reader.GetNullableDouble(first + 14),
        reader.GetNullableDouble(first + 15),
        reader.GetNullableDouble(first + 16));

    /// <summary>A point carrying these values, for rows that had to be merged.</summary>
    public MetricPoint ToPoint(MetricPoint like) => like with
    {
        Invocations = Invocations,
        Errors = Errors,
        Throttles = Throttles,
        DurationAvgMs = DurationAvgMs,
        DurationP50Ms = DurationP50Ms,
        DurationP90Ms = DurationP90Ms,
        DurationP99Ms = DurationP99Ms,
        ConcurrentExecutions = ConcurrentExecutions,
        IteratorAgeMs = IteratorAgeMs,
        ColdStarts = ColdStarts,
        DeadLetterErrors = DeadLetterErrors,
        AsyncEventsDropped = AsyncEventsDropped,
        InsightsMemoryUtilizationMax = InsightsMemoryUtilizationMax,
        InsightsUsedMemoryMaxMb = InsightsUsedMemoryMaxMb,
        InsightsCpuTotalTimeMs = InsightsCpuTotalTimeMs,
        InsightsNetworkBytes = InsightsNetworkBytes,
        InsightsInitDurationMaxMs = InsightsInitDurationMaxMs,
    };

    /// <summary>The contract's merge: what <paramref name="newer"/> knows overwrites, what it does not know is kept.</summary>
    public MetricValues MergedWith(in MetricValues newer) => new(
        newer.Invocations ?? Invocations,
        newer.Errors ?? Errors,
        newer.Throttles ?? Throttles,
        newer.DurationAvgMs ?? DurationAvgMs,
        newer.DurationP50Ms ?? DurationP50Ms,
        newer.DurationP90Ms ?? DurationP90Ms,
        newer.DurationP99Ms ?? DurationP99Ms,
        newer.ConcurrentExecutions ?? ConcurrentExecutions,
        newer.IteratorAgeMs ?? IteratorAgeMs,
        newer.ColdStarts ?? ColdStarts,
        newer.DeadLetterErrors ?? DeadLetterErrors,
        newer.AsyncEventsDropped ?? AsyncEventsDropped,
        newer.InsightsMemoryUtilizationMax ?? InsightsMemoryUtilizationMax,
        newer.InsightsUsedMemoryMaxMb ?? InsightsUsedMemoryMaxMb,
        newer.InsightsCpuTotalTimeMs ?? InsightsCpuTotalTimeMs,
        newer.InsightsNetworkBytes ?? InsightsNetworkBytes,
        newer.InsightsInitDurationMaxMs ?? InsightsInitDurationMaxMs);

    /// <summary>
    /// How much this minute's average duration weighs when minutes are combined: its invocations, or 1 when a
    /// duration arrived without an invocation count (so it still counts rather than vanishing).
    /// </summary>
    public double DurationWeight => DurationAvgMs is null ? 0 : Invocations is > 0 ? Invocations.Value : 1;
}

/// <summary>
/// A row of <c>metric_minute</c> to write. The values are the caller's point itself (its key fields are not read),
/// so a batch of new minutes is never copied; only a merged row gets a new point.
/// </summary>
internal readonly record struct MetricRow(int FunctionId, int Minute, MetricPoint Values);

/// <summary>A row of <c>metric_minute</c> as stored.</summary>
internal readonly record struct StoredMetricRow(int FunctionId, int Minute, MetricValues Values);

/// <summary>The minutes a batch holds for one function, so existing rows are read with one range query per function.</summary>
internal readonly record struct MetricRun(int FunctionId, int FirstMinute, int LastMinute);

/// <summary>A row of the per-(minute, account, region) fleet aggregate; the scope indexes <see cref="MetricBatch.Scopes"/>.</summary>
internal readonly record struct FleetKey(int Minute, int Scope);

/// <summary>
/// Sums a fleet aggregate row is made of. Every field is a sum over functions, so a change to one function-minute
/// moves it by (new contribution - old contribution): that keeps the aggregate exact under overwrites and replays
/// without rescanning the minute. Percentiles and iterator age are maxima, which cannot be maintained that way, so
/// the fleet series leaves them out.
/// </summary>
internal sealed class FleetDelta
{
    public double Invocations { get; private set; }
    public double Errors { get; private set; }
    public double Throttles { get; private set; }
    public double ColdStarts { get; private set; }
    public double DurationWeighted { get; private set; }
    public double DurationWeight { get; private set; }
    public double Concurrency { get; private set; }
    public long ConcurrencyCount { get; private set; }
    public double DeadLetterErrors { get; private set; }
    public double AsyncEventsDropped { get; private set; }

    /// <summary>Invocations of function-minutes whose error count is unknown: the fleet's error total is then unknown too.</summary>
    public double UnreadErrorInvocations { get; private set; }

    public void Add(in MetricValues v, int sign)
    {
        Invocations += sign * (v.Invocations ?? 0);
        Errors += sign * (v.Errors ?? 0);
        Throttles += sign * (v.Throttles ?? 0);
        ColdStarts += sign * (v.ColdStarts ?? 0);
        var weight = v.DurationWeight;
        DurationWeighted += sign * weight * (v.DurationAvgMs ?? 0);
        DurationWeight += sign * weight;
        Concurrency += sign * (v.ConcurrentExecutions ?? 0);
        ConcurrencyCount += sign * (v.ConcurrentExecutions is null ? 0 : 1);
        DeadLetterErrors += sign * (v.DeadLetterErrors ?? 0);
        AsyncEventsDropped += sign * (v.AsyncEventsDropped ?? 0);
        UnreadErrorInvocations += sign * (v.Errors is null && v.Invocations is > 0 ? v.Invocations.Value : 0);
    }
}

/// <summary>
/// A metrics write prepared for merging: points mapped to function ids, floored to the minute, sorted by
/// (function, minute), and duplicates within the batch merged in the order given (a later point's non-null
/// fields win). Built to handle hundreds of thousands of points without copying them.
/// </summary>
internal sealed class MetricBatch
{
    private readonly int[] _scopeOfRow;

    private MetricBatch(MetricRow[] rows, int[] scopeOfRow, IReadOnlyList<(string AccountId, string Region)> scopes, int ignored)
    {
        Rows = rows;
        _scopeOfRow = scopeOfRow;
        Scopes = scopes;
        Ignored = ignored;
        var runs = new List<MetricRun>();
        for (var i = 0; i < rows.Length;)
        {
            var j = i;
            while (j + 1 < rows.Length && rows[j + 1].FunctionId == rows[i].FunctionId)
            {
                j++;
            }

            runs.Add(new MetricRun(rows[i].FunctionId, rows[i].Minute, rows[j].Minute));
            i = j + 1;
        }

        Runs = runs;
    }

    public MetricRow[] Rows { get; }

    public IReadOnlyList<MetricRun> Runs { get; }

    /// <summary>The accounts and regions of the batch's functions, indexed by <see cref="FleetKey.Scope"/>.</summary>
    public IReadOnlyList<(string AccountId, string Region)> Scopes { get; }

    /// <summary>Points dropped because their minute is already rolled up into hours.</summary>
    public int Ignored { get; }

    /// <param name="points">The caller's points.</param>
    /// <param name="functionOfPoint">For each point, the index of its function in <paramref name="functions"/>.</param>
    /// <param name="functions">The batch's distinct functions.</param>
    /// <param name="idOfFunction">The id of each function in <paramref name="functions"/>.</param>
    /// <param name="watermarkMinute">Minutes before it are already rolled up.</param>
    public static MetricBatch Create(
        IReadOnlyList<MetricPoint> points, int[] functionOfPoint, IReadOnlyList<FunctionKey> functions, int[] idOfFunction, int watermarkMinute)
    {
        var scopes = new List<(string, string)>();
        var scopeIndex = new Dictionary<(string, string), int>();
        var scopeOfFunction = new int[functions.Count];
        for (var f = 0; f < functions.Count; f++)
        {
            var scope = (functions[f].AccountId, functions[f].Region);
            if (!scopeIndex.TryGetValue(scope, out var index))
            {
                index = scopes.Count;
                scopeIndex.Add(scope, index);
                scopes.Add(scope);
            }

            scopeOfFunction[f] = index;
        }

        var keys = new long[points.Count];
        var order = new int[points.Count];
        var count = 0;
        for (var i = 0; i < points.Count; i++)
        {
            var minute = StoreTime.FloorMinute(points[i].Minute);
            if (minute < watermarkMinute)
            {
                continue;
            }

            keys[count] = ((long)idOfFunction[functionOfPoint[i]] << 32) | (uint)minute;
            order[count] = i;
            count++;
        }

        Array.Sort(keys, order, 0, count);
        var rows = new MetricRow[count];
        var scopeOfRow = new int[count];
        var rowCount = 0;
        for (var i = 0; i < count;)
        {
            var j = i + 1;
            while (j < count && keys[j] == keys[i])
            {
                j++;
            }

            var values = points[order[i]];
            if (j - i > 1)
            {
                // Several points for one minute: the sort is not stable, so restore the caller's order to merge.
                Array.Sort(order, i, j - i);
                var merged = MetricValues.From(points[order[i]]);
                for (var k = i + 1; k < j; k++)
                {
                    merged = merged.MergedWith(MetricValues.From(points[order[k]]));
                }

                values = merged.ToPoint(points[order[j - 1]]);
            }

            rows[rowCount] = new MetricRow((int)(keys[i] >> 32), (int)(uint)keys[i], values);
            scopeOfRow[rowCount] = scopeOfFunction[functionOfPoint[order[i]]];
            rowCount++;
            i = j;
        }

        Array.Resize(ref rows, rowCount);
        Array.Resize(ref scopeOfRow, rowCount);
        return new MetricBatch(rows, scopeOfRow, scopes, points.Count - count);
    }

    /// <summary>
    /// Merges the batch into the stored rows (sorted by function, minute): the rows to write (only those that
    /// change, so a replay writes nothing) and the fleet aggregate deltas they cause.
    /// </summary>
    public (List<MetricRow> Changed, Dictionary<FleetKey, FleetDelta> Deltas) Merge(IReadOnlyList<StoredMetricRow> existing)
    {
        var changed = new List<MetricRow>(existing.Count == 0 ? Rows.Length : 16);
        var deltas = new Dictionary<FleetKey, FleetDelta>();
        var e = 0;
        for (var r = 0; r < Rows.Length; r++)
        {
            var row = Rows[r];
            while (e < existing.Count && Compare(existing[e], row) < 0)
            {
                e++;
            }

            var incoming = MetricValues.From(row.Values);
            if (e < existing.Count && Compare(existing[e], row) == 0)
            {
                var old = existing[e].Values;
                var merged = old.MergedWith(incoming);
                if (merged == old)
                {
                    continue;
                }

                changed.Add(row with { Values = merged.ToPoint(row.Values) });
                var delta = Delta(deltas, new FleetKey(row.Minute, _scopeOfRow[r]));
                delta.Add(merged, +1);
                delta.Add(old, -1);
            }
            else
            {
                changed.Add(row);
                Delta(deltas, new FleetKey(row.Minute, _scopeOfRow[r])).Add(incoming, +1);
            }
        }

        return (changed, deltas);
    }

    private static FleetDelta Delta(Dictionary<FleetKey, FleetDelta> deltas, FleetKey key)
    {
        if (!deltas.TryGetValue(key, out var delta))
        {
            delta = new FleetDelta();
            deltas.Add(key, delta);
        }

        return delta;
    }

    private static int Compare(in StoredMetricRow a, in MetricRow b) =>
        a.FunctionId != b.FunctionId ? a.FunctionId.CompareTo(b.FunctionId) : a.Minute.CompareTo(b.Minute);
}
