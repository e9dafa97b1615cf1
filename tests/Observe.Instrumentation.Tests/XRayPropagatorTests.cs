using System.Diagnostics;
using OpenTelemetry.Context.Propagation;

namespace Observe.Instrumentation.Tests;

public class XRayPropagatorTests
{
    private static readonly Func<Dictionary<string, string>, string, IEnumerable<string>?> Getter =
        (carrier, name) => carrier.TryGetValue(name, out var value) ? [value] : null;

    [Fact]
    public void Inject_ThenExtract_RoundTripsContext()
    {
        var propagator = new XRayPropagator();
        var context = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded);
        var carrier = new Dictionary<string, string>();

        propagator.Inject(new PropagationContext(context, default), carrier, (c, k, v) => c[k] = v);
        var extracted = propagator.Extract(default, carrier, Getter);

        Assert.Equal(context.TraceId, extracted.ActivityContext.TraceId);
        Assert.Equal(context.SpanId, extracted.ActivityContext.SpanId);
        Assert.Equal(ActivityTraceFlags.Recorded, extracted.ActivityContext.TraceFlags);
        Assert.True(extracted.ActivityContext.IsRemote);
    }

    [Fact]
    public void Extract_LowerCaseHeaderSampledZero_NotRecordedParent()
    {
        var carrier = new Dictionary<string, string> { ["x-amzn-trace-id"] = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0" };

        var extracted = new XRayPropagator().Extract(default, carrier, Getter);

        Assert.Equal("5759e988bd862e3fe1be46a994272793", extracted.ActivityContext.TraceId.ToHexString());
        Assert.Equal(ActivityTraceFlags.None, extracted.ActivityContext.TraceFlags);
    }

    [Fact]
    public void Extract_GetterThrows_ReturnsContextUnchanged()
    {
        var extracted = new XRayPropagator().Extract(default, new Dictionary<string, string>(), (_, _) => throw new InvalidOperationException("carrier broken"));

        Assert.Equal(default, extracted.ActivityContext);
    }

    [Fact]
    public void Extract_MalformedHeader_ReturnsDefault()
    {
        var carrier = new Dictionary<string, string> { ["X-Amzn-Trace-Id"] = "Root=garbage" };

        Assert.Equal(default, new XRayPropagator().Extract(default, carrier, Getter).ActivityContext);
    }
}
