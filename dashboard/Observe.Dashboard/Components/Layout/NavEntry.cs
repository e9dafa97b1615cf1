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
        new("Functions", "functions", "functions", "the fleet pages"),
        new("Errors", "error", "errors", "the fleet pages"),
        new("Cold starts", "ac_unit", "cold-starts", "the fleet pages"),
        new("Traces", "timeline", "traces", "the fleet pages"),
        new("Live tail", "stream", "live-tail", "the Live Tail page"),
        new("Alarms", "notifications_active", "alarms", "the fleet pages"),
        new("Alerts", "campaign", "alerts", "alerting"),
        new("Collectors", "cloud_sync", "collectors"),
        new("Settings", "settings", "settings", "alerting"),
    ];
}
