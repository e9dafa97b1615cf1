using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using System.Text.Json;
using Observe.Alerting.Channels;
using Observe.Alerting.Lifecycle;
using Observe.Store;
using Observe.Store.Model;

namespace Observe.Alerting.Delivery;

/// <summary>
/// Sends the outbox while this replica holds the alerting lease: one loop per channel, so a failing or slow channel
/// never delays the others. Each attempt is logged as started before the send and finished after it; a retryable
/// failure pauses that channel until the retry is due (the receiver's <c>Retry-After</c> when it sent one), so a down
/// channel sees one attempt per backoff step, not one per queued notification.
/// </summary>
internal sealed partial class NotificationDispatcher
{
    private readonly INotificationOutbox _outbox;
    private readonly IReadOnlyDictionary<string, INotificationChannel> _channels;
    private readonly DeliveryOptions _options;
    private readonly RetrySchedule _retries;
    private readonly TimeProvider _time;
    private readonly ILogger<NotificationDispatcher> _logger;
    private readonly Dictionary<string, SemaphoreSlim> _wake;

    public NotificationDispatcher(
        INotificationOutbox outbox,
        ChannelRegistry channels,
        IOptions<DeliveryOptions> options,
        TimeProvider time,
        ILogger<NotificationDispatcher> logger)
    {
        _outbox = outbox;
        _channels = channels.Channels.ToDictionary(c => c.Id, StringComparer.Ordinal);
        _options = options.Value;
        _retries = new RetrySchedule(_options, Random.Shared.NextDouble);
        _time = time;
        _logger = logger;
        _wake = _channels.Keys.ToDictionary(id => id, _ => new SemaphoreSlim(0), StringComparer.Ordinal);
    }

    /// <summary>Wakes every channel's loop (new notifications were queued in this process).</summary>
    public void Wake()
    {
        foreach (var signal in _wake.Values)
        {
            if (signal.CurrentCount == 0)
            {
                signal.Release();
            }
        }
    }

    /// <summary>Runs the channels' loops until <paramref name="cancellationToken"/> ends (the lease was lost or the host stops).</summary>
    public Task RunAsync(Lease lease, CancellationToken cancellationToken)
    {
        var loops = _channels.Values.Select(channel => RunChannelAsync(channel, lease, cancellationToken)).ToList();
        loops.Add(FailUnknownChannelsAsync(lease, cancellationToken));
        return Task.WhenAll(loops);
    }

    private async Task RunChannelAsync(INotificationChannel channel, Lease lease, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            TimeSpan wait;
            try
            {
                wait = await SendDueAsync(channel, lease, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                // The store is down (nothing can be marked sent, so nothing is sent) or a bug: one channel's loop
                // must never end the host or the other channels; look again after a poll.
                LogStoreFailed(channel.Id, e);
                wait = _options.PollInterval;
            }

            await WaitAsync(channel.Id, wait, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Sends what is due for one channel; returns how long to wait before looking again.</summary>
    private async Task<TimeSpan> SendDueAsync(INotificationChannel channel, Lease lease, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();

        // The channel's whole queue, oldest first, due or not: a newer notification never goes out while an older one
        // waits for its retry, so a channel that comes back receives everything in the order it was queued.
        var queue = await _outbox.GetDueNotificationsAsync(channel.Id, DateTimeOffset.MaxValue, _options.BatchSize, cancellationToken).ConfigureAwait(false);
        var begun = false;
        foreach (var notification in queue)
        {
            if (notification.NextAttemptAt > now)
            {
                return notification.NextAttemptAt - now;
            }

            var attempt = await _outbox.BeginDeliveryAsync(notification.Id, lease, _time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
            if (attempt is null)
            {
                // Lost the lease, or another sender moved it on: the next look decides.
                continue;
            }

            begun = true;
            var (result, message) = await SendOneAsync(channel, notification, cancellationToken).ConfigureAwait(false);
            var finished = _time.GetUtcNow();
            var done = attempt with { FinishedAt = finished, StatusCode = result.StatusCode, Error = result.Error };
            if (result.Delivered)
            {
                await _outbox.CompleteDeliveryAsync(done with { Outcome = DeliveryOutcome.Delivered }, null, lease, cancellationToken).ConfigureAwait(false);
                LogDelivered(channel.Id, notification.Id, message?.Title, attempt.Attempt);
                continue;
            }

            if (result.Permanent)
            {
                await _outbox.CompleteDeliveryAsync(done with { Outcome = DeliveryOutcome.Permanent }, null, lease, cancellationToken).ConfigureAwait(false);
                LogPermanent(channel.Id, notification.Id, result.StatusCode, result.Error);
                continue;
            }

            var next = _retries.Next(attempt.Attempt, result.RetryAfter, notification.CreatedAt, finished);
            if (next is null)
            {
                await _outbox.CompleteDeliveryAsync(done with { Outcome = DeliveryOutcome.GaveUp }, null, lease, cancellationToken).ConfigureAwait(false);
                LogGaveUp(channel.Id, notification.Id, attempt.Attempt, result.Error);
                continue;
            }

            await _outbox.CompleteDeliveryAsync(done with { Outcome = DeliveryOutcome.RetryScheduled }, next, lease, cancellationToken).ConfigureAwait(false);
            LogRetry(channel.Id, notification.Id, attempt.Attempt, result.StatusCode, result.Error, next.Value);

            // The channel is failing: pause it as a whole until the retry, keeping its queue in order.
            var pause = next.Value - finished;
            return pause > TimeSpan.Zero ? pause : TimeSpan.Zero;
        }

        // Look again at once after any send: a full batch has more behind it, and a record that left the queue may
        // have been holding back the next one of its group (the resolve queued behind its firing).
        return begun ? TimeSpan.Zero : _options.PollInterval;
    }

    private static async Task<(DeliveryResult Result, AlertMessage? Message)> SendOneAsync(
        INotificationChannel channel, NotificationRecord notification, CancellationToken cancellationToken)
    {
        AlertMessage message;
        try
        {
            message = AlertMessageJson.Deserialize(notification.Payload);
        }
        catch (JsonException e)
        {
            // Failed visibly in the delivery log rather than retried for ever.
            return (new DeliveryResult(false, null, null, $"the payload is not a readable alert message: {e.Message}", Permanent: true), null);
        }

        try
        {
            return (await channel.SendAsync(message, cancellationToken).ConfigureAwait(false), message);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            // Channels report receivers' failures as results; anything thrown is a bug, retried and shown in the log.
            return (new DeliveryResult(false, null, null, $"{e.GetType().Name}: {e.Message}", Permanent: false), message);
        }
    }

    /// <summary>
    /// Fails, visibly, notifications queued for a channel no longer configured, instead of leaving them queued where
    /// no loop ever looks.
    /// </summary>
    private async Task FailUnknownChannelsAsync(Lease lease, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var now = _time.GetUtcNow();
                foreach (var channelId in await _outbox.GetChannelsWithDueNotificationsAsync(now, cancellationToken).ConfigureAwait(false))
                {
                    if (_channels.ContainsKey(channelId))
                    {
                        continue;
                    }

                    foreach (var notification in await _outbox.GetDueNotificationsAsync(channelId, now, _options.BatchSize, cancellationToken).ConfigureAwait(false))
                    {
                        var attempt = await _outbox.BeginDeliveryAsync(notification.Id, lease, now, cancellationToken).ConfigureAwait(false);
                        if (attempt is not null)
                        {
                            var error = $"channel '{channelId}' is not configured (Observe:Alerting:Channels)";
                            await _outbox.CompleteDeliveryAsync(
                                attempt with { FinishedAt = now, Outcome = DeliveryOutcome.Permanent, Error = error }, null, lease, cancellationToken).ConfigureAwait(false);
                            LogPermanent(channelId, notification.Id, null, error);
                        }
                    }
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                LogStoreFailed("(unknown channels)", e);
            }

            await DelayAsync(_options.PollInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task WaitAsync(string channelId, TimeSpan wait, CancellationToken cancellationToken)
    {
        if (wait <= TimeSpan.Zero)
        {
            return;
        }

        using var timeout = new CancellationTokenSource(wait, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        try
        {
            await _wake[channelId].WaitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The wait ended (or the host stops; the loop checks).
        }
    }

    private async Task DelayAsync(TimeSpan wait, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The loop checks the token.
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Delivered notification {NotificationId} ({Title}) to channel {ChannelId} on attempt {Attempt}")]
    private partial void LogDelivered(string channelId, string notificationId, string? title, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Notification {NotificationId} to channel {ChannelId} failed on attempt {Attempt} (status {StatusCode}): {Error}; retrying at {NextAttempt}")]
    private partial void LogRetry(string channelId, string notificationId, int attempt, int? statusCode, string? error, DateTimeOffset nextAttempt);

    [LoggerMessage(Level = LogLevel.Error, Message = "Notification {NotificationId} to channel {ChannelId} failed permanently (status {StatusCode}): {Error}")]
    private partial void LogPermanent(string channelId, string notificationId, int? statusCode, string? error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Gave up notification {NotificationId} to channel {ChannelId} after {Attempt} attempts: {Error}")]
    private partial void LogGaveUp(string channelId, string notificationId, int attempt, string? error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sending channel {ChannelId}'s notifications failed; looking again later")]
    private partial void LogStoreFailed(string channelId, Exception exception);
}
