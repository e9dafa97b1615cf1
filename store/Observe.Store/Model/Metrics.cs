namespace Observe.Store.Model;

/// <summary>
/// One function's figures for one minute. Every field but the key is optional: the metrics collector fills the
/// CloudWatch figures and the logs collector the cold-start counts, and a write merges the non-null fields into
/// what is stored, so neither writer erases the other's values.
/// </summary>
public sealed record MetricPoint
{
    public required FunctionKey Function { get; init; }

    /// <summary>Start of the minute, UTC, with seconds and below zero.</summary>
    public required DateTimeOffset Minute { get; init; }

    public double? Invocations { get; init; }
    public double? Errors { get; init; }
    public double? Throttles { get; init; }
    public double? DurationAvgMs { get; init; }
    public double? DurationP50Ms { get; init; }
    public double? DurationP90Ms { get; init; }
    public double? DurationP99Ms { get; init; }
    public double? ConcurrentExecutions { get; init; }
    public double? IteratorAgeMs { get; init; }

    /// <summary>Invocations that began with an on-demand init (from REPORT lines).</summary>
    public double? ColdStarts { get; init; }

    /// <summary>Asynchronous events Lambda failed to send to the dead-letter queue (CloudWatch <c>DeadLetterErrors</c>).</summary>
    public double? DeadLetterErrors { get; init; }

    /// <summary>Asynchronous events dropped without running the function (CloudWatch <c>AsyncEventsDropped</c>).</summary>
    public double? AsyncEventsDropped { get; init; }

    /// <summary>
    /// Highest memory utilisation of an invocation in the minute, percent of the configured memory (Lambda Insights
    /// <c>memory_utilization</c>, Maximum); null where the extension is not installed or nothing was read.
    /// </summary>
    public double? InsightsMemoryUtilizationMax { get; init; }

    /// <summary>Highest memory used by an invocation in the minute, MB (Lambda Insights <c>used_memory_max</c>, Maximum).</summary>
    public double? InsightsUsedMemoryMaxMb { get; init; }

    /// <summary>CPU time (user plus system) of the minute's invocations, ms (Lambda Insights <c>cpu_total_time</c>, Sum).</summary>
    public double? InsightsCpuTotalTimeMs { get; init; }

    /// <summary>Bytes received plus sent by the minute's invocations (Lambda Insights <c>total_network</c>, Sum).</summary>
    public double? InsightsNetworkBytes { get; init; }

    /// <summary>Longest init phase that ended in the minute, ms (Lambda Insights <c>init_duration</c>, Maximum).</summary>
    public double? InsightsInitDurationMaxMs { get; init; }
}

/// <summary>Resolution of a stored series: raw minutes, or hourly rollups once minutes pass their retention.</summary>
public enum SeriesResolution
{
    Minute,
    Hour,
}

/// <summary>
/// One bucket of a series. For rollups, sums are summed, the average duration is weighted by invocations,
/// concurrency and iterator age keep their maximum, and percentiles keep the maximum of the minutes' values
/// (an upper bound: percentiles cannot be combined exactly). Dead-letter errors and dropped events are sums that stay
/// null when no minute of the bucket knows them (data stored before they were collected).
/// <see cref="UnreadErrorInvocations"/> is the bucket's invocations whose error count could not be read: while it is
/// above 0, <see cref="Errors"/> is a lower bound, not the count (hourly rollups of one function do not keep it).
/// The Lambda Insights figures (null for functions without the extension, and in the fleet series) keep their maximum
/// (memory utilisation, memory used, init duration) or are summed (CPU time, network bytes), null while no minute of
/// the bucket has them.
/// </summary>
public sealed record MetricBucket(
    DateTimeOffset Start,
    double Invocations,
    double Errors,
    double Throttles,
    double? DurationAvgMs,
    double? DurationP50Ms,
    double? DurationP90Ms,
    double? DurationP99Ms,
    double? ConcurrentExecutions,
    double? IteratorAgeMs,
    double ColdStarts,
    double? DeadLetterErrors = null,
    double? AsyncEventsDropped = null,
    double UnreadErrorInvocations = 0,
    double? InsightsMemoryUtilizationMax = null,
    double? InsightsUsedMemoryMaxMb = null,
    double? InsightsCpuTotalTimeMs = null,
    double? InsightsNetworkBytes = null,
    double? InsightsInitDurationMaxMs = null);

/// <summary>A time range, half-open: <c>[From, To)</c>.</summary>
public readonly record struct TimeRange(DateTimeOffset From, DateTimeOffset To)
{
    public TimeSpan Length => To - From;

    public static TimeRange Last(TimeSpan length, DateTimeOffset now) => new(now - length, now);
}

/// <summary>
/// Fleet totals for the Overview page. <see cref="Errors"/> counts the errors read; <see cref="UnreadErrorInvocations"/>
/// is the invocations in function-minutes whose error count could not be read (the Errors query failed): while there
/// are any, the fleet's error total and rate are unknown, and <see cref="Errors"/> only a lower bound.
/// </summary>
/// <remarks>
/// <see cref="Series"/> holds the buckets that have rows, in time order; a bucket with none is absent.
/// <see cref="FirstData"/> is the earliest time point (minute or rolled-up hour) stored for the filter before the
/// range's end, whatever the range's start; null when nothing is. A bucket with no rows after it is a bucket without
/// invocations; before it, nothing was being collected and the bucket's figures are unknown.
/// </remarks>
public sealed record FleetOverview(
    int Functions,
    double Invocations,
    double Errors,
    double Throttles,
    double ColdStarts,
    int AlarmsInAlarm,
    IReadOnlyList<MetricBucket> Series,
    DateTimeOffset? FirstData = null,
    double UnreadErrorInvocations = 0)
{
    /// <summary>Whether every invocation's minute has an error count, so <see cref="Errors"/> is the total.</summary>
    public bool ErrorsKnown => UnreadErrorInvocations <= 0;

    /// <summary>Errors per invocation; 0 when nothing ran, null when some error counts are unknown.</summary>
    public double? ErrorRate => Invocations <= 0 ? 0 : ErrorsKnown ? Errors / Invocations : null;

    /// <summary>Cold starts per invocation, 0 when nothing ran.</summary>
    public double ColdStartRate => Invocations > 0 ? ColdStarts / Invocations : 0;
}

/// <summary>Which functions a fleet query covers; null fields match everything.</summary>
public sealed record FleetFilter(string? AccountId = null, string? Region = null)
{
    public static FleetFilter All { get; } = new();
}
