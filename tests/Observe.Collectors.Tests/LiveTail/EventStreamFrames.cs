using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;
using Observe.Collectors.LiveTail;

namespace Observe.Collectors.Tests.LiveTail;

/// <summary>
/// Writes event-stream messages the way the AWS API reference describes StartLiveTail's response stream: prelude
/// (total length, headers length, prelude CRC32), string headers <c>:message-type</c>, <c>:event-type</c> or
/// <c>:exception-type</c> and <c>:content-type</c>, a JSON payload of the member's shape, and the message CRC32.
/// Kept apart from the decoder under test: it shares only the CRC, which the tests check against a known value.
/// </summary>
internal static class EventStreamFrames
{
    public static byte[] Message(IEnumerable<(string Name, byte Type, byte[] Value)> headers, byte[] payload)
    {
        var block = new List<byte>();
        foreach (var (name, type, value) in headers)
        {
            var nameBytes = Encoding.UTF8.GetBytes(name);
            block.Add((byte)nameBytes.Length);
            block.AddRange(nameBytes);
            block.Add(type);
            block.AddRange(value);
        }

        return Raw(block.ToArray(), payload);
    }

    /// <summary>A message around an arbitrary header block, with correct lengths and CRCs.</summary>
    public static byte[] Raw(byte[] headerBlock, byte[] payload)
    {
        var total = 16 + headerBlock.Length + payload.Length;
        var frame = new byte[total];
        BinaryPrimitives.WriteUInt32BigEndian(frame, (uint)total);
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(4), (uint)headerBlock.Length);
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(8), Crc32.Compute(frame.AsSpan(0, 8)));
        headerBlock.CopyTo(frame, 12);
        payload.CopyTo(frame, 12 + headerBlock.Length);
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(total - 4), Crc32.Compute(frame.AsSpan(0, total - 4)));
        return frame;
    }

    public static (string, byte, byte[]) StringHeader(string name, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        var encoded = new byte[2 + bytes.Length];
        BinaryPrimitives.WriteUInt16BigEndian(encoded, (ushort)bytes.Length);
        bytes.CopyTo(encoded, 2);
        return (name, 7, encoded);
    }

    public static byte[] Event(string eventType, JsonNode payload) => Message(
        [StringHeader(":message-type", "event"), StringHeader(":event-type", eventType), StringHeader(":content-type", "application/json")],
        Encoding.UTF8.GetBytes(payload.ToJsonString()));

    public static byte[] SessionStart(string sessionId = "session-1") => Event("sessionStart", new JsonObject
    {
        ["requestId"] = "req-" + sessionId,
        ["sessionId"] = sessionId,
        ["logGroupIdentifiers"] = new JsonArray("arn:aws:logs:eu-west-1:320000000001:log-group:/aws/lambda/orders"),
    });

    /// <summary>A sessionUpdate: <c>sessionMetadata.sampled</c> and <c>sessionResults</c> (LiveTailSessionLogEvent).</summary>
    public static byte[] SessionUpdate(bool sampled, params string[] messages) => Event("sessionUpdate", new JsonObject
    {
        ["sessionMetadata"] = new JsonObject { ["sampled"] = sampled },
        ["sessionResults"] = new JsonArray([.. messages.Select((m, i) => (JsonNode)new JsonObject
        {
            ["logStreamName"] = "2026/11/29/[$LATEST]abc",
            ["logGroupIdentifier"] = "arn:aws:logs:eu-west-1:320000000001:log-group:/aws/lambda/orders",
            ["message"] = m,
            ["timestamp"] = 1796000000000L + i,
            ["ingestionTime"] = 1796000000500L + i,
        })]),
    });

    public static byte[] Exception(string type, string message) => Message(
        [StringHeader(":message-type", "exception"), StringHeader(":exception-type", type), StringHeader(":content-type", "application/json")],
        Encoding.UTF8.GetBytes(new JsonObject { ["message"] = message }.ToJsonString()));
}
