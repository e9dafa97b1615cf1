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
    double? ColdStarts)
{
    /// <summary>Column list in the order <see cref="Read"/> expects, shared by every engine's SQL.</summary>
    public const string Columns =
        "invocations, errors, throttles, duration_avg, duration_p50, duration_p90, duration_p99, concurrency, iterator_age, cold_starts";

    public static MetricValues From(MetricPoint p) => new(
        p.Invocations, p.Errors, p.Throttles, p.DurationAvgMs, p.DurationP50Ms, p.DurationP90Ms, p.DurationP99Ms,
        p.ConcurrentExecutions, p.IteratorAgeMs, p.ColdStarts);

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
        reader.GetNullableDouble(first + 9));

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
        newer.ColdStarts ?? ColdStarts);

    /// <summary>
    /// How much this minute's average duration weighs when minutes are combined: its invocations, or 1 when a
    /// duration arrived without an invocation count (so it still counts rather than vanishing).
    /// </summary>
    public double DurationWeight => DurationAvgMs is null ? 0 : Invocations is > 0 ? Invocations.Value : 1;
}

/// <summary>One stored row of <c>metric_minute</c>.</summary>
internal readonly record struct MetricRow(int FunctionId, int Minute, MetricValues Values);

/// <summary>The minutes a batch holds for one function, so existing rows are read with one range query per function.</summary>
internal readonly record struct MetricRun(int FunctionId, int FirstMinute, int LastMinute);

/// <summary>A row of the per-(minute, account, region) fleet aggregate.</summary>
internal readonly record struct FleetKey(int Minute, string AccountId, string Region);

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
    }
}

/// <summary>
/// A metrics write prepared for merging: points mapped to function ids, floored to the minute, sorted by
/// (function, minute), and duplicates within the batch merged in the order given (a later point's non-null
/// fields win).
/// </summary>
internal sealed class MetricBatch
{
    private readonly Dictionary<int, FunctionKey> _functions;

    private MetricBatch(MetricRow[] rows, Dictionary<int, FunctionKey> functions, int ignored)
    {
        Rows = rows;
        _functions = functions;
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

    /// <summary>Points dropped because their minute is already rolled up into hours.</summary>
    public int Ignored { get; }

    public static MetricBatch Create(IReadOnlyCollection<MetricPoint> points, IReadOnlyDictionary<FunctionKey, int> ids, int watermarkMinute)
    {
        var order = new (long Key, int Index)[points.Count];
        var values = new MetricValues[points.Count];
        var functions = new Dictionary<int, FunctionKey>();
        var count = 0;
        var ignored = 0;
        foreach (var point in points)
        {
            var minute = StoreTime.FloorMinute(point.Minute);
            if (minute < watermarkMinute)
            {
                ignored++;
                continue;
            }

            var id = ids[point.Function];
            functions[id] = point.Function;
            values[count] = MetricValues.From(point);
            order[count] = (((long)id << 32) | (uint)minute, count);
            count++;
        }

        // The index breaks ties so points for the same minute merge in the order the caller gave them.
        Array.Sort(order, 0, count, Comparer<(long Key, int Index)>.Create(static (a, b) => a.CompareTo(b)));
        var rows = new List<MetricRow>(count);
        for (var i = 0; i < count; i++)
        {
            var (key, index) = order[i];
            var row = new MetricRow((int)(key >> 32), (int)(uint)key, values[index]);
            if (rows.Count > 0 && rows[^1].FunctionId == row.FunctionId && rows[^1].Minute == row.Minute)
            {
                rows[^1] = rows[^1] with { Values = rows[^1].Values.MergedWith(row.Values) };
            }
            else
            {
                rows.Add(row);
            }
        }

        return new MetricBatch([.. rows], functions, ignored);
    }

    /// <summary>
    /// Merges the batch into the stored rows (sorted by function, minute): the rows to write (only those that
    /// change, so a replay writes nothing) and the fleet aggregate deltas they cause.
    /// </summary>
    public (List<MetricRow> Changed, Dictionary<FleetKey, FleetDelta> Deltas) Merge(IReadOnlyList<MetricRow> existing)
    {
        var changed = new List<MetricRow>(Rows.Length);
        var deltas = new Dictionary<FleetKey, FleetDelta>();
        var e = 0;
        foreach (var row in Rows)
        {
            while (e < existing.Count && Compare(existing[e], row) < 0)
            {
                e++;
            }

            var found = e < existing.Count && Compare(existing[e], row) == 0;
            var old = found ? existing[e].Values : default;
            var merged = old.MergedWith(row.Values);
            if (found && merged == old)
            {
                continue;
            }

            changed.Add(row with { Values = merged });
            var function = _functions[row.FunctionId];
            var key = new FleetKey(row.Minute, function.AccountId, function.Region);
            if (!deltas.TryGetValue(key, out var delta))
            {
                delta = new FleetDelta();
                deltas.Add(key, delta);
            }

            delta.Add(merged, +1);
            if (found)
            {
                delta.Add(old, -1);
            }
        }

        return (changed, deltas);
    }

    private static int Compare(in MetricRow a, in MetricRow b) =>
        a.FunctionId != b.FunctionId ? a.FunctionId.CompareTo(b.FunctionId) : a.Minute.CompareTo(b.Minute);
}
