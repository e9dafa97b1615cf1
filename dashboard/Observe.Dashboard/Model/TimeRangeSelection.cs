using System.Globalization;
using Observe.Store.Model;

namespace Observe.Dashboard.Model;

/// <summary>
/// The time range a page shows, as the URL states it: a relative range ("last 1h") that slides with the clock, or
/// fixed UTC bounds. Pages resolve it to a <see cref="TimeRange"/> each time they query.
/// </summary>
public sealed record TimeRangeSelection
{
    private TimeRangeSelection(TimeSpan length, string? token, DateTimeOffset? from, DateTimeOffset? to)
    {
        Length = length;
        Token = token;
        From = from;
        To = to;
    }

    /// <summary>Length of the range.</summary>
    public TimeSpan Length { get; }

    /// <summary>The <c>?range=</c> value (<c>1h</c>) of a relative range; null for fixed bounds.</summary>
    public string? Token { get; }

    /// <summary>Fixed start (UTC); null for a relative range.</summary>
    public DateTimeOffset? From { get; }

    /// <summary>Fixed end (UTC, exclusive); null for a relative range.</summary>
    public DateTimeOffset? To { get; }

    public bool IsRelative => Token is not null;

    /// <summary>A relative range; <paramref name="token"/> is how the URL spells it (24h stays 24h), shortest form by default.</summary>
    public static TimeRangeSelection Last(TimeSpan length, string? token = null) => new(length, token ?? TimeRangeQuery.FormatToken(length), null, null);

    public static TimeRangeSelection Between(DateTimeOffset from, DateTimeOffset to) =>
        new(to - from, null, from.ToUniversalTime(), to.ToUniversalTime());

    /// <summary>The range to query now: relative ranges end at <paramref name="now"/>.</summary>
    public TimeRange Resolve(DateTimeOffset now) =>
        IsRelative ? TimeRange.Last(Length, now) : new TimeRange(From!.Value, To!.Value);

    /// <summary>The query parameters that state this selection; the other form's parameters are removed.</summary>
    public IReadOnlyDictionary<string, object?> ToQuery() => new Dictionary<string, object?>
    {
        [TimeRangeQuery.RangeParameter] = Token,
        [TimeRangeQuery.FromParameter] = From is { } f ? TimeRangeQuery.FormatInstant(f) : null,
        [TimeRangeQuery.ToParameter] = To is { } t ? TimeRangeQuery.FormatInstant(t) : null,
    };

    /// <summary>For people: "Last 1 hour", or "2026-11-22 04:00 – 05:00 UTC".</summary>
    public string Describe()
    {
        if (IsRelative)
        {
            return "Last " + DescribeLength(Length);
        }

        var from = From!.Value;
        var to = To!.Value;
        var toFormat = from.Date == to.Date ? "HH:mm" : "yyyy-MM-dd HH:mm";
        return string.Create(CultureInfo.InvariantCulture, $"{from:yyyy-MM-dd HH:mm} – {to.ToString(toFormat, CultureInfo.InvariantCulture)} UTC");
    }

    private static string DescribeLength(TimeSpan length)
    {
        static string Plural(long n, string unit) => n == 1 ? $"1 {unit}" : $"{n.ToString(CultureInfo.InvariantCulture)} {unit}s";

        if (length.Ticks % TimeSpan.TicksPerDay == 0)
        {
            return Plural(length.Ticks / TimeSpan.TicksPerDay, "day");
        }

        return length.Ticks % TimeSpan.TicksPerHour == 0
            ? Plural(length.Ticks / TimeSpan.TicksPerHour, "hour")
            : Plural(length.Ticks / TimeSpan.TicksPerMinute, "minute");
    }
}
