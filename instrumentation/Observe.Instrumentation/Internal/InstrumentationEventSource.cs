using System.Diagnostics.Tracing;

namespace Observe.Instrumentation.Internal;

/// <summary>
/// Self-diagnostics of the package, named <c>Observe-Instrumentation</c> (listen with <c>dotnet-trace</c> or an
/// <see cref="EventListener"/>). Everything that goes wrong inside the instrumentation is reported here instead of being
/// thrown into the customer's function.
/// </summary>
[EventSource(Name = "Observe-Instrumentation")]
internal sealed class InstrumentationEventSource : EventSource
{
    public static readonly InstrumentationEventSource Log = new();

    [NonEvent]
    public void PropagationFailed(Exception exception)
    {
        if (IsEnabled(EventLevel.Warning, EventKeywords.All))
        {
            PropagationFailed(exception.ToString());
        }
    }

    [Event(1, Level = EventLevel.Warning, Message = "Extracting a trace parent failed: {0}")]
    public void PropagationFailed(string exception) => WriteEvent(1, exception);

    [Event(2, Level = EventLevel.Warning, Message = "Setting {0} has an invalid value '{1}': {2}. The default is used.")]
    public void InvalidSetting(string name, string value, string reason) => WriteEvent(2, name, value, reason);

    [NonEvent]
    public void LogWriteFailed(Exception exception)
    {
        if (IsEnabled(EventLevel.Error, EventKeywords.All))
        {
            LogWriteFailed(exception.ToString());
        }
    }

    [Event(3, Level = EventLevel.Error, Message = "Writing a log line failed: {0}")]
    public void LogWriteFailed(string exception) => WriteEvent(3, exception);

    [Event(4, Level = EventLevel.Warning, Message = "Telemetry flush did not finish within its budget of {0} ms ({1}).")]
    public void FlushTimedOut(int budgetMilliseconds, string signal) => WriteEvent(4, budgetMilliseconds, signal);

    [NonEvent]
    public void InstrumentationFailed(string operation, Exception exception)
    {
        if (IsEnabled(EventLevel.Error, EventKeywords.All))
        {
            InstrumentationFailed(operation, exception.ToString());
        }
    }

    [Event(5, Level = EventLevel.Error, Message = "Instrumentation step '{0}' failed and was skipped: {1}")]
    public void InstrumentationFailed(string operation, string exception) => WriteEvent(5, operation, exception);

    [Event(6, Level = EventLevel.Warning, Message = "Metric '{0}' was dropped: {1}")]
    public void MetricDropped(string metric, string reason) => WriteEvent(6, metric, reason);

    [Event(7, Level = EventLevel.Warning, Message = "The event could not be read for a trace parent or correlation id: {0}")]
    public void EventNotReadable(string reason) => WriteEvent(7, reason);

    [Event(8, Level = EventLevel.Error, Message = "Runtime API call {0} failed: {1}")]
    public void RuntimeApiFailed(string operation, string error) => WriteEvent(8, operation, error);

    [Event(9, Level = EventLevel.Warning, Message = "{1} {0} were dropped: the bounded queue of telemetry waiting for the OpenTelemetry SDK was full.")]
    public void TelemetryDropped(string signal, int count) => WriteEvent(9, signal, count);

    [NonEvent]
    public void TelemetrySetupFailed(Exception exception)
    {
        if (IsEnabled(EventLevel.Error, EventKeywords.All))
        {
            TelemetrySetupFailed(exception.ToString());
        }
    }

    [Event(10, Level = EventLevel.Error, Message = "Building the OpenTelemetry providers failed; spans, metrics and log records are not exported: {0}")]
    public void TelemetrySetupFailed(string exception) => WriteEvent(10, exception);

    [Event(11, Level = EventLevel.Informational, Message = "The OpenTelemetry providers were ready {0} ms after the instrumentation was created; {1} invocations' spans and metrics written before were handed over.")]
    public void TelemetryReady(int milliseconds, int invocations) => WriteEvent(11, milliseconds, invocations);

    [Event(12, Level = EventLevel.Warning, Message = "ObserveLambda.{0} was read before the OpenTelemetry providers were ready; after waiting {1} ms a provider that does nothing was returned.")]
    public void ProviderNotReady(string provider, int waitedMilliseconds) => WriteEvent(12, provider, waitedMilliseconds);

    [Event(13, Level = EventLevel.Critical, Message = "The Runtime API host gave up: {0}")]
    public void RuntimeApiGaveUp(string message) => WriteEvent(13, message);

    [Event(14, Level = EventLevel.Warning, Message = "Embedded metrics of namespace '{0}' have dropped {1} values, dimensions or dimension sets so far.")]
    public void MetricValuesDropped(string @namespace, long dropped) => WriteEvent(14, @namespace, dropped);

    [Event(15, Level = EventLevel.Error, Message = "OTLP export failed ({1} so far in this process): {0}")]
    public void ExportFailed(string detail, long failures) => WriteEvent(15, detail, failures);
}
