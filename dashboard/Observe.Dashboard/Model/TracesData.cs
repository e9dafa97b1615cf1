using Observe.Store;
using Observe.Store.Model;

namespace Observe.Dashboard.Model;

/// <summary>A trace's outcome in one word, worst first: a fault outranks a throttle, which outranks a client error.</summary>
public static class TraceOutcome
{
    public static string Of(TraceSummary trace)
    {
        ArgumentNullException.ThrowIfNull(trace);
        return trace.HasFault ? "fault" : trace.HasThrottle ? "throttle" : trace.HasError ? "error" : "ok";
    }

    public static string Of(bool fault, bool throttle, bool error) => fault ? "fault" : throttle ? "throttle" : error ? "error" : "ok";
}

/// <summary>One page of the Traces list and the scatter of the same search over the range.</summary>
/// <param name="Address">The search the model answers.</param>
/// <param name="Range">The range resolved for the load.</param>
/// <param name="Rows">The page's traces, in the address's order.</param>
/// <param name="HasMore">A later page has more traces.</param>
/// <param name="Scatter">The newest matching traces, up to <see cref="TracesData.ScatterLimit"/>; null when not read (see <see cref="TracesData.ReadScatter"/>).</param>
/// <param name="ScatterComplete">The scatter holds every matching trace; false when it holds only the newest.</param>
public sealed record TracesViewModel(
    TracesAddress Address,
    TimeRange Range,
    IReadOnlyList<TraceSummary> Rows,
    bool HasMore,
    IReadOnlyList<TraceSummary>? Scatter,
    bool ScatterComplete)
{
    /// <summary>The scatter's oldest point when it is cut: the chart says it starts there rather than imply no traces before.</summary>
    public DateTimeOffset? ScatterFrom => ScatterComplete || Scatter is not { Count: > 0 } scatter ? null : scatter.Min(t => t.Start);
}

/// <summary>
/// The Traces list's query: the page of the address's search and the scatter's points. The page sets
/// <see cref="Address"/> before the first load; a new search is a new page instance (keyed by the search).
/// </summary>
public sealed class TracesData(ITraceReader traces) : ILiveData<TracesViewModel>
{
    /// <summary>Points the duration scatter draws; a longer or busier range shows its newest traces and says so.</summary>
    public const int ScatterLimit = 1_000;

    public TracesAddress Address { get; set; } = new();

    /// <summary>
    /// Read the scatter's points too. The page turns it off while prerendering: the list arrives first, without a
    /// second read of up to 1,000 traces and their dots (two thirds of the page over 30 days), and the interactive
    /// render a moment later reads and draws them.
    /// </summary>
    public bool ReadScatter { get; set; } = true;

    public StoreChangeKind Changes => StoreChangeKind.Traces;

    public bool UsesTimeRange => true;

    public bool RefreshOnTimer => false;

    public async Task<TracesViewModel> LoadAsync(LiveQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var range = query.Range ?? throw new ArgumentException("the Traces page needs a time range", nameof(query));
        var search = Address.ToSearch(range);
        var page = await traces.SearchTracesAsync(search, cancellationToken);
        if (!ReadScatter)
        {
            return new TracesViewModel(Address, range, page.Traces, page.HasMore, null, false);
        }

        var scatter = await traces.SearchTracesAsync(search with { Sort = TraceSort.Newest, Offset = 0, Limit = ScatterLimit }, cancellationToken);
        return new TracesViewModel(Address, range, page.Traces, page.HasMore, scatter.Traces, !scatter.HasMore);
    }
}
