using Microsoft.Playwright;

namespace Observe.Dashboard.Tests.Browser;

/// <summary>
/// How every browser test and benchmark launches Chromium: headless, with nothing of its own running beside the page.
/// Shared with the benchmarks (linked), so a page's clock there is the page's, measured in the browser the tests use.
/// </summary>
public static class HeadlessChromium
{
    /// <summary>
    /// Playwright's own disabled features (its <c>chromiumSwitches</c>), which ours has to repeat: Chromium keeps only
    /// the last <c>--disable-features</c>, and ours comes after Playwright's. <c>HeadlessChromiumTests</c> fails when
    /// Playwright's list gains a name this one lacks.
    /// </summary>
    private static readonly string[] Playwrights =
    [
        "AvoidUnnecessaryBeforeUnloadCheckSync", "DestroyProfileOnBrowserClose", "DialMediaRouteProvider", "GlobalMediaControls",
        "HttpsUpgrades", "LensOverlay", "MediaRouter", "PaintHolding", "ThirdPartyStoragePartitioning",
        "BlockOriginHeaderModificationOnRedirect", "AvoidCorsURLLoaderRestartOnRedirect", "Translate", "AutoDeElevate",
        "OptimizationHints", "NetworkTimeServiceQuerying", "AimEnabled", "msForceBrowserSignIn",
        "msEdgeUpdateLaunchServicesPreferredVersion",
    ];

    /// <summary>
    /// Chromium's address-bar popup: a WebUI renderer that each new headless window (so each new context) starts and
    /// loads beside the page, taking a core for a few hundred milliseconds. Puppeteer disables it too. A reader's
    /// browser has its popup running already, in another window, and never on the dashboard's cores.
    /// </summary>
    public static IReadOnlyList<string> AddressBarPopup { get; } = ["WebUIOmniboxPopup", "WebUIOmniboxAimPopup"];

    /// <summary>Every feature the launched Chromium has off: Playwright's and the address-bar popup.</summary>
    public static IReadOnlyList<string> DisabledFeatures { get; } = [.. Playwrights, .. AddressBarPopup];

    /// <summary>
    /// The launch options for the Chromium at <paramref name="executable"/>; with <paramref name="addressBarPopup"/>
    /// (a benchmark's comparison with the browser as it was), the popup stays on.
    /// </summary>
    public static BrowserTypeLaunchOptions Options(string executable, bool addressBarPopup = false) => new()
    {
        ExecutablePath = executable,
        Headless = true,
        Args =
        [
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
            "--disable-features=" + string.Join(',', addressBarPopup ? Playwrights : DisabledFeatures),
        ],
    };
}
