using System.Diagnostics.Tracing;

namespace Observe.Instrumentation.Internal;

/// <summary>
/// Listens to the OTLP exporter's own event source for failed exports and reports them on the package's event source,
/// and the first one of the process on standard error with what is most often wrong: the exporter speaks gRPC unless
/// <c>OTEL_EXPORTER_OTLP_PROTOCOL</c> says <c>http/protobuf</c>, so an OTLP/HTTP receiver gets nothing and, without
/// this, nothing says why. Created on the set-up thread with the providers, only when OTLP export is on.
/// </summary>
internal sealed class ExportFailureListener : EventListener
{
    private const string OtlpEventSource = "OpenTelemetry-Exporter-OpenTelemetryProtocol";

    private readonly Notices _notices;
    private readonly string _endpoint;
    private readonly string _protocol;
    private long _failures;

    public ExportFailureListener(Notices notices, LambdaEnvironment environment)
    {
        // The base constructor may already have called OnEventSourceCreated (it only reads the constant).
        _notices = notices;
        _endpoint = environment.Read("OTEL_EXPORTER_OTLP_ENDPOINT") ?? "(per-signal endpoints)";
        _protocol = environment.Read("OTEL_EXPORTER_OTLP_PROTOCOL") is { Length: > 0 } protocol ? protocol : "grpc (the default)";
    }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == OtlpEventSource)
        {
            // Errors only: the exporter reports a failed export at Error level, its configuration notes lower.
            EnableEvents(eventSource, EventLevel.Error);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        // Events may arrive before the constructor body ran (see above); those are not reported.
        if (_notices is null || eventData.EventSource.Name != OtlpEventSource || eventData.Level > EventLevel.Error)
        {
            return;
        }

        try
        {
            var detail = eventData.Payload is { Count: > 0 } payload
                ? eventData.EventName + ": " + string.Join(" ", payload)
                : eventData.EventName ?? "export failed";
            var failures = Interlocked.Increment(ref _failures);
            InstrumentationEventSource.Log.ExportFailed(detail, failures);
            _notices.Once(
                NoticeKind.ExportFailed,
                $"OTLP export failed ({FirstLine(detail)}). Endpoint {_endpoint}, protocol {_protocol}. The OTLP exporter speaks gRPC "
                + "(usually port 4317) unless OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf (usually port 4318); check both. Later failures "
                + "are not repeated here: the Observe-Instrumentation event source reports each one (ExportFailed).");
        }
        catch (Exception ex)
        {
            InstrumentationEventSource.Log.InstrumentationFailed("report an export failure", ex);
        }
    }

    private static string FirstLine(string text) => text.AsSpan().IndexOfAny('\r', '\n') is var end and >= 0 ? text[..end] : text;
}
