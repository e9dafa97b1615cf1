namespace Observe.Dashboard.Components.Layout;

/// <summary>
/// One entry of the navigation. Pages not built yet are listed disabled with the capability they arrive with, so
/// a user sees what is coming instead of a page with nothing behind it.
/// </summary>
public sealed record NavEntry(string Title, string Icon, string Path, string? ArrivesWith = null)
{
    public bool Enabled => ArrivesWith is null;

    public static IReadOnlyList<NavEntry> All { get; } =
    [
        new("Overview", "dashboard", ""),
        new("Functions", "functions", "functions", "the collectors"),
        new("Errors", "error", "errors", "the collectors"),
        new("Cold starts", "ac_unit", "cold-starts", "the collectors"),
        new("Traces", "timeline", "traces", "the collectors"),
        new("Live tail", "stream", "live-tail", "Live Tail"),
        new("Alarms", "notifications_active", "alarms", "the collectors"),
        new("Alerts", "campaign", "alerts", "alerting"),
        new("Collectors", "cloud_sync", "collectors"),
        new("Settings", "settings", "settings", "alerting"),
    ];
}
