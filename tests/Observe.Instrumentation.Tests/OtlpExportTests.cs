using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Observe.Instrumentation.Tests;

[Collection(TelemetryCollection.Name)]
public class OtlpExportTests
{
    private const string LambdaHeader = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";

    [Fact]
    public async Task InvokeAsync_OtlpEndpointFromOtelVariables_ListenerDecodesSpanAndMetrics()
    {
        using var receiver = new OtlpReceiver();
        var output = new CapturedOutput();
        using var lambda = CreateLambda(receiver.Endpoint, output, TimeSpan.FromSeconds(5));
        var requestId = LambdaHarness.NewRequestId();
        var logger = lambda.LoggerFactory.CreateLogger("x");

        await lambda.InvokeAsync(LambdaHarness.Context(requestId, LambdaHeader), _ =>
        {
            logger.LogInformation("exported");
            return Task.CompletedTask;
        });

        // The flush at the end of the invocation has already sent both signals: no waiting here.
        var requests = receiver.Requests.ToList();
        var traces = Assert.Single(requests, r => r.Path == "/v1/traces");
        Assert.Equal("application/x-protobuf", traces.ContentType);
        var resourceSpans = Assert.Single(Protobuf.Messages(traces.Body, 1));
        var resource = Protobuf.Attributes(Protobuf.Bytes(resourceSpans, 1)!, 1);
        Assert.Equal("orders", resource["service.name"]);
        Assert.Equal("aws_lambda", resource["cloud.platform"]);
        var scopeSpans = Assert.Single(Protobuf.Messages(resourceSpans, 2));
        Assert.Equal(ObserveLambda.InstrumentationName, Protobuf.String(Protobuf.Bytes(scopeSpans, 1)!, 1));
        var span = Assert.Single(Protobuf.Messages(scopeSpans, 2));
        Assert.Equal("5759e988bd862e3fe1be46a994272793", Protobuf.Hex(Protobuf.Bytes(span, 1)));
        Assert.Equal("53995c3f42cd8ad8", Protobuf.Hex(Protobuf.Bytes(span, 4)));
        Assert.Equal("orders", Protobuf.String(span, 5));
        Assert.Equal(2UL, Protobuf.Read(span).Single(f => f.Field == 6).Varint); // SPAN_KIND_SERVER
        var attributes = Protobuf.Attributes(span, 9);
        Assert.Equal(requestId, attributes["faas.invocation_id"]);
        Assert.Equal("True", attributes["faas.coldstart"]);
        Assert.Equal(Protobuf.Hex(Protobuf.Bytes(span, 2)), Assert.Single(output.Json, l => l.TryGetProperty("requestId", out _)).GetProperty("span_id").GetString());

        var metrics = Assert.Single(requests, r => r.Path == "/v1/metrics");
        var names = Protobuf.Messages(metrics.Body, 1).SelectMany(rm => Protobuf.Messages(rm, 2)).SelectMany(sm => Protobuf.Messages(sm, 2)).Select(m => Protobuf.String(m, 1)).ToList();
        Assert.Contains("faas.invocations", names);
        Assert.Contains("faas.coldstarts", names);
        Assert.Contains("faas.invoke_duration", names);
    }

    [Fact]
    public async Task InvokeAsync_OtlpEndpointBlackHoled_FinishesWithinBudgetResultUnaffected()
    {
        using var blackHole = new BlackHole();
        using var lambda = CreateLambda(blackHole.Endpoint, new CapturedOutput(), flushTimeout: TimeSpan.FromMilliseconds(300));
        var stopwatch = Stopwatch.StartNew();

        var result = await lambda.InvokeAsync(LambdaHarness.Context(LambdaHarness.NewRequestId(), LambdaHeader), _ => Task.FromResult("result"));

        stopwatch.Stop();
        Assert.Equal("result", result);
        // 300 ms budget; the rest is the span and a thread hop, far from the exporter's own timeout.
        Assert.True(stopwatch.Elapsed < TimeSpan.FromMilliseconds(1500), $"took {stopwatch.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task InvokeAsync_OtlpEndpointBlackHoledAndDeadlineClose_DeadlineWinsOverFlushTimeout()
    {
        using var blackHole = new BlackHole();
        using var lambda = CreateLambda(blackHole.Endpoint, new CapturedOutput(), flushTimeout: TimeSpan.FromSeconds(30));
        var stopwatch = Stopwatch.StartNew();

        var result = await lambda.InvokeAsync(LambdaHarness.Context(LambdaHarness.NewRequestId(), LambdaHeader, remaining: TimeSpan.FromMilliseconds(700)), _ => Task.FromResult(1));

        stopwatch.Stop();
        Assert.Equal(1, result);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromMilliseconds(700), $"took {stopwatch.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task InvokeAsync_OtlpEndpointRefusesConnections_ResultUnaffected()
    {
        var closedPort = OtlpReceiver.FreePort();
        using var lambda = CreateLambda($"http://127.0.0.1:{closedPort}", new CapturedOutput(), TimeSpan.FromMilliseconds(500));

        var result = await lambda.InvokeAsync(LambdaHarness.Context(LambdaHarness.NewRequestId()), _ => Task.FromResult(42));

        Assert.Equal(42, result);
    }

    /// <summary>OTLP configured only through OTEL_* settings, as in a function's environment (handed to the SDK's configuration so parallel tests do not share process variables).</summary>
    private static ObserveLambda CreateLambda(string endpoint, CapturedOutput output, TimeSpan flushTimeout)
    {
        var settings = new Dictionary<string, string?>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = endpoint,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_EXPORTER_OTLP_TIMEOUT"] = "2000",
        };
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var options = new ObserveLambdaOptions
        {
            FlushTimeout = flushTimeout,
            ConfigureTracing = b => b.ConfigureServices(s => s.AddSingleton<IConfiguration>(configuration)),
            ConfigureMetrics = b => b.ConfigureServices(s => s.AddSingleton<IConfiguration>(configuration)),
        };
        var environment = TestEnvironment.Create([.. settings.Select(kv => (kv.Key, kv.Value!))]);
        return ObserveLambda.Create(options, environment, output.Sink, TimeProvider.System);
    }
}
