using System.Text.Json.Nodes;
using Observe.Alerting.Delivery;

namespace Observe.Alerting.Channels;

/// <summary>
/// The JSON the generic webhook and SNS (<c>MessageFormat: Json</c>) send: the whole message, every alert (no cap:
/// the reader is a program), documented in docs/alerting-webhooks.md. <c>version</c> changes only when a field's
/// meaning does.
/// </summary>
internal static class WebhookPayload
{
    public const int Version = 1;

    public static JsonObject Build(AlertMessage message) => new()
    {
        ["version"] = Version,
        ["status"] = message.Status == AlertMessageStatus.Resolved ? "resolved" : "firing",
        ["severity"] = AlertText.Severity(message.Severity),
        ["title"] = message.Title,
        ["description"] = message.Description,
        ["since"] = AlertText.Iso(message.Since),
        ["group_key"] = message.GroupKey,
        ["dedup_key"] = message.DedupKey,
        ["link"] = message.Link?.AbsoluteUri,
        ["test"] = message.IsTest,
        ["alerts"] = new JsonArray([.. message.Alerts.Select(Item)]),
    };

    private static JsonNode Item(AlertMessageItem item)
    {
        var labels = new JsonObject();
        foreach (var (key, value) in item.Labels.OrderBy(l => l.Key, StringComparer.Ordinal))
        {
            labels[key] = value;
        }

        return new JsonObject
        {
            ["rule"] = item.RuleId,
            ["status"] = item.Status == AlertMessageStatus.Resolved ? "resolved" : "firing",
            ["labels"] = labels,
            ["active_since"] = AlertText.Iso(item.ActiveSince),
            ["resolved_at"] = item.ResolvedAt is { } at ? AlertText.Iso(at) : null,
            ["summary"] = item.Summary,
            ["link"] = item.Link?.AbsoluteUri,
        };
    }
}
