using System.Data.Common;
using System.Globalization;
using Observe.Store.Model;

namespace Observe.Store.Internal;

internal abstract partial class RelationalStore
{
    public async Task<IReadOnlyList<FunctionBaseline>> GetFunctionBaselinesAsync(FleetFilter filter, TimeRange range, TimeSpan window, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var windowMinutes = (int)Math.Ceiling(window.TotalMinutes);
        if (windowMinutes < 1 || windowMinutes > range.To.Subtract(range.From).TotalMinutes)
        {
            throw new ArgumentOutOfRangeException(nameof(window), window, "the window must be at least a minute and no longer than the range");
        }

        await using var connection = await OpenReadConnectionAsync(cancellationToken);
        await using var snapshot = await BeginSnapshotAsync(connection, cancellationToken);
        var from = StoreTime.CeilMinute(range.From);
        var to = StoreTime.CeilMinute(range.To);
        var byFunction = new Dictionary<int, BaselineAccumulator>();

        // Minutes and rolled-up hours never overlap, as for the fleet figures: each table is read where the rollup
        // watermark says it can hold part of the range. Per hour: invocations, the weighted duration and its weight;
        // per window bucket: invocations. Both are summed by the database so a function costs rows per hour, not minute.
        var watermark = await ReadWatermarkAsync(connection, snapshot, cancellationToken);
        if (to > watermark)
        {
            var minuteFrom = Math.Max(from, watermark);
            await ReadBaselineRowsAsync(connection, snapshot, filter, """
                SELECT f.id, f.account_id, f.region, f.name, m.minute / 60, MIN(m.minute),
                       COALESCE(SUM(CASE WHEN m.duration_avg IS NOT NULL AND m.invocations > 0 THEN m.duration_avg * m.invocations ELSE 0 END), 0),
                       COALESCE(SUM(CASE WHEN m.duration_avg IS NOT NULL AND m.invocations > 0 THEN m.invocations ELSE 0 END), 0)
                FROM metric_minute m JOIN fn f ON f.id = m.fid
                WHERE m.minute >= @from AND m.minute < @to{0}
                GROUP BY f.id, f.account_id, f.region, f.name, m.minute / 60
                """, minuteFrom, to, byFunction, cancellationToken);
            await ReadPeaksAsync(connection, snapshot, filter, """
                SELECT b.fid, MAX(b.invocations) FROM (
                    SELECT m.fid, (m.minute - @origin) / @window AS bucket, COALESCE(SUM(m.invocations), 0) AS invocations
                    FROM metric_minute m JOIN fn f ON f.id = m.fid
                    WHERE m.minute >= @from AND m.minute < @to{0}
                    GROUP BY m.fid, bucket) b
                GROUP BY b.fid
                """, minuteFrom, to, (from, windowMinutes), byFunction, cancellationToken);
        }

        if (from < watermark)
        {
            // Hours wholly inside the range and below the watermark: a partly covered first hour would add the minutes
            // before the range. Each hour is one bucket of invocations (see FunctionBaseline).
            var hourFrom = StoreTime.CeilHour(range.From);
            var hourTo = Math.Min(to / 60, watermark / 60);
            await ReadBaselineRowsAsync(connection, snapshot, filter, """
                SELECT f.id, f.account_id, f.region, f.name, h.hour, h.hour * 60, h.duration_weighted, h.duration_weight
                FROM metric_hour h JOIN fn f ON f.id = h.fid
                WHERE h.hour >= @from AND h.hour < @to{0}
                """, hourFrom, hourTo, byFunction, cancellationToken);
            await ReadPeaksAsync(connection, snapshot, filter, """
                SELECT h.fid, MAX(h.invocations) FROM metric_hour h JOIN fn f ON f.id = h.fid
                WHERE h.hour >= @from AND h.hour < @to{0}
                GROUP BY h.fid
                """, hourFrom, hourTo, null, byFunction, cancellationToken);
        }

        return [.. byFunction.Values.Select(b => b.ToBaseline())];
    }

    private static async Task ReadBaselineRowsAsync(
        DbConnection connection, DbTransaction snapshot, FleetFilter filter, string sql, int from, int to,
        Dictionary<int, BaselineAccumulator> byFunction, CancellationToken cancellationToken)
    {
        await using var command = connection.Command(snapshot, "");
        command.CommandText = string.Format(CultureInfo.InvariantCulture, sql, FilterSql(command, filter, "f.account_id", "f.region"));
        command.AddInt32("@from", from);
        command.AddInt32("@to", to);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var id = Convert.ToInt32(reader.GetValue(0), CultureInfo.InvariantCulture);
            if (!byFunction.TryGetValue(id, out var baseline))
            {
                baseline = new BaselineAccumulator(new FunctionKey(reader.GetString(1), reader.GetString(2), reader.GetString(3)));
                byFunction.Add(id, baseline);
            }

            var hour = Convert.ToInt32(reader.GetValue(4), CultureInfo.InvariantCulture);
            var firstMinute = Convert.ToInt32(reader.GetValue(5), CultureInfo.InvariantCulture);
            baseline.Add(hour, firstMinute, reader.GetDouble(6), reader.GetDouble(7));
        }
    }

    private static async Task ReadPeaksAsync(
        DbConnection connection, DbTransaction snapshot, FleetFilter filter, string sql, int from, int to, (int Origin, int Minutes)? buckets,
        Dictionary<int, BaselineAccumulator> byFunction, CancellationToken cancellationToken)
    {
        await using var command = connection.Command(snapshot, "");
        command.CommandText = string.Format(CultureInfo.InvariantCulture, sql, FilterSql(command, filter, "f.account_id", "f.region"));
        command.AddInt32("@from", from);
        command.AddInt32("@to", to);
        if (buckets is { } window)
        {
            command.AddInt32("@origin", window.Origin);
            command.AddInt32("@window", window.Minutes);
        }

        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            // Every function with a peak row had rows in the per-hour read of the same snapshot.
            if (byFunction.TryGetValue(Convert.ToInt32(reader.GetValue(0), CultureInfo.InvariantCulture), out var baseline) && !reader.IsDBNull(1))
            {
                baseline.InvocationsPeak = Math.Max(baseline.InvocationsPeak, reader.GetDouble(1));
            }
        }
    }

    private sealed class BaselineAccumulator(FunctionKey function)
    {
        private readonly Dictionary<int, (double Weighted, double Weight)> _hours = [];
        private int _firstMinute = int.MaxValue;

        public double InvocationsPeak { get; set; }

        public void Add(int hour, int firstMinute, double weighted, double weight)
        {
            _firstMinute = Math.Min(_firstMinute, firstMinute);
            _hours[hour] = _hours.TryGetValue(hour, out var sums) ? (sums.Weighted + weighted, sums.Weight + weight) : (weighted, weight);
        }

        public FunctionBaseline ToBaseline()
        {
            var averages = _hours.Values.Where(h => h.Weight > 0).Select(h => h.Weighted / h.Weight).Order().ToArray();
            double? median = averages.Length == 0 ? null
                : averages.Length % 2 == 1 ? averages[averages.Length / 2]
                : (averages[(averages.Length / 2) - 1] + averages[averages.Length / 2]) / 2;
            return new FunctionBaseline
            {
                Function = function,
                Since = StoreTime.FromMs(_firstMinute * 60_000L),
                DurationMedianMs = median,
                DurationHours = averages.Length,
                InvocationsPeak = InvocationsPeak,
            };
        }
    }
}
