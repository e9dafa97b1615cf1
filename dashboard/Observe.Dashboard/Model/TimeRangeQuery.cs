using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.WebUtilities;

namespace Observe.Dashboard.Model;

/// <summary>A time range in the URL that cannot be used, with the parameter at fault and what is wrong.</summary>
public sealed record TimeRangeError(string Parameter, string Problem)
{
    /// <summary>What the page shows: the parameter, then the problem.</summary>
    public string Message => $"The time range in the address is not valid. {Parameter}: {Problem}";
}

/// <summary>Either a usable selection or an error; never both.</summary>
public sealed record TimeRangeParseResult(TimeRangeSelection? Selection, TimeRangeError? Error);

/// <summary>
/// The one parser for the time range in the URL: <c>?range=15m|1h|6h|24h|7d</c> (any whole number of minutes, hours
/// or days), or <c>?from=...&amp;to=...</c> in ISO 8601 UTC. Used by every page and by the options validator.
/// </summary>
public static partial class TimeRangeQuery
{
    public const string RangeParameter = "range";
    public const string FromParameter = "from";
    public const string ToParameter = "to";

    /// <summary>
    /// The longest range a page may ask for unless <c>Observe:Dashboard:MaxRange</c> says otherwise: longer ones would
    /// scan more than the hourly rollups hold by default, and one request must not start a query that long.
    /// </summary>
    public static readonly TimeSpan DefaultMaxLength = TimeSpan.FromDays(90);

    /// <summary>The setting that bounds the range, named in the message a longer one gets.</summary>
    public const string MaxLengthSetting = "Observe:Dashboard:MaxRange";

    /// <summary>
    /// The shortest range a page may ask for. The store counts whole minutes and the one in progress is still filling
    /// up, so a 1-minute range would be mostly that partial minute: its figures would read as a drop.
    /// </summary>
    public static readonly TimeSpan MinLength = TimeSpan.FromMinutes(5);

    private const string MinReason = "figures are counted in whole minutes and the minute in progress is still filling up";

    /// <summary>The ranges the picker offers.</summary>
    public static IReadOnlyList<TimeRangeSelection> Presets { get; } =
    [
        TimeRangeSelection.Last(TimeSpan.FromMinutes(15), "15m"),
        TimeRangeSelection.Last(TimeSpan.FromHours(1), "1h"),
        TimeRangeSelection.Last(TimeSpan.FromHours(6), "6h"),
        TimeRangeSelection.Last(TimeSpan.FromHours(24), "24h"),
        TimeRangeSelection.Last(TimeSpan.FromDays(7), "7d"),
    ];

    private static readonly string[] InstantFormats =
    [
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK",
        "yyyy-MM-dd'T'HH:mm:ssK",
        "yyyy-MM-dd'T'HH:mmK",
        "yyyy-MM-dd",
    ];

    private static string RangeHint(TimeSpan max) =>
        $"use 15m, 1h, 6h, 24h or 7d (any whole number of minutes m, hours h or days d, from 5m up to {FormatToken(max)})";
    private const string InstantHint = "use ISO 8601 UTC such as 2026-11-22T04:00:00Z";

    /// <summary>
    /// Parses the three query parameters. With none present the result is <paramref name="fallback"/> (the configured
    /// default range); a present but unusable value is an error, never silently replaced by the default. A range
    /// longer than <paramref name="maxLength"/> (default <see cref="DefaultMaxLength"/>) is an error saying the limit,
    /// so it never reaches the store as a slow query.
    /// </summary>
    public static TimeRangeParseResult Parse(string? range, string? from, string? to, TimeRangeSelection? fallback, TimeSpan? maxLength = null)
    {
        var max = maxLength ?? DefaultMaxLength;
        var hasRange = !string.IsNullOrWhiteSpace(range);
        var hasFrom = !string.IsNullOrWhiteSpace(from);
        var hasTo = !string.IsNullOrWhiteSpace(to);

        if (hasRange && (hasFrom || hasTo))
        {
            return Fail(RangeParameter, $"\"{range}\" cannot be combined with from/to; give either range or both from and to.");
        }

        if (hasRange)
        {
            return ParseRange(range!.Trim(), max);
        }

        if (hasFrom != hasTo)
        {
            return hasFrom
                ? Fail(ToParameter, $"missing; from and to go together ({InstantHint}).")
                : Fail(FromParameter, $"missing; from and to go together ({InstantHint}).");
        }

        if (!hasFrom)
        {
            return new TimeRangeParseResult(fallback, null);
        }

        if (!TryParseInstant(from!, out var start))
        {
            return Fail(FromParameter, $"\"{from}\" is not a date and time; {InstantHint}.");
        }

        if (!TryParseInstant(to!, out var end))
        {
            return Fail(ToParameter, $"\"{to}\" is not a date and time; {InstantHint}.");
        }

        if (start > end)
        {
            return Fail(FromParameter, $"{FormatInstant(start)} is after to ({FormatInstant(end)}).");
        }

        if (end - start < MinLength)
        {
            return Fail(ToParameter, $"{FormatInstant(end)} is less than 5 minutes after from ({FormatInstant(start)}); the shortest range is 5 minutes, because {MinReason}.");
        }

        if (end - start > max)
        {
            return Fail(FromParameter, string.Create(CultureInfo.InvariantCulture,
                $"the range from {FormatInstant(start)} to {FormatInstant(end)} is {(end - start).TotalDays:0.#} days long; the longest allowed is {FormatToken(max)} ({MaxLengthSetting}). Choose a shorter range."));
        }

        return new TimeRangeParseResult(TimeRangeSelection.Between(start, end), null);
    }

    /// <summary>Parses the time range parameters of an absolute URI (the page's address).</summary>
    public static TimeRangeParseResult ParseUri(string uri, TimeRangeSelection? fallback, TimeSpan? maxLength = null)
    {
        var query = QueryHelpers.ParseQuery(new Uri(uri).Query);
        string? Get(string name) => query.TryGetValue(name, out var values) ? values.FirstOrDefault() : null;
        return Parse(Get(RangeParameter), Get(FromParameter), Get(ToParameter), fallback, maxLength);
    }

    /// <summary>The canonical URL form of an instant: UTC, seconds, <c>Z</c>.</summary>
    public static string FormatInstant(DateTimeOffset instant) =>
        instant.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>The shortest token for a length: 90m is "90m", 120m is "2h", 48h is "2d".</summary>
    public static string FormatToken(TimeSpan length)
    {
        if (length.Ticks % TimeSpan.TicksPerDay == 0)
        {
            return (length.Ticks / TimeSpan.TicksPerDay).ToString(CultureInfo.InvariantCulture) + "d";
        }

        return length.Ticks % TimeSpan.TicksPerHour == 0
            ? (length.Ticks / TimeSpan.TicksPerHour).ToString(CultureInfo.InvariantCulture) + "h"
            : ((long)length.TotalMinutes).ToString(CultureInfo.InvariantCulture) + "m";
    }

    private static TimeRangeParseResult ParseRange(string range, TimeSpan max)
    {
        var match = RangeToken().Match(range);
        if (!match.Success)
        {
            return Fail(RangeParameter, $"\"{range}\" is not a time range; {RangeHint(max)}.");
        }

        // Five digits at most (the regex), so this cannot overflow; the limits below reject what is too long.
        var count = long.Parse(match.Groups["n"].Value, CultureInfo.InvariantCulture);
        var length = char.ToLowerInvariant(match.Groups["unit"].Value[0]) switch
        {
            'm' => TimeSpan.FromMinutes(count),
            'h' => TimeSpan.FromHours(count),
            _ => TimeSpan.FromDays(count),
        };

        if (length < MinLength)
        {
            return Fail(RangeParameter, $"\"{range}\" is too short; the shortest range is 5m, because {MinReason}.");
        }

        if (length > max)
        {
            return Fail(RangeParameter, $"\"{range}\" is longer than the longest range allowed, {FormatToken(max)} ({MaxLengthSetting}). Choose a shorter range.");
        }

        return new TimeRangeParseResult(TimeRangeSelection.Last(length, match.Value.ToLowerInvariant()), null);
    }

    private static bool TryParseInstant(string text, out DateTimeOffset instant)
    {
        // A '+' in an offset (…T04:00:00+01:00) arrives as a space when the URL was not percent-encoded.
        var candidate = text.Trim().Replace(' ', '+');
        return DateTimeOffset.TryParseExact(candidate, InstantFormats, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out instant);
    }

    private static TimeRangeParseResult Fail(string parameter, string problem) => new(null, new TimeRangeError(parameter, problem));

    [GeneratedRegex(@"^(?<n>\d{1,5})(?<unit>[mhdMHD])$", RegexOptions.CultureInvariant)]
    private static partial Regex RangeToken();
}
