using Observe.Store.Model;

namespace Observe.Store;

/// <summary>
/// The one store the collectors write and the dashboard reads. Two engines implement it with identical behaviour
/// (the contract tests run against both): SQLite, embedded, and PostgreSQL, for several dashboard replicas.
/// Writes are idempotent (replaying a batch changes nothing), a completed write is durable, and a failed write
/// leaves what was stored before untouched. Instants are stored to the millisecond.
/// </summary>
public interface IObserveStore
{
    /// <summary>Creates the schema or brings it to the current version. Called once at start.</summary>
    Task MigrateAsync(CancellationToken cancellationToken);

    /// <summary>The schema version the database is at.</summary>
    Task<int> GetSchemaVersionAsync(CancellationToken cancellationToken);

    // Inventory

    /// <summary>Inserts or replaces functions by key; clears <c>DeletedAt</c> on a function that reappears.</summary>
    Task UpsertFunctionsAsync(IReadOnlyCollection<LambdaFunction> functions, CancellationToken cancellationToken);

    /// <summary>
    /// After a complete listing of one account and region: marks as deleted every live function there that is not
    /// in <paramref name="present"/>. Returns how many were marked.
    /// </summary>
    Task<int> MarkDeletedExceptAsync(string accountId, string region, IReadOnlyCollection<string> present, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Live functions (not deleted) matching the filter, ordered by account, region, name.</summary>
    Task<IReadOnlyList<LambdaFunction>> GetFunctionsAsync(FleetFilter filter, CancellationToken cancellationToken);

    // Metrics

    /// <summary>
    /// Merges points into the per-minute series (non-null fields overwrite, null fields keep what is stored; within
    /// one call a later point for the same minute wins). <see cref="MetricPoint.Minute"/> is floored to the minute.
    /// Points for minutes that retention already rolled up into hours are ignored, so no minute counts twice.
    /// </summary>
    Task WriteMetricsAsync(IReadOnlyCollection<MetricPoint> points, CancellationToken cancellationToken);

    /// <summary>
    /// One function's series over the range, at minute resolution where raw minutes are still kept and hourly
    /// otherwise. Buckets with no data are absent.
    /// </summary>
    Task<IReadOnlyList<MetricBucket>> GetFunctionSeriesAsync(FunctionKey function, TimeRange range, SeriesResolution resolution, CancellationToken cancellationToken);

    /// <summary>
    /// Fleet totals and a fleet series for the Overview page. Buckets (at least one minute) start at multiples of
    /// <paramref name="bucket"/> since the Unix epoch, so they stay put as the range moves. In the series,
    /// concurrency is the bucket's busiest minute summed over functions; percentiles and iterator age are null
    /// (they cannot be combined across functions: read them per function). Minutes past the raw retention count
    /// as hourly rollups whose hour starts in the range.
    /// </summary>
    Task<FleetOverview> GetOverviewAsync(FleetFilter filter, TimeRange range, TimeSpan bucket, CancellationToken cancellationToken);

    // Invocations and errors

    /// <summary>Stores reports; a report whose request id is already stored is ignored.</summary>
    Task WriteInvocationReportsAsync(IReadOnlyCollection<InvocationReport> reports, CancellationToken cancellationToken);

    /// <summary>Reports of one function (or of all when null) in the range, newest first, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<InvocationReport>> GetInvocationReportsAsync(FunctionKey? function, TimeRange range, bool coldStartsOnly, int limit, CancellationToken cancellationToken);

    /// <summary>Cold starts (reports with an init duration) of one function per UTC minute in the range; minutes with none are absent.</summary>
    Task<IReadOnlyDictionary<DateTimeOffset, int>> CountColdStartsAsync(FunctionKey function, TimeRange range, CancellationToken cancellationToken);

    /// <summary>
    /// Adds occurrences to their groups (creating groups on first sight). Idempotent per pass: occurrences are kept
    /// per (function, fingerprint, <see cref="ErrorOccurrences.FirstSeen"/>, <see cref="ErrorOccurrences.LastSeen"/>),
    /// so replaying a pass replaces its count instead of adding it again. Two different passes must not report the
    /// same log events (the logs collector's checkpoint ensures it).
    /// </summary>
    Task RecordErrorsAsync(IReadOnlyCollection<ErrorOccurrences> occurrences, CancellationToken cancellationToken);

    /// <summary>
    /// Error groups with occurrences in the range, most occurrences first. <see cref="ErrorGroup.Count"/> counts the
    /// passes overlapping the range; <see cref="ErrorGroup.FirstSeen"/> and <see cref="ErrorGroup.LastSeen"/> are the
    /// group's over all time, so a reader can tell a new error from an old one.
    /// </summary>
    Task<IReadOnlyList<ErrorGroup>> GetErrorGroupsAsync(FleetFilter filter, TimeRange range, int limit, CancellationToken cancellationToken);

    // Traces

    /// <summary>Inserts or replaces traces by trace id (summary and segments together).</summary>
    Task WriteTracesAsync(IReadOnlyCollection<TraceTree> traces, CancellationToken cancellationToken);

    /// <summary>Trace summaries in the range, newest first.</summary>
    Task<IReadOnlyList<TraceSummary>> GetTraceSummariesAsync(TimeRange range, bool faultsOrErrorsOnly, int limit, CancellationToken cancellationToken);

    /// <summary>One trace with its segments, or null.</summary>
    Task<TraceTree?> GetTraceAsync(string traceId, CancellationToken cancellationToken);

    /// <summary>
    /// Inserts or replaces service graph windows by (account, region, start): replaying a window, or collecting it
    /// again with later data, replaces what was stored for it.
    /// </summary>
    Task WriteServiceGraphAsync(IReadOnlyCollection<ServiceGraphWindow> windows, CancellationToken cancellationToken);

    /// <summary>
    /// The service graph summed over the windows starting in the range (of the filter's accounts and regions):
    /// nodes by <see cref="ServiceGraphNode.Key"/>, edges by source and target, ordered by key.
    /// </summary>
    Task<ServiceGraph> GetServiceGraphAsync(FleetFilter filter, TimeRange range, CancellationToken cancellationToken);

    // Alarms

    /// <summary>
    /// Inserts or replaces alarms by ARN, recording a state change (at the alarm's <see cref="CloudWatchAlarm.StateUpdated"/>)
    /// when the state differs from the stored one, unless that change is already recorded.
    /// </summary>
    Task UpsertAlarmsAsync(IReadOnlyCollection<CloudWatchAlarm> alarms, CancellationToken cancellationToken);

    /// <summary>
    /// Adds state changes to the alarms' history (those DescribeAlarmHistory reports, including flaps no listing saw).
    /// Idempotent: a change with the ARN, timestamp and new state of one already recorded, by this method or by
    /// <see cref="UpsertAlarmsAsync"/>, is skipped. The alarm's current state is left alone.
    /// </summary>
    Task RecordAlarmStateChangesAsync(IReadOnlyCollection<AlarmStateChange> changes, CancellationToken cancellationToken);

    Task<IReadOnlyList<CloudWatchAlarm>> GetAlarmsAsync(FleetFilter filter, AlarmState? state, CancellationToken cancellationToken);

    Task<IReadOnlyList<AlarmStateChange>> GetAlarmHistoryAsync(string alarmArn, int limit, CancellationToken cancellationToken);

    // Alerting state

    Task UpsertAlertRuleAsync(AlertRule rule, CancellationToken cancellationToken);

    /// <summary>Deletes the rule and its instances; false when there was no such rule.</summary>
    Task<bool> DeleteAlertRuleAsync(string ruleId, CancellationToken cancellationToken);

    Task<IReadOnlyList<AlertRule>> GetAlertRulesAsync(CancellationToken cancellationToken);

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

    // Collector checkpoints

    /// <summary>How far a collector got for a key (for example <c>metrics/123456789012/eu-west-1</c>), or null.</summary>
    Task<string?> GetCheckpointAsync(string key, CancellationToken cancellationToken);

    Task SetCheckpointAsync(string key, string value, CancellationToken cancellationToken);

    // Collectors host

    /// <summary>Inserts or replaces the status of one collector on one account and region.</summary>
    Task UpsertCollectorStatusAsync(CollectorStatus status, CancellationToken cancellationToken);

    /// <summary>Every recorded status, ordered by collector, account, region.</summary>
    Task<IReadOnlyList<CollectorStatus>> GetCollectorStatusAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Inserts or replaces one process's running totals by (day, account, region, service, operation,
    /// <paramref name="instanceId"/>). Values are absolute, so writing the same totals again changes nothing, and
    /// processes never overwrite each other. An instance id must be unique per process lifetime: a restarted process
    /// counts from zero again and must not replace what it counted before.
    /// </summary>
    Task UpsertApiUsageAsync(string instanceId, IReadOnlyCollection<ApiUsage> usage, CancellationToken cancellationToken);

    /// <summary>
    /// Usage on the UTC days from <paramref name="from"/> to <paramref name="to"/> (both included), summed over
    /// processes, ordered by day, account, region, service, operation.
    /// </summary>
    Task<IReadOnlyList<ApiUsage>> GetApiUsageAsync(DateOnly from, DateOnly to, CancellationToken cancellationToken);

    // Retention

    /// <summary>
    /// Rolls raw minutes older than the raw retention (whole hours) up into hours, then deletes what is past each
    /// retention: hours, invocation reports, traces and service graph windows (with the trace retention), error
    /// occurrences, API usage and the status of targets no longer collected (with the hourly retention), and alarm
    /// history, sent or failed notifications (each channel and group keeps its latest), resolved alert instances and
    /// expired silences (with the alert history retention). Pending notifications and unresolved instances stay.
    /// Idempotent; safe to run concurrently with writes and from several replicas.
    /// </summary>
    Task<RetentionResult> ApplyRetentionAsync(DateTimeOffset now, CancellationToken cancellationToken);
}

/// <summary>What one retention pass did.</summary>
public sealed record RetentionResult(
    long MinutesRolledUp,
    long MinutesDeleted,
    long HoursDeleted,
    long ReportsDeleted,
    long TracesDeleted,
    long ServiceGraphWindowsDeleted = 0,
    long AlarmHistoryDeleted = 0,
    long NotificationsDeleted = 0,
    long AlertInstancesDeleted = 0,
    long SilencesDeleted = 0,
    long CollectorStatusesDeleted = 0,
    long CheckpointsDeleted = 0);
