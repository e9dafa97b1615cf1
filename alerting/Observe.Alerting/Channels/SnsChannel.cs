using System.Net;
using System.Text;
using Observe.Alerting.Delivery;
using Observe.Collectors.Aws;
using Observe.Collectors.Sns;

namespace Observe.Alerting.Channels;

/// <summary>
/// Publishes to an Amazon SNS topic (e-mail, SMS, SQS, Lambda subscribers and chat integrations all read from it): a
/// subject (SNS's e-mail subscriptions use it) and the webhook's JSON or the e-mail's text.
/// </summary>
internal sealed class SnsChannel(string id, ChannelOptions options, SnsTopic topic, ISnsClient client, TimeProvider time) : INotificationChannel
{
    // SNS: a subject under 100 characters with no line breaks or control characters; a message up to 256 KiB.
    internal const int SubjectMax = 99;
    internal const int MessageMaxBytes = 256 * 1024;

    private readonly bool _json = options.MessageFormat.Equals("Json", StringComparison.OrdinalIgnoreCase);

    public string Id => id;

    public string Kind => ChannelKinds.Sns;

    // A topic ARN names no secret; the credentials are the account's.
    public string Describe() => $"SNS topic {topic.Arn} ({(_json ? "JSON" : "text")})";

    public async Task<DeliveryResult> SendAsync(AlertMessage message, CancellationToken cancellationToken)
    {
        var text = _json ? Encoding.UTF8.GetString(JsonBody.Bytes(WebhookPayload.Build(message))) : AlertText.PlainText(message, options.MaxListedAlerts);
        var size = Encoding.UTF8.GetByteCount(text);
        if (size > MessageMaxBytes)
        {
            return new DeliveryResult(false, null, null, $"the message is {size} bytes, over SNS's 256 KiB; Observe:Alerting:Channels:{id}:MessageFormat Text lists at most MaxListedAlerts alerts", Permanent: true);
        }

        using var deadline = new CancellationTokenSource(options.Timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            await client.PublishAsync(topic.Arn, Subject(message), text, linked.Token).ConfigureAwait(false);
            return DeliveryResult.Success((int)HttpStatusCode.OK);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return new DeliveryResult(false, null, null, $"no answer within Observe:Alerting:Channels:{id}:Timeout ({options.Timeout})", Permanent: false);
        }
        catch (AwsServiceException e)
        {
            // Throttling, 5xx, broken connections and credentials (renewed or re-resolved on the next attempt) can pass;
            // a refused request (no such topic, not authorised) will not.
            var retryable = e.StatusCode is not { } status
                            || e.IsCredentialError
                            || AwsErrorClassifier.Classify(status, e.ErrorCode) is AttemptClass.Throttled or AttemptClass.Transient;
            return new DeliveryResult(false, e.StatusCode is { } s ? (int)s : null, null, e.Message, Permanent: !retryable);
        }
    }

    /// <summary>The headline as SNS accepts it: control characters and line breaks become spaces, cut under 100.</summary>
    internal static string Subject(AlertMessage message)
    {
        var subject = new string([.. AlertText.Subject(message).Select(c => char.IsControl(c) ? ' ' : c)]).Trim();
        return AlertText.Cut(subject, SubjectMax);
    }
}
