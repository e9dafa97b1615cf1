namespace Observe.Dashboard.Configuration;

/// <summary>The generated demo fleet. Bound from <c>Observe:Demo</c>.</summary>
public sealed class DemoOptions
{
    public const string SectionName = "Observe:Demo";

    /// <summary>
    /// True forces the demo fleet on, false forces it off; unset (the default) turns it on exactly when no AWS account
    /// is configured under <c>Observe:Aws:Accounts</c>.
    /// </summary>
    public bool? Enabled { get; set; }

    /// <summary>Same seed, same fleet and same figures for the same minute. Default 7.</summary>
    public int Seed { get; set; } = 7;

    /// <summary>Number of functions. Default 300.</summary>
    public int Functions { get; set; } = 300;

    /// <summary>History generated at start, newest first. Default 24 hours.</summary>
    public TimeSpan Backfill { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Minutes of history written per store call during the backfill. Default 30 minutes.</summary>
    public TimeSpan BackfillBatch { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// How often the current minute is written (its figures grow through the minute, as CloudWatch's do). Default
    /// 10 seconds.
    /// </summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(10);
}
