using MudBlazor;

namespace Observe.Dashboard.Components.Layout;

/// <summary>
/// One entry of the navigation. Pages not built yet are listed disabled with the capability they arrive with, so
/// a user sees what is coming instead of a page with nothing behind it.
/// </summary>
/// <param name="Title">What the entry reads.</param>
/// <param name="Icon">A MudBlazor icon (SVG path data).</param>
/// <param name="Path">The page's address, relative to the base.</param>
/// <param name="ArrivesWith">For a page not built yet, the capability it arrives with; null for a page that exists.</param>
public sealed record NavEntry(string Title, string Icon, string Path, string? ArrivesWith = null)
{
    public bool Enabled => ArrivesWith is null;

    public static IReadOnlyList<NavEntry> All { get; } =
    [
        new("Overview", Icons.Material.Outlined.Dashboard, ""),
        new("Functions", Icons.Material.Outlined.Functions, "functions"),
        new("Errors", Icons.Material.Outlined.ErrorOutline, "errors"),
        new("Cold starts", Icons.Material.Outlined.AcUnit, "cold-starts"),
        new("Traces", Icons.Material.Outlined.Timeline, "traces"),
        new("Live tail", Icons.Material.Outlined.Stream, "live-tail"),
        new("Alarms", Icons.Material.Outlined.NotificationsActive, "alarms"),
        new("Alerts", Icons.Material.Outlined.Campaign, "alerts"),
        new("Collectors", Icons.Material.Outlined.CloudSync, "collectors"),
        new("Settings", Icons.Material.Outlined.Settings, "settings"),
    ];
}
