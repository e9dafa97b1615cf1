using System.Text.Json.Nodes;
using Observe.Alerting.Delivery;
using Observe.Alerting.Rules;

namespace Observe.Alerting.Channels;

/// <summary>
/// PagerDuty Events API v2: <c>trigger</c> while the group fires (a repeat updates the same incident),
/// <c>resolve</c> when it resolves, both with <see cref="AlertMessage.DedupKey"/> as the dedup key so they meet the
/// same incident.
/// </summary>
internal sealed class PagerDutyChannel(string id, ChannelOptions options, HttpDelivery http) : INotificationChannel
{
    public const string DefaultEndpoint = "https://events.pagerduty.com/v2/enqueue";

    // PagerDuty's limits: summary 1,024 characters, dedup_key 255.
    private const int SummaryMax = 1024;

    private readonly Uri _endpoint = new(options.Endpoint ?? DefaultEndpoint);

    public string Id => id;

    public string Kind => ChannelKinds.PagerDuty;

    public string Describe() => $"PagerDuty {_endpoint.GetLeftPart(UriPartial.Authority)}, routing key {SecretMask.Key(options.RoutingKey)}";

    public Task<DeliveryResult> SendAsync(AlertMessage message, CancellationToken cancellationToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, _endpoint) { Content = JsonBody.Of(Payload(message, options.RoutingKey!, options.MaxListedAlerts)) };
        return http.SendAsync(request, id, options.Timeout, cancellationToken);
    }

    internal static JsonObject Payload(AlertMessage message, string routingKey, int maxListed)
    {
        var resolve = message.Status == AlertMessageStatus.Resolved;
        var dedupKey = AlertText.Cut(message.DedupKey, 255);
        var body = new JsonObject
        {
            ["routing_key"] = routingKey,
            ["event_action"] = resolve ? "resolve" : "trigger",
            ["dedup_key"] = dedupKey,
        };

        // A resolve needs nothing else; PagerDuty ignores a payload on it.
        if (resolve)
        {
            return body;
        }

        var (listed, more) = AlertText.Listed(message, maxListed);
        var first = message.Alerts.Count > 0 ? message.Alerts[0].Labels : new Dictionary<string, string>();
        var details = new JsonObject
        {
            ["severity"] = AlertText.Severity(message.Severity),
            ["since"] = AlertText.Iso(message.Since),
            ["alerts"] = message.Alerts.Count,
            ["listed"] = new JsonArray([.. listed.Select(i => (JsonNode)$"{AlertText.About(i)}: {AlertText.ItemState(i)}. {i.Summary}")]),
        };
        if (more > 0)
        {
            details["more"] = AlertText.AndMore(more);
        }

        if (message.Description.Length > 0)
        {
            details["description"] = message.Description;
        }

        var payload = new JsonObject
        {
            ["summary"] = AlertText.Cut(AlertText.Subject(message), SummaryMax),
            ["source"] = message.Alerts.Count == 1 ? AlertText.About(message.Alerts[0]) : "Observe",
            ["severity"] = message.Severity switch
            {
                AlertSeverity.Critical => "critical",
                AlertSeverity.Warning => "warning",
                _ => "info",
            },
            ["timestamp"] = AlertText.Iso(message.Since),
            ["custom_details"] = details,
        };
        if (first.GetValueOrDefault("rule") is { } rule)
        {
            payload["class"] = rule;
        }

        if (first.GetValueOrDefault("account") is { } account)
        {
            payload["group"] = account;
        }

        if (message.Alerts.Count == 1 && first.GetValueOrDefault("function") is { } function)
        {
            payload["component"] = function;
        }

        body["payload"] = payload;
        body["client"] = "Observe";
        if (message.Link is { } link)
        {
            body["client_url"] = link.AbsoluteUri;
            body["links"] = new JsonArray { new JsonObject { ["href"] = link.AbsoluteUri, ["text"] = "Open in Observe" } };
        }

        return body;
    }
}
