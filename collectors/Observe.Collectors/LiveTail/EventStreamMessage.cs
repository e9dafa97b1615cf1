namespace Observe.Collectors.LiveTail;

/// <summary>The value types an event-stream header can carry (the type byte on the wire).</summary>
internal enum EventStreamHeaderType : byte
{
    BoolTrue = 0,
    BoolFalse = 1,
    Byte = 2,
    Int16 = 3,
    Int32 = 4,
    Int64 = 5,
    ByteArray = 6,
    String = 7,
    Timestamp = 8,
    Uuid = 9,
}

/// <summary>One header of an event-stream message. <see cref="Value"/> is a bool, sbyte, short, int, long, byte[],
/// string, <see cref="DateTimeOffset"/> (timestamps) or <see cref="Guid"/>, as <see cref="Type"/> says.</summary>
internal readonly record struct EventStreamHeader(string Name, EventStreamHeaderType Type, object Value);

/// <summary>
/// One decoded <c>application/vnd.amazon.eventstream</c> message: its headers and payload. AWS marks what a message
/// is with string headers: <c>:message-type</c> (<c>event</c>, <c>exception</c> or <c>error</c>), then
/// <c>:event-type</c>, <c>:exception-type</c> or <c>:error-code</c>/<c>:error-message</c>.
/// </summary>
internal sealed class EventStreamMessage(IReadOnlyList<EventStreamHeader> headers, ReadOnlyMemory<byte> payload)
{
    public IReadOnlyList<EventStreamHeader> Headers { get; } = headers;

    public ReadOnlyMemory<byte> Payload { get; } = payload;

    public string? MessageType => GetString(":message-type");

    public string? EventType => GetString(":event-type");

    public string? ExceptionType => GetString(":exception-type");

    /// <summary>The value of a string header, or null when the message has no such header or it is not a string.</summary>
    public string? GetString(string name)
    {
        foreach (var header in Headers)
        {
            if (header.Type == EventStreamHeaderType.String && string.Equals(header.Name, name, StringComparison.Ordinal))
            {
                return (string)header.Value;
            }
        }

        return null;
    }
}
