namespace Observe.Store;

/// <summary>The store engines.</summary>
public enum StoreKind
{
    /// <summary>One embedded SQLite file under <see cref="StoreOptions.DataDirectory"/>; one dashboard replica.</summary>
    Sqlite,

    /// <summary>A PostgreSQL database at <see cref="StoreOptions.ConnectionString"/>; several replicas share it.</summary>
    PostgreSql,
}

/// <summary>
/// Store settings, bound from the <c>Observe:Store</c> configuration section (environment variables
/// <c>Observe__Store__Kind</c> and so on).
/// </summary>
public sealed class StoreOptions
{
    public const string SectionName = "Observe:Store";

    /// <summary>The SQLite file name inside <see cref="DataDirectory"/>.</summary>
    public const string SqliteFileName = "observe.db";

    /// <summary>
    /// <c>Sqlite</c> (default) or <c>PostgreSql</c>, case-insensitive. A string rather than <see cref="StoreKind"/> so a
    /// wrong value gets the validator's message naming the setting instead of a binder conversion error.
    /// </summary>
    public string Kind { get; set; } = nameof(StoreKind.Sqlite);

    /// <summary>
    /// Where the SQLite file lives; default <c>.data</c>. A relative path is resolved against the process's current
    /// directory (the content root when the dashboard is started from its folder). Created when missing.
    /// </summary>
    public string DataDirectory { get; set; } = ".data";

    /// <summary>Npgsql connection string; required when <see cref="Kind"/> is <c>PostgreSql</c>.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>How long per-minute metrics are kept before they are rolled up into hours; default 7 days.</summary>
    public TimeSpan RawRetention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How long hourly rollups (and error-group occurrence windows) are kept; default 90 days.</summary>
    public TimeSpan HourlyRetention { get; set; } = TimeSpan.FromDays(90);

    /// <summary>How long invocation reports are kept; default 7 days.</summary>
    public TimeSpan ReportRetention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How long traces and service graph windows are kept; default 7 days.</summary>
    public TimeSpan TraceRetention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>
    /// How long alerting history is kept: alarm state changes, sent or failed notifications, resolved alert
    /// instances and expired silences; default 90 days. A group's latest notification is kept whatever its age,
    /// since deduplication compares against it.
    /// </summary>
    public TimeSpan AlertHistoryRetention { get; set; } = TimeSpan.FromDays(90);

    /// <summary>
    /// Functions one retention transaction rolls up; default 500. Smaller batches hold the write lock for shorter
    /// stretches, so collector writes interleave with a long retention pass.
    /// </summary>
    public int BatchSize { get; set; } = 500;

    /// <summary>The engine named by <see cref="Kind"/>, or null when it names none.</summary>
    public StoreKind? ParsedKind =>
        Enum.GetNames<StoreKind>().FirstOrDefault(n => string.Equals(n, Kind?.Trim(), StringComparison.OrdinalIgnoreCase)) is { } name
            ? Enum.Parse<StoreKind>(name)
            : null;

    /// <summary>The absolute path of the SQLite file.</summary>
    public string SqlitePath => Path.Combine(Path.GetFullPath(DataDirectory), SqliteFileName);
}
