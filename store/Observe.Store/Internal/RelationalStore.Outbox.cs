using System.Data.Common;
using Microsoft.Extensions.Logging;
using Observe.Store.Model;

namespace Observe.Store.Internal;

internal abstract partial class RelationalStore
{
    private const string DeliveryAttemptColumns = "notification_id, attempt, channel_id, started_at, finished_at, outcome, status_code, error";

    /// <summary>
    /// Queued or in flight, due, and not behind an older record of its group on the channel that is still queued or in
    /// flight: notifications of one group go out in the order they were made, so a resolve never overtakes its firing
    /// (a PagerDuty resolve before its trigger would leave the incident open). The status test is spelled as in the
    /// partial index <c>notification_due</c> so both engines use it.
    /// </summary>
    private const string DueSql = """
        notification.status IN ('pending', 'sending') AND notification.next_attempt_at <= @now
        AND NOT EXISTS (SELECT 1 FROM notification older
                        WHERE older.channel_id = notification.channel_id AND older.group_key = notification.group_key
                          AND older.status IN ('pending', 'sending')
                          AND (older.created_at < notification.created_at
                               OR (older.created_at = notification.created_at AND older.id < notification.id)))
        """;

    public async Task<IReadOnlyList<string>> GetChannelsWithDueNotificationsAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await OpenReadConnectionAsync(cancellationToken);
        await using var command = connection.Command(null, $"SELECT DISTINCT channel_id FROM notification WHERE {DueSql} ORDER BY channel_id");
        command.AddInt64("@now", StoreTime.ToMs(now));
        return await command.ReadAllAsync(reader => reader.GetString(0), cancellationToken);
    }

    public async Task<IReadOnlyList<NotificationRecord>> GetDueNotificationsAsync(string channelId, DateTimeOffset now, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(channelId);
        await using var connection = await OpenReadConnectionAsync(cancellationToken);
        await using var command = connection.Command(null, $"""
            SELECT {NotificationColumns} FROM notification
            WHERE notification.channel_id = @channel_id AND {DueSql}
            ORDER BY created_at, id LIMIT @limit
            """);
        command.AddText("@channel_id", channelId);
        command.AddInt64("@now", StoreTime.ToMs(now));
        command.AddInt32("@limit", limit);
        return await command.ReadAllAsync(ReadNotification, cancellationToken);
    }

    /// <summary>
    /// The notification stays in flight, not due, until the lease it was begun under expires: the holder's own
    /// senders leave it alone meanwhile (its sends must time out well within the lease), and a holder that takes the
    /// lease over after a crash finds it due and sends it again, the cut-off attempt staying in flight in the log.
    /// </summary>
    public async Task<DeliveryAttempt?> BeginDeliveryAsync(string notificationId, Lease lease, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notificationId);
        ArgumentNullException.ThrowIfNull(lease);
        await using var scope = await BeginWriteAsync(WriteLock.None, cancellationToken);
        if (await ReadHeldLeaseExpiryAsync(scope, lease, at, cancellationToken) is not { } leaseExpiry)
        {
            Logger.LogWarning(
                "Delivery of notification {NotificationId} not started: lease {Lease} is no longer held by {Holder} with token {Token}",
                notificationId, lease.Name, lease.Holder, lease.Token);
            return null;
        }

        int attempt;
        string channelId;
        await using (var command = scope.Command("""
            UPDATE notification SET status = 'sending', attempts = attempts + 1, next_attempt_at = @held_until
            WHERE id = @id AND status IN ('pending', 'sending') AND next_attempt_at <= @at
            RETURNING attempts, channel_id
            """))
        {
            command.AddInt64("@held_until", StoreTime.ToMs(leaseExpiry));
            command.AddText("@id", notificationId);
            command.AddInt64("@at", StoreTime.ToMs(at));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken))
            {
                return null;
            }

            attempt = reader.GetInt32(0);
            channelId = reader.GetString(1);
        }

        var started = new DeliveryAttempt { NotificationId = notificationId, ChannelId = channelId, Attempt = attempt, StartedAt = at };
        await WriteDeliveryAttemptAsync(scope, started, cancellationToken);
        scope.Changed |= StoreChangeKind.Alerting;
        await scope.CommitAsync(cancellationToken);
        return started;
    }

    /// <summary>
    /// Also false, with the attempt logged, when the notification has moved on from this attempt (another attempt
    /// began after it, as after a take-over): a late answer must not overwrite the newer attempt's state.
    /// </summary>
    public async Task<bool> CompleteDeliveryAsync(DeliveryAttempt attempt, DateTimeOffset? nextAttemptAt, Lease lease, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        ArgumentNullException.ThrowIfNull(lease);
        if (attempt.FinishedAt is not { } finishedAt)
        {
            throw new ArgumentException($"DeliveryAttempt.FinishedAt of attempt {attempt.Attempt} of notification '{attempt.NotificationId}' must be set to complete it", nameof(attempt));
        }

        var status = attempt.Outcome switch
        {
            DeliveryOutcome.Delivered => "sent",
            DeliveryOutcome.RetryScheduled when nextAttemptAt is not null => "pending",
            DeliveryOutcome.RetryScheduled => throw new ArgumentException(
                $"nextAttemptAt must be set when attempt {attempt.Attempt} of notification '{attempt.NotificationId}' schedules a retry", nameof(nextAttemptAt)),
            DeliveryOutcome.Permanent or DeliveryOutcome.GaveUp => "failed",
            _ => throw new ArgumentException(
                $"DeliveryAttempt.Outcome of attempt {attempt.Attempt} of notification '{attempt.NotificationId}' must say how it ended (was {attempt.Outcome})", nameof(attempt)),
        };

        await using var scope = await BeginWriteAsync(WriteLock.None, cancellationToken);
        await WriteDeliveryAttemptAsync(scope, attempt, cancellationToken);
        scope.Changed |= StoreChangeKind.Alerting;
        var moved = 0;
        if (await ReadHeldLeaseExpiryAsync(scope, lease, finishedAt, cancellationToken) is null)
        {
            Logger.LogWarning(
                "Attempt {Attempt} of notification {NotificationId} logged as {Outcome}, the notification left as it is: lease {Lease} is no longer held by {Holder} with token {Token}",
                attempt.Attempt, attempt.NotificationId, attempt.Outcome, lease.Name, lease.Holder, lease.Token);
        }
        else
        {
            await using var command = scope.Command($"""
                UPDATE notification SET status = @status, last_error = @error,
                    sent_at = CASE WHEN @status = 'sent' THEN @finished_at ELSE sent_at END,
                    next_attempt_at = CASE WHEN @status = 'pending' THEN @next_attempt_at ELSE next_attempt_at END
                WHERE id = @id AND status = 'sending' AND attempts = @attempt
                """);
            command.AddText("@status", status);
            command.AddText("@error", attempt.Error);
            command.AddInt64("@finished_at", StoreTime.ToMs(finishedAt));
            command.AddInt64("@next_attempt_at", StoreTime.ToMs(nextAttemptAt));
            command.AddText("@id", attempt.NotificationId);
            command.AddInt32("@attempt", attempt.Attempt);
            moved = await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await scope.CommitAsync(cancellationToken);
        return moved > 0;
    }

    public async Task<IReadOnlyList<DeliveryAttempt>> GetDeliveryAttemptsAsync(string? channelId, string? notificationId, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await OpenReadConnectionAsync(cancellationToken);
        await using var command = connection.Command(null, "");
        var where = new List<string>();
        if (channelId is not null)
        {
            where.Add("channel_id = @channel_id");
            command.AddText("@channel_id", channelId);
        }

        if (notificationId is not null)
        {
            where.Add("notification_id = @notification_id");
            command.AddText("@notification_id", notificationId);
        }

        var filter = where.Count == 0 ? "" : " WHERE " + string.Join(" AND ", where);
        command.CommandText = $"""
            SELECT {DeliveryAttemptColumns} FROM delivery_attempt{filter}
            ORDER BY started_at DESC, notification_id DESC, attempt DESC LIMIT @limit
            """;
        command.AddInt32("@limit", limit);
        return await command.ReadAllAsync(ReadDeliveryAttempt, cancellationToken);
    }

    public async Task EnqueueNotificationAsync(NotificationRecord notification, CancellationToken cancellationToken)
    {
        ValidateNotification(notification, nameof(notification));
        if (notification.Status != "pending")
        {
            throw new ArgumentException($"NotificationRecord.Status of '{notification.Id}' must be pending to queue it (was '{notification.Status}')", nameof(notification));
        }

        await using var scope = await BeginWriteAsync(WriteLock.None, cancellationToken);
        await WriteNotificationsAsync(scope, [notification], replace: false, cancellationToken);
        scope.Changed |= StoreChangeKind.Alerting;
        await scope.CommitAsync(cancellationToken);
    }

    /// <summary>Inserts the attempt or records how it ended; its start and channel are those first written.</summary>
    private static async Task WriteDeliveryAttemptAsync(WriteScope scope, DeliveryAttempt attempt, CancellationToken cancellationToken)
    {
        await using var command = scope.Command($"""
            INSERT INTO delivery_attempt ({DeliveryAttemptColumns})
            VALUES (@notification_id, @attempt, @channel_id, @started_at, @finished_at, @outcome, @status_code, @error)
            ON CONFLICT (notification_id, attempt) DO UPDATE SET
                finished_at = excluded.finished_at, outcome = excluded.outcome, status_code = excluded.status_code, error = excluded.error
            """);
        command.AddText("@notification_id", attempt.NotificationId);
        command.AddInt32("@attempt", attempt.Attempt);
        command.AddText("@channel_id", attempt.ChannelId);
        command.AddInt64("@started_at", StoreTime.ToMs(attempt.StartedAt));
        command.AddInt64("@finished_at", StoreTime.ToMs(attempt.FinishedAt));
        command.AddText("@outcome", attempt.Outcome.ToString());
        command.AddInt32("@status_code", attempt.StatusCode);
        command.AddText("@error", attempt.Error);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static DeliveryAttempt ReadDeliveryAttempt(DbDataReader reader) => new()
    {
        NotificationId = reader.GetString(0),
        Attempt = reader.GetInt32(1),
        ChannelId = reader.GetString(2),
        StartedAt = reader.GetInstant(3),
        FinishedAt = reader.GetNullableInstant(4),
        Outcome = Enum.Parse<DeliveryOutcome>(reader.GetString(5)),
        StatusCode = reader.GetNullableInt32(6),
        Error = reader.GetNullableString(7),
    };
}
