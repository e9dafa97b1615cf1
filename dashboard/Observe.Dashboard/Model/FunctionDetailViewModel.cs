using Observe.Store.Model;

namespace Observe.Dashboard.Model;

/// <summary>The Function detail page's charts, one point per bucket of the range (see <see cref="FunctionDetailSeries"/>).</summary>
/// <remarks>
/// Durations are the bucket's highest per-minute percentile (an upper bound, as the store's rollups keep them); init
/// duration and memory used come from invocation reports, so a bucket with no report (or before the reports read) is
/// unknown, not zero.
/// </remarks>
public sealed record FunctionCharts(
    IReadOnlyList<ChartPoint> Invocations,
    IReadOnlyList<ChartPoint> Errors,
    IReadOnlyList<ChartPoint> Throttles,
    IReadOnlyList<ChartPoint> DurationP50,
    IReadOnlyList<ChartPoint> DurationP90,
    IReadOnlyList<ChartPoint> DurationP99,
    IReadOnlyList<ChartPoint> ColdStarts,
    IReadOnlyList<ChartPoint> InitDurationMax,
    IReadOnlyList<ChartPoint> MaxMemoryUsed,
    InsightsCharts? Insights = null)
{
    /// <summary>Some bucket of the metrics series is known (the collectors stored something for the function).</summary>
    public bool HasMetrics => Invocations.Any(p => p.Value is not null);

    /// <summary>A point of the charts is a partial bucket.</summary>
    public bool HasPartialBucket => Invocations.Any(p => p.Partial);
}

/// <summary>
/// Lambda Insights' figures per bucket, for a function whose extension reported any in the range: measured on every
/// invocation, where the reports' memory is only what the logs collector read. A bucket without Insights data is unknown.
/// </summary>
public sealed record InsightsCharts(
    IReadOnlyList<ChartPoint> UsedMemoryMax,
    IReadOnlyList<ChartPoint> CpuTotalTime,
    IReadOnlyList<ChartPoint> NetworkBytes,
    IReadOnlyList<ChartPoint> InitDurationMax);

/// <summary>What the Function detail page shows for one function and range.</summary>
/// <param name="Key">The function the address names.</param>
/// <param name="Function">The inventory's record, deleted or not; null when the inventory never saw the function.</param>
/// <param name="Range">The range of the charts and reports.</param>
/// <param name="Bucket">The charts' bucket.</param>
/// <param name="Charts">The series; null for an unknown function.</param>
/// <param name="Reports">The most recent invocation reports in the range, newest first.</param>
/// <param name="ReportsComplete">
/// Whether the charts from reports (init duration, memory) cover the whole range; false when more reports were stored
/// than one read takes, so the oldest buckets are unknown (<see cref="ReportsFrom"/> says from when they are drawn).
/// </param>
/// <param name="ReportsFrom">The oldest report the charts include when <see cref="ReportsComplete"/> is false.</param>
/// <param name="Alarms">CloudWatch alarms on the function, ALARM first.</param>
/// <param name="Changes">Changes the inventory collector saw in the range (deploy markers), newest first.</param>
/// <param name="Comparisons">The changes by minute, oldest first, each with the function's figures before and after it.</param>
public sealed record FunctionDetailViewModel(
    FunctionKey Key,
    LambdaFunction? Function,
    TimeRange Range,
    TimeSpan Bucket,
    FunctionCharts? Charts,
    IReadOnlyList<InvocationReport> Reports,
    bool ReportsComplete,
    DateTimeOffset? ReportsFrom,
    IReadOnlyList<CloudWatchAlarm> Alarms,
    IReadOnlyList<FunctionChange> Changes,
    IReadOnlyList<ChangeComparison> Comparisons)
{
    /// <summary>The trace ids of <see cref="Reports"/> whose traces the store holds (linked to their waterfall).</summary>
    public IReadOnlySet<string> StoredTraceIds { get; init; } = new HashSet<string>();
}

/// <summary>Reports read for a chart, and the oldest one's time when the read was cut by its limit (null: all of the range's).</summary>
public sealed record ReportSample(IReadOnlyList<InvocationReport> Reports, DateTimeOffset? From);

/// <summary>
/// Builds the detail page's series from a function's stored buckets and reports, aligned the way the Overview aligns
/// the fleet's: buckets at multiples of the bucket since the epoch, the first clipped to the range's start.
/// </summary>
public static class FunctionDetailSeries
{
    /// <param name="stored">The function's stored buckets (minutes, or hours for buckets of an hour or more).</param>
    /// <param name="firstData">
    /// The earliest stored time point of the function at or before the range's end; null when none. The collectors
    /// write only non-zero minutes, so after it a bucket without rows had no invocations; before it nothing was known.
    /// </param>
    /// <param name="reports">Invocation reports in the range, for max memory used.</param>
    /// <param name="coldStarts">Cold-start reports in the range, for init duration.</param>
    /// <param name="range">The range shown.</param>
    /// <param name="bucket">The charts' bucket.</param>
    /// <param name="now">The time of the query; buckets after it are not drawn.</param>
    public static FunctionCharts Build(
        IReadOnlyList<MetricBucket> stored, DateTimeOffset? firstData, ReportSample reports, ReportSample coldStarts,
        TimeRange range, TimeSpan bucket, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(stored);
        ArgumentNullException.ThrowIfNull(reports);
        ArgumentNullException.ThrowIfNull(coldStarts);

        var slots = Slots(range, bucket, now, firstData);
        var rows = slots.Select(s => stored.Where(b => b.Start >= s.Start && b.Start < s.Start + bucket).ToList()).ToList();

        List<ChartPoint> Series(Func<List<MetricBucket>, double?> value) =>
            slots.Select((s, i) => new ChartPoint(s.Time, s.Known ? value(rows[i]) : null, s.Partial)).ToList();

        // A bucket before the oldest report read is unknown: its reports were not read, not absent.
        List<ChartPoint> FromReports(ReportSample sample, Func<List<InvocationReport>, double?> value) =>
            slots.Select(s => new ChartPoint(
                s.Time,
                sample.From is { } from && s.Start < from
                    ? null
                    : value(sample.Reports.Where(r => r.Timestamp >= s.Start && r.Timestamp < s.Start + bucket).ToList()),
                s.Partial)).ToList();

        // The extension writes nothing for a function without it: no Insights charts rather than four empty ones.
        List<ChartPoint> Insights(Func<MetricBucket, double?> value, bool sum) => Series(r =>
        {
            var values = r.Select(value).Where(v => v is not null).Select(v => v!.Value).ToList();
            return values.Count == 0 ? null : sum ? values.Sum() : values.Max();
        });
        var insights = stored.Any(b => b.InsightsUsedMemoryMaxMb is not null || b.InsightsCpuTotalTimeMs is not null || b.InsightsNetworkBytes is not null || b.InsightsInitDurationMaxMs is not null)
            ? new InsightsCharts(
                Insights(b => b.InsightsUsedMemoryMaxMb, sum: false),
                Insights(b => b.InsightsCpuTotalTimeMs, sum: true),
                Insights(b => b.InsightsNetworkBytes, sum: true),
                Insights(b => b.InsightsInitDurationMaxMs, sum: false))
            : null;

        return new FunctionCharts(
            Series(r => r.Sum(b => b.Invocations)),
            // A bucket whose error counts were not all read has no error figure: a gap, not a count.
            Series(r => r.Any(b => b.UnreadErrorInvocations > 0) ? null : r.Sum(b => b.Errors)),
            Series(r => r.Sum(b => b.Throttles)),
            Series(r => r.Max(b => b.DurationP50Ms)),
            Series(r => r.Max(b => b.DurationP90Ms)),
            Series(r => r.Max(b => b.DurationP99Ms)),
            Series(r => r.Sum(b => b.ColdStarts)),
            FromReports(coldStarts, r => r.Max(x => x.InitDurationMs)),
            FromReports(reports, r => r.Count == 0 ? null : r.Max(x => x.MaxMemoryUsedMb)),
            insights);
    }

    /// <summary>The buckets of the range up to now, with whether their metrics are known and whole.</summary>
    private static List<Slot> Slots(TimeRange range, TimeSpan bucket, DateTimeOffset now, DateTimeOffset? firstData)
    {
        var firstMinute = CeilMinute(range.From);
        var endMinute = CeilMinute(range.To);
        var slots = new List<Slot>();
        for (var start = Floor(firstMinute, bucket); start < endMinute && start < now; start += bucket)
        {
            var known = firstData is { } first && start + bucket > first;
            var partial = start < firstMinute || start + bucket > range.To || start + bucket > now
                || (firstData is { } from && from > start && from < start + bucket);
            slots.Add(new Slot(start, (start < range.From ? range.From : start).UtcDateTime, known, partial));
        }

        return slots;
    }

    private static DateTimeOffset Floor(DateTimeOffset t, TimeSpan bucket) =>
        new(t.UtcTicks - (t.UtcTicks % bucket.Ticks), TimeSpan.Zero);

    private static DateTimeOffset CeilMinute(DateTimeOffset t)
    {
        var remainder = t.UtcTicks % TimeSpan.TicksPerMinute;
        return new DateTimeOffset(t.UtcTicks - remainder + (remainder == 0 ? 0 : TimeSpan.TicksPerMinute), TimeSpan.Zero);
    }

    private sealed record Slot(DateTimeOffset Start, DateTime Time, bool Known, bool Partial);
}
