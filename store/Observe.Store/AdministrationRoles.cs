namespace Observe.Store;

/// <summary>The schema: what a host runs once at start, and what a health check reads.</summary>
public interface IStoreSchema
{
    /// <summary>Creates the schema or brings it to the current version. Called once at start.</summary>
    Task MigrateAsync(CancellationToken cancellationToken);

    /// <summary>The schema version the database is at.</summary>
    Task<int> GetSchemaVersionAsync(CancellationToken cancellationToken);
}

/// <summary>Rolls up and deletes what is past each retention; the retention service is its one caller.</summary>
public interface IStoreRetention
{
    /// <summary>
    /// Rolls raw minutes older than the raw retention (whole hours) up into hours, then deletes what is past each
    /// retention: hours, invocation reports, traces and service graph windows (with the trace retention), error
    /// occurrences, API usage and the status of targets no longer collected (with the hourly retention), and alarm
    /// history, sent or failed notifications (each channel and group keeps its latest), resolved alert instances,
    /// expired silences, alert transitions, delivery attempts and audit log entries (with the alert history retention). Queued and
    /// in-flight notifications with their attempts, and unresolved instances, stay.
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
    long CheckpointsDeleted = 0)
{
    /// <summary>Alert transitions (status changes, acknowledgements) older than the alert history retention.</summary>
    public long AlertTransitionsDeleted { get; init; }

    /// <summary>Delivery attempts older than the alert history retention, except those of notifications still queued or in flight.</summary>
    public long DeliveryAttemptsDeleted { get; init; }

    /// <summary>Audit log entries older than the alert history retention.</summary>
    public long AuditEntriesDeleted { get; init; }
}
