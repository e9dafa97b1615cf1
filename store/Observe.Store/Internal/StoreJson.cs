using System.Text.Json;
using System.Text.Json.Serialization;
using Observe.Store.Model;

namespace Observe.Store.Internal;

/// <summary>Nested values (tags, layers, segments, labels) are stored as JSON text; source-generated to stay trim-safe.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(Dictionary<string, long>))]
[JsonSerializable(typeof(List<string>))]
[JsonSerializable(typeof(List<EventSourceMapping>))]
[JsonSerializable(typeof(List<FunctionAlias>))]
[JsonSerializable(typeof(List<FunctionKey>))]
[JsonSerializable(typeof(List<TraceSegment>))]
[JsonSerializable(typeof(List<ServiceGraphNode>))]
[JsonSerializable(typeof(List<ServiceGraphEdge>))]
internal sealed partial class StoreJsonContext : JsonSerializerContext
{
}

internal static class StoreJson
{
    public static string Dictionary(IReadOnlyDictionary<string, string> value) =>
        JsonSerializer.Serialize(new Dictionary<string, string>(value, StringComparer.Ordinal), StoreJsonContext.Default.DictionaryStringString);

    public static Dictionary<string, string> Dictionary(string json) =>
        JsonSerializer.Deserialize(json, StoreJsonContext.Default.DictionaryStringString) ?? [];

    public static string Skips(SkipCounts value) =>
        JsonSerializer.Serialize(new Dictionary<string, long>(value.ByReason, StringComparer.Ordinal), StoreJsonContext.Default.DictionaryStringInt64);

    public static SkipCounts Skips(string json) =>
        SkipCounts.From(JsonSerializer.Deserialize(json, StoreJsonContext.Default.DictionaryStringInt64) ?? []);

    public static string Strings(IReadOnlyList<string> value) =>
        JsonSerializer.Serialize([.. value], StoreJsonContext.Default.ListString);

    public static List<string> Strings(string json) => JsonSerializer.Deserialize(json, StoreJsonContext.Default.ListString) ?? [];

    public static string EventSources(IReadOnlyList<EventSourceMapping> value) =>
        JsonSerializer.Serialize([.. value], StoreJsonContext.Default.ListEventSourceMapping);

    public static List<EventSourceMapping> EventSources(string json) =>
        JsonSerializer.Deserialize(json, StoreJsonContext.Default.ListEventSourceMapping) ?? [];

    public static string Aliases(IReadOnlyList<FunctionAlias> value) =>
        JsonSerializer.Serialize([.. value], StoreJsonContext.Default.ListFunctionAlias);

    public static List<FunctionAlias> Aliases(string json) =>
        JsonSerializer.Deserialize(json, StoreJsonContext.Default.ListFunctionAlias) ?? [];

    public static string Functions(IReadOnlyList<FunctionKey> value) =>
        JsonSerializer.Serialize([.. value], StoreJsonContext.Default.ListFunctionKey);

    public static List<FunctionKey> Functions(string json) => JsonSerializer.Deserialize(json, StoreJsonContext.Default.ListFunctionKey) ?? [];

    public static string Segments(IReadOnlyList<TraceSegment> value) =>
        JsonSerializer.Serialize([.. value], StoreJsonContext.Default.ListTraceSegment);

    public static List<TraceSegment> Segments(string json) => JsonSerializer.Deserialize(json, StoreJsonContext.Default.ListTraceSegment) ?? [];

    public static string Nodes(IReadOnlyList<ServiceGraphNode> value) =>
        JsonSerializer.Serialize([.. value], StoreJsonContext.Default.ListServiceGraphNode);

    public static List<ServiceGraphNode> Nodes(string json) => JsonSerializer.Deserialize(json, StoreJsonContext.Default.ListServiceGraphNode) ?? [];

    public static string Edges(IReadOnlyList<ServiceGraphEdge> value) =>
        JsonSerializer.Serialize([.. value], StoreJsonContext.Default.ListServiceGraphEdge);

    public static List<ServiceGraphEdge> Edges(string json) => JsonSerializer.Deserialize(json, StoreJsonContext.Default.ListServiceGraphEdge) ?? [];
}
