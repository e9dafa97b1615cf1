using System.Diagnostics;
using System.Text;
using BenchmarkDotNet.Attributes;
using Observe.Instrumentation;
using Observe.Instrumentation.Internal;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Observe.Benchmarks;

/// <summary>
/// Per-invocation overhead of the wrapper (span with its attributes, metrics, log context, reading the event), with
/// exporters that drop everything, against calling the handler directly. Export and flush are left out: the Runtime
/// API host runs them after the response.
/// </summary>
[MemoryDiagnoser]
public class InstrumentationInvocationBenchmarks
{
    private static readonly byte[] ApiGatewayEvent = Encoding.UTF8.GetBytes(
        """{"resource":"/orders","path":"/orders","httpMethod":"POST","headers":{"Content-Type":"application/json","User-Agent":"bench","traceparent":"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01","x-correlation-id":"c-1"},"requestContext":{"requestId":"r-1","stage":"prod","identity":{"sourceIp":"10.0.0.1"}},"body":"{\"orderId\":\"o-1\",\"quantity\":3}","isBase64Encoded":false}""");

    private readonly LambdaInvocationContext _context = new("bench-request", "arn:aws:lambda:eu-west-1:123456789012:function:orders", DateTimeOffset.MaxValue, "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1");
    private ObserveLambda _observe = null!;

    [GlobalSetup]
    public void Setup()
    {
        var options = new ObserveLambdaOptions
        {
            EnableOtlpExport = false,
            EmfNamespace = null,
            ConfigureTracing = b => b.AddProcessor(new SimpleActivityExportProcessor(new DroppingExporter<Activity>())),
            ConfigureMetrics = b => b.AddReader(new BaseExportingMetricReader(new DroppingExporter<Metric>())),
        };
        _observe = ObserveLambda.Create(options, new LambdaEnvironment(name => name == LambdaEnvironment.FunctionNameVariable ? "orders" : null), new LineSink(Stream.Null), TimeProvider.System);

        // The providers are built in the background; measure the steady state, with the SDK listening.
        _observe.WaitForTelemetry(TimeSpan.FromSeconds(30));
    }

    [GlobalCleanup]
    public void Cleanup() => _observe.Dispose();

    [Benchmark(Baseline = true)]
    public int HandlerOnly() => Handler();

    [Benchmark]
    public int Wrapped_XRayHeader()
    {
        var invocation = _observe.Begin(_context, default);
        var result = Handler();
        _observe.End(invocation, null);
        return result;
    }

    [Benchmark]
    public int Wrapped_ApiGatewayEvent()
    {
        var invocation = _observe.Begin(_context, ApiGatewayEvent);
        var result = Handler();
        _observe.End(invocation, null);
        return result;
    }

    private static int Handler() => ApiGatewayEvent.Length;

    private sealed class DroppingExporter<T> : BaseExporter<T>
        where T : class
    {
        public override ExportResult Export(in Batch<T> batch) => ExportResult.Success;
    }
}
