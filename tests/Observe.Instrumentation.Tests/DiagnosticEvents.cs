using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace Observe.Instrumentation.Tests;

/// <summary>Records what the package reports through its <c>Observe-Instrumentation</c> event source.</summary>
internal sealed class DiagnosticEvents : EventListener
{
    private readonly ConcurrentQueue<EventWrittenEventArgs> _events = new();

    public IReadOnlyList<EventWrittenEventArgs> Events => [.. _events];

    public IEnumerable<EventWrittenEventArgs> Named(string name) => Events.Where(e => e.EventName == name);

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Observe-Instrumentation")
        {
            EnableEvents(eventSource, EventLevel.Verbose);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData) => _events.Enqueue(eventData);
}
