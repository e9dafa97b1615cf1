using Microsoft.Extensions.Logging;

namespace Observe.Instrumentation.Tests;

public class SelfDiagnosticsTests
{
    [Fact]
    public void LogValueThrows_ReportedAsLogWriteFailed()
    {
        using var events = new DiagnosticEvents();
        var output = new CapturedOutput();
        using var factory = TestEnvironment.CreateLoggerFactory(output, TestEnvironment.Create());

        factory.CreateLogger("x").LogInformation("{Value}", new Exploding());

        Assert.Contains(events.Named("LogWriteFailed"), e => ((string)e.Payload![0]!).Contains("exploding value", StringComparison.Ordinal));
    }

    [Fact]
    public void EmbeddedMetricsBadInput_ReportedAsMetricDropped()
    {
        using var events = new DiagnosticEvents();
        var metrics = new EmbeddedMetrics("ns-diagnostics", [new("known")], [["dim"]], new CapturedOutput().Sink, TimeProvider.System);

        metrics.Record("unknown-metric-name", 1);
        metrics.Record("known", double.NaN);
        metrics.SetDimension("not-a-dimension", "v");

        var dropped = events.Named("MetricDropped").Select(e => (string)e.Payload![0]!).ToList();
        Assert.Contains("unknown-metric-name", dropped);
        Assert.Contains("known", dropped);
        Assert.Contains("not-a-dimension", dropped);
    }

    [Fact]
    public void MalformedEvent_ReportedAsEventNotReadable()
    {
        using var events = new DiagnosticEvents();

        var info = Internal.EventInspector.Inspect("{\"headers\": {\"traceparent\": "u8, []);

        Assert.Equal("other", info.Trigger);
        Assert.NotEmpty(events.Named("EventNotReadable"));
    }

    private sealed class Exploding
    {
        public override string ToString() => throw new InvalidOperationException("exploding value");
    }
}
