using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Observe.Instrumentation;

/// <summary>Settings of <see cref="ObserveLambda"/>. Invalid values are reported through the <c>Observe-Instrumentation</c> event source and replaced by their defaults, never thrown.</summary>
public sealed class ObserveLambdaOptions
{
    /// <summary>The <c>service.name</c> resource attribute; when null, <c>OTEL_SERVICE_NAME</c>, then the function name.</summary>
    public string? ServiceName { get; set; }

    /// <summary>
    /// Whether invocations that Lambda passes with <c>Sampled=0</c> (active tracing off, or X-Ray's sampler said no)
    /// still produce spans. True by default: the spans go to your OTLP endpoint, not to X-Ray, and dropping them is the
    /// most common complaint about the OpenTelemetry Lambda wrapper. Log lines carry the trace id either way.
    /// </summary>
    public bool RecordUnsampledInvocations { get; set; } = true;

    /// <summary>
    /// Longest time the end-of-invocation flush of traces, metrics and exported logs may take; 1 second by default. The flush is also
    /// cut to the invocation's remaining time minus <see cref="FlushSafetyMargin"/>, so it never causes a timeout.
    /// </summary>
    public TimeSpan FlushTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Time kept free before the invocation's deadline; 50 ms by default. The handler's cancellation token fires twice
    /// this margin before the deadline: one margin to end the span, report and flush, one never used.
    /// </summary>
    public TimeSpan FlushSafetyMargin { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// Whether traces and metrics (and logs, unless <see cref="EnableOtlpLogExport"/> says otherwise) are exported with
    /// OTLP (configured by the standard <c>OTEL_EXPORTER_OTLP_*</c> variables). When null, export of a signal is on if an
    /// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> (or per-signal endpoint) variable is set and <c>OTEL_TRACES_EXPORTER</c>,
    /// <c>OTEL_METRICS_EXPORTER</c> or <c>OTEL_LOGS_EXPORTER</c> is not <c>none</c>.
    /// </summary>
    public bool? EnableOtlpExport { get; set; }

    /// <summary>
    /// Whether log lines are also exported with OTLP as log records (with the span's trace and span ids), flushed at the
    /// end of each invocation within the same budget as traces and metrics. When null, follows
    /// <see cref="EnableOtlpExport"/>, and when that is null too, is on if an OTLP endpoint variable is set and
    /// <c>OTEL_LOGS_EXPORTER</c> is not <c>none</c>. Set false to keep logs in CloudWatch only (each line is then
    /// stored once). The JSON lines on standard output are written either way.
    /// </summary>
    public bool? EnableOtlpLogExport { get; set; }

    /// <summary>
    /// Whether new root traces get X-Ray-compatible ids (epoch seconds in the first 8 hex digits), so they can also be
    /// sent to X-Ray. True by default. Only applied when no other code has set <c>Activity.TraceIdGenerator</c>.
    /// </summary>
    public bool UseXRayTraceIds { get; set; } = true;

    /// <summary>
    /// Header, message-attribute or EventBridge <c>detail</c> names (case-insensitive) whose value becomes the
    /// <c>correlationId</c> of every log line; <c>x-correlation-id</c> by default. Without one, API Gateway's
    /// <c>requestContext.requestId</c> or the EventBridge event id is used.
    /// </summary>
    public ISet<string> CorrelationIdNames { get; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "x-correlation-id" };

    /// <summary>
    /// CloudWatch namespace of the built-in embedded metrics (<c>ColdStart</c>, <c>InitDuration</c>, <c>Restore</c>,
    /// <c>Errors</c>), written as EMF log lines; <c>Observe</c> by default, null to write none.
    /// </summary>
    public string? EmfNamespace { get; set; } = "Observe";

    /// <summary>
    /// Your embedded-metric sets, written out at the end of every invocation so no values wait in memory while the
    /// environment is frozen. Build them during initialization: an invalid definition throws there, not in the handler.
    /// </summary>
    public IList<EmbeddedMetrics> EmbeddedMetrics { get; } = [];

    /// <summary>Settings of the JSON log lines of <see cref="ObserveLambda.LoggerFactory"/>.</summary>
    public ObserveLoggerOptions Logging { get; } = new();

    /// <summary>
    /// Called on the background thread before the OpenTelemetry providers are built; tests block in it to decide when the
    /// SDK becomes ready relative to the invocations.
    /// </summary>
    internal Action? TelemetrySetupGate { get; set; }

    /// <summary>Extra tracer set-up (your own <c>ActivitySource</c> names, instrumentations, exporters), run before the OTLP exporter is added. Runs on a background thread during initialization, so that building the SDK is not on the way to the first invocation.</summary>
    public Action<TracerProviderBuilder>? ConfigureTracing { get; set; }

    /// <summary>Extra set-up of the OpenTelemetry logger provider (processors, exporters), run before the OTLP exporter is added; used only when OTLP log export is on.</summary>
    public Action<LoggerProviderBuilder>? ConfigureLogging { get; set; }

    /// <summary>
    /// Extra services of the logger factory. Tests use it to hand the OTLP log exporter its <c>OTEL_*</c> settings as
    /// configuration, since tests run in parallel and cannot set process variables.
    /// </summary>
    internal Action<IServiceCollection>? ConfigureLoggingServices { get; set; }

    /// <summary>Extra meter set-up (your own <c>Meter</c> names, views, readers), run before the OTLP exporter is added.</summary>
    public Action<MeterProviderBuilder>? ConfigureMetrics { get; set; }
}
