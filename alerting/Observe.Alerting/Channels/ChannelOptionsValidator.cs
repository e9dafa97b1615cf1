using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using MimeKit;
using Observe.Collectors.Aws;

namespace Observe.Alerting.Channels;

/// <summary>
/// Checks every channel at start and names the bad field (<c>Observe:Alerting:Channels:oncall:WebhookUrl must be an
/// https URL (http only on loopback)</c>). Secrets are never echoed in a message, only the field that holds them.
/// </summary>
internal sealed partial class ChannelOptionsValidator(IOptions<AwsOptions> aws) : IValidateOptions<ChannelsOptions>
{
    private const string Section = ChannelsOptions.SectionName + ":Channels";

    public ValidateOptionsResult Validate(string? name, ChannelsOptions options)
    {
        var errors = new List<string>();
        foreach (var (id, channel) in options.Channels.OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            Validate(id, channel, errors);
        }

        ValidateSnsCredentials(options, errors);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void Validate(string id, ChannelOptions channel, List<string> errors)
    {
        var path = $"{Section}:{id}";
        if (!IdPattern().IsMatch(id))
        {
            errors.Add($"{Section}: the channel id '{id}' must be 1 to 64 letters, digits, '-' or '_' (rules name it in their channels list)");
        }

        if (channel.Timeout <= TimeSpan.Zero || channel.Timeout > TimeSpan.FromMinutes(5))
        {
            errors.Add($"{path}:Timeout must be more than 0 and at most 00:05:00 (it is {channel.Timeout})");
        }

        if (channel.MaxListedAlerts is < 1 or > 100)
        {
            errors.Add($"{path}:MaxListedAlerts must be 1 to 100 (it is {channel.MaxListedAlerts})");
        }

        switch (channel.Kind?.ToLowerInvariant())
        {
            case ChannelKinds.Slack or ChannelKinds.Teams:
                CheckUrl(path, "WebhookUrl", channel.WebhookUrl, required: true, errors);
                break;
            case ChannelKinds.Webhook:
                CheckUrl(path, "WebhookUrl", channel.WebhookUrl, required: true, errors);
                if (string.IsNullOrEmpty(channel.Secret) || channel.Secret.Length < 32)
                {
                    errors.Add($"{path}:Secret is required for a webhook and must be at least 32 characters (the receiver checks the HMAC-SHA256 signature with it)");
                }

                break;
            case ChannelKinds.PagerDuty:
                if (string.IsNullOrWhiteSpace(channel.RoutingKey) || channel.RoutingKey.Any(char.IsWhiteSpace))
                {
                    errors.Add($"{path}:RoutingKey is required for PagerDuty (the Events API v2 integration key) and holds no spaces");
                }

                CheckUrl(path, "Endpoint", channel.Endpoint, required: false, errors);
                break;
            case ChannelKinds.Email:
                ValidateEmail(path, channel, errors);
                break;
            case ChannelKinds.Sns:
                ValidateSns(path, channel, errors);
                break;
            case null or "":
                errors.Add($"{path}:Kind is required ({string.Join(", ", ChannelKinds.All)})");
                break;
            default:
                errors.Add($"{path}:Kind '{channel.Kind}' is not a channel kind ({string.Join(", ", ChannelKinds.All)})");
                break;
        }
    }

    private static void ValidateEmail(string path, ChannelOptions channel, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(channel.Host))
        {
            errors.Add($"{path}:Host is required for e-mail (the SMTP server)");
        }

        if (channel.Port is < 1 or > 65535)
        {
            errors.Add($"{path}:Port must be 1 to 65535 (it is {channel.Port})");
        }

        if (!Enum.TryParse<SmtpSecurity>(channel.Security, ignoreCase: true, out var security))
        {
            errors.Add($"{path}:Security '{channel.Security}' must be StartTls, SslOnConnect or None");
        }
        else if (security == SmtpSecurity.None && channel.Host is { } host && !IsLoopback(host))
        {
            errors.Add($"{path}:Security None is only allowed for a loopback Host (the password and the alerts would cross the network in clear); use StartTls or SslOnConnect");
        }

        if (string.IsNullOrEmpty(channel.Username) != string.IsNullOrEmpty(channel.Password))
        {
            errors.Add($"{path}:Username and Password go together: set both, or neither for a relay without authentication");
        }

        if (channel.From is null || !MailboxAddress.TryParse(channel.From, out _))
        {
            errors.Add($"{path}:From must be an e-mail address (it is '{channel.From}')");
        }

        if (channel.To.Count == 0)
        {
            errors.Add($"{path}:To needs at least one recipient");
        }

        for (var i = 0; i < channel.To.Count; i++)
        {
            if (!MailboxAddress.TryParse(channel.To[i], out _))
            {
                errors.Add($"{path}:To:{i} must be an e-mail address (it is '{channel.To[i]}')");
            }
        }
    }

    private static void ValidateSns(string path, ChannelOptions channel, List<string> errors)
    {
        if (channel.TopicArn is null || !SnsTopic.TryParse(channel.TopicArn, out _))
        {
            errors.Add($"{path}:TopicArn must be an SNS topic ARN like arn:aws:sns:eu-west-1:123456789012:alerts (it is '{channel.TopicArn}')");
        }

        if (!channel.MessageFormat.Equals("Json", StringComparison.OrdinalIgnoreCase) && !channel.MessageFormat.Equals("Text", StringComparison.OrdinalIgnoreCase))
        {
            errors.Add($"{path}:MessageFormat '{channel.MessageFormat}' must be Json or Text");
        }

        if (channel.ExternalId is not null && channel.RoleArn is null)
        {
            errors.Add($"{path}:ExternalId only applies with RoleArn");
        }
    }

    /// <summary>
    /// The shared AWS pipeline keeps one set of credentials per account id, so an SNS channel in a collected account
    /// uses that account's, and channels in one other account must agree on theirs.
    /// </summary>
    private void ValidateSnsCredentials(ChannelsOptions options, List<string> errors)
    {
        var collected = aws.Value.Accounts.Select(a => a.AccountId).ToHashSet(StringComparer.Ordinal);
        var byAccount = new Dictionary<string, (string Id, string? Profile, string? RoleArn, string? ExternalId)>(StringComparer.Ordinal);
        foreach (var (id, channel) in options.Channels.OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            if (!ChannelKinds.Sns.Equals(channel.Kind, StringComparison.OrdinalIgnoreCase) || channel.TopicArn is null || !SnsTopic.TryParse(channel.TopicArn, out var topic))
            {
                continue;
            }

            var own = (channel.Profile, channel.RoleArn, channel.ExternalId);
            if (collected.Contains(topic.AccountId))
            {
                if (own != (null, null, null))
                {
                    errors.Add($"{Section}:{id}: the topic's account {topic.AccountId} is collected (Observe:Aws:Accounts) and its credentials are used; remove Profile, RoleArn and ExternalId here");
                }
            }
            else if (byAccount.TryGetValue(topic.AccountId, out var first) && (first.Profile, first.RoleArn, first.ExternalId) != own)
            {
                errors.Add($"{Section}:{id}: Profile, RoleArn and ExternalId must match those of channel '{first.Id}', which publishes in the same account {topic.AccountId}");
            }
            else
            {
                byAccount.TryAdd(topic.AccountId, (id, channel.Profile, channel.RoleArn, channel.ExternalId));
            }
        }
    }

    private static void CheckUrl(string path, string field, string? value, bool required, List<string> errors)
    {
        if (value is null)
        {
            if (required)
            {
                errors.Add($"{path}:{field} is required");
            }

            return;
        }

        // The URL itself is not repeated: for webhooks it is the secret.
        if (!IsAllowedUrl(value))
        {
            errors.Add($"{path}:{field} must be an https URL (http only on loopback)");
        }
    }

    internal static bool IsAllowedUrl(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && IsLoopback(uri.Host)));

    internal static bool IsLoopback(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex IdPattern();
}

/// <summary>How the e-mail channel secures its SMTP connection.</summary>
internal enum SmtpSecurity
{
    StartTls,
    SslOnConnect,
    None,
}

/// <summary>The parts of an SNS topic ARN the channel needs: where to publish and whose credentials to use.</summary>
internal readonly partial record struct SnsTopic(string Arn, string Region, string AccountId)
{
    public static bool TryParse(string arn, out SnsTopic topic)
    {
        var match = ArnPattern().Match(arn);
        topic = match.Success ? new SnsTopic(arn, match.Groups["region"].Value, match.Groups["account"].Value) : default;
        return match.Success;
    }

    [GeneratedRegex(@"^arn:aws(-cn|-us-gov|-iso|-iso-b)?:sns:(?<region>[a-z]{2}(-[a-z]+)+-\d):(?<account>\d{12}):[A-Za-z0-9_-]{1,256}(\.fifo)?$")]
    private static partial Regex ArnPattern();
}
