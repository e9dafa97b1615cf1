using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Observe.Collectors.Hosting;
using Observe.Store;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Observe.Dashboard.Tests.Hosting;

/// <summary>The dashboard's own traces and metrics: exported when OTEL_EXPORTER_OTLP_ENDPOINT is set, nothing registered otherwise.</summary>
public class SelfTelemetryTests
{
    [Fact]
    public async Task Dashboard_OtlpEndpointSet_TracesRequestsStoreQueriesAndOutgoingHttpWithRequestMetrics()
    {
        using var directory = new TempDirectory();
        var activities = new List<Activity>();
        var metrics = new List<Metric>();
        await using var app = DashboardHost.Build(
            directory.Path,
            // Nothing listens there: the OTLP export fails, the in-memory exporters below read what was produced.
            new Dictionary<string, string?> { [ObserveTelemetry.EndpointVariable] = "http://127.0.0.1:9" },
            builder =>
            {
                builder.Services.ConfigureOpenTelemetryTracerProvider(tracer => tracer.AddInMemoryExporter(activities));
                builder.Services.ConfigureOpenTelemetryMeterProvider(meter => meter.AddInMemoryExporter(metrics));
            });
        await app.StartDashboardAsync(CancellationToken.None);

        using (var client = new HttpClient { BaseAddress = app.GetListeningUrls()[0] })
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/health", UriKind.Relative))).StatusCode);
        }

        // The providers listen process-wide, to other tests' requests too: shut them down before reading, so nothing
        // adds to the lists meanwhile, and pick this app's request by its port.
        var port = app.GetListeningUrls()[0].Port;
        await app.StopAsync();
        app.Services.GetRequiredService<TracerProvider>().Dispose();
        app.Services.GetRequiredService<MeterProvider>().Dispose();

        var server = Assert.Single(activities, a => a.Source.Name == "Microsoft.AspNetCore" && Equals(a.GetTagItem("url.path"), "/health") && Equals(a.GetTagItem("server.port"), port));
        Assert.Contains(activities, a => a.Source.Name == "System.Net.Http" && a.TraceId == server.TraceId && a.Kind == ActivityKind.Client);
        Assert.Contains(activities, a => a.Source.Name == StoreTelemetry.ActivitySourceName && a.DisplayName == "GetSchemaVersion" && a.TraceId == server.TraceId);
        Assert.Contains(metrics, m => m.Name == "http.server.request.duration");
    }

    [Fact]
    public async Task Dashboard_OtlpEndpointUnset_RegistersNoTelemetry()
    {
        using var directory = new TempDirectory();
        await using var app = DashboardHost.Build(directory.Path, new Dictionary<string, string?> { [ObserveTelemetry.EndpointVariable] = null });

        Assert.Null(app.Services.GetService<TracerProvider>());
        Assert.Null(app.Services.GetService<MeterProvider>());
    }
}
