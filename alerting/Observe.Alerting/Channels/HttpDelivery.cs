using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace Observe.Alerting.Channels;

/// <summary>
/// Sends one HTTP request for a channel and turns whatever happens into a <see cref="DeliveryResult"/>: 2xx delivered;
/// 408, 429, 5xx, a broken connection and no answer within the channel's timeout retryable (with the receiver's
/// <c>Retry-After</c>, in seconds or as an HTTP date); any other status permanent. Never throws for the receiver's
/// failure, only when <c>cancellationToken</c> (the host stopping) is cancelled.
/// </summary>
internal sealed class HttpDelivery(HttpMessageInvoker http, TimeProvider time)
{
    /// <summary>How much of an error body is kept for the delivery log: receivers explain refusals there (Slack's <c>invalid_payload</c>).</summary>
    private const int ErrorBodyChars = 300;

    /// <summary>Sends <paramref name="request"/> (and disposes it).</summary>
    public async Task<DeliveryResult> SendAsync(HttpRequestMessage request, string channelId, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var owned = request;
        using var deadline = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            using var response = await http.SendAsync(request, linked.Token).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            if (response.IsSuccessStatusCode)
            {
                return DeliveryResult.Success(status);
            }

            var body = await ReadErrorBodyAsync(response, linked.Token).ConfigureAwait(false);
            var error = $"HTTP {status} {response.ReasonPhrase}{(body.Length > 0 ? $": {body}" : "")}";
            if (response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout || status >= 500)
            {
                return new DeliveryResult(false, status, RetryAfter(response.Headers.RetryAfter), error, Permanent: false);
            }

            if (status is >= 300 and < 400)
            {
                // Redirects are not followed: a signed webhook or a routing key would be replayed to another host.
                error = $"HTTP {status}: the receiver redirects (to {response.Headers.Location?.GetLeftPart(UriPartial.Authority) ?? "an unnamed place"}); configure the final URL";
            }

            return new DeliveryResult(false, status, null, error, Permanent: true);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return new DeliveryResult(false, null, null, $"no answer within Observe:Alerting:Channels:{channelId}:Timeout ({timeout})", Permanent: false);
        }
        catch (HttpRequestException e)
        {
            // Connection refused, DNS, TLS, a reset: the receiver or the way to it may come back.
            return new DeliveryResult(false, null, null, $"{e.HttpRequestError}: {e.Message}", Permanent: false);
        }
    }

    /// <summary>Delta seconds, or an HTTP date turned into a wait from now; never negative.</summary>
    internal TimeSpan? RetryAfter(RetryConditionHeaderValue? header)
    {
        if (header?.Delta is { } delta)
        {
            return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        }

        if (header?.Date is { } date)
        {
            var wait = date - time.GetUtcNow();
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }

        return null;
    }

    private static async Task<string> ReadErrorBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            // Only the start is read: an error page can be megabytes.
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            var buffer = new byte[ErrorBodyChars * 4];
            var read = await stream.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
            var text = Encoding.UTF8.GetString(buffer, 0, read).ReplaceLineEndings(" ").Trim();
            return AlertText.Cut(text, ErrorBodyChars);
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            return "";
        }
    }
}
