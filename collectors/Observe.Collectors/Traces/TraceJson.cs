using System.Text.Json;

namespace Observe.Collectors.Traces;

/// <summary>
/// Lenient reads shared by the X-Ray and span parsers: a missing or mistyped field reads as null, never throws, so
/// one odd document field does not lose the segment.
/// </summary>
internal static class TraceJson
{
    /// <summary>Sets the attribute only when there is a value, so absent fields leave no empty attributes.</summary>
    public static void Put(Dictionary<string, string> attributes, string key, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            attributes[key] = value;
        }
    }

    public static JsonElement? Child(JsonElement? element, string name) =>
        element is { ValueKind: JsonValueKind.Object } e && e.TryGetProperty(name, out var child) && child.ValueKind == JsonValueKind.Object ? child : null;

    public static string? Text(JsonElement? element, string name) =>
        element is { ValueKind: JsonValueKind.Object } e && e.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
