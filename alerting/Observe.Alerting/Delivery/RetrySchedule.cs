namespace Observe.Alerting.Delivery;

/// <summary>
/// When to try a failed notification again: exponential backoff with jitter, or the receiver's <c>Retry-After</c> when
/// it sent one (capped), and when to give up.
/// </summary>
internal sealed class RetrySchedule(DeliveryOptions options, Func<double> random)
{
    /// <summary>
    /// The next attempt after failed attempt number <paramref name="attempt"/> (1 for the first), or null to give up
    /// because the next attempt would come after <see cref="DeliveryOptions.GiveUpAfter"/>.
    /// </summary>
    public DateTimeOffset? Next(int attempt, TimeSpan? retryAfter, DateTimeOffset queuedAt, DateTimeOffset now)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(attempt, 1);
        TimeSpan wait;
        if (retryAfter is { } asked)
        {
            // The receiver knows its own limits better than any backoff: wait what it asks, within the cap.
            wait = asked < TimeSpan.Zero ? TimeSpan.Zero : asked > options.RetryAfterCap ? options.RetryAfterCap : asked;
        }
        else
        {
            var doubled = options.RetryInitialDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempt - 1, 30));
            var capped = Math.Min(doubled, options.RetryMaxDelay.TotalMilliseconds);

            // Jitter between half and the whole wait, so replicas and channels that failed together do not retry together.
            wait = TimeSpan.FromMilliseconds(capped * (0.5 + (0.5 * random())));
        }

        var next = now + wait;
        return next - queuedAt > options.GiveUpAfter ? null : next;
    }
}
