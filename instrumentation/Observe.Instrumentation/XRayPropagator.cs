using System.Diagnostics;
using Observe.Instrumentation.Internal;
using OpenTelemetry.Context.Propagation;

namespace Observe.Instrumentation;

/// <summary>
/// Reads and writes the AWS <c>X-Amzn-Trace-Id</c> header so spans join the traces of API Gateway, ALB, SQS and other
/// X-Ray-aware callers. Combine it with the W3C propagator in a <see cref="CompositeTextMapPropagator"/> when callers
/// may send either. A malformed header is ignored (no parent) rather than thrown.
/// </summary>
public sealed class XRayPropagator : TextMapPropagator
{
    private static readonly HashSet<string> HeaderFields = new(StringComparer.OrdinalIgnoreCase) { XRayTraceHeader.HeaderName };

    /// <summary>The header this propagator reads and writes: <c>X-Amzn-Trace-Id</c>.</summary>
    public override ISet<string> Fields => HeaderFields;

    /// <summary>
    /// Returns <paramref name="context"/> unchanged when it already holds a valid parent; otherwise the parent found in
    /// the carrier's <c>X-Amzn-Trace-Id</c> (also looked up in lower case, as HTTP/2 and API Gateway v2 send it).
    /// </summary>
    public override PropagationContext Extract<T>(PropagationContext context, T carrier, Func<T, string, IEnumerable<string>?> getter)
    {
        if (IsValid(context.ActivityContext) || carrier is null || getter is not { } get)
        {
            return context;
        }

        try
        {
            var value = get(carrier, XRayTraceHeader.HeaderName)?.FirstOrDefault();
            value ??= get(carrier, "x-amzn-trace-id")?.FirstOrDefault();
            if (value is null || !XRayTraceHeader.TryParse(value, out var header) || !header.HasParent)
            {
                return context;
            }

            return new PropagationContext(header.ToContext(), context.Baggage);
        }
        catch (Exception ex)
        {
            // The getter is the caller's code; its failure must not break the function being traced.
            InstrumentationEventSource.Log.PropagationFailed(ex);
            return context;
        }
    }

    /// <summary>Writes <c>Root=1-{time}-{random};Parent={span};Sampled={0|1}</c> for a valid context.</summary>
    public override void Inject<T>(PropagationContext context, T carrier, Action<T, string, string> setter)
    {
        if (!IsValid(context.ActivityContext) || carrier is null || setter is not { } set)
        {
            return;
        }

        Span<char> buffer = stackalloc char[80];
        var ctx = context.ActivityContext;
        var n = XRayTraceHeader.Format(ctx.TraceId, ctx.SpanId, (ctx.TraceFlags & ActivityTraceFlags.Recorded) != 0, buffer);
        set(carrier, XRayTraceHeader.HeaderName, new string(buffer[..n]));
    }

    private static bool IsValid(ActivityContext context) => context.TraceId != default && context.SpanId != default;
}
