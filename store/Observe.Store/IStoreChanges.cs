namespace Observe.Store;

/// <summary>What kind of data a write changed, so pages re-query only what they show.</summary>
[Flags]
public enum StoreChangeKind
{
    None = 0,
    Functions = 1,
    Metrics = 2,
    Invocations = 4,
    Errors = 8,
    Traces = 16,
    Alarms = 32,
    Alerting = 64,
}

/// <summary>
/// Tells readers that data changed. The SQLite store raises changes made in this process; the PostgreSQL store also
/// relays changes made by other processes (collector workers, other replicas).
/// </summary>
public interface IStoreChanges
{
    /// <summary>
    /// Registers a callback; dispose the result to stop. Callbacks run on a background thread; changes within about
    /// 100 ms are coalesced into one callback carrying all their kinds.
    /// </summary>
    IDisposable Subscribe(Action<StoreChangeKind> onChange);
}
