namespace Observe.Instrumentation.Tests;

/// <summary>
/// Tests that start invocation spans: ActivitySource listeners are process-wide, so a tracer provider of one test
/// would see (and its sampler influence) the spans of another running at the same time.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TelemetryCollection
{
    public const string Name = "Telemetry";
}
