using System.Globalization;
using Observe.Alerting.Console;
using Observe.Store;
using Observe.Store.Model;

namespace Observe.Dashboard.Model;

/// <summary>How a delivery attempt ended, as the delivery log shows and filters it.</summary>
public enum DeliveryLogOutcome
{
    Delivered,
    RetryScheduled,

    /// <summary>A permanent failure, or retries given up.</summary>
    Failed,

    /// <summary>Being sent now.</summary>
    InFlight,

    /// <summary>Started, and cut off (a crash or a lost lease) before it ended: the receiver may have it.</summary>
    MayHaveBeenDelivered,
}

/// <summary>One configured channel and its queue; <c>Capped</c> when a count reached the read limit (shown as "N+").</summary>
public sealed record ChannelQueueRow(
    AlertChannelView Channel, int Pending, int InFlight, int Failed, bool Capped, DateTimeOffset? LastSent, string? LastError, DateTimeOffset? LastErrorAt);

/// <summary>
/// One attempt in the delivery log: <c>Kind</c> is its notification's (firing, resolved, repeat, test; empty when the
/// notification is no longer read), <c>RetryAt</c> when its retry is due, while that is still to come.
/// </summary>
public sealed record DeliveryLogRow(DeliveryAttempt Attempt, string Kind, DeliveryLogOutcome Outcome, TimeSpan? Duration, DateTimeOffset? RetryAt)
{
    public string OutcomeText => Outcome switch
    {
        DeliveryLogOutcome.Delivered => "Delivered",
        DeliveryLogOutcome.RetryScheduled => "Failed, retry scheduled",
        DeliveryLogOutcome.Failed => Attempt.Outcome == DeliveryOutcome.GaveUp ? "Failed, gave up" : "Failed, not retried",
        DeliveryLogOutcome.InFlight => "Sending",
        _ => "Cut off: may have been delivered",
    };

    public string DurationText => Duration is { } d
        ? d < TimeSpan.FromSeconds(1) ? string.Create(CultureInfo.InvariantCulture, $"{d.TotalMilliseconds:0} ms") : string.Create(CultureInfo.InvariantCulture, $"{d.TotalSeconds:0.##} s")
        : "";
}

/// <summary>
/// The Channels page: the configured channels with their queues, and the delivery log newest first (<c>LogCapped</c>
/// when it holds the newest <see cref="AlertChannelsData.LogLimit"/> attempts and older ones are not shown).
/// </summary>
public sealed record AlertChannelsViewModel(IReadOnlyList<ChannelQueueRow> Channels, IReadOnlyList<DeliveryLogRow> Log, bool LogCapped, DateTimeOffset Now)
{
    /// <summary>The outcome filters, as in the address (<c>?outcome=failed</c>), with their labels.</summary>
    public static IReadOnlyList<(string Key, string Label, DeliveryLogOutcome Outcome)> OutcomeFilters { get; } =
    [
        ("delivered", "Delivered", DeliveryLogOutcome.Delivered),
        ("retry", "Retry scheduled", DeliveryLogOutcome.RetryScheduled),
        ("failed", "Failed", DeliveryLogOutcome.Failed),
        ("in-flight", "Sending", DeliveryLogOutcome.InFlight),
        ("may-have-been-delivered", "May have been delivered", DeliveryLogOutcome.MayHaveBeenDelivered),
    ];

    /// <summary>The log rows of <paramref name="channel"/> (all when null) with <paramref name="outcome"/> (a filter key; all when null or unknown).</summary>
    public IEnumerable<DeliveryLogRow> Filter(string? channel, string? outcome)
    {
        var wanted = OutcomeFilters.FirstOrDefault(f => f.Key == outcome);
        return Log.Where(r => (channel is null || r.Attempt.ChannelId == channel) && (wanted.Key is null || r.Outcome == wanted.Outcome));
    }

    /// <summary>The newest attempt of a notification (a test send), or null while none started.</summary>
    public DeliveryLogRow? LatestOf(string notificationId) => Log.FirstOrDefault(r => r.Attempt.NotificationId == notificationId);

    public static string Count(int count, bool capped) => capped && count >= AlertChannelsData.QueueLimit
        ? AlertChannelsData.QueueLimit.ToString("N0", CultureInfo.InvariantCulture) + "+"
        : count.ToString("N0", CultureInfo.InvariantCulture);
}

/// <summary>The Channels page's query: the console's channels, the outbox's queues and the delivery log.</summary>
public sealed class AlertChannelsData(IAlertingConsoleReader console, IAlertStateStore notifications, INotificationOutbox outbox) : ILiveData<AlertChannelsViewModel>
{
    /// <summary>Attempts the log reads, newest first.</summary>
    public const int LogLimit = 1000;

    /// <summary>Notifications read per state to count a queue; a longer queue shows as "10,000+".</summary>
    public const int QueueLimit = 10_000;

    public StoreChangeKind Changes => StoreChangeKind.Alerting;

    public bool UsesTimeRange => false;

    /// <summary>"Sending" turns into "may have been delivered" with the clock (the lease expires), not a write.</summary>
    public bool RefreshOnTimer => true;

    public async Task<AlertChannelsViewModel> LoadAsync(LiveQuery query, CancellationToken cancellationToken)
    {
        var pending = await notifications.GetNotificationsAsync("pending", QueueLimit, cancellationToken);
        var sending = await notifications.GetNotificationsAsync("sending", QueueLimit, cancellationToken);
        var failed = await notifications.GetNotificationsAsync("failed", QueueLimit, cancellationToken);
        var sent = await notifications.GetNotificationsAsync("sent", LogLimit, cancellationToken);
        var attempts = await outbox.GetDeliveryAttemptsAsync(null, null, LogLimit, cancellationToken);
        return Build(console.Channels, pending, sending, failed, sent, attempts, query.Now);
    }

    /// <summary>The view model from what the store returned; public for the tests.</summary>
    public static AlertChannelsViewModel Build(
        IReadOnlyList<AlertChannelView> channels,
        IReadOnlyList<NotificationRecord> pending,
        IReadOnlyList<NotificationRecord> sending,
        IReadOnlyList<NotificationRecord> failed,
        IReadOnlyList<NotificationRecord> sent,
        IReadOnlyList<DeliveryAttempt> attempts,
        DateTimeOffset now)
    {
        var byId = new Dictionary<string, NotificationRecord>(StringComparer.Ordinal);
        foreach (var n in sent.Concat(failed).Concat(pending).Concat(sending))
        {
            byId[n.Id] = n;
        }

        var capped = pending.Count >= QueueLimit || sending.Count >= QueueLimit || failed.Count >= QueueLimit;
        var rows = channels.Select(c =>
        {
            var lastError = attempts.FirstOrDefault(a => a.ChannelId == c.Id && a.Error is not null && a.Outcome != DeliveryOutcome.Delivered);
            return new ChannelQueueRow(
                c,
                pending.Count(n => n.ChannelId == c.Id),
                sending.Count(n => n.ChannelId == c.Id),
                failed.Count(n => n.ChannelId == c.Id),
                capped,
                sent.Where(n => n.ChannelId == c.Id && n.SentAt is not null).Max(n => n.SentAt),
                lastError?.Error,
                lastError?.FinishedAt ?? lastError?.StartedAt);
        }).ToList();

        var log = attempts.Select(a =>
        {
            var notification = byId.GetValueOrDefault(a.NotificationId);
            var latest = notification is not null && notification.Attempts == a.Attempt;
            var outcome = a.Outcome switch
            {
                DeliveryOutcome.Delivered => DeliveryLogOutcome.Delivered,
                DeliveryOutcome.RetryScheduled => DeliveryLogOutcome.RetryScheduled,
                DeliveryOutcome.Permanent or DeliveryOutcome.GaveUp => DeliveryLogOutcome.Failed,

                // Sending only while it is the notification's latest attempt and the sender's lease (its due time) holds.
                _ => latest && notification!.Status == "sending" && notification.NextAttemptAt > now
                    ? DeliveryLogOutcome.InFlight
                    : DeliveryLogOutcome.MayHaveBeenDelivered,
            };
            var retryAt = outcome == DeliveryLogOutcome.RetryScheduled && latest && notification!.Status == "pending" ? notification.NextAttemptAt : (DateTimeOffset?)null;
            return new DeliveryLogRow(a, notification?.Kind ?? "", outcome, a.FinishedAt - a.StartedAt, retryAt);
        }).ToList();

        return new AlertChannelsViewModel(rows, log, attempts.Count >= LogLimit, now);
    }
}
