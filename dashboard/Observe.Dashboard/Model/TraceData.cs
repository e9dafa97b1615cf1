using Observe.Store;

namespace Observe.Dashboard.Model;

/// <summary>One trace as the page shows it: its waterfall, or null when the store holds no trace of that id.</summary>
public sealed record TraceViewModel(string TraceId, TraceWaterfall? Waterfall);

/// <summary>
/// The trace page's query: one trace by id, laid out as a waterfall. The collector replaces a trace when more of its
/// segments arrive, so the page reloads on trace writes. The page sets <see cref="TraceId"/> before the first load.
/// </summary>
public sealed class TraceData(ITraceReader traces) : ILiveData<TraceViewModel>
{
    public string? TraceId { get; set; }

    public StoreChangeKind Changes => StoreChangeKind.Traces;

    public bool UsesTimeRange => false;

    public bool RefreshOnTimer => false;

    public async Task<TraceViewModel> LoadAsync(LiveQuery query, CancellationToken cancellationToken)
    {
        var id = TraceId ?? throw new InvalidOperationException("the trace page sets its trace id before loading");
        var trace = await traces.GetTraceAsync(id, cancellationToken);
        return new TraceViewModel(id, trace is null ? null : TraceWaterfall.Build(trace));
    }
}
