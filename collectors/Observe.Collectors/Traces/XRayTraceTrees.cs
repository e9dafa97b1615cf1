using System.Globalization;
using System.Text.Json;
using Observe.Collectors.XRay;
using Observe.Store.Model;
using static Observe.Collectors.Traces.TraceJson;

namespace Observe.Collectors.Traces;

/// <summary>
/// Turns X-Ray segment documents (JSON; subsegments nested) into a <see cref="TraceTree"/>: one flat segment list
/// with parent ids, and the functions the trace went through. Never throws on a bad document: it is skipped and
/// counted, so one broken segment does not lose the rest of the trace. A span's annotations are kept as
/// <c>annotation.{key}</c> and its metadata as <c>metadata.{namespace}.{key}</c> (objects as their JSON), each value
/// up to <see cref="MetadataValueCap"/> characters and a span's metadata up to <see cref="MetadataSpanCap"/>; what a
/// cap cuts says so in the value (or in <c>metadata.cut</c>) and is counted.
/// </summary>
internal static class XRayTraceTrees
{
    public const string LambdaFunctionOrigin = "AWS::Lambda::Function";

    /// <summary>Characters kept of one metadata value: enough for an id, a payload summary or a short object.</summary>
    public const int MetadataValueCap = 1_024;

    /// <summary>Characters of metadata kept per span (keys and values): a span's row stays small in the store.</summary>
    public const int MetadataSpanCap = 8_192;

    /// <summary>The attribute naming how many metadata values the span cap left out.</summary>
    public const string MetadataCutKey = "metadata.cut";

    /// <summary>
    /// The tree of <paramref name="trace"/>; <paramref name="summary"/> (when GetTraceSummaries gave one) supplies
    /// the entry point and trace-level flags, the segments fill in what it lacks. Counts the segment documents that could
    /// not be read (<paramref name="skippedDocuments"/>) and the metadata values cut at <see cref="MetadataValueCap"/> or
    /// left out at <see cref="MetadataSpanCap"/> (<paramref name="cutMetadata"/>).
    /// </summary>
    public static TraceTree Build(XRayTrace trace, XRayTraceSummary? summary, string accountId, string region, out int skippedDocuments, out int cutMetadata)
    {
        var segments = new List<TraceSegment>();
        var functions = new List<FunctionKey>();
        var cut = new Counter();
        skippedDocuments = 0;
        foreach (var segment in trace.Segments ?? [])
        {
            if (!TryFlatten(segment.Document, segments, functions, accountId, region, cut))
            {
                skippedDocuments++;
            }
        }

        cutMetadata = cut.Value;

        segments.Sort((a, b) => a.Start != b.Start ? a.Start.CompareTo(b.Start) : string.CompareOrdinal(a.Id, b.Id));
        foreach (var arn in summary?.ResourceArns ?? [])
        {
            if (TryParseFunctionArn(arn.Arn, out var key))
            {
                functions.Add(key);
            }
        }

        return new TraceTree(Summarise(trace, summary, segments, functions), segments);
    }

    /// <summary>A function key from <c>arn:aws:lambda:{region}:{account}:function:{name}[:{qualifier}]</c>.</summary>
    public static bool TryParseFunctionArn(string? arn, out FunctionKey key)
    {
        key = default!;
        var parts = arn?.Split(':');
        if (parts is not { Length: >= 7 } || parts[0] != "arn" || parts[2] != "lambda" || parts[5] != "function" || parts[6].Length == 0)
        {
            return false;
        }

        key = new FunctionKey(parts[4], parts[3], parts[6]);
        return true;
    }

    /// <summary>Trace-level figures: the summary's where it has them, otherwise derived from the segments.</summary>
    public static TraceSummary Summarise(string traceId, IReadOnlyList<TraceSegment> segments, IEnumerable<FunctionKey> functions, double? durationSeconds, string? entryPoint, string? httpStatus)
    {
        var root = Roots(segments).FirstOrDefault();
        var start = segments.Count > 0 ? segments.Min(s => s.Start) : StartFromTraceId(traceId);
        var end = segments.Select(s => s.End ?? s.Start).DefaultIfEmpty(start).Max();
        return new TraceSummary
        {
            TraceId = traceId,
            Start = start,
            DurationMs = durationSeconds is > 0 ? durationSeconds.Value * 1000 : (end - start).TotalMilliseconds,
            HasError = segments.Any(s => s.Error),
            HasFault = segments.Any(s => s.Fault),
            HasThrottle = segments.Any(s => s.Throttle),
            EntryPoint = entryPoint ?? root?.Name,
            HttpStatus = httpStatus ?? (root is not null && root.Attributes.TryGetValue("http.status", out var status) ? status : null),
            Functions = [.. functions.Distinct().OrderBy(f => f.AccountId, StringComparer.Ordinal).ThenBy(f => f.Region, StringComparer.Ordinal).ThenBy(f => f.Name, StringComparer.Ordinal)],
        };
    }

    /// <summary>The trace's start from its id (<c>1-{epoch seconds hex}-...</c>), when there is nothing better.</summary>
    public static DateTimeOffset StartFromTraceId(string traceId) =>
        traceId.Length >= 10 && long.TryParse(traceId.AsSpan(2, 8), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : DateTimeOffset.UnixEpoch;

    /// <summary>Segments whose parent is not in the trace: the entry points, earliest first.</summary>
    public static IEnumerable<TraceSegment> Roots(IReadOnlyList<TraceSegment> segments)
    {
        var ids = segments.Select(s => s.Id).ToHashSet(StringComparer.Ordinal);
        return segments.Where(s => s.ParentId is null || !ids.Contains(s.ParentId)).OrderBy(s => s.Start);
    }

    private static TraceSummary Summarise(XRayTrace trace, XRayTraceSummary? summary, List<TraceSegment> segments, List<FunctionKey> functions)
    {
        var derived = Summarise(trace.Id, segments, functions, summary?.Duration is > 0 ? summary.Duration : trace.Duration, summary?.EntryPoint?.Name, summary?.Http?.HttpStatus?.ToString(CultureInfo.InvariantCulture));
        return derived with
        {
            Start = summary?.StartTime ?? derived.Start,
            HasError = derived.HasError || summary?.HasError == true,
            HasFault = derived.HasFault || summary?.HasFault == true,
            HasThrottle = derived.HasThrottle || summary?.HasThrottle == true,
        };
    }

    private static bool TryFlatten(string document, List<TraceSegment> into, List<FunctionKey> functions, string accountId, string region, Counter cut)
    {
        try
        {
            using var json = JsonDocument.Parse(document);
            var added = new List<TraceSegment>();
            if (json.RootElement.ValueKind != JsonValueKind.Object || !Flatten(json.RootElement, Text(json.RootElement, "parent_id"), added, functions, accountId, region, cut))
            {
                return false;
            }

            into.AddRange(added);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static bool Flatten(JsonElement element, string? parentId, List<TraceSegment> into, List<FunctionKey> functions, string accountId, string region, Counter cut)
    {
        var id = Text(element, "id");
        var start = Number(element, "start_time");
        if (id is null || start is null)
        {
            return false;
        }

        var origin = Text(element, "origin");
        var name = Text(element, "name") ?? "";
        var end = Number(element, "end_time");
        into.Add(new TraceSegment
        {
            Id = id,
            ParentId = parentId,
            Name = name,
            Origin = origin,
            Start = FromEpochSeconds(start.Value),
            End = end is null ? null : FromEpochSeconds(end.Value),
            Error = Flag(element, "error"),
            Fault = Flag(element, "fault"),
            Throttle = Flag(element, "throttle"),
            Attributes = Attributes(element, cut),
        });

        if (origin == LambdaFunctionOrigin)
        {
            functions.Add(TryParseFunctionArn(Text(element, "resource_arn"), out var key)
                ? key
                : new FunctionKey(Text(Child(element, "aws"), "account_id") ?? accountId, region, name));
        }

        if (element.TryGetProperty("subsegments", out var subsegments) && subsegments.ValueKind == JsonValueKind.Array)
        {
            foreach (var subsegment in subsegments.EnumerateArray())
            {
                // A broken subsegment loses only itself and its children, not its siblings.
                if (subsegment.ValueKind == JsonValueKind.Object)
                {
                    Flatten(subsegment, id, into, functions, accountId, region, cut);
                }
            }
        }

        return true;
    }

    private static Dictionary<string, string> Attributes(JsonElement element, Counter cut)
    {
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        Put(attributes, "namespace", Text(element, "namespace"));
        var http = Child(element, "http");
        Put(attributes, "http.method", Text(Child(http, "request"), "method"));
        Put(attributes, "http.url", Text(Child(http, "request"), "url"));
        Put(attributes, "http.status", Scalar(Child(http, "response"), "status"));
        var aws = Child(element, "aws");
        Put(attributes, "aws.operation", Text(aws, "operation"));
        Put(attributes, "aws.function_name", Text(aws, "function_name"));
        Put(attributes, "aws.request_id", Text(aws, "request_id"));
        Put(attributes, "aws.region", Text(aws, "region"));
        Put(attributes, "aws.account_id", Text(aws, "account_id"));
        Put(attributes, "aws.resource", Text(aws, "table_name") ?? Text(aws, "queue_url") ?? Text(aws, "bucket_name") ?? Text(aws, "topic_arn"));
        Put(attributes, "aws.resource_arn", Text(element, "resource_arn"));
        if (Child(element, "cause") is { } cause && cause.TryGetProperty("exceptions", out var exceptions) &&
            exceptions.ValueKind == JsonValueKind.Array && exceptions.GetArrayLength() > 0)
        {
            Put(attributes, "error.type", Text(exceptions[0], "type"));
            Put(attributes, "error.message", Text(exceptions[0], "message"));
        }

        if (Child(element, "annotations") is { ValueKind: JsonValueKind.Object } annotations)
        {
            foreach (var annotation in annotations.EnumerateObject())
            {
                Put(attributes, "annotation." + annotation.Name, ScalarText(annotation.Value));
            }
        }

        if (Child(element, "metadata") is { ValueKind: JsonValueKind.Object } metadata)
        {
            AddMetadata(attributes, metadata, cut);
        }

        return attributes;
    }

    /// <summary>
    /// <c>metadata</c> is namespaces of key-value pairs, any JSON as a value: each kept as its text (objects and arrays
    /// as compact JSON), cut at the caps with the cut said in the value and counted.
    /// </summary>
    private static void AddMetadata(Dictionary<string, string> attributes, JsonElement metadata, Counter cut)
    {
        var used = 0;
        var left = 0;
        foreach (var space in metadata.EnumerateObject())
        {
            if (space.Value.ValueKind != JsonValueKind.Object)
            {
                continue;
            }

            foreach (var entry in space.Value.EnumerateObject())
            {
                var key = $"metadata.{space.Name}.{entry.Name}";
                var value = ScalarText(entry.Value) ?? (entry.Value.ValueKind == JsonValueKind.Null ? "null" : entry.Value.GetRawText());
                if (value.Length > MetadataValueCap)
                {
                    value = string.Create(CultureInfo.InvariantCulture, $"{value[..MetadataValueCap]}… (cut: {value.Length:N0} characters, {MetadataValueCap:N0} kept)");
                    cut.Value++;
                }

                if (used + key.Length + value.Length > MetadataSpanCap)
                {
                    left++;
                    continue;
                }

                used += key.Length + value.Length;
                attributes[key] = value;
            }
        }

        if (left > 0)
        {
            cut.Value += left;
            attributes[MetadataCutKey] = string.Create(CultureInfo.InvariantCulture, $"{left} more metadata values not kept: the span's metadata is over {MetadataSpanCap:N0} characters");
        }
    }

    private sealed class Counter
    {
        public int Value { get; set; }
    }

    private static string? Scalar(JsonElement? element, string name) =>
        element is { ValueKind: JsonValueKind.Object } e && e.TryGetProperty(name, out var value) ? ScalarText(value) : null;

    private static string? ScalarText(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
        _ => null,
    };

    private static double? Number(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var number) && double.IsFinite(number)
            ? number
            : null;

    private static bool Flag(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.True;

    private static DateTimeOffset FromEpochSeconds(double seconds) =>
        DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(Math.Clamp(seconds, 0, 253_402_300_799) * 1000));
}
