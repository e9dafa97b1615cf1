using System.Diagnostics;
using System.Text;
using System.Text.Json;
using OpenTelemetry.Trace;

namespace Observe.Instrumentation.Tests;

/// <summary>A real <see cref="ObserveLambda"/> with the real SDK, exporting to memory and writing lines to a capture.</summary>
internal sealed class LambdaHarness : IDisposable
{
    public LambdaHarness(Action<ObserveLambdaOptions>? configure = null, params (string Name, string Value)[] environment)
    {
        var options = new ObserveLambdaOptions { EnableOtlpExport = false };
        options.ConfigureTracing = builder => builder.AddInMemoryExporter(Spans);
        configure?.Invoke(options);
        Lambda = ObserveLambda.Create(options, TestEnvironment.Create(environment), Output.Sink, TimeProvider.System);

        // The SDK is built on a nice-19 thread, which a loaded machine can starve past a flush budget; tests of that
        // path hold it back with the gate, the others start once it is ready.
        if (options.TelemetrySetupGate is null)
        {
            Lambda.WaitForTelemetry(TimeSpan.FromSeconds(30));
        }
    }

    public ExportedItems<Activity> Spans { get; } = new();

    public CapturedOutput Output { get; } = new();

    public ObserveLambda Lambda { get; }

    public static string NewRequestId() => Guid.NewGuid().ToString();

    public static LambdaInvocationContext Context(string requestId, string? traceHeader = null, TimeSpan? remaining = null) =>
        LambdaInvocationContext.FromRemainingTime(requestId, "arn:aws:lambda:eu-west-1:123456789012:function:orders:live", remaining ?? TimeSpan.FromSeconds(30), traceHeader);

    /// <summary>The span of one invocation (other tests' spans are filtered out by request id).</summary>
    public Activity SpanOf(string requestId) => Assert.Single(Spans, a => (string?)a.GetTagItem("faas.invocation_id") == requestId);

    public IReadOnlyList<JsonElement> LinesOf(string requestId) =>
        [.. Output.Json.Where(l => l.TryGetProperty("requestId", out var id) && id.GetString() == requestId)];

    public IReadOnlyList<JsonElement> EmfLines => [.. Output.Json.Where(l => l.TryGetProperty("_aws", out _))];

    public static ReadOnlyMemory<byte> Event(string json) => Encoding.UTF8.GetBytes(json);

    public void Dispose() => Lambda.Dispose();
}
