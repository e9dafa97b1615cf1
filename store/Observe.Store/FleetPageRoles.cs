using Observe.Store.Model;

namespace Observe.Store;

/// <summary>Per-function figures over a range, for the Functions grid and its flags.</summary>
public interface IFunctionStatsReader
{
    /// <summary>
    /// Figures of every function of the filter that has metrics or invocation reports in the range, in no particular
    /// order. Minutes are read where the raw retention keeps them and hourly rollups before that.
    /// </summary>
    Task<IReadOnlyList<FunctionStats>> GetFunctionStatsAsync(FleetFilter filter, TimeRange range, CancellationToken cancellationToken);

    /// <summary>
    /// The start of the last minute (or rolled-up hour) each function of the filter had invocations, over everything
    /// stored; a function never seen invoked has no entry.
    /// </summary>
    Task<IReadOnlyDictionary<FunctionKey, DateTimeOffset>> GetLastInvocationsAsync(FleetFilter filter, CancellationToken cancellationToken);
}

/// <summary>
/// Functions someone is looking at, recorded in the store so a collector in another process (the worker) reads them
/// more often too. A page renews its watch before it expires; a closed page's watch simply lapses.
/// </summary>
public interface IFunctionWatchStore
{
    /// <summary>Watches the function until <paramref name="until"/> (keeps a later expiry already stored).</summary>
    Task WatchFunctionAsync(FunctionKey function, DateTimeOffset until, CancellationToken cancellationToken);

    /// <summary>Functions whose watch has not expired at <paramref name="now"/>.</summary>
    Task<IReadOnlyList<FunctionKey>> GetWatchedFunctionsAsync(DateTimeOffset now, CancellationToken cancellationToken);
}

/// <summary>Deploy markers as pages read them.</summary>
public interface IFunctionChangeReader
{
    /// <summary>Changes of the function (or of every function of the filter when null) in the range, newest first, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<FunctionChange>> GetFunctionChangesAsync(FleetFilter filter, FunctionKey? function, TimeRange range, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// How many changes each function of the filter had in the range, for the functions that had any: one row per
    /// function at most, so no limit and nothing cut (the fleet grid's "changed in the range" filter).
    /// </summary>
    Task<IReadOnlyDictionary<FunctionKey, int>> CountFunctionChangesAsync(FleetFilter filter, TimeRange range, CancellationToken cancellationToken);
}

/// <summary>What the inventory collector writes when it sees a function change.</summary>
public interface IFunctionChangeWriter
{
    /// <summary>Records changes; one with the function, time and kind of one already stored is skipped.</summary>
    Task RecordFunctionChangesAsync(IReadOnlyCollection<FunctionChange> changes, CancellationToken cancellationToken);
}
