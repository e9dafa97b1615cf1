using Observe.Alerting.Delivery;

namespace Observe.Alerting.Channels;

/// <summary>
/// The outcome of one delivery attempt. <see cref="Permanent"/> failures (a 4xx other than 408 and 429, a rejected
/// address) are not retried; <see cref="RetryAfter"/> carries the receiver's <c>Retry-After</c> when it sent one.
/// </summary>
internal sealed record DeliveryResult(bool Delivered, int? StatusCode, TimeSpan? RetryAfter, string? Error, bool Permanent)
{
    public static DeliveryResult Success(int? statusCode = null) => new(true, statusCode, null, null, false);
}

/// <summary>One configured notification channel (a Slack webhook, a PagerDuty routing key, an SMTP recipient list ...).</summary>
internal interface INotificationChannel
{
    /// <summary>The id rules name in their <c>channels</c> list.</summary>
    string Id { get; }

    /// <summary><c>slack</c>, <c>teams</c>, <c>pagerduty</c>, <c>webhook</c>, <c>email</c> or <c>sns</c>.</summary>
    string Kind { get; }

    /// <summary>Where it sends, with secrets masked (for the Channels page and the delivery log).</summary>
    string Describe();

    /// <summary>Sends one message; never throws for a receiver's failure (it is the result), only on cancellation.</summary>
    Task<DeliveryResult> SendAsync(AlertMessage message, CancellationToken cancellationToken);
}
