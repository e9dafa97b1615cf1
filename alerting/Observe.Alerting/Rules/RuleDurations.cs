using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Observe.Alerting.Rules;

/// <summary>
/// Durations as rules write them: one or more whole numbers with a unit, largest first (<c>5m</c>, <c>1h30m</c>,
/// <c>500ms</c>, <c>2d</c>), the form Prometheus and Grafana rules use, so a rule author needs no new syntax.
/// </summary>
internal static partial class RuleDurations
{
    private static readonly (string Unit, TimeSpan Size)[] Units =
    [
        ("d", TimeSpan.FromDays(1)),
        ("h", TimeSpan.FromHours(1)),
        ("m", TimeSpan.FromMinutes(1)),
        ("s", TimeSpan.FromSeconds(1)),
        ("ms", TimeSpan.FromMilliseconds(1)),
    ];

    [GeneratedRegex(@"^(-)?((?:\d+(?:ms|d|h|m|s))+)$", RegexOptions.CultureInvariant)]
    private static partial Regex Shape();

    [GeneratedRegex(@"(\d+)(ms|d|h|m|s)", RegexOptions.CultureInvariant)]
    private static partial Regex Part();

    /// <summary>Parses <paramref name="text"/>; a negative duration parses (<c>-5m</c>) so the caller can say it is negative.</summary>
    public static bool TryParse(string text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        var shape = Shape().Match(text.Trim());
        if (!shape.Success)
        {
            return false;
        }

        var lastRank = -1;
        foreach (Match part in Part().Matches(shape.Groups[2].Value))
        {
            var rank = Array.FindIndex(Units, u => u.Unit == part.Groups[2].Value);

            // Each unit once and largest first, so "5m1h" or "1m1m" are rejected rather than guessed at.
            if (rank <= lastRank || !long.TryParse(part.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var count)
                || count > TimeSpan.MaxValue.Ticks / Units[rank].Size.Ticks / 2)
            {
                return false;
            }

            lastRank = rank;
            value += Units[rank].Size * count;
        }

        if (shape.Groups[1].Success)
        {
            value = -value;
        }

        return true;
    }

    /// <summary>The shortest text <see cref="TryParse"/> reads back as <paramref name="value"/> (whole milliseconds).</summary>
    public static string Format(TimeSpan value)
    {
        if (value == TimeSpan.Zero)
        {
            return "0s";
        }

        var text = new StringBuilder(value < TimeSpan.Zero ? "-" : "");
        var rest = value.Duration();
        foreach (var (unit, size) in Units)
        {
            var count = rest.Ticks / size.Ticks;
            if (count > 0)
            {
                text.Append(count.ToString(CultureInfo.InvariantCulture)).Append(unit);
                rest -= size * count;
            }
        }

        return text.ToString();
    }
}
