namespace Observe.Store.Model;

/// <summary>
/// One function's figures over a range, for the Functions grid: sums of its per-minute series (hourly rollups past the
/// raw retention) and of its invocation reports. A function with nothing stored in the range has no entry.
/// </summary>
/// <remarks>
/// <see cref="UnreadErrorInvocations"/> counts invocations in minutes whose error count could not be read: while it is
/// above 0, <see cref="Errors"/> is a lower bound and the error rate unknown. Rolled-up hours do not keep it.
/// <see cref="DurationP99MaxMs"/> is the highest per-minute (or per-hour) p99 in the range: an upper bound of the
/// range's p99, since percentiles cannot be combined exactly.
/// </remarks>
public sealed record FunctionStats
{
    public required FunctionKey Function { get; init; }

    /// <summary>
    /// The per-minute series (or hourly rollups) hold a row for the function in the range. False when only invocation
    /// reports were stored there: the invocation, error, throttle and duration figures are then unknown, not 0.
    /// </summary>
    public bool SeriesRead { get; init; }

    public double Invocations { get; init; }
    public double Errors { get; init; }
    public double UnreadErrorInvocations { get; init; }
    public double Throttles { get; init; }

    /// <summary>Cold starts counted from REPORT lines into the per-minute series.</summary>
    public double ColdStarts { get; init; }

    /// <summary>Sum of duration over the invocations whose duration is known (average x invocations per minute), ms.</summary>
    public double DurationTotalMs { get; init; }

    /// <summary>Invocations <see cref="DurationTotalMs"/> covers.</summary>
    public double DurationInvocations { get; init; }

    public double? DurationP99MaxMs { get; init; }
    public double? IteratorAgeMaxMs { get; init; }

    /// <summary>Invocation reports stored for the range (REPORT lines the logs collector read).</summary>
    public int Reports { get; init; }

    /// <summary>Highest memory used in one invocation, from the reports; null when there are none.</summary>
    public int? MaxMemoryUsedMb { get; init; }

    /// <summary>Reports whose status was <c>timeout</c>.</summary>
    public int Timeouts { get; init; }

    /// <summary>Highest init duration among the reports' cold starts; null when none.</summary>
    public double? InitDurationMaxMs { get; init; }

    /// <summary>
    /// Highest per-minute memory utilisation (percent of configured) Lambda Insights reported over the range; null when
    /// the function has no Insights figures there (extension not installed, or nothing read).
    /// </summary>
    public double? InsightsMemoryUtilizationMax { get; init; }

    /// <summary>Highest memory used by one invocation over the range (MB) per Lambda Insights; null without Insights figures.</summary>
    public double? InsightsUsedMemoryMaxMb { get; init; }
}

/// <summary>
/// A change the inventory collector saw on a function: a deploy marker on its charts.
/// <see cref="Kind"/> is one of <c>version</c> (a version was published), <c>alias</c> (an alias moved or was
/// re-weighted), <c>configuration</c> (runtime, memory, timeout, layers ...) or <c>code</c>; <see cref="Description"/>
/// says what changed, for people.
/// </summary>
public sealed record FunctionChange(FunctionKey Function, DateTimeOffset At, string Kind, string Description);
