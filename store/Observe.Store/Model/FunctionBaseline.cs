namespace Observe.Store.Model;

/// <summary>
/// One function's behaviour over a baseline range, for anomaly rules. <see cref="Since"/> says how much of the range
/// the figures cover: a function first seen an hour before the range's end has a one-hour baseline, which a reader
/// should not trust as a 48-hour one.
/// </summary>
/// <remarks>
/// Hours before the raw retention come from the hourly rollups: each counts as one bucket of invocations, an upper
/// bound of its windows' peaks for windows shorter than an hour (so the peak errs high, never low).
/// </remarks>
public sealed record FunctionBaseline
{
    public required FunctionKey Function { get; init; }

    /// <summary>The start of the earliest minute (or rolled-up hour) in the range that has a row for the function.</summary>
    public required DateTimeOffset Since { get; init; }

    /// <summary>Median over the range's hours of the hour's invocation-weighted average duration; null when no hour has a duration.</summary>
    public double? DurationMedianMs { get; init; }

    /// <summary>Hours whose average duration is known (those the median is over).</summary>
    public int DurationHours { get; init; }

    /// <summary>The highest sum of invocations over one window-long bucket of the range; 0 when none had invocations.</summary>
    public double InvocationsPeak { get; init; }
}
