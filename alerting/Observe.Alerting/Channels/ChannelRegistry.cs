using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Observe.Collectors.Aws;
using Observe.Collectors.Sns;

namespace Observe.Alerting.Channels;

/// <summary>
/// The configured channels, built once from <see cref="ChannelsOptions"/> (validated at start). The HTTP channels
/// share one connection pool; redirects are never followed, so a signed body or a routing key goes only where it was
/// configured to.
/// </summary>
internal sealed partial class ChannelRegistry : IDisposable
{
    private readonly HttpMessageInvoker _http;
    private readonly Dictionary<string, INotificationChannel> _byId;

    public ChannelRegistry(IOptions<ChannelsOptions> options, IOptions<AwsOptions> aws, TimeProvider time, ILogger<ChannelRegistry> logger, AwsCaller? awsCaller = null)
    {
        _http = new HttpMessageInvoker(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.All,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        });
        var delivery = new HttpDelivery(_http, time);
        _byId = new Dictionary<string, INotificationChannel>(StringComparer.Ordinal);
        foreach (var (id, channel) in options.Value.Channels.OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            INotificationChannel built = channel.Kind!.ToLowerInvariant() switch
            {
                ChannelKinds.Slack => new SlackChannel(id, channel, delivery),
                ChannelKinds.Teams => new TeamsChannel(id, channel, delivery),
                ChannelKinds.PagerDuty => new PagerDutyChannel(id, channel, delivery),
                ChannelKinds.Webhook => new WebhookChannel(id, channel, delivery, time),
                ChannelKinds.Email => new EmailChannel(id, channel, time),
                ChannelKinds.Sns => Sns(id, channel, aws.Value, awsCaller, time),
                _ => throw new InvalidOperationException($"{ChannelsOptions.SectionName}:Channels:{id}:Kind '{channel.Kind}' passed validation but has no channel"),
            };
            _byId.Add(id, built);
            LogChannel(logger, id, built.Kind, built.Describe());
        }

        Channels = [.. _byId.Values];
    }

    /// <summary>Every configured channel, ordered by id.</summary>
    public IReadOnlyList<INotificationChannel> Channels { get; }

    /// <summary>The channel a rule names, or null when no channel has that id.</summary>
    public INotificationChannel? Find(string id) => _byId.GetValueOrDefault(id);

    public void Dispose() => _http.Dispose();

    private static SnsChannel Sns(string id, ChannelOptions channel, AwsOptions aws, AwsCaller? caller, TimeProvider time)
    {
        if (caller is null)
        {
            throw new InvalidOperationException($"{ChannelsOptions.SectionName}:Channels:{id} publishes to SNS, but the AWS access layer (AddObserveAws) is not registered in this host");
        }

        SnsTopic.TryParse(channel.TopicArn!, out var topic);

        // A collected account's own settings, so its credentials and signer are shared with the collectors.
        var account = aws.Accounts.FirstOrDefault(a => a.AccountId == topic.AccountId) ?? new AwsAccountOptions
        {
            AccountId = topic.AccountId,
            Name = $"SNS channel {id}",
            Profile = channel.Profile,
            RoleArn = channel.RoleArn,
            ExternalId = channel.ExternalId,
            Regions = [topic.Region],
        };
        return new SnsChannel(id, channel, topic, new SnsClient(caller, account, topic.Region), time);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Alert channel {ChannelId} ({Kind}): {Destination}")]
    private static partial void LogChannel(ILogger logger, string channelId, string kind, string destination);
}
