namespace Observe.Dashboard.Health;

/// <summary>Records that start-up migrated the store, and to which schema version, for the readiness check.</summary>
public sealed class StoreReadiness
{
    private int _migratedVersion = -1;

    /// <summary>The schema version start-up migrated to; null until migrations ran.</summary>
    public int? MigratedVersion => Volatile.Read(ref _migratedVersion) is var v && v >= 0 ? v : null;

    internal void MarkMigrated(int version) => Volatile.Write(ref _migratedVersion, version);
}
