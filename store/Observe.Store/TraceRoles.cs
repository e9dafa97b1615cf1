using Observe.Store.Model;

namespace Observe.Store;

/// <summary>Traces and the service graph as read back: by pages, and by the traces collector to merge a trace's spans.</summary>
public interface ITraceReader
{
    /// <summary>Trace summaries in the range, newest first.</summary>
    Task<IReadOnlyList<TraceSummary>> GetTraceSummariesAsync(TimeRange range, bool faultsOrErrorsOnly, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// One page of the traces matching every field of <paramref name="search"/>. A function filter reads the traces
    /// through that function by an index (the trace_function table), so it stays one range read on a large fleet.
    /// </summary>
    Task<TraceSearchResult> SearchTracesAsync(TraceSearch search, CancellationToken cancellationToken);

    /// <summary>
    /// Which of <paramref name="traceIds"/> the store holds (a trace's summary is enough), read by index without their
    /// segments: for pages that link a trace id only when its trace can be opened.
    /// </summary>
    Task<IReadOnlySet<string>> GetStoredTraceIdsAsync(IReadOnlyCollection<string> traceIds, CancellationToken cancellationToken);

    /// <summary>One trace with its segments, or null.</summary>
    Task<TraceTree?> GetTraceAsync(string traceId, CancellationToken cancellationToken);

    /// <summary>
    /// The service graph summed over the windows starting in the range (of the filter's accounts and regions):
    /// nodes by <see cref="ServiceGraphNode.Key"/>, edges by source and target, ordered by key.
    /// </summary>
    Task<ServiceGraph> GetServiceGraphAsync(FleetFilter filter, TimeRange range, CancellationToken cancellationToken);
}

/// <summary>What the traces collector writes.</summary>
public interface ITraceWriter
{
    /// <summary>Inserts or replaces traces by trace id (summary and segments together).</summary>
    Task WriteTracesAsync(IReadOnlyCollection<TraceTree> traces, CancellationToken cancellationToken);

    /// <summary>
    /// Inserts or replaces service graph windows by (account, region, start): replaying a window, or collecting it
    /// again with later data, replaces what was stored for it.
    /// </summary>
    Task WriteServiceGraphAsync(IReadOnlyCollection<ServiceGraphWindow> windows, CancellationToken cancellationToken);
}
