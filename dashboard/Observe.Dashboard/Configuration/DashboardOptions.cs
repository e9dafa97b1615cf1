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

    /// <summary>
    /// The longest time range one page or export may query, through <c>?range=</c> or <c>?from=</c>/<c>?to=</c>.
    /// Default 90 days (the hourly rollups' default retention); a longer one in the address gets a message saying
    /// this limit instead of a query that scans far more than the pages were built for.
    /// </summary>
    public TimeSpan MaxRange { get; set; } = Model.TimeRangeQuery.DefaultMaxLength;

    /// <summary>
    /// Blazor circuits (open dashboard tabs) one signed-in user may hold at once; the next one is refused with a
    /// message saying to close a tab. Default 20. Each circuit keeps its pages' queries and subscriptions in memory.
    /// </summary>
    public int MaxCircuitsPerUser { get; set; } = 20;
}
