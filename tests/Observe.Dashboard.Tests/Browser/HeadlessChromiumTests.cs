using System.Text.RegularExpressions;

namespace Observe.Dashboard.Tests.Browser;

/// <summary>
/// Our <c>--disable-features</c> replaces Playwright's (Chromium keeps the last), so it must carry every name of
/// Playwright's. The list is read from the Playwright driver shipped beside the tests, so an upgrade that adds a name
/// fails here, not as a browser that behaves differently.
/// </summary>
public partial class HeadlessChromiumTests
{
    [Fact]
    public void DisabledFeatures_IncludeEveryFeaturePlaywrightDisables()
    {
        var driver = Path.Combine(AppContext.BaseDirectory, ".playwright", "package", "lib");
        // The driver bundles chromiumSwitches.ts more than once (its Chromium launcher, its Electron loader).
        var lists = Directory.EnumerateFiles(driver, "*.js", SearchOption.AllDirectories)
            .Select(File.ReadAllText)
            .Select(text => SwitchesList().Match(text))
            .Where(m => m.Success)
            .Select(m => FeatureName().Matches(m.Groups["names"].Value).Select(n => n.Groups[1].Value).ToList())
            .ToList();

        Assert.True(lists.Count > 0, $"found no chromiumSwitches list of disabled features under {driver}; read how this Playwright version launches Chromium and update HeadlessChromium");
        var playwrights = lists.SelectMany(l => l).Distinct(StringComparer.Ordinal).ToList();
        Assert.True(lists.TrueForAll(l => l.Count >= 5), $"read too few names from Playwright's lists: {string.Join(" | ", lists.Select(l => string.Join(", ", l)))}");
        Assert.Empty(playwrights.Except(HeadlessChromium.DisabledFeatures));
        Assert.Contains("WebUIOmniboxPopup", HeadlessChromium.DisabledFeatures);
    }

    // The list sits in chromiumSwitches.ts, bundled: `disabledFeatures = [ "A", // comment \n "B", ... ]`.
    [GeneratedRegex(@"chromiumSwitches\.ts.*?disabledFeatures\s*=\s*\[(?<names>[^\]]*)\]", RegexOptions.Singleline)]
    private static partial Regex SwitchesList();

    [GeneratedRegex("\"([A-Za-z0-9]+)\"")]
    private static partial Regex FeatureName();
}
