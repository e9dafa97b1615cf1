using System.Text.Json;
using System.Text.Json.Serialization;

namespace Observe.Collectors.Traces;

/// <summary>
/// How far the traces collector got for one account and region, stored as JSON under
/// <c>traces/{account}/{region}</c>: traces are complete up to <see cref="TracesUntilMs"/>, service graph windows
/// up to <see cref="GraphUntilMs"/>, and <see cref="Pending"/> holds trace ids X-Ray had not finished processing.
/// </summary>
internal sealed record TracesCheckpoint
{
    public long? TracesUntilMs { get; init; }
    public long? GraphUntilMs { get; init; }
    public List<string> Pending { get; init; } = [];

    public static TracesCheckpoint Parse(string? value, string key)
    {
        if (string.IsNullOrEmpty(value))
        {
            return new TracesCheckpoint();
        }

        try
        {
            return JsonSerializer.Deserialize(value, TracesJsonContext.Default.TracesCheckpoint) ?? new TracesCheckpoint();
        }
        catch (JsonException e)
        {
            throw new InvalidOperationException($"the traces checkpoint '{key}' is not valid JSON ({e.Message}); delete it to start again from {TracesCollectorOptions.SectionName}:InitialLookback", e);
        }
    }

    public string Serialize() => JsonSerializer.Serialize(this, TracesJsonContext.Default.TracesCheckpoint);
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(TracesCheckpoint))]
internal sealed partial class TracesJsonContext : JsonSerializerContext;
