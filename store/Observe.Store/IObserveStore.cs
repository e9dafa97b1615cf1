namespace Observe.Store;

/// <summary>
/// The one store the collectors write and the dashboard reads, as the sum of its roles. Two engines implement it with
/// identical behaviour (the contract tests run against both): SQLite, embedded, and PostgreSQL, for several dashboard
/// replicas. Writes are idempotent (replaying a batch changes nothing), a completed write is durable, and a failed
/// write leaves what was stored before untouched. Instants are stored to the millisecond.
/// Depend on the role a class uses (<see cref="IInventoryReader"/>, <see cref="IMetricsWriter"/>,
/// <see cref="ICheckpointStore"/>, ...), not on this: <c>AddObserveStore</c> resolves every role to the same instance.
/// </summary>
public interface IObserveStore :
    IStoreSchema,
    IStoreRetention,
    ICheckpointStore,
    IFleetWriter,
    IInventoryReader,
    IMetricsReader,
    IFunctionStatsReader,
    IFunctionWatchStore,
    IFunctionChangeReader,
    IInvocationReader,
    IColdStartReader,
    IFunctionBaselineReader,
    IErrorReader,
    IErrorGroupReader,
    IErrorStatusWriter,
    ITraceReader,
    IAlarmReader,
    ICollectorStatusReader,
    ICollectorStatusWriter,
    IAlertRuleReader,
    IAlertRuleWriter,
    IAlertStateStore,
    IAlertLifecycleStore,
    INotificationOutbox,
    ILeaseStore,
    IApiKeyReader,
    IApiKeyCredentialReader,
    IApiKeyWriter,
    IAuditLogReader,
    IAuditLogWriter,
    IDataProtectionKeyStore;

/// <summary>
/// Everything the collectors write about the fleet (not about themselves), for a writer that produces all of it at
/// once: the demo fleet writes through the same API the collectors use.
/// </summary>
public interface IFleetWriter : IInventoryWriter, IMetricsWriter, IInvocationWriter, ITraceWriter, IAlarmWriter, IFunctionChangeWriter;
