using System.Buffers.Binary;
using System.Text;

namespace Observe.Collectors.LiveTail;

/// <summary>
/// Input that is not a well-formed <c>application/vnd.amazon.eventstream</c> message: a bad length, a CRC mismatch,
/// an unknown header type, a header running past its block, or a stream that ends inside a message.
/// </summary>
internal sealed class EventStreamFormatException(string message) : Exception(message);

/// <summary>
/// Reads AWS event-stream messages, written from the format's public description:
/// <code>
/// prelude:  total length (uint32 BE) | headers length (uint32 BE) | CRC32 of those 8 bytes (uint32 BE)
/// headers:  repeated { name length (1 byte) | name (UTF-8) | type (1 byte) | value }
/// payload:  total - headers - 16 bytes
/// trailer:  CRC32 of everything before it (uint32 BE)
/// </code>
/// Lengths are checked against the format's limits before anything is allocated, so a hostile length cannot make it
/// allocate gigabytes or wait for bytes that will never come; the prelude CRC is checked before the body is read.
/// </summary>
internal static class EventStreamDecoder
{
    public const int PreludeLength = 12;

    /// <summary>Prelude plus the trailing message CRC: the size of a message with no headers and no payload.</summary>
    public const int MinMessageLength = 16;

    /// <summary>The format's limits: 16 MiB of payload, 128 KiB of headers.</summary>
    public const int MaxPayloadLength = 16 * 1024 * 1024;
    public const int MaxHeadersLength = 128 * 1024;
    public const int MaxMessageLength = MaxPayloadLength + MaxHeadersLength + MinMessageLength;

    /// <summary>
    /// Reads the next message. Returns null when the stream ends cleanly between messages; throws
    /// <see cref="EventStreamFormatException"/> when it ends inside one or the bytes are not a valid message.
    /// Reads are assembled however the transport splits them.
    /// </summary>
    public static async ValueTask<EventStreamMessage?> ReadAsync(Stream stream, CancellationToken cancellationToken)
    {
        var prelude = new byte[PreludeLength];
        var got = await FillAsync(stream, prelude, cancellationToken).ConfigureAwait(false);
        if (got == 0)
        {
            return null;
        }

        if (got < PreludeLength)
        {
            throw new EventStreamFormatException($"the stream ended inside a message prelude ({got} of {PreludeLength} bytes)");
        }

        var (total, _) = ReadPrelude(prelude);
        var message = new byte[total];
        prelude.CopyTo(message, 0);
        got = await FillAsync(stream, message.AsMemory(PreludeLength), cancellationToken).ConfigureAwait(false);
        if (got < total - PreludeLength)
        {
            throw new EventStreamFormatException($"the stream ended inside a message ({PreludeLength + got} of {total} bytes)");
        }

        return Decode(message);
    }

    /// <summary>Decodes one complete message; <paramref name="message"/> must be exactly the message's bytes.</summary>
    public static EventStreamMessage Decode(ReadOnlyMemory<byte> message)
    {
        var span = message.Span;
        if (span.Length < PreludeLength)
        {
            throw new EventStreamFormatException($"a message needs at least {MinMessageLength} bytes, got {span.Length}");
        }

        var (total, headersLength) = ReadPrelude(span[..PreludeLength]);
        if (span.Length != total)
        {
            throw new EventStreamFormatException($"the prelude says {total} bytes but the message has {span.Length}");
        }

        var expected = BinaryPrimitives.ReadUInt32BigEndian(span[(total - 4)..]);
        var actual = Crc32.Compute(span[..(total - 4)]);
        if (expected != actual)
        {
            throw new EventStreamFormatException($"message CRC mismatch (stated 0x{expected:x8}, computed 0x{actual:x8})");
        }

        var headers = ReadHeaders(span.Slice(PreludeLength, headersLength));
        var payload = message.Slice(PreludeLength + headersLength, total - headersLength - MinMessageLength);
        return new EventStreamMessage(headers, payload);
    }

    private static (int Total, int HeadersLength) ReadPrelude(ReadOnlySpan<byte> prelude)
    {
        var total = BinaryPrimitives.ReadUInt32BigEndian(prelude);
        var headers = BinaryPrimitives.ReadUInt32BigEndian(prelude[4..]);
        var expected = BinaryPrimitives.ReadUInt32BigEndian(prelude[8..]);
        var actual = Crc32.Compute(prelude[..8]);
        if (expected != actual)
        {
            throw new EventStreamFormatException($"prelude CRC mismatch (stated 0x{expected:x8}, computed 0x{actual:x8}): not an event stream, or out of step");
        }

        if (total is < MinMessageLength or > MaxMessageLength)
        {
            throw new EventStreamFormatException($"message length {total} is outside {MinMessageLength}..{MaxMessageLength}");
        }

        if (headers > MaxHeadersLength || headers > total - MinMessageLength)
        {
            throw new EventStreamFormatException($"headers length {headers} does not fit a {total}-byte message (at most {MaxHeadersLength})");
        }

        return ((int)total, (int)headers);
    }

    private static List<EventStreamHeader> ReadHeaders(ReadOnlySpan<byte> block)
    {
        var headers = new List<EventStreamHeader>();
        var at = 0;
        while (at < block.Length)
        {
            var nameLength = block[at++];
            if (nameLength == 0)
            {
                throw new EventStreamFormatException($"header at offset {at - 1} has an empty name");
            }

            var name = Utf8(Take(block, ref at, nameLength, "header name"), "header name");
            var type = (EventStreamHeaderType)Take(block, ref at, 1, $"type of header '{name}'")[0];
            object value = type switch
            {
                EventStreamHeaderType.BoolTrue => true,
                EventStreamHeaderType.BoolFalse => false,
                EventStreamHeaderType.Byte => (sbyte)Take(block, ref at, 1, name)[0],
                EventStreamHeaderType.Int16 => BinaryPrimitives.ReadInt16BigEndian(Take(block, ref at, 2, name)),
                EventStreamHeaderType.Int32 => BinaryPrimitives.ReadInt32BigEndian(Take(block, ref at, 4, name)),
                EventStreamHeaderType.Int64 => BinaryPrimitives.ReadInt64BigEndian(Take(block, ref at, 8, name)),
                EventStreamHeaderType.Timestamp => Timestamp(BinaryPrimitives.ReadInt64BigEndian(Take(block, ref at, 8, name)), name),
                EventStreamHeaderType.ByteArray => Take(block, ref at, BinaryPrimitives.ReadUInt16BigEndian(Take(block, ref at, 2, name)), name).ToArray(),
                EventStreamHeaderType.String => Utf8(Take(block, ref at, BinaryPrimitives.ReadUInt16BigEndian(Take(block, ref at, 2, name)), name), $"value of header '{name}'"),
                EventStreamHeaderType.Uuid => new Guid(Take(block, ref at, 16, name), bigEndian: true),
                _ => throw new EventStreamFormatException($"header '{name}' has unknown value type {(byte)type}"),
            };
            headers.Add(new EventStreamHeader(name, type, value));
        }

        return headers;
    }

    private static ReadOnlySpan<byte> Take(ReadOnlySpan<byte> block, ref int at, int count, string what)
    {
        if (count > block.Length - at)
        {
            throw new EventStreamFormatException($"{what} runs past the end of the headers ({count} bytes needed at offset {at} of {block.Length})");
        }

        var slice = block.Slice(at, count);
        at += count;
        return slice;
    }

    private static DateTimeOffset Timestamp(long milliseconds, string name) =>
        milliseconds is >= -62135596800000 and <= 253402300799999
            ? DateTimeOffset.FromUnixTimeMilliseconds(milliseconds)
            : throw new EventStreamFormatException($"header '{name}' holds timestamp {milliseconds}, outside the representable range");

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static string Utf8(ReadOnlySpan<byte> bytes, string what)
    {
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw new EventStreamFormatException($"{what} is not valid UTF-8");
        }
    }

    private static async ValueTask<int> FillAsync(Stream stream, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var filled = 0;
        while (filled < buffer.Length)
        {
            var read = await stream.ReadAsync(buffer[filled..], cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            filled += read;
        }

        return filled;
    }
}

/// <summary>CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), the checksum event-stream messages carry.</summary>
internal static class Crc32
{
    private static readonly uint[] Table = BuildTable();

    public static uint Compute(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return ~crc;
    }

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (var i = 0u; i < 256; i++)
        {
            var c = i;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }

            table[i] = c;
        }

        return table;
    }
}
