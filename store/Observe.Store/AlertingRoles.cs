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
    /// <summary>Inserts or replaces alert instances by (rule id, labels key).</summary>
    Task UpsertAlertInstancesAsync(IReadOnlyCollection<AlertInstance> instances, CancellationToken cancellationToken);

    Task<IReadOnlyList<AlertInstance>> GetAlertInstancesAsync(AlertStatus? status, CancellationToken cancellationToken);

    /// <summary>Inserts or replaces a notification log record by id.</summary>
    Task UpsertNotificationAsync(NotificationRecord notification, CancellationToken cancellationToken);

    /// <summary>The latest record for a channel and group, used to decide whether a group must be re-sent.</summary>
    Task<NotificationRecord?> GetLatestNotificationAsync(string channelId, string groupKey, CancellationToken cancellationToken);

    Task<IReadOnlyList<NotificationRecord>> GetNotificationsAsync(string? status, int limit, CancellationToken cancellationToken);

    Task UpsertSilenceAsync(Silence silence, CancellationToken cancellationToken);

    Task<IReadOnlyList<Silence>> GetSilencesAsync(DateTimeOffset activeAt, CancellationToken cancellationToken);
}
