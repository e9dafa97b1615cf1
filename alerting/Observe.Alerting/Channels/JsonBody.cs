using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Observe.Alerting.Channels;

/// <summary>Request bodies as UTF-8 JSON. Payloads are built as <see cref="JsonNode"/> trees: no reflection, trim-safe.</summary>
internal static class JsonBody
{
    private static readonly JsonSerializerOptions Compact = new() { WriteIndented = false };

    public static byte[] Bytes(JsonNode node) => Encoding.UTF8.GetBytes(node.ToJsonString(Compact));

    public static ByteArrayContent Of(JsonNode node) => Of(Bytes(node));

    public static ByteArrayContent Of(byte[] utf8)
    {
        var content = new ByteArrayContent(utf8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        return content;
    }
}
