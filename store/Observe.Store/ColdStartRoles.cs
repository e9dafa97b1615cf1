using Observe.Store.Model;

namespace Observe.Store;

/// <summary>What the Cold starts page reads: per function, its reports' init and restore durations and its init events.</summary>
public interface IColdStartReader
{
    /// <summary>
    /// Functions (within the filter) with invocation reports or init events in the range, in no particular order.
    /// </summary>
    Task<IReadOnlyList<ColdStartFunction>> GetColdStartsAsync(FleetFilter filter, TimeRange range, CancellationToken cancellationToken);
}
