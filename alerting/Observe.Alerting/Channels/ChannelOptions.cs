namespace Observe.Alerting.Channels;

/// <summary>
/// The configured notification channels, keyed by the id rules name (<c>Observe:Alerting:Channels:oncall:Kind</c>).
/// Bound from <c>Observe:Alerting</c> (only <c>Channels</c> is read here) and validated at start by
/// <see cref="ChannelOptionsValidator"/>.
/// </summary>
internal sealed class ChannelsOptions
{
    public const string SectionName = "Observe:Alerting";

    public Dictionary<string, ChannelOptions> Channels { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>The kinds of channel, as written in <c>Kind</c>.</summary>
internal static class ChannelKinds
{
    public const string Slack = "slack";
    public const string Teams = "teams";
    public const string PagerDuty = "pagerduty";
    public const string Webhook = "webhook";
    public const string Email = "email";
    public const string Sns = "sns";

    public static IReadOnlyList<string> All { get; } = [Slack, Teams, PagerDuty, Webhook, Email, Sns];
}

/// <summary>
/// One channel. Which settings apply depends on <see cref="Kind"/>; secrets (<see cref="WebhookUrl"/>,
/// <see cref="RoutingKey"/>, <see cref="Secret"/>, <see cref="Password"/>) are best given through the environment
/// (<c>Observe__Alerting__Channels__oncall__RoutingKey</c>) and are never logged or shown unmasked.
/// </summary>
internal sealed class ChannelOptions
{
    /// <summary><c>slack</c>, <c>teams</c>, <c>pagerduty</c>, <c>webhook</c>, <c>email</c> or <c>sns</c>.</summary>
    public string? Kind { get; set; }

    /// <summary>
    /// Longest one delivery attempt may take (connect, send, answer) before it counts as a retryable failure.
    /// Default 10 s, at most 5 min.
    /// </summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How many alerts a message lists before "and N more" (Slack, Teams, e-mail, SNS text). Default 10.</summary>
    public int MaxListedAlerts { get; set; } = 10;

    /// <summary>Slack incoming webhook, Teams workflow webhook or the generic webhook's URL: https, http only on loopback.</summary>
    public string? WebhookUrl { get; set; }

    /// <summary>Generic webhook: the shared HMAC-SHA256 secret, at least 32 characters (docs/alerting-webhooks.md).</summary>
    public string? Secret { get; set; }

    /// <summary>PagerDuty: the Events API v2 integration (routing) key of the service.</summary>
    public string? RoutingKey { get; set; }

    /// <summary>PagerDuty: the Events API v2 endpoint. Default <c>https://events.pagerduty.com/v2/enqueue</c> (EU accounts: events.eu.pagerduty.com).</summary>
    public string? Endpoint { get; set; }

    /// <summary>E-mail: the SMTP server.</summary>
    public string? Host { get; set; }

    /// <summary>E-mail: the SMTP port. Default 587.</summary>
    public int Port { get; set; } = 587;

    /// <summary>E-mail: <c>StartTls</c> (default), <c>SslOnConnect</c>, or <c>None</c> (loopback hosts only).</summary>
    public string Security { get; set; } = "StartTls";

    /// <summary>E-mail: SMTP user name; with <see cref="Password"/>, or neither for an unauthenticated relay.</summary>
    public string? Username { get; set; }

    public string? Password { get; set; }

    /// <summary>E-mail: the sender address (<c>Observe &lt;alerts@example.com&gt;</c>).</summary>
    public string? From { get; set; }

    /// <summary>E-mail: the recipients.</summary>
    public List<string> To { get; set; } = [];

    /// <summary>SNS: the topic's ARN; its account and region say where it is published.</summary>
    public string? TopicArn { get; set; }

    /// <summary>SNS: <c>Json</c> (default; the generic webhook's body) or <c>Text</c> (the e-mail's text part).</summary>
    public string MessageFormat { get; set; } = "Json";

    /// <summary>
    /// SNS: the credentials for a topic in an account Observe does not collect (<c>Profile</c>, <c>RoleArn</c>,
    /// <c>ExternalId</c>, as in <c>Observe:Aws:Accounts</c>). A topic in a collected account uses that account's.
    /// </summary>
    public string? Profile { get; set; }

    public string? RoleArn { get; set; }

    public string? ExternalId { get; set; }
}
