using Observe.Store.Model;

namespace Observe.Collectors.Metrics;

/// <summary>
/// The statistics the collector reads, one billed metric each per function and call: Lambda's own (<c>AWS/Lambda</c>),
/// and for functions with the Lambda Insights extension the <c>LambdaInsights</c> ones.
/// </summary>
internal enum LambdaStat
{
    Invocations,
    Errors,
    Throttles,
    DurationAverage,
    DurationP50,
    DurationP90,
    DurationP99,
    ConcurrentExecutions,
    IteratorAge,
    DeadLetterErrors,
    AsyncEventsDropped,
    InsightsMemoryUtilization,
    InsightsUsedMemory,
    InsightsCpuTime,
    InsightsNetwork,
    InsightsInitDuration,
}

/// <summary>Where a statistic is published and which statistic of it is asked for.</summary>
internal readonly record struct StatDefinition(string Namespace, string Dimension, string Metric, string Stat);

/// <summary>A set of <see cref="LambdaStat"/> as bits.</summary>
internal readonly record struct StatSet(int Bits)
{
    public const string Namespace = "AWS/Lambda";
    public const string FunctionDimension = "FunctionName";

    /// <summary>Where the Lambda Insights extension publishes (its embedded-metric log events, one per invocation).</summary>
    public const string InsightsNamespace = "LambdaInsights";
    public const string InsightsFunctionDimension = "function_name";

    private static readonly StatDefinition[] Definitions =
    [
        new(Namespace, FunctionDimension, "Invocations", "Sum"),
        new(Namespace, FunctionDimension, "Errors", "Sum"),
        new(Namespace, FunctionDimension, "Throttles", "Sum"),
        new(Namespace, FunctionDimension, "Duration", "Average"),
        new(Namespace, FunctionDimension, "Duration", "p50"),
        new(Namespace, FunctionDimension, "Duration", "p90"),
        new(Namespace, FunctionDimension, "Duration", "p99"),
        new(Namespace, FunctionDimension, "ConcurrentExecutions", "Maximum"),
        new(Namespace, FunctionDimension, "IteratorAge", "Maximum"),
        new(Namespace, FunctionDimension, "DeadLetterErrors", "Sum"),
        new(Namespace, FunctionDimension, "AsyncEventsDropped", "Sum"),

        // One data point per invocation: the busiest invocation of the minute for memory and init, the minute's total
        // for CPU time and network, so the hourly rollup keeps maxima and sums alike.
        new(InsightsNamespace, InsightsFunctionDimension, "memory_utilization", "Maximum"),
        new(InsightsNamespace, InsightsFunctionDimension, "used_memory_max", "Maximum"),
        new(InsightsNamespace, InsightsFunctionDimension, "cpu_total_time", "Sum"),
        new(InsightsNamespace, InsightsFunctionDimension, "total_network", "Sum"),
        new(InsightsNamespace, InsightsFunctionDimension, "init_duration", "Maximum"),
    ];

    public static StatSet None => default;

    public static StatSet All { get; } = new((1 << Definitions.Length) - 1);

    /// <summary>What Lambda publishes for every invoked function; a watched function is read for these even when idle.</summary>
    public static StatSet Core { get; } = Of(
        LambdaStat.Invocations, LambdaStat.Errors, LambdaStat.Throttles, LambdaStat.DurationAverage, LambdaStat.DurationP50,
        LambdaStat.DurationP90, LambdaStat.DurationP99, LambdaStat.ConcurrentExecutions);

    /// <summary>
    /// Read first for every active function: a function with neither invocations nor throttles in the window has no
    /// other figures either, so the rest of its metrics are not requested. Throttles are in the probe because throttled
    /// requests are not invocations.
    /// </summary>
    public static StatSet Probe { get; } = Of(LambdaStat.Invocations, LambdaStat.Throttles);

    /// <summary>
    /// Read, besides what ListMetrics lists, for functions that run the Lambda Insights extension (its layer, or a
    /// container image that publishes its metrics); like every
    /// statistic outside the probe, only for functions that ran or were throttled in the window.
    /// </summary>
    public static StatSet Insights { get; } = Of(
        LambdaStat.InsightsMemoryUtilization, LambdaStat.InsightsUsedMemory, LambdaStat.InsightsCpuTime, LambdaStat.InsightsNetwork,
        LambdaStat.InsightsInitDuration);

    public int Count => System.Numerics.BitOperations.PopCount((uint)Bits);

    public bool IsEmpty => Bits == 0;

    public static StatSet Of(params LambdaStat[] stats) => new(stats.Aggregate(0, (bits, s) => bits | (1 << (int)s)));

    /// <summary>
    /// The statistics read from an <c>AWS/Lambda</c> metric name (Duration gives four); none for names Observe does not
    /// read. Lambda Insights metrics are not counted here: the layer, or for images their own listing, says which functions have them.
    /// </summary>
    public static StatSet ForMetricName(string? metricName)
    {
        var bits = 0;
        for (var i = 0; i < Definitions.Length; i++)
        {
            if (Definitions[i].Namespace == Namespace && string.Equals(Definitions[i].Metric, metricName, StringComparison.Ordinal))
            {
                bits |= 1 << i;
            }
        }

        return new StatSet(bits);
    }

    public static StatDefinition Definition(LambdaStat stat) => Definitions[(int)stat];

    public StatSet Union(StatSet other) => new(Bits | other.Bits);

    public StatSet Intersect(StatSet other) => new(Bits & other.Bits);

    public StatSet Except(StatSet other) => new(Bits & ~other.Bits);

    public IEnumerable<LambdaStat> Stats()
    {
        for (var i = 0; i < Definitions.Length; i++)
        {
            if ((Bits & (1 << i)) != 0)
            {
                yield return (LambdaStat)i;
            }
        }
    }
}

/// <summary>Values of one function-minute as they arrive from several queries, then one store point.</summary>
internal sealed class PointBuilder(FunctionKey function, DateTimeOffset minute)
{
    private readonly double?[] _values = new double?[StatSet.All.Count];

    public void Set(LambdaStat stat, double value) => _values[(int)stat] = value;

    /// <summary>Cold starts stay null: the logs collector owns them, and null keeps what is stored.</summary>
    public MetricPoint ToPoint() => new()
    {
        Function = function,
        Minute = minute,
        Invocations = _values[(int)LambdaStat.Invocations],
        Errors = _values[(int)LambdaStat.Errors],
        Throttles = _values[(int)LambdaStat.Throttles],
        DurationAvgMs = _values[(int)LambdaStat.DurationAverage],
        DurationP50Ms = _values[(int)LambdaStat.DurationP50],
        DurationP90Ms = _values[(int)LambdaStat.DurationP90],
        DurationP99Ms = _values[(int)LambdaStat.DurationP99],
        ConcurrentExecutions = _values[(int)LambdaStat.ConcurrentExecutions],
        IteratorAgeMs = _values[(int)LambdaStat.IteratorAge],
        DeadLetterErrors = _values[(int)LambdaStat.DeadLetterErrors],
        AsyncEventsDropped = _values[(int)LambdaStat.AsyncEventsDropped],
        InsightsMemoryUtilizationMax = _values[(int)LambdaStat.InsightsMemoryUtilization],
        InsightsUsedMemoryMaxMb = _values[(int)LambdaStat.InsightsUsedMemory],
        InsightsCpuTotalTimeMs = _values[(int)LambdaStat.InsightsCpuTime],
        InsightsNetworkBytes = _values[(int)LambdaStat.InsightsNetwork],
        InsightsInitDurationMaxMs = _values[(int)LambdaStat.InsightsInitDuration],
    };
}
