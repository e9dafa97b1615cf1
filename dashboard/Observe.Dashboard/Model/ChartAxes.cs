namespace Observe.Dashboard.Model;

/// <summary>Axis steps for the charts: whole counts on the value axis, round times on the time axis.</summary>
public static class ChartAxes
{
    /// <summary>At most this many intervals on an axis: labels stay readable on a narrow card.</summary>
    public const int MaxIntervals = 5;

    private static readonly TimeSpan[] TimeSteps =
    [
        TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(10),
        TimeSpan.FromMinutes(15), TimeSpan.FromMinutes(30), TimeSpan.FromHours(1), TimeSpan.FromHours(2),
        TimeSpan.FromHours(3), TimeSpan.FromHours(6), TimeSpan.FromHours(12), TimeSpan.FromDays(1),
        TimeSpan.FromDays(2), TimeSpan.FromDays(7), TimeSpan.FromDays(14), TimeSpan.FromDays(30),
    ];

    /// <summary>
    /// A count axis from 0: the step is a whole 1, 2 or 5 × 10ⁿ, so labels are integers and no two read the same
    /// (a fractional step showed "0, 1, 1" for a maximum of 1: 0.5 rounded); the top is the first step at or above
    /// the largest value, and 1 when every value is 0.
    /// </summary>
    public static (double Max, double Step) Counts(double largest)
    {
        if (!double.IsFinite(largest) || largest <= 0)
        {
            return (1, 1);
        }

        var step = 1d;
        while (largest / step > MaxIntervals)
        {
            step = NextStep(step);
        }

        return (Math.Ceiling(largest / step) * step, step);
    }

    /// <summary>The smallest round time step giving at most <see cref="MaxIntervals"/> intervals over the range.</summary>
    public static TimeSpan Time(TimeSpan range)
    {
        foreach (var step in TimeSteps)
        {
            if (range.Ticks <= step.Ticks * MaxIntervals)
            {
                return step;
            }
        }

        return TimeSpan.FromTicks((range.Ticks + MaxIntervals - 1) / MaxIntervals);
    }

    private static double NextStep(double step)
    {
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(step) + 1e-9));
        var mantissa = Math.Round(step / magnitude);
        return mantissa switch
        {
            < 2 => 2 * magnitude,
            < 5 => 5 * magnitude,
            _ => 10 * magnitude,
        };
    }
}
