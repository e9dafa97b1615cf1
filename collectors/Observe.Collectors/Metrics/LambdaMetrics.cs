using Observe.Store.Model;

namespace Observe.Collectors.Metrics;

/// <summary>The AWS/Lambda statistics the collector reads, one billed metric each per function and call.</summary>
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
}

/// <summary>A set of <see cref="LambdaStat"/> as bits.</summary>
internal readonly record struct StatSet(int Bits)
{
    public const string Namespace = "AWS/Lambda";
    public const string FunctionDimension = "FunctionName";

    private static readonly (string Metric, string Stat)[] Definitions =
    [
        ("Invocations", "Sum"),
        ("Errors", "Sum"),
        ("Throttles", "Sum"),
        ("Duration", "Average"),
        ("Duration", "p50"),
        ("Duration", "p90"),
        ("Duration", "p99"),
        ("ConcurrentExecutions", "Maximum"),
        ("IteratorAge", "Maximum"),
        ("DeadLetterErrors", "Sum"),
        ("AsyncEventsDropped", "Sum"),
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

    public int Count => System.Numerics.BitOperations.PopCount((uint)Bits);

    public bool IsEmpty => Bits == 0;

    public static StatSet Of(params LambdaStat[] stats) => new(stats.Aggregate(0, (bits, s) => bits | (1 << (int)s)));

    /// <summary>The statistics read from a CloudWatch metric name (Duration gives four); none for names Observe does not read.</summary>
    public static StatSet ForMetricName(string? metricName)
    {
        var bits = 0;
        for (var i = 0; i < Definitions.Length; i++)
        {
            if (string.Equals(Definitions[i].Metric, metricName, StringComparison.Ordinal))
            {
                bits |= 1 << i;
            }
        }

        return new StatSet(bits);
    }

    public static (string Metric, string Stat) Definition(LambdaStat stat) => Definitions[(int)stat];

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
    };
}
