using System.Globalization;

namespace Observe.Dashboard.Tests.Browser;

/// <summary>
/// Instants as the browser tests write them, written out here rather than with the dashboard's own formatting: into a
/// page's address (<c>from</c>, <c>to</c>) and into the log lines seeded into moto, as Lambda's runtimes stamp them.
/// </summary>
internal static class BrowserTime
{
    /// <summary>An instant as an address's <c>from</c> and <c>to</c> hold it: UTC, whole seconds, <c>Z</c>.</summary>
    public static string Address(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>The instant <see cref="Address"/> names (cut to whole seconds), as the page reads it back.</summary>
    public static DateTimeOffset AsAddressed(DateTimeOffset at) => DateTimeOffset.Parse(Address(at), CultureInfo.InvariantCulture);

    /// <summary>The <c>from</c> and <c>to</c> parameters of a fixed range.</summary>
    public static string RangeQuery(DateTimeOffset from, DateTimeOffset to) => $"from={Address(from)}&to={Address(to)}";

    /// <summary>A log line's timestamp as Lambda's runtimes and platform records write it: UTC, milliseconds, <c>Z</c>.</summary>
    public static string LogTimestamp(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
