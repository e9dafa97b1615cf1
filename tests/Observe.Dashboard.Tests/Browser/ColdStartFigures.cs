using System.Globalization;

namespace Observe.Dashboard.Tests.Browser;

/// <summary>
/// How the Cold starts browser tests work out a figure the page states, written here rather than taken from the view
/// model: the nearest-rank percentile the page documents, and a double as its <c>data-value</c> attributes hold it
/// (round-trip form, invariant culture).
/// </summary>
internal static class ColdStartFigures
{
    /// <summary>The smallest of the sorted values with at least <paramref name="p"/> of them at or below it.</summary>
    public static double NearestRank(IReadOnlyList<double> sorted, double p) => sorted[(int)Math.Ceiling(p * sorted.Count) - 1];

    public static string Exact(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
