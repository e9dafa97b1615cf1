using System.Text.Json;
using System.Text.Json.Serialization;
using Observe.Alerting.Delivery;

namespace Observe.Alerting.Lifecycle;

/// <summary>
/// The outbox payload: an <see cref="AlertMessage"/> as JSON, written by the planner and read back by the senders and
/// by the next plan (which alerts the group's last notification said were firing). Enums by name, for people reading
/// the delivery log.
/// </summary>
internal static class AlertMessageJson
{
    public static string Serialize(AlertMessage message) =>
        JsonSerializer.Serialize(message, AlertMessageJsonContext.Default.AlertMessage);

    /// <exception cref="JsonException">The payload is not an alert message.</exception>
    public static AlertMessage Deserialize(string payload) =>
        JsonSerializer.Deserialize(payload, AlertMessageJsonContext.Default.AlertMessage)
        ?? throw new JsonException("The payload is JSON null, not an alert message");
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UseStringEnumConverter = true)]
[JsonSerializable(typeof(AlertMessage))]
internal sealed partial class AlertMessageJsonContext : JsonSerializerContext;
