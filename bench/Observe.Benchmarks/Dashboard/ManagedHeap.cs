using System.Diagnostics.Tracing;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Parsers;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

namespace Observe.Benchmarks.Dashboard;

/// <summary>
/// Another .NET process's managed heap after a full, compacting GC that this class induces through the runtime's
/// diagnostics port, as dotnet-gcdump does: the size of what is alive, free of the GC's reservations and timing, which
/// make the resident set too noisy to divide by a handful of circuits.
/// </summary>
internal static class ManagedHeap
{
    // GC events, and GCHeapCollect, which makes the runtime run an induced blocking GC when the session starts.
    private const long GcKeywords = (long)(ClrTraceEventParser.Keywords.GC | ClrTraceEventParser.Keywords.GCHeapCollect);

    public static async Task<long> LiveBytesAfterFullGcAsync(int processId, CancellationToken cancellationToken)
    {
        var client = new DiagnosticsClient(processId);
        using var session = client.StartEventPipeSession(
            [new EventPipeProvider(ClrTraceEventParser.ProviderName, EventLevel.Informational, GcKeywords)], requestRundown: false);
        var size = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        var induced = false;
        using var source = new EventPipeEventSource(session.EventStream);
        source.Clr.GCStart += e => induced |= e.Reason is GCReason.Induced or GCReason.InducedNotForced or GCReason.InducedCompacting;
        source.Clr.GCHeapStats += e =>
        {
            if (induced)
            {
                size.TrySetResult(e.GenerationSize0 + e.GenerationSize1 + e.GenerationSize2 + e.GenerationSize3 + e.GenerationSize4);
            }
        };
        var reading = Task.Run(source.Process, cancellationToken);
        try
        {
            return await size.Task.WaitAsync(TimeSpan.FromSeconds(60), cancellationToken);
        }
        finally
        {
            await session.StopAsync(cancellationToken);
            await reading;
        }
    }
}
