using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Observe.Alerting.Delivery;

namespace Observe.Alerting.Channels;

/// <summary>
/// A generic webhook: the JSON of <see cref="WebhookPayload"/>, signed so the receiver can tell it came from this
/// Observe and is fresh: <c>X-Observe-Timestamp</c> (unix seconds) and <c>X-Observe-Signature: v1=</c> the hex
/// HMAC-SHA256 of <c>{timestamp}.{body}</c> with the shared secret (docs/alerting-webhooks.md).
/// </summary>
internal sealed class WebhookChannel(string id, ChannelOptions options, HttpDelivery http, TimeProvider time) : INotificationChannel
{
    public const string TimestampHeader = "X-Observe-Timestamp";
    public const string SignatureHeader = "X-Observe-Signature";

    private readonly Uri _url = new(options.WebhookUrl!);
    private readonly byte[] _secret = Encoding.UTF8.GetBytes(options.Secret!);

    public string Id => id;

    public string Kind => ChannelKinds.Webhook;

    public string Describe() => $"webhook {SecretMask.Url(options.WebhookUrl)}, signed (HMAC-SHA256)";

    public Task<DeliveryResult> SendAsync(AlertMessage message, CancellationToken cancellationToken)
    {
        var body = JsonBody.Bytes(WebhookPayload.Build(message));

        // Signed per attempt: a retry carries a fresh timestamp, so it passes the receiver's replay window.
        var timestamp = time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var request = new HttpRequestMessage(HttpMethod.Post, _url) { Content = JsonBody.Of(body) };
        request.Headers.Add(TimestampHeader, timestamp);
        request.Headers.Add(SignatureHeader, "v1=" + Sign(_secret, timestamp, body));
        return http.SendAsync(request, id, options.Timeout, cancellationToken);
    }

    internal static string Sign(byte[] secret, string timestamp, byte[] body)
    {
        var signed = new byte[timestamp.Length + 1 + body.Length];
        Encoding.ASCII.GetBytes(timestamp, signed);
        signed[timestamp.Length] = (byte)'.';
        body.CopyTo(signed, timestamp.Length + 1);
        return Convert.ToHexStringLower(HMACSHA256.HashData(secret, signed));
    }
}
