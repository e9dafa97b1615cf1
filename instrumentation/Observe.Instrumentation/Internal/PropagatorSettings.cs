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

    private PropagatorSettings(bool isDefault, bool lambdaWins, Kind[] order)
    {
        IsDefault = isDefault;
        LambdaWins = lambdaWins;
        Order = order;
    }

    public enum Kind
    {
        TraceContext,
        XRay,
    }

    /// <summary>The package's behaviour: <c>OTEL_PROPAGATORS</c> is not set.</summary>
    public bool IsDefault { get; }

    /// <summary>Whether <c>xray-lambda</c> is listed: Lambda's own X-Ray context takes priority over the event's.</summary>
    public bool LambdaWins { get; }

    /// <summary>The event propagators in the order listed.</summary>
    public Kind[] Order { get; }

    public static PropagatorSettings Read(LambdaEnvironment environment)
    {
        var text = environment.Read(Variable);
        if (string.IsNullOrWhiteSpace(text))
        {
            return new PropagatorSettings(isDefault: true, lambdaWins: false, []);
        }

        var order = new List<Kind>(2);
        var lambdaWins = false;
        foreach (var part in text.Split(','))
        {
            switch (part.Trim().ToLowerInvariant())
            {
                case "none":
                    // The specification: "none" means no automatically configured propagator at all.
                    return new PropagatorSettings(isDefault: false, lambdaWins: false, []);
                case "tracecontext":
                    Add(order, Kind.TraceContext);
                    break;
                case "xray":
                    Add(order, Kind.XRay);
                    break;
                case "xray-lambda":
                    lambdaWins = true;
                    Add(order, Kind.XRay);
                    break;
                case "baggage" or "":
                    break;
                default:
                    InstrumentationEventSource.Log.InvalidSetting(Variable, part.Trim(), "not a propagator this package reads (tracecontext, baggage, xray, xray-lambda, none); ignored");
                    break;
            }
        }

        return new PropagatorSettings(isDefault: false, lambdaWins, [.. order]);
    }

    private static void Add(List<Kind> order, Kind kind)
    {
        if (!order.Contains(kind))
        {
            order.Add(kind);
        }
    }
}
