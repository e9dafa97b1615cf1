namespace Observe.Instrumentation.Internal;

/// <summary>
/// What log lines of the current invocation carry. Flows with the async context like <see cref="System.Diagnostics.Activity.Current"/>,
/// so log lines written on any task the handler starts are stamped with their invocation.
/// </summary>
internal sealed class InvocationState
{
    private static readonly AsyncLocal<InvocationState?> CurrentState = new();

    public InvocationState(LambdaInvocationContext context, XRayTraceHeader? traceHeader, bool coldStart, string? correlationId, double samplingRoll)
    {
        Context = context;
        TraceHeader = traceHeader;
        ColdStart = coldStart;
        CorrelationId = correlationId;
        SamplingRoll = samplingRoll;
    }

    public static InvocationState? Current
    {
        get => CurrentState.Value;
        set => CurrentState.Value = value;
    }

    public LambdaInvocationContext Context { get; }

    public XRayTraceHeader? TraceHeader { get; }

    public bool ColdStart { get; }

    public string? CorrelationId { get; }

    /// <summary>A uniform draw in [0, 1) made once per invocation; Debug logging is on for it when the draw is below the sample rate.</summary>
    public double SamplingRoll { get; }
}
