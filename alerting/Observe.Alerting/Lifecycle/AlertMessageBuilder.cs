using System.Globalization;
using System.Text;
using Observe.Alerting.Delivery;
using Observe.Alerting.Rules;

namespace Observe.Alerting.Lifecycle;

/// <summary>
/// The words and links of a notification: what fired (the rule), how bad (severity), since when, and for which
/// functions, each linking to its dashboard page under the configured public base URL.
/// </summary>
internal static class AlertMessageBuilder
{
    public const int MaxDescriptionLines = 20;

    public static AlertMessage Build(
        string groupKey,
        string dedupKey,
        string kind,
        AlertSeverity severity,
        IReadOnlyList<(AlertMessageItem Item, string RuleName)> firing,
        IReadOnlyList<(AlertMessageItem Item, string RuleName)> resolved,
        Uri? publicBaseUrl)
    {
        var status = firing.Count > 0 ? AlertMessageStatus.Firing : AlertMessageStatus.Resolved;
        var main = firing.Count > 0 ? firing : resolved;
        var prefix = kind switch
        {
            NotificationKinds.Repeat => "Still firing",
            NotificationKinds.Resolved => "Resolved",
            _ => "Firing",
        };
        var ruleNames = main.Select(m => m.RuleName).Distinct(StringComparer.Ordinal).ToList();
        var subject = main.Count == 1 ? DisplayName(main[0].Item.Labels, main[0].Item.LabelsKey) : $"{main.Count} alerts";
        var title = ruleNames.Count == 1 ? $"{prefix}: {ruleNames[0]} on {subject}" : $"{prefix}: {subject} ({groupKey})";
        if (firing.Count > 0 && resolved.Count > 0)
        {
            title += $", {resolved.Count} resolved";
        }

        // One line per alert up to a screenful; the items keep every alert, and the group's link shows them all.
        var lines = firing
            .Select(f => $"Firing since {Time(f.Item.ActiveSince)}: {f.RuleName} on {DisplayName(f.Item.Labels, f.Item.LabelsKey)}: {f.Item.Summary}")
            .Concat(resolved.Select(r =>
                $"Resolved{(r.Item.ResolvedAt is { } at ? $" at {Time(at)}" : "")}: {r.RuleName} on {DisplayName(r.Item.Labels, r.Item.LabelsKey)}: {r.Item.Summary}"))
            .ToList();
        var description = new StringBuilder();
        foreach (var line in lines.Take(MaxDescriptionLines))
        {
            description.Append(line).Append('\n');
        }

        if (lines.Count > MaxDescriptionLines)
        {
            description.Append(CultureInfo.InvariantCulture, $"and {lines.Count - MaxDescriptionLines} more on the Alerts page").Append('\n');
        }

        return new AlertMessage
        {
            GroupKey = groupKey,
            DedupKey = dedupKey,
            Status = status,
            Severity = severity,
            Title = title,
            Description = description.ToString().TrimEnd('\n'),
            Since = main.Min(m => m.Item.ActiveSince),
            Alerts = [.. firing.Select(f => f.Item), .. resolved.Select(r => r.Item)],
            Link = Link(publicBaseUrl, "alerts?group=" + Uri.EscapeDataString(groupKey)),
        };
    }

    /// <summary>Who the alert is about, for people: the function with its account and region, else what the labels name.</summary>
    public static string DisplayName(IReadOnlyDictionary<string, string> labels, string labelsKey)
    {
        var where = labels.TryGetValue(AlertLabels.Account, out var account) && labels.TryGetValue(AlertLabels.Region, out var region)
            ? $" ({account}, {region})"
            : "";
        var name = labels.TryGetValue(AlertLabels.Function, out var function) ? function + where
            : labels.TryGetValue(AlertLabels.Collector, out var collector) ? $"collector {collector}{where}"
            : labels.TryGetValue(AlertLabels.Alarm, out var alarm) ? $"alarm {alarm}"
            : labels.TryGetValue(AlertLabels.Fingerprint, out var fingerprint) ? $"error {fingerprint}"
            : labelsKey;
        return AlertLabels.IsNoData(labels) ? name + " (no data)" : name;
    }

    /// <summary>
    /// The dashboard page of one alert: the error group for error signals (more precise than their function), else the
    /// function, the alarm, or the collectors.
    /// </summary>
    public static Uri? ItemLink(Uri? publicBaseUrl, IReadOnlyDictionary<string, string> labels)
    {
        if (labels.TryGetValue(AlertLabels.Fingerprint, out var fingerprint))
        {
            return Link(publicBaseUrl, "errors/" + Uri.EscapeDataString(fingerprint));
        }

        if (labels.TryGetValue(AlertLabels.Function, out var function)
            && labels.TryGetValue(AlertLabels.Account, out var account)
            && labels.TryGetValue(AlertLabels.Region, out var region))
        {
            return Link(publicBaseUrl, $"functions/{Uri.EscapeDataString(account)}/{Uri.EscapeDataString(region)}/{Uri.EscapeDataString(function)}");
        }

        // The Alarms page opens one alarm by its ARN; an alarm known only by name gets the list.
        if (labels.TryGetValue(AlertLabels.Alarm, out var alarm))
        {
            return Link(publicBaseUrl, alarm.StartsWith("arn:", StringComparison.Ordinal) ? "alarms/" + Uri.EscapeDataString(alarm) : "alarms");
        }

        return labels.ContainsKey(AlertLabels.Collector) ? Link(publicBaseUrl, "collectors") : null;
    }

    internal static Uri? Link(Uri? publicBaseUrl, string relative)
    {
        if (publicBaseUrl is null)
        {
            return null;
        }

        // Without the trailing slash a base under a path (https://host/observe) would lose its last segment.
        var baseText = publicBaseUrl.AbsoluteUri;
        return new Uri(baseText.EndsWith('/') ? baseText + relative : baseText + "/" + relative);
    }

    private static string Time(DateTimeOffset at) =>
        at.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC";
}
