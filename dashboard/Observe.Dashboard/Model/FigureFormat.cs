using System.Globalization;

namespace Observe.Dashboard.Model;

/// <summary>
/// How the dashboard writes numbers. Invariant culture so figures read the same on every server and in tests;
/// large counts are shortened on cards, with the exact value in the tooltip.
/// </summary>
public static class FigureFormat
{
    /// <summary>Shown instead of a rate when nothing ran: 0% would claim a measurement that does not exist.</summary>
    public const string NoData = "–";

    /// <summary>Shown instead of a figure that could not be read (the card's note says why); never 0.</summary>
    public const string Unknown = "unknown";

    private static readonly CultureInfo Culture = CultureInfo.InvariantCulture;

    /// <summary>9,999 / 12.3K / 4.56M / 1.23B.</summary>
    public static string Count(double value)
    {
        var abs = Math.Abs(value);
        return abs switch
        {
            < 10_000 => value.ToString("#,0", Culture),
            < 1_000_000 => (value / 1_000d).ToString("0.#", Culture) + "K",
            < 1_000_000_000 => (value / 1_000_000d).ToString("0.##", Culture) + "M",
            _ => (value / 1_000_000_000d).ToString("0.##", Culture) + "B",
        };
    }

    /// <summary>The exact count, for tooltips: 1,234,567.</summary>
    public static string ExactCount(double value) => value.ToString("#,0.##", Culture);

    /// <summary>0% / &lt;0.01% / 0.42% / 12.3%; <see cref="NoData"/> when the rate has no denominator.</summary>
    public static string Rate(double? ratio) => ratio switch
    {
        null => NoData,
        0 => "0%",
        < 0.0001 => "<0.01%",
        < 0.1 => (ratio.Value * 100).ToString("0.00", Culture) + "%",
        _ => (ratio.Value * 100).ToString("0.0", Culture) + "%",
    };

    /// <summary>The exact rate, for tooltips.</summary>
    public static string ExactRate(double? ratio) => ratio is null ? "no invocations in the range" : (ratio.Value * 100).ToString("0.####", Culture) + "%";
}
