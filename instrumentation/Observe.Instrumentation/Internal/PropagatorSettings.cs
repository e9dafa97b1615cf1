namespace Observe.Instrumentation.Internal;

/// <summary>
/// <c>OTEL_PROPAGATORS</c>, read once: which trace contexts an invocation's span may be parented by. Unset keeps the
/// package's default (the event's <c>traceparent</c>, then its X-Ray header, then Lambda's own header). Set, only the
/// listed propagators count, as the OpenTelemetry specification says: <c>tracecontext</c> and <c>xray</c> read the
/// event's headers and message attributes, the first in the list that finds a context wins; <c>xray-lambda</c> (the
/// FaaS conventions' AWS Lambda propagator) reads the event's X-Ray header too, and Lambda's own X-Ray context
/// (<c>Lambda-Runtime-Trace-Id</c> / <c>_X_AMZN_TRACE_ID</c>) wins over everything when it has one; <c>none</c>
/// parents nothing. <c>baggage</c> is accepted and has nothing to parent.
/// </summary>
internal sealed class PropagatorSettings
{
    public const string Variable = "OTEL_PROPAGATORS";

    // Flags, not a list: this is read on the way to the first invocation, and a List or array of an enum is a generic
    // instantiation ReadyToRun may leave to the JIT.
    private static readonly PropagatorSettings PackageDefault = new() { IsDefault = true };

    /// <summary>The package's behaviour: <c>OTEL_PROPAGATORS</c> is not set.</summary>
    public bool IsDefault { get; private init; }

    /// <summary>Whether <c>xray-lambda</c> is listed: Lambda's own X-Ray context takes priority over the event's.</summary>
    public bool LambdaWins { get; private set; }

    /// <summary>Whether the event's W3C <c>traceparent</c> is read (<c>tracecontext</c>).</summary>
    public bool TraceContext { get; private set; }

    /// <summary>Whether the event's X-Ray header is read (<c>xray</c> or <c>xray-lambda</c>).</summary>
    public bool XRay { get; private set; }

    /// <summary>Whether <c>tracecontext</c> comes before the X-Ray propagators in the list (the first that finds a context wins).</summary>
    public bool TraceContextFirst { get; private set; }

    public static PropagatorSettings Read(LambdaEnvironment environment)
    {
        var text = environment.Read(Variable);
        if (string.IsNullOrWhiteSpace(text))
        {
            return PackageDefault;
        }

        var settings = new PropagatorSettings();
        foreach (var part in text.Split(','))
        {
            switch (part.Trim().ToLowerInvariant())
            {
                case "none":
                    // The specification: "none" means no automatically configured propagator at all.
                    return new PropagatorSettings();
                case "tracecontext":
                    settings.TraceContextFirst |= !settings.XRay;
                    settings.TraceContext = true;
                    break;
                case "xray":
                    settings.XRay = true;
                    break;
                case "xray-lambda":
                    settings.LambdaWins = true;
                    settings.XRay = true;
                    break;
                case "baggage" or "":
                    break;
                default:
                    InstrumentationEventSource.Log.InvalidSetting(Variable, part.Trim(), "not a propagator this package reads (tracecontext, baggage, xray, xray-lambda, none); ignored");
                    break;
            }
        }

        return settings;
    }
}
