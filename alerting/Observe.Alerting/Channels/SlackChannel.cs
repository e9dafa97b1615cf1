using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Observe.Alerting.Delivery;

namespace Observe.Alerting.Channels;

/// <summary>
/// A Slack incoming webhook, with Block Kit: a header, severity and since, the alerts (capped, "and N more") and a
/// button to the dashboard. <c>text</c> carries the same headline for notifications and clients without blocks.
/// </summary>
internal sealed class SlackChannel(string id, ChannelOptions options, HttpDelivery http) : INotificationChannel
{
    // Slack's limits: a header's text 150 characters, a section's text 3,000.
    private const int HeaderMax = 150;
    private const int SectionMax = 3000;

    private readonly Uri _url = new(options.WebhookUrl!);

    public string Id => id;

    public string Kind => ChannelKinds.Slack;

    public string Describe() => $"Slack webhook {SecretMask.Url(options.WebhookUrl)}";

    public Task<DeliveryResult> SendAsync(AlertMessage message, CancellationToken cancellationToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, _url) { Content = JsonBody.Of(Payload(message, options.MaxListedAlerts)) };
        return http.SendAsync(request, id, options.Timeout, cancellationToken);
    }

    internal static JsonObject Payload(AlertMessage message, int maxListed)
    {
        var emoji = message.Status == AlertMessageStatus.Resolved ? "✅" : message.Severity == Rules.AlertSeverity.Critical ? "🔴" : "🟠";
        var blocks = new JsonArray
        {
            new JsonObject
            {
                ["type"] = "header",
                ["text"] = PlainText(AlertText.Cut($"{emoji} {AlertText.Subject(message)}", HeaderMax)),
            },
            new JsonObject
            {
                ["type"] = "section",
                ["fields"] = new JsonArray
                {
                    Mrkdwn($"*Severity*\n{AlertText.Severity(message.Severity)}"),
                    Mrkdwn($"*{(message.Status == AlertMessageStatus.Resolved ? "Resolved" : "Since")}*\n{SlackDate(message.Status == AlertMessageStatus.Resolved ? message.Alerts.Max(a => a.ResolvedAt) ?? message.Since : message.Since)}"),
                },
            },
        };

        if (message.Description.Length > 0)
        {
            blocks.Add(Section(AlertText.Cut(Escape(message.Description), SectionMax)));
        }

        blocks.Add(Section(AlertList(message, maxListed)));
        if (message.Link is { } link)
        {
            blocks.Add(new JsonObject
            {
                ["type"] = "actions",
                ["elements"] = new JsonArray
                {
                    new JsonObject { ["type"] = "button", ["text"] = PlainText("Open in Observe"), ["url"] = link.AbsoluteUri },
                },
            });
        }

        return new JsonObject { ["text"] = AlertText.Subject(message), ["blocks"] = blocks };
    }

    private static string AlertList(AlertMessage message, int maxListed)
    {
        var (listed, more) = AlertText.Listed(message, maxListed);
        var text = new StringBuilder().Append(CultureInfo.InvariantCulture, $"*{(message.Alerts.Count == 1 ? "1 alert" : $"{message.Alerts.Count} alerts")}*");
        for (var i = 0; i < listed.Count; i++)
        {
            var item = listed[i];
            var about = Escape(AlertText.About(item));
            var line = $"\n• {(item.Link is { } link ? $"<{link.AbsoluteUri}|{about}>" : about)}: {AlertText.ItemState(item)}. {Escape(item.Summary)}";
            if (text.Length + line.Length > SectionMax - 40)
            {
                // Slack refuses a longer section; what did not fit joins the "more".
                more += listed.Count - i;
                break;
            }

            text.Append(line);
        }

        if (more > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"\n• _{AlertText.AndMore(more)}_");
        }

        return text.ToString();
    }

    /// <summary>Slack's date token shows the time in each reader's own zone; the fallback is UTC.</summary>
    private static string SlackDate(DateTimeOffset at) =>
        $"<!date^{at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)}^{{date_short_pretty}} {{time}}|{AlertText.Time(at)}>";

    /// <summary>Slack's mrkdwn treats &amp;, &lt; and &gt; as control characters: user text must not make links or mentions.</summary>
    internal static string Escape(string text) => text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);

    private static JsonObject PlainText(string text) => new() { ["type"] = "plain_text", ["text"] = text, ["emoji"] = true };

    private static JsonObject Mrkdwn(string text) => new() { ["type"] = "mrkdwn", ["text"] = text };

    private static JsonObject Section(string mrkdwn) => new() { ["type"] = "section", ["text"] = Mrkdwn(mrkdwn) };
}
