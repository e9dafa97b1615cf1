using Observe.Store.Model;

namespace Observe.Store.Internal;

/// <summary>
/// Combines minutes or hourly rollups into one bucket with the rollup rules of <see cref="MetricBucket"/>: sums summed,
/// average duration weighted by invocations, concurrency, iterator age and percentiles by their maximum; the Lambda
/// Insights figures by their maximum (memory, init duration) or summed (CPU time, network), null until one is known.
/// The retention rollup SQL applies the same rules, so a series reads the same before and after retention.
/// </summary>
internal sealed class BucketAccumulator
{
    private double _invocations;
    private double _errors;
    private double _throttles;
    private double _coldStarts;
    private double _durationWeighted;
    private double _durationWeight;
    private double? _p50;
    private double? _p90;
    private double? _p99;
    private double? _concurrency;
    private double? _iteratorAge;
    private double? _deadLetterErrors;
    private double? _asyncEventsDropped;
    private double _unreadErrorInvocations;
    private double? _insightsMemoryUtilization;
    private double? _insightsUsedMemory;
    private double? _insightsCpuTime;
    private double? _insightsNetwork;
    private double? _insightsInitDuration;

    public static MetricBucket Minute(DateTimeOffset start, in MetricValues v) => new(
        start, v.Invocations ?? 0, v.Errors ?? 0, v.Throttles ?? 0, v.DurationAvgMs, v.DurationP50Ms, v.DurationP90Ms,
        v.DurationP99Ms, v.ConcurrentExecutions, v.IteratorAgeMs, v.ColdStarts ?? 0, v.DeadLetterErrors, v.AsyncEventsDropped,
        UnreadErrors(v), v.InsightsMemoryUtilizationMax, v.InsightsUsedMemoryMaxMb, v.InsightsCpuTotalTimeMs, v.InsightsNetworkBytes,
        v.InsightsInitDurationMaxMs);

    /// <summary>The minute's invocations when its error count is unknown: then its Errors (0) is no figure at all.</summary>
    private static double UnreadErrors(in MetricValues v) => v.Errors is null && v.Invocations is > 0 ? v.Invocations.Value : 0;

    public void AddMinute(in MetricValues v)
    {
        _invocations += v.Invocations ?? 0;
        _errors += v.Errors ?? 0;
        _throttles += v.Throttles ?? 0;
        _coldStarts += v.ColdStarts ?? 0;
        var weight = v.DurationWeight;
        _durationWeighted += weight * (v.DurationAvgMs ?? 0);
        _durationWeight += weight;
        _p50 = Max(_p50, v.DurationP50Ms);
        _p90 = Max(_p90, v.DurationP90Ms);
        _p99 = Max(_p99, v.DurationP99Ms);
        _concurrency = Max(_concurrency, v.ConcurrentExecutions);
        _iteratorAge = Max(_iteratorAge, v.IteratorAgeMs);
        _deadLetterErrors = Sum(_deadLetterErrors, v.DeadLetterErrors);
        _asyncEventsDropped = Sum(_asyncEventsDropped, v.AsyncEventsDropped);
        _unreadErrorInvocations += UnreadErrors(v);
        AddInsights(v.InsightsMemoryUtilizationMax, v.InsightsUsedMemoryMaxMb, v.InsightsCpuTotalTimeMs, v.InsightsNetworkBytes, v.InsightsInitDurationMaxMs);
    }

    /// <summary>Hourly rollups of one function do not keep which minutes had no error count (only the fleet's do).</summary>
    public void AddRollup(in HourValues h)
    {
        _invocations += h.Invocations;
        _errors += h.Errors;
        _throttles += h.Throttles;
        _coldStarts += h.ColdStarts;
        _durationWeighted += h.DurationWeighted;
        _durationWeight += h.DurationWeight;
        _p50 = Max(_p50, h.DurationP50Ms);
        _p90 = Max(_p90, h.DurationP90Ms);
        _p99 = Max(_p99, h.DurationP99Ms);
        _concurrency = Max(_concurrency, h.ConcurrentExecutions);
        _iteratorAge = Max(_iteratorAge, h.IteratorAgeMs);
        _deadLetterErrors = Sum(_deadLetterErrors, h.DeadLetterErrors);
        _asyncEventsDropped = Sum(_asyncEventsDropped, h.AsyncEventsDropped);
        AddInsights(h.InsightsMemoryUtilizationMax, h.InsightsUsedMemoryMaxMb, h.InsightsCpuTotalTimeMs, h.InsightsNetworkBytes, h.InsightsInitDurationMaxMs);
    }

    private void AddInsights(double? memoryUtilization, double? usedMemory, double? cpuTime, double? network, double? initDuration)
    {
        _insightsMemoryUtilization = Max(_insightsMemoryUtilization, memoryUtilization);
        _insightsUsedMemory = Max(_insightsUsedMemory, usedMemory);
        _insightsCpuTime = Sum(_insightsCpuTime, cpuTime);
        _insightsNetwork = Sum(_insightsNetwork, network);
        _insightsInitDuration = Max(_insightsInitDuration, initDuration);
    }

    public MetricBucket ToBucket(DateTimeOffset start) => new(
        start, _invocations, _errors, _throttles, _durationWeight > 0 ? _durationWeighted / _durationWeight : null,
        _p50, _p90, _p99, _concurrency, _iteratorAge, _coldStarts, _deadLetterErrors, _asyncEventsDropped, _unreadErrorInvocations,
        _insightsMemoryUtilization, _insightsUsedMemory, _insightsCpuTime, _insightsNetwork, _insightsInitDuration);

    private static double? Max(double? a, double? b) => a is null ? b : b is null ? a : Math.Max(a.Value, b.Value);

    /// <summary>A sum that stays unknown until some part of it is known.</summary>
    private static double? Sum(double? a, double? b) => a is null ? b : b is null ? a : a.Value + b.Value;
}

/// <summary>One row of <c>metric_hour</c>: minutes of one function-hour rolled up.</summary>
internal readonly record struct HourValues(
    double Invocations,
    double Errors,
    double Throttles,
    double ColdStarts,
    double DurationWeighted,
    double DurationWeight,
    double? DurationP50Ms,
    double? DurationP90Ms,
    double? DurationP99Ms,
    double? ConcurrentExecutions,
    double? IteratorAgeMs,
    double? DeadLetterErrors,
    double? AsyncEventsDropped,
    double? InsightsMemoryUtilizationMax,
    double? InsightsUsedMemoryMaxMb,
    double? InsightsCpuTotalTimeMs,
    double? InsightsNetworkBytes,
    double? InsightsInitDurationMaxMs)
{
    public const string Columns =
        "invocations, errors, throttles, cold_starts, duration_weighted, duration_weight, duration_p50, duration_p90, duration_p99, concurrency, iterator_age, dead_letter_errors, async_events_dropped, " +
        MetricValues.InsightsColumns;

    public static HourValues Read(System.Data.Common.DbDataReader r, int first) => new(
        r.GetDouble(first), r.GetDouble(first + 1), r.GetDouble(first + 2), r.GetDouble(first + 3), r.GetDouble(first + 4),
        r.GetDouble(first + 5), r.GetNullableDouble(first + 6), r.GetNullableDouble(first + 7), r.GetNullableDouble(first + 8),
        r.GetNullableDouble(first + 9), r.GetNullableDouble(first + 10), r.GetNullableDouble(first + 11), r.GetNullableDouble(first + 12),
        r.GetNullableDouble(first + 13), r.GetNullableDouble(first + 14), r.GetNullableDouble(first + 15), r.GetNullableDouble(first + 16),
        r.GetNullableDouble(first + 17));
}
