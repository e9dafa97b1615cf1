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

        var info = new EventInfo();
        var carrier = default(Carrier);
        string? requestContextId = null, eventId = null, detailType = null;
        var isHttp = false;
        List<Carrier>? records = null;
        string? recordSource = null;

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
                requestContextId = ReadStringMember(ref reader, "requestId"u8);
            }
            else if (reader.ValueTextEquals("httpMethod"u8) || reader.ValueTextEquals("routeKey"u8))
            {
                isHttp = true;
                reader.Read();
                reader.Skip();
            }
            else if (reader.ValueTextEquals("Records"u8))
            {
                reader.Read();
                records = ReadRecords(ref reader, correlationNames, out recordSource);
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
            info.Trigger = recordSource switch
            {
                "aws:sqs" or "aws:sns" => "pubsub",
                "aws:dynamodb" or "aws:kinesis" or "aws:s3" => "datasource",
                _ => "other",
            };
            if (records.Count == 1)
            {
                info.Parent = records[0].ToContext();
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
        }

        info.Parent = carrier.ToContext();
        info.CorrelationId = carrier.CorrelationId ?? requestContextId ?? (detailType is not null ? eventId : null);
        return info;
    }

    private static List<Carrier> ReadRecords(ref Utf8JsonReader reader, byte[][] correlationNames, out string? source)
    {
        source = null;
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
    }

    private struct Carrier
    {
        public string? TraceParent;
        public string? TraceState;
        public string? XRay;
        public string? CorrelationId;

        public void Set(Field field, string? value)
        {
            switch (field)
            {
                case Field.TraceParent: TraceParent ??= value; break;
                case Field.TraceState: TraceState ??= value; break;
                case Field.XRay: XRay ??= value; break;
                case Field.Correlation: CorrelationId ??= value; break;
            }
        }

        /// <summary>W3C <c>traceparent</c> first (an OpenTelemetry caller), then the X-Ray header.</summary>
        public readonly ActivityContext ToContext()
        {
            if (TraceParent is not null && ActivityContext.TryParse(TraceParent, TraceState, isRemote: true, out var w3c))
            {
                return w3c;
            }

            if (XRay is not null && XRayTraceHeader.TryParse(XRay, out var header) && header.HasParent)
            {
                return header.ToContext();
            }

            return default;
        }
    }
}
