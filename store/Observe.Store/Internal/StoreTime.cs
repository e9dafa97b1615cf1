namespace Observe.Store.Internal;

/// <summary>
/// Time as the schema stores it: instants as Unix milliseconds, metric buckets as Unix minutes and hours. Integers
/// keep metric rows narrow, compare fast and mean the same on both engines.
/// </summary>
internal static class StoreTime
{
    public static long ToMs(DateTimeOffset t) => t.ToUnixTimeMilliseconds();

    public static long? ToMs(DateTimeOffset? t) => t?.ToUnixTimeMilliseconds();

    public static DateTimeOffset FromMs(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    /// <summary>The minute containing <paramref name="t"/>.</summary>
    public static int FloorMinute(DateTimeOffset t) => checked((int)Math.Floor(t.ToUnixTimeMilliseconds() / 60_000d));

    /// <summary>The first minute starting at or after <paramref name="t"/>: minutes m with m &gt;= it start in [t, ...).</summary>
    public static int CeilMinute(DateTimeOffset t) => checked((int)Math.Ceiling(t.ToUnixTimeMilliseconds() / 60_000d));

    public static int CeilHour(DateTimeOffset t) => checked((int)Math.Ceiling(t.ToUnixTimeMilliseconds() / 3_600_000d));

    public static int FloorHour(DateTimeOffset t) => checked((int)Math.Floor(t.ToUnixTimeMilliseconds() / 3_600_000d));

    public static DateTimeOffset FromMinute(long minute) => DateTimeOffset.FromUnixTimeMilliseconds(minute * 60_000);

    public static DateTimeOffset FromHour(long hour) => DateTimeOffset.FromUnixTimeMilliseconds(hour * 3_600_000);
}
