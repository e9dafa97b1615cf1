using System.Globalization;
using System.Text;
using Observe.Alerting.Delivery;
using Observe.Alerting.Rules;

namespace Observe.Alerting.Channels;

/// <summary>
/// The wording every channel shares, so a Slack message, an e-mail and an SNS text say the same: what fired, how
/// bad, since when, for which functions, and where to look.
/// </summary>
internal static class AlertText
{
    public static string Severity(AlertSeverity severity) => severity switch
    {
        AlertSeverity.Critical => "critical",
        AlertSeverity.Warning => "warning",
        _ => "info",
    };

    public static string Status(AlertMessageStatus status) => status == AlertMessageStatus.Resolved ? "RESOLVED" : "FIRING";

    /// <summary><c>[FIRING:critical] Error rate above 5%</c>; a test send from the Channels page is marked as one.</summary>
    public static string Subject(AlertMessage message) =>
        $"{(message.IsTest ? "[TEST] " : "")}[{Status(message.Status)}:{Severity(message.Severity)}] {message.Title}";

    /// <summary>A moment as people read it in every channel, in UTC so recipients in several time zones agree.</summary>
    public static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    /// <summary>ISO 8601 in UTC to the second, for PagerDuty and the JSON bodies.</summary>
    public static string Iso(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>
    /// What an alert is about: the function (with its account and region), else the alarm, the collector, the error
    /// group, else its label set.
    /// </summary>
    public static string About(AlertMessageItem item)
    {
        var labels = item.Labels;
        var what = labels.GetValueOrDefault("function")
                   ?? labels.GetValueOrDefault("alarm")
                   ?? (labels.GetValueOrDefault("collector") is { } collector ? $"collector {collector}" : null)
                   ?? (labels.GetValueOrDefault("fingerprint") is { } fingerprint ? $"error group {fingerprint}" : null)
                   ?? item.LabelsKey;
        var where = string.Join(", ", new[] { labels.GetValueOrDefault("account"), labels.GetValueOrDefault("region") }.Where(v => !string.IsNullOrEmpty(v)));
        return where.Length == 0 ? what : $"{what} ({where})";
    }

    /// <summary>The first <paramref name="max"/> alerts and how many more there are, firing ones before resolved ones.</summary>
    public static (IReadOnlyList<AlertMessageItem> Listed, int More) Listed(AlertMessage message, int max)
    {
        var ordered = message.Alerts
            .OrderBy(a => a.Status == AlertMessageStatus.Resolved)
            .ThenBy(a => a.ActiveSince)
            .ThenBy(a => a.LabelsKey, StringComparer.Ordinal)
            .ToList();
        return (ordered.Take(max).ToList(), Math.Max(0, ordered.Count - max));
    }

    public static string AndMore(int more) => $"and {more.ToString(CultureInfo.InvariantCulture)} more";

    /// <summary>The plain text body (e-mail text part, SNS text messages).</summary>
    public static string PlainText(AlertMessage message, int max)
    {
        var text = new StringBuilder();
        text.AppendLine(Subject(message));
        text.AppendLine();
        if (message.Description.Length > 0)
        {
            text.AppendLine(message.Description).AppendLine();
        }

        text.AppendLine(CultureInfo.InvariantCulture, $"Severity: {Severity(message.Severity)}");
        text.AppendLine(CultureInfo.InvariantCulture, $"Since: {Time(message.Since)}");
        text.AppendLine(CultureInfo.InvariantCulture, $"Alerts: {message.Alerts.Count}");
        text.AppendLine();
        var (listed, more) = Listed(message, max);
        foreach (var item in listed)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"- {About(item)}: {ItemState(item)}. {item.Summary}");
            if (item.Link is { } link)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"  {link.AbsoluteUri}");
            }
        }

        if (more > 0)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"- {AndMore(more)}");
        }

        if (message.Link is { } groupLink)
        {
            text.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"Open in Observe: {groupLink.AbsoluteUri}");
        }

        return text.ToString();
    }

    /// <summary><c>firing since 2026-12-04 10:15 UTC</c> or <c>resolved at ...</c>.</summary>
    public static string ItemState(AlertMessageItem item) =>
        item.Status == AlertMessageStatus.Resolved
            ? $"resolved{(item.ResolvedAt is { } at ? $" at {Time(at)}" : "")}"
            : $"firing since {Time(item.ActiveSince)}";

    /// <summary>Cuts <paramref name="text"/> to <paramref name="max"/> characters with an ellipsis, for receivers' field limits.</summary>
    public static string Cut(string text, int max) => text.Length <= max ? text : string.Concat(text.AsSpan(0, max - 1), "…");
}
