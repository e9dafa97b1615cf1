using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Observe.Collectors.Collection;
using Observe.Store;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Observe.Collectors.Hosting;

/// <summary>
/// Observe observing itself: traces and metrics of the process, exported with OTLP, when
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set; nothing is registered when it is not, so an operator who did not ask
/// pays nothing. The exporter reads the other standard <c>OTEL_*</c> variables (protocol, headers, service name).
/// </summary>
public static class ObserveTelemetry
{
    /// <summary>The standard variable that turns the export on.</summary>
    public const string EndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>
    /// Registers tracing (the store's queries, collector passes, outgoing HTTP, which is every call to AWS) and
    /// metrics (collector passes, outgoing HTTP, the .NET runtime's) when <see cref="EndpointVariable"/> is set.
    /// </summary>
    /// <param name="builder">The host's builder.</param>
    /// <param name="serviceName">The <c>service.name</c> resource attribute, unless <c>OTEL_SERVICE_NAME</c> says otherwise.</param>
    /// <param name="tracing">What the host adds to tracing (the dashboard: ASP.NET Core).</param>
    /// <param name="metrics">What the host adds to metrics.</param>
    /// <returns>Whether telemetry was registered.</returns>
    public static bool AddObserveTelemetry(
        this IHostApplicationBuilder builder, string serviceName, Action<TracerProviderBuilder>? tracing = null, Action<MeterProviderBuilder>? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (string.IsNullOrWhiteSpace(builder.Configuration[EndpointVariable]))
        {
            return false;
        }

        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName))
            .WithTracing(tracer =>
            {
                // The AWS clients send through their own SocketsHttpHandler, whose diagnostics the HTTP
                // instrumentation reads: each attempt to AWS is a client span.
                tracer.AddSource(StoreTelemetry.ActivitySourceName, CollectorsTelemetry.Name).AddHttpClientInstrumentation();
                tracing?.Invoke(tracer);
                tracer.AddOtlpExporter();
            })
            .WithMetrics(meter =>
            {
                // System.Runtime: the runtime's own meter (GC, thread pool, exceptions), built into .NET 9 and later.
                meter.AddMeter(CollectorsTelemetry.Name, "System.Runtime").AddHttpClientInstrumentation();
                metrics?.Invoke(meter);
                meter.AddOtlpExporter();
            });
        return true;
    }
}
