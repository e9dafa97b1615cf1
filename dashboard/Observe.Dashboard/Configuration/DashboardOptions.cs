namespace Observe.Dashboard.Configuration;

/// <summary>How the dashboard pages behave. Bound from <c>Observe:Dashboard</c>.</summary>
public sealed class DashboardOptions
{
    public const string SectionName = "Observe:Dashboard";

    /// <summary>Range a page shows when the URL names none, in the <c>?range=</c> form (<c>15m</c>, <c>1h</c>, <c>7d</c>). Default <c>1h</c>.</summary>
    public string DefaultRange { get; set; } = "1h";

    /// <summary>
    /// The shortest time between two re-queries a page makes after store changes. Default 1 second: a collector
    /// writing 300 functions in a burst must not cause 300 re-queries.
    /// </summary>
    public TimeSpan RefreshThrottle { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How often a page showing a relative range ("last 1h") re-queries when nothing is written, so the range still
    /// slides with the clock. Default 30 seconds.
    /// </summary>
    public TimeSpan SlideInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How often the store's retention pass (hourly rollups, then deletion past each retention) runs. Default 1 hour:
    /// raw minutes are kept for days, so an hour's delay moves nothing visible.
    /// </summary>
    public TimeSpan RetentionInterval { get; set; } = TimeSpan.FromHours(1);
}
