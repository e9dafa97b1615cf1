using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace Observe.Instrumentation.Internal;

/// <summary>What the wrapper learns from an event: the caller's trace context, the trigger kind and a correlation id.</summary>
internal sealed class EventInfo
{
    public static readonly EventInfo Empty = new();

    public string Trigger { get; set; } = "other";

    /// <summary>The caller's context, from a single request or message; default when none or several.</summary>
    public ActivityContext Parent { get; set; }

    /// <summary>One context per message of a batch (SQS, SNS), linked rather than parented as OpenTelemetry's messaging conventions say.</summary>
    public List<ActivityLink>? Links { get; set; }

    public string? CorrelationId { get; set; }

    /// <summary>The caller's context from each propagator the event carries, for <c>OTEL_PROPAGATORS</c> to choose from.</summary>
    public ActivityContext TraceContextParent { get; set; }

    /// <summary>The caller's X-Ray context (an <c>X-Amzn-Trace-Id</c> header or SQS's <c>AWSTraceHeader</c>).</summary>
    public ActivityContext XRayParent { get; set; }

    /// <summary>HTTP request method (API Gateway, ALB), or null.</summary>
    public string? HttpMethod { get; set; }

    /// <summary>The route template (API Gateway v1 <c>resource</c>, v2 <c>routeKey</c>); null when unknown (ALB, <c>$default</c>).</summary>
    public string? HttpRoute { get; set; }

    public string? UrlPath { get; set; }

    public string? UrlScheme { get; set; }

    public string? ServerAddress { get; set; }

    /// <summary>The event source of a batch (<c>aws:sqs</c>, <c>aws:sns</c>, ...), or null.</summary>
    public string? RecordSource { get; set; }

    /// <summary>The queue of an SQS batch (the last part of the first record's <c>eventSourceARN</c>).</summary>
    public string? QueueName { get; set; }

    public int RecordCount { get; set; }
}

/// <summary>
/// Reads an event's raw JSON once with <see cref="Utf8JsonReader"/>, skipping everything but the few fields that carry
/// trace context (API Gateway/ALB headers, SQS/SNS message attributes and SQS's AWSTraceHeader, EventBridge detail) and a
/// correlation id. The event is never deserialized into objects or re-serialized; unknown shapes yield nothing.
/// </summary>
internal static class EventInspector
{
    private const int MaxLinks = 128;

    // Longer names are never trace or correlation fields; escaped names are not worth unescaping for the same reason.
    private const int MaxNameLength = 64;

    private static readonly JsonReaderOptions ReaderOptions = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    public static EventInfo Inspect(ReadOnlySpan<byte> json, byte[][] correlationNames)
    {
        if (json.IsEmpty)
        {
            return EventInfo.Empty;
        }

        try
        {
            return InspectCore(json, correlationNames);
        }
        catch (JsonException ex)
        {
            InstrumentationEventSource.Log.EventNotReadable(ex.Message);
            return EventInfo.Empty;
        }
    }

    private static EventInfo InspectCore(ReadOnlySpan<byte> json, byte[][] correlationNames)
    {
        var reader = new Utf8JsonReader(json, ReaderOptions);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return EventInfo.Empty;
        }

        var carrier = default(Carrier);
        string? eventId = null, detailType = null, resource = null, routeKey = null, method = null, path = null, rawPath = null;
        var requestContext = default(RequestContext);
        var isHttp = false;
        List<Carrier>? records = null;
        string? recordSource = null;
        var info = new EventInfo();

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("headers"u8))
            {
                reader.Read();
                ReadFlatCarrier(ref reader, ref carrier, correlationNames);
            }
            else if (reader.ValueTextEquals("requestContext"u8))
            {
                isHttp = true;
                reader.Read();
                ReadRequestContext(ref reader, ref requestContext);
            }
            else if (reader.ValueTextEquals("httpMethod"u8))
            {
                isHttp = true;
                method = ReadString(ref reader);
            }
            else if (reader.ValueTextEquals("routeKey"u8))
            {
                isHttp = true;
                routeKey = ReadString(ref reader);
            }
            else if (reader.ValueTextEquals("resource"u8))
            {
                resource = ReadString(ref reader);
            }
            else if (reader.ValueTextEquals("path"u8))
            {
                path = ReadString(ref reader);
            }
            else if (reader.ValueTextEquals("rawPath"u8))
            {
                rawPath = ReadString(ref reader);
            }
            else if (reader.ValueTextEquals("Records"u8))
            {
                reader.Read();
                records = ReadRecords(ref reader, correlationNames, out recordSource, out var sourceArn);
                info.QueueName = sourceArn is { } arn && arn.LastIndexOf(':') is var colon and >= 0 ? arn[(colon + 1)..] : null;
            }
            else if (reader.ValueTextEquals("detail-type"u8))
            {
                reader.Read();
                detailType = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                reader.Skip();
            }
            else if (reader.ValueTextEquals("id"u8))
            {
                reader.Read();
                eventId = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                reader.Skip();
            }
            else if (reader.ValueTextEquals("detail"u8))
            {
                reader.Read();
                ReadFlatCarrier(ref reader, ref carrier, correlationNames);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        if (records is { Count: > 0 })
        {
            info.RecordSource = recordSource;
            info.RecordCount = records.Count;
            info.Trigger = recordSource switch
            {
                "aws:sqs" or "aws:sns" => "pubsub",
                "aws:dynamodb" or "aws:kinesis" or "aws:s3" => "datasource",
                _ => "other",
            };
            if (records.Count == 1)
            {
                info.Parent = records[0].ToContext();
                info.TraceContextParent = records[0].TraceContextContext();
                info.XRayParent = records[0].XRayContext();
            }
            else
            {
                foreach (var record in records)
                {
                    if (record.ToContext() is { TraceId: var traceId } context && traceId != default && info.Links is not { Count: >= MaxLinks })
                    {
                        (info.Links ??= []).Add(new ActivityLink(context));
                    }
                }
            }

            info.CorrelationId = records[0].CorrelationId;
            return info;
        }

        if (detailType is not null)
        {
            info.Trigger = detailType == "Scheduled Event" ? "timer" : "pubsub";
        }
        else if (isHttp)
        {
            info.Trigger = "http";
            SetHttp(info, carrier, requestContext, method, resource, routeKey, path ?? rawPath);
        }

        info.Parent = carrier.ToContext();
        info.TraceContextParent = carrier.TraceContextContext();
        info.XRayParent = carrier.XRayContext();
        info.CorrelationId = carrier.CorrelationId ?? requestContext.RequestId ?? (detailType is not null ? eventId : null);
        return info;
    }

    /// <summary>
    /// The HTTP server attributes OpenTelemetry's conventions ask for, from API Gateway v1 (<c>resource</c> is the
    /// route), v2 (<c>routeKey</c> is "METHOD /route", or <c>$default</c> with no route) and ALB (no route).
    /// </summary>
    private static void SetHttp(EventInfo info, in Carrier carrier, in RequestContext context, string? method, string? resource, string? routeKey, string? path)
    {
        string? route = null;
        if (routeKey is not null && routeKey != "$default" && routeKey.IndexOf(' ') is var space and > 0)
        {
            method ??= routeKey[..space];
            route = routeKey[(space + 1)..];
        }
        else if (resource is not null)
        {
            route = resource;
        }

        info.HttpMethod = (method ?? context.Method)?.ToUpperInvariant();
        info.HttpRoute = route;
        info.UrlPath = path ?? context.Path;

        // API Gateway only serves HTTPS; an ALB says in X-Forwarded-Proto.
        info.UrlScheme = carrier.ForwardedProto ?? (context.DomainName is not null || routeKey is not null ? "https" : null);
        info.ServerAddress = carrier.Host ?? context.DomainName;
    }

    /// <summary>Positioned on a property name: reads its value as a string (null for any other token) and skips the rest.</summary>
    private static string? ReadString(ref Utf8JsonReader reader)
    {
        reader.Read();
        var value = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
        reader.Skip();
        return value;
    }

    private static void ReadRequestContext(ref Utf8JsonReader reader, ref RequestContext context)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("requestId"u8))
            {
                context.RequestId = ReadString(ref reader);
            }
            else if (reader.ValueTextEquals("domainName"u8))
            {
                context.DomainName = ReadString(ref reader);
            }
            else if (reader.ValueTextEquals("http"u8))
            {
                // API Gateway v2: {"method": "GET", "path": "/orders"}.
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    reader.Skip();
                    continue;
                }

                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (reader.ValueTextEquals("method"u8))
                    {
                        context.Method = ReadString(ref reader);
                    }
                    else if (reader.ValueTextEquals("path"u8))
                    {
                        context.Path = ReadString(ref reader);
                    }
                    else
                    {
                        reader.Read();
                        reader.Skip();
                    }
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
    }

    /// <summary>Reads a response's top-level <c>statusCode</c> (API Gateway and ALB proxy responses); null when there is none.</summary>
    public static int? ReadStatusCode(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json, ReaderOptions);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isStatus = reader.ValueTextEquals("statusCode"u8);
                reader.Read();
                if (isStatus && reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var status))
                {
                    return status;
                }

                reader.Skip();
            }
        }
        catch (JsonException)
        {
            // Not JSON, or a body that is not a proxy response: no status code to report.
        }

        return null;
    }

    private static List<Carrier> ReadRecords(ref Utf8JsonReader reader, byte[][] correlationNames, out string? source, out string? sourceArn)
    {
        source = null;
        sourceArn = null;
        var records = new List<Carrier>();
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            reader.Skip();
            return records;
        }

        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                continue;
            }

            var carrier = default(Carrier);
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("eventSource"u8) || reader.ValueTextEquals("EventSource"u8))
                {
                    reader.Read();
                    source ??= reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                    reader.Skip();
                }
                else if (reader.ValueTextEquals("eventSourceARN"u8))
                {
                    var arn = ReadString(ref reader);
                    sourceArn ??= arn;
                }
                else if (reader.ValueTextEquals("messageAttributes"u8))
                {
                    reader.Read();
                    ReadAttributeMap(ref reader, ref carrier, "stringValue"u8, correlationNames);
                }
                else if (reader.ValueTextEquals("attributes"u8))
                {
                    reader.Read();
                    carrier.XRay ??= ReadStringMember(ref reader, "AWSTraceHeader"u8);
                }
                else if (reader.ValueTextEquals("Sns"u8))
                {
                    reader.Read();
                    ReadSns(ref reader, ref carrier, correlationNames);
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            records.Add(carrier);
        }

        return records;
    }

    private static void ReadSns(ref Utf8JsonReader reader, ref Carrier carrier, byte[][] correlationNames)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isAttributes = reader.ValueTextEquals("MessageAttributes"u8);
            reader.Read();
            if (isAttributes)
            {
                ReadAttributeMap(ref reader, ref carrier, "Value"u8, correlationNames);
            }
            else
            {
                reader.Skip();
            }
        }
    }

    /// <summary>Reads <c>{"name": {"&lt;valueKey&gt;": "value", ...}}</c> (SQS and SNS message attributes).</summary>
    private static void ReadAttributeMap(ref Utf8JsonReader reader, ref Carrier carrier, ReadOnlySpan<byte> valueKey, byte[][] correlationNames)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var field = Classify(ref reader, correlationNames);
            reader.Read();
            if (field == Field.None)
            {
                reader.Skip();
                continue;
            }

            carrier.Set(field, ReadStringMember(ref reader, valueKey));
        }
    }

    /// <summary>Reads an object of string values (HTTP headers, EventBridge detail), keeping the interesting ones.</summary>
    private static void ReadFlatCarrier(ref Utf8JsonReader reader, ref Carrier carrier, byte[][] correlationNames)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var field = Classify(ref reader, correlationNames);
            reader.Read();
            if (field != Field.None && reader.TokenType == JsonTokenType.String)
            {
                carrier.Set(field, reader.GetString());
            }
            else
            {
                reader.Skip();
            }
        }
    }

    /// <summary>Positioned on an object (or anything else): returns the string member named <paramref name="name"/> and leaves the reader at the value's end.</summary>
    private static string? ReadStringMember(ref Utf8JsonReader reader, ReadOnlySpan<byte> name)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return null;
        }

        string? value = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var match = reader.ValueTextEquals(name);
            reader.Read();
            if (match && reader.TokenType == JsonTokenType.String)
            {
                value = reader.GetString();
            }
            else
            {
                reader.Skip();
            }
        }

        return value;
    }

    private static Field Classify(ref Utf8JsonReader reader, byte[][] correlationNames)
    {
        // Header names are case-insensitive (API Gateway v2 lower-cases them, v1 keeps the client's case).
        if (reader.ValueIsEscaped || reader.ValueSpan.Length > MaxNameLength)
        {
            return Field.None;
        }

        var raw = reader.ValueSpan;
        if (Ascii.EqualsIgnoreCase(raw, "traceparent"u8))
        {
            return Field.TraceParent;
        }

        if (Ascii.EqualsIgnoreCase(raw, "tracestate"u8))
        {
            return Field.TraceState;
        }

        if (Ascii.EqualsIgnoreCase(raw, "x-amzn-trace-id"u8) || Ascii.EqualsIgnoreCase(raw, "AWSTraceHeader"u8))
        {
            return Field.XRay;
        }

        if (Ascii.EqualsIgnoreCase(raw, "host"u8))
        {
            return Field.Host;
        }

        if (Ascii.EqualsIgnoreCase(raw, "x-forwarded-proto"u8))
        {
            return Field.ForwardedProto;
        }

        foreach (var correlation in correlationNames)
        {
            if (Ascii.EqualsIgnoreCase(raw, correlation))
            {
                return Field.Correlation;
            }
        }

        return Field.None;
    }

    private enum Field
    {
        None,
        TraceParent,
        TraceState,
        XRay,
        Correlation,
        Host,
        ForwardedProto,
    }

    /// <summary>The few members of an API Gateway or ALB <c>requestContext</c> the span uses.</summary>
    private struct RequestContext
    {
        public string? RequestId;
        public string? DomainName;
        public string? Method;
        public string? Path;
    }

    private struct Carrier
    {
        public string? TraceParent;
        public string? TraceState;
        public string? XRay;
        public string? CorrelationId;
        public string? Host;
        public string? ForwardedProto;

        public void Set(Field field, string? value)
        {
            switch (field)
            {
                case Field.TraceParent: TraceParent ??= value; break;
                case Field.TraceState: TraceState ??= value; break;
                case Field.XRay: XRay ??= value; break;
                case Field.Correlation: CorrelationId ??= value; break;
                case Field.Host: Host ??= value; break;
                case Field.ForwardedProto: ForwardedProto ??= value; break;
            }
        }

        /// <summary>W3C <c>traceparent</c> first (an OpenTelemetry caller), then the X-Ray header.</summary>
        public readonly ActivityContext ToContext() => TraceContextContext() is { TraceId: var id } w3c && id != default ? w3c : XRayContext();

        /// <summary>The W3C <c>traceparent</c>/<c>tracestate</c> context, or default.</summary>
        public readonly ActivityContext TraceContextContext() =>
            TraceParent is not null && ActivityContext.TryParse(TraceParent, TraceState, isRemote: true, out var w3c) ? w3c : default;

        /// <summary>The X-Ray header's context, or default.</summary>
        public readonly ActivityContext XRayContext() =>
            XRay is not null && XRayTraceHeader.TryParse(XRay, out var header) && header.HasParent ? header.ToContext() : default;
    }
}
