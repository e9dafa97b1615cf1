using System.Globalization;
using System.Text.Json;
using Observe.Store.Model;
using static Observe.Collectors.Traces.TraceJson;

namespace Observe.Collectors.Traces;

/// <summary>One span from the <c>aws/spans</c> log group, already mapped to a trace segment.</summary>
internal sealed record ParsedSpan(string TraceId, TraceSegment Segment, FunctionKey? Function);

/// <summary>
/// Reads CloudWatch Transaction Search spans: each <c>aws/spans</c> log event is one OpenTelemetry span as JSON
/// (<c>traceId</c>, <c>spanId</c>, <c>parentSpanId</c>, <c>name</c>, <c>kind</c>, <c>startTimeUnixNano</c>,
/// <c>endTimeUnixNano</c>, <c>attributes</c>, <c>status</c>, and the <c>resource</c> attributes of the service).
/// Trace ids become X-Ray's form so spans and X-Ray traces (and REPORT lines) share one id space.
/// </summary>
internal static class SpanTraceTrees
{
    /// <summary>The span in <paramref name="message"/>, or null (never an exception) when it is not a usable span.</summary>
    public static ParsedSpan? Parse(string message, string accountId, string region)
    {
        try
        {
            using var json = JsonDocument.Parse(message);
            var span = json.RootElement;
            if (span.ValueKind != JsonValueKind.Object ||
                ToXRayTraceId(Text(span, "traceId")) is not { } traceId ||
                Text(span, "spanId") is not { Length: > 0 } spanId ||
                Nanos(span, "startTimeUnixNano") is not { } start)
            {
                return null;
            }

            var attributes = Child(span, "attributes");
            var resource = Child(Child(span, "resource"), "attributes");
            var kind = Text(span, "kind");
            var status = Scalar(attributes, "http.response.status_code") ?? Scalar(attributes, "http.status_code");
            var failed = Text(Child(span, "status"), "code") is "ERROR" or "STATUS_CODE_ERROR";
            var code = int.TryParse(status, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) ? parsed : (int?)null;
            var isLambda = Text(resource, "cloud.platform") == "aws_lambda" || Text(resource, "faas.name") is not null;
            var isEntry = isLambda && kind is "SERVER" or "SPAN_KIND_SERVER";

            var mapped = new Dictionary<string, string>(StringComparer.Ordinal);
            Put(mapped, "span.kind", kind);
            Put(mapped, "http.method", Text(attributes, "http.request.method") ?? Text(attributes, "http.method"));
            Put(mapped, "http.url", Text(attributes, "url.full") ?? Text(attributes, "http.url"));
            Put(mapped, "http.status", status);
            Put(mapped, "aws.operation", Text(attributes, "rpc.method") ?? Text(attributes, "aws.remote.operation"));
            Put(mapped, "aws.service", Text(attributes, "rpc.service") ?? Text(attributes, "aws.remote.service"));
            Put(mapped, "aws.request_id", Text(attributes, "aws.request_id") ?? Text(attributes, "aws.request.id") ?? Text(attributes, "faas.invocation_id"));
            Put(mapped, "aws.function_name", isEntry ? Text(resource, "faas.name") : null);
            Put(mapped, "error.message", failed ? Text(Child(span, "status"), "message") : null);

            var end = Nanos(span, "endTimeUnixNano");
            var segment = new TraceSegment
            {
                Id = spanId,
                ParentId = Text(span, "parentSpanId") is { Length: > 0 } parent ? parent : null,
                Name = Text(span, "name") ?? "",
                Origin = isEntry ? XRayTraceTrees.LambdaFunctionOrigin : null,
                Start = start,
                End = end,

                // X-Ray's convention: fault for 5xx (or a failed span without an HTTP status), error for 4xx, and
                // throttle (an error too) for 429.
                Fault = code >= 500 || (failed && code is null),
                Error = code is >= 400 and < 500,
                Throttle = code == 429,
                Attributes = mapped,
            };

            FunctionKey? function = null;
            if (isEntry)
            {
                function = XRayTraceTrees.TryParseFunctionArn(Text(resource, "cloud.resource_id"), out var key)
                    ? key
                    : Text(resource, "faas.name") is { } name
                        ? new FunctionKey(Text(resource, "cloud.account.id") ?? accountId, Text(resource, "cloud.region") ?? region, name)
                        : null;
            }

            return new ParsedSpan(traceId, segment, function);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>A trace of spans; <paramref name="stored"/> (an earlier pass's part of the same trace) is merged in.</summary>
    public static TraceTree Build(string traceId, IReadOnlyList<ParsedSpan> spans, TraceTree? stored)
    {
        var segments = new Dictionary<string, TraceSegment>(StringComparer.Ordinal);
        foreach (var segment in stored?.Segments ?? [])
        {
            segments[segment.Id] = segment;
        }

        foreach (var span in spans)
        {
            segments[span.Segment.Id] = span.Segment;
        }

        var ordered = segments.Values.OrderBy(s => s.Start).ThenBy(s => s.Id, StringComparer.Ordinal).ToList();
        var functions = spans.Select(s => s.Function).OfType<FunctionKey>().Concat(stored?.Summary.Functions ?? []);
        return new TraceTree(XRayTraceTrees.Summarise(traceId, ordered, functions, null, null, null), ordered);
    }

    /// <summary>
    /// <c>1-{8 hex}-{24 hex}</c> from a W3C trace id (32 hex digits); an id already in X-Ray form is kept.
    /// </summary>
    public static string? ToXRayTraceId(string? traceId)
    {
        if (traceId is null)
        {
            return null;
        }

        if (traceId.Length == 35 && traceId.StartsWith("1-", StringComparison.Ordinal) && traceId[10] == '-')
        {
            return traceId;
        }

        return traceId.Length == 32 && traceId.All(char.IsAsciiHexDigit)
            ? $"1-{traceId[..8]}-{traceId[8..]}".ToLowerInvariant()
            : null;
    }

    private static string? Scalar(JsonElement? element, string name) =>
        element is { ValueKind: JsonValueKind.Object } e && e.TryGetProperty(name, out var value)
            ? value.ValueKind switch
            {
                JsonValueKind.String => value.GetString(),
                JsonValueKind.Number => value.GetRawText(),
                _ => null,
            }
            : null;

    // OTLP JSON writes 64-bit nanoseconds as a number or, per the protobuf JSON mapping, a string.
    private static DateTimeOffset? Nanos(JsonElement span, string name)
    {
        if (!span.TryGetProperty(name, out var value))
        {
            return null;
        }

        var ok = value.ValueKind switch
        {
            JsonValueKind.Number => value.TryGetInt64(out var n) ? n : (long?)null,
            JsonValueKind.String => long.TryParse(value.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var s) ? s : null,
            _ => null,
        };
        return ok is > 0 ? DateTimeOffset.FromUnixTimeMilliseconds(ok.Value / 1_000_000) : null;
    }
}
