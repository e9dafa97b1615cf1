using System.Text.Json.Nodes;
using Observe.Alerting.Delivery;

namespace Observe.Alerting.Channels;

/// <summary>
/// A Microsoft Teams workflow webhook ("Post to a channel when a webhook request is received"): a message whose one
/// attachment is an Adaptive Card (1.4, what Teams renders) with the headline, severity and since, the alerts and a
/// button to the dashboard.
/// </summary>
internal sealed class TeamsChannel(string id, ChannelOptions options, HttpDelivery http) : INotificationChannel
{
    private readonly Uri _url = new(options.WebhookUrl!);

    public string Id => id;

    public string Kind => ChannelKinds.Teams;

    public string Describe() => $"Teams workflow {SecretMask.Url(options.WebhookUrl)}";

    public Task<DeliveryResult> SendAsync(AlertMessage message, CancellationToken cancellationToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, _url) { Content = JsonBody.Of(Payload(message, options.MaxListedAlerts)) };
        return http.SendAsync(request, id, options.Timeout, cancellationToken);
    }

    internal static JsonObject Payload(AlertMessage message, int maxListed)
    {
        var resolved = message.Status == AlertMessageStatus.Resolved;
        var body = new JsonArray
        {
            new JsonObject
            {
                ["type"] = "TextBlock",
                ["text"] = AlertText.Subject(message),
                ["size"] = "Large",
                ["weight"] = "Bolder",
                ["wrap"] = true,
                ["color"] = resolved ? "Good" : message.Severity == Rules.AlertSeverity.Critical ? "Attention" : "Warning",
            },
            new JsonObject
            {
                ["type"] = "FactSet",
                ["facts"] = new JsonArray
                {
                    Fact("Severity", AlertText.Severity(message.Severity)),
                    Fact("Status", AlertText.Status(message.Status)),
                    Fact("Since", AlertText.Time(message.Since)),
                    Fact("Alerts", message.Alerts.Count.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                },
            },
        };

        if (message.Description.Length > 0)
        {
            body.Add(Text(message.Description));
        }

        var (listed, more) = AlertText.Listed(message, maxListed);
        foreach (var item in listed)
        {
            // One text block per alert, no markdown bullets: the reference renderer cut bulleted lines at the card's edge.
            // Markdown links only where the dashboard gave one; the rest is the same line as the other channels.
            var about = item.Link is { } link ? $"[{AlertText.About(item)}]({link.AbsoluteUri})" : AlertText.About(item);
            body.Add(Text($"{about}: {AlertText.ItemState(item)}. {item.Summary}", spacing: "Small"));
        }

        if (more > 0)
        {
            body.Add(Text($"_{AlertText.AndMore(more)}_", spacing: "Small"));
        }

        var card = new JsonObject
        {
            ["$schema"] = "http://adaptivecards.io/schemas/adaptive-card.json",
            ["type"] = "AdaptiveCard",
            ["version"] = "1.4",
            ["msteams"] = new JsonObject { ["width"] = "Full" },
            ["body"] = body,
        };
        if (message.Link is { } groupLink)
        {
            card["actions"] = new JsonArray
            {
                new JsonObject { ["type"] = "Action.OpenUrl", ["title"] = "Open in Observe", ["url"] = groupLink.AbsoluteUri },
            };
        }

        return new JsonObject
        {
            ["type"] = "message",
            ["attachments"] = new JsonArray
            {
                new JsonObject { ["contentType"] = "application/vnd.microsoft.card.adaptive", ["contentUrl"] = null, ["content"] = card },
            },
        };
    }

    private static JsonObject Fact(string title, string value) => new() { ["title"] = title, ["value"] = value };

    private static JsonObject Text(string text, string? spacing = null)
    {
        var block = new JsonObject { ["type"] = "TextBlock", ["text"] = text, ["wrap"] = true };
        if (spacing is not null)
        {
            block["spacing"] = spacing;
        }

        return block;
    }
}
