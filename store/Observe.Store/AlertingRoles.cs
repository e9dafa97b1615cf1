using Observe.Store.Model;

namespace Observe.Store;

/// <summary>The alert rules, as the evaluator and the metrics collector (which watches the functions in their scopes) read them.</summary>
public interface IAlertRuleReader
{
    Task<IReadOnlyList<AlertRule>> GetAlertRulesAsync(CancellationToken cancellationToken);
}

/// <summary>Editing the alert rules.</summary>
public interface IAlertRuleWriter
{
    Task UpsertAlertRuleAsync(AlertRule rule, CancellationToken cancellationToken);

    /// <summary>Deletes the rule and its instances; false when there was no such rule.</summary>
    Task<bool> DeleteAlertRuleAsync(string ruleId, CancellationToken cancellationToken);
}

/// <summary>
/// What alert evaluation keeps between runs: alert instances, the notification log and silences. The evaluator both
/// reads and writes all of it, so it is one role.
/// </summary>
public interface IAlertStateStore
{
    /// <summary>
    /// Inserts or replaces alert instances by (rule id, labels key). An open instance keeps an acknowledgement stored
    /// since the caller read it, unless the write resolves it: a person's acknowledgement is not undone by a cycle that
    /// read the instance before it.
    /// </summary>
    Task UpsertAlertInstancesAsync(IReadOnlyCollection<AlertInstance> instances, CancellationToken cancellationToken);

    Task<IReadOnlyList<AlertInstance>> GetAlertInstancesAsync(AlertStatus? status, CancellationToken cancellationToken);

    /// <summary>Inserts or replaces a notification log record by id.</summary>
    Task UpsertNotificationAsync(NotificationRecord notification, CancellationToken cancellationToken);

    /// <summary>The latest record for a channel and group, used to decide whether a group must be re-sent.</summary>
    Task<NotificationRecord?> GetLatestNotificationAsync(string channelId, string groupKey, CancellationToken cancellationToken);

    /// <summary>
    /// The latest notification of every (channel, group), test sends left out: what the planner needs to know which
    /// groups were notified, including groups whose alerts are gone and whose resolve is still to be sent.
    /// </summary>
    Task<IReadOnlyList<NotificationRecord>> GetLatestNotificationPerGroupAsync(CancellationToken cancellationToken);

    Task<IReadOnlyList<NotificationRecord>> GetNotificationsAsync(string? status, int limit, CancellationToken cancellationToken);

    Task UpsertSilenceAsync(Silence silence, CancellationToken cancellationToken);

    Task<IReadOnlyList<Silence>> GetSilencesAsync(DateTimeOffset activeAt, CancellationToken cancellationToken);
}

/// <summary>
/// The evaluator's one write per cycle (instances, transitions and the outbox together, fenced by its lease) and what
/// people do to alerts and silences.
/// </summary>
public interface IAlertLifecycleStore
{
    /// <summary>Writes the cycle in one transaction; false, writing nothing, when the lease is no longer held with its token.</summary>
    Task<bool> CommitAlertEvaluationAsync(AlertEvaluationCommit commit, CancellationToken cancellationToken);

    /// <summary>Transitions newest first, of one instance, one rule (labels key null) or all (both null).</summary>
    Task<IReadOnlyList<AlertTransition>> GetAlertHistoryAsync(string? ruleId, string? labelsKey, int limit, CancellationToken cancellationToken);

    /// <summary>Acknowledges a pending or firing instance and records who did; null when there is no such open instance.</summary>
    Task<AlertInstance?> AcknowledgeAlertAsync(string ruleId, string labelsKey, string actor, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Ends a silence now and records who did; null when there is no such active silence.</summary>
    Task<Silence?> ExpireSilenceAsync(string silenceId, string actor, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Silences active at or ending after <paramref name="since"/>, for the Alerts page (active and recently ended).</summary>
    Task<IReadOnlyList<Silence>> GetSilencesEndingAfterAsync(DateTimeOffset since, CancellationToken cancellationToken);
}

/// <summary>
/// The notification outbox as the senders read it, and the delivery log. An attempt is recorded as started before the
/// send and finished after it, so an attempt a crash cut off is visible as in flight (a possible duplicate).
/// </summary>
public interface INotificationOutbox
{
    /// <summary>Channels with a notification pending or in flight and due at <paramref name="now"/>.</summary>
    Task<IReadOnlyList<string>> GetChannelsWithDueNotificationsAsync(DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>One channel's due notifications, oldest first.</summary>
    Task<IReadOnlyList<NotificationRecord>> GetDueNotificationsAsync(string channelId, DateTimeOffset now, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Marks the notification in flight (attempts + 1) and records the attempt as started; null, writing nothing, when
    /// the lease is lost or the notification is no longer due (sent, failed, or rescheduled by another sender).
    /// </summary>
    Task<DeliveryAttempt?> BeginDeliveryAsync(string notificationId, Lease lease, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>
    /// Records how the attempt ended and moves the notification on: sent, pending again until
    /// <paramref name="nextAttemptAt"/> (a retry), or failed. False when the lease is lost (the attempt is still logged).
    /// </summary>
    Task<bool> CompleteDeliveryAsync(DeliveryAttempt attempt, DateTimeOffset? nextAttemptAt, Lease lease, CancellationToken cancellationToken);

    /// <summary>The delivery log newest first, optionally of one channel or one notification.</summary>
    Task<IReadOnlyList<DeliveryAttempt>> GetDeliveryAttemptsAsync(string? channelId, string? notificationId, int limit, CancellationToken cancellationToken);

    /// <summary>Queues a notification outside an evaluation (a test send from the Channels page).</summary>
    Task EnqueueNotificationAsync(NotificationRecord notification, CancellationToken cancellationToken);
}

/// <summary>
/// Leases with expiry in the store: one alerting replica at a time, and collection targets spread over workers. Times
/// are the callers' clocks, so a lease must be much longer than the clock skew between replicas.
/// </summary>
public interface ILeaseStore
{
    /// <summary>
    /// Takes the lease when it is free or expired (a new token), or renews it when <paramref name="holder"/> holds it
    /// (same token); null when another holder's lease has not expired.
    /// </summary>
    Task<Lease?> TryAcquireLeaseAsync(string name, string holder, TimeSpan duration, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Gives the lease up (a clean shutdown), so another replica takes it at once; nothing when no longer held.</summary>
    Task ReleaseLeaseAsync(Lease lease, CancellationToken cancellationToken);

    /// <summary>Leases whose name starts with <paramref name="prefix"/> (all when null), for the Collectors page.</summary>
    Task<IReadOnlyList<Lease>> GetLeasesAsync(string? prefix, CancellationToken cancellationToken);
}
