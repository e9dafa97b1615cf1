using System.Text.Json;
using System.Text.Json.Serialization;

namespace Observe.Alerting.Delivery;

/// <summary>The outbox's payload format: an <see cref="AlertMessage"/> as JSON, written before anything is sent.</summary>
internal static class AlertMessageJson
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public static string Serialize(AlertMessage message) => JsonSerializer.Serialize(message, Options);

    /// <summary>The message, or null with the reason when the payload cannot be read (it is then failed, not dropped).</summary>
    public static AlertMessage? Deserialize(string payload, out string? error)
    {
        try
        {
            var message = JsonSerializer.Deserialize<AlertMessage>(payload, Options);
            error = message is null ? "the payload is empty" : null;
            return message;
        }
        catch (JsonException e)
        {
            error = $"the payload is not a readable alert message: {e.Message}";
            return null;
        }
    }
}
