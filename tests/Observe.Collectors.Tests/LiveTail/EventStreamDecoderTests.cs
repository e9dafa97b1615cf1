using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Observe.Collectors.LiveTail;

namespace Observe.Collectors.Tests.LiveTail;

/// <summary>The event-stream decoder on frames written from the format's description, split reads and hostile bytes.</summary>
public class EventStreamDecoderTests
{
    private static readonly Config Runs = Config.QuickThrowOnFailure.WithMaxTest(2000);

    [Fact]
    public void Crc32_OfTheStandardCheckString_IsTheIeeeCheckValue() =>
        Assert.Equal(0xCBF43926u, Crc32.Compute("123456789"u8));

    [Fact]
    public async Task ReadAsync_FramesOneByteAtATime_DecodesEachMessageInOrder()
    {
        var bytes = Concat(EventStreamFrames.SessionStart("s-9"), EventStreamFrames.SessionUpdate(true, "a", "b"), EventStreamFrames.Exception("SessionTimeoutException", "3 hours"));
        var stream = new TrickleStream(bytes);

        var start = await EventStreamDecoder.ReadAsync(stream, CancellationToken.None);
        var update = await EventStreamDecoder.ReadAsync(stream, CancellationToken.None);
        var timeout = await EventStreamDecoder.ReadAsync(stream, CancellationToken.None);

        Assert.Equal(("event", "sessionStart"), (start!.MessageType, start.EventType));
        Assert.Contains("\"sessionId\":\"s-9\"", Encoding.UTF8.GetString(start.Payload.Span));
        Assert.Equal("sessionUpdate", update!.EventType);
        Assert.Equal("application/json", update.GetString(":content-type"));
        Assert.Equal(("exception", "SessionTimeoutException"), (timeout!.MessageType, timeout.ExceptionType));
        Assert.Null(await EventStreamDecoder.ReadAsync(stream, CancellationToken.None));
    }

    [Fact]
    public void Decode_EveryHeaderType_ReadsTheirValues()
    {
        var id = Guid.Parse("0f0e0d0c-0b0a-0908-0706-050403020100");
        var frame = EventStreamFrames.Message(
        [
            ("t", 0, []), ("f", 1, []), ("b", 2, [0xFF]), ("s", 3, [0x01, 0x02]), ("i", 4, [0, 0, 1, 0]), ("l", 5, [0, 0, 0, 0, 0, 0, 0, 7]),
            ("a", 6, [0, 2, 9, 8]), EventStreamFrames.StringHeader("str", "é"), ("ts", 8, BitConverter.GetBytes(1796000000000L).Reverse().ToArray()),
            ("u", 9, id.ToByteArray(bigEndian: true)),
        ], "{}"u8.ToArray());

        var headers = EventStreamDecoder.Decode(frame).Headers.ToDictionary(h => h.Name, h => h.Value);

        Assert.Equal([true, false, (sbyte)-1, (short)0x0102, 256, 7L], [headers["t"], headers["f"], headers["b"], headers["s"], headers["i"], headers["l"]]);
        Assert.Equal(new byte[] { 9, 8 }, (byte[])headers["a"]);
        Assert.Equal("é", headers["str"]);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1796000000000L), headers["ts"]);
        Assert.Equal(id, headers["u"]);
    }

    [Theory]
    [InlineData(1, "prelude CRC mismatch")]
    [InlineData(13, "message CRC mismatch")]
    public void Decode_OneByteChanged_NamesTheCrcThatCaughtIt(int offset, string expected)
    {
        var frame = EventStreamFrames.SessionUpdate(false, "x");
        frame[offset] ^= 0x40;

        var e = Assert.Throws<EventStreamFormatException>(() => EventStreamDecoder.Decode(frame));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public async Task ReadAsync_StreamEndsInsideAMessage_SaysSo()
    {
        var frame = EventStreamFrames.SessionUpdate(false, "x");

        var e = await Assert.ThrowsAsync<EventStreamFormatException>(() => EventStreamDecoder.ReadAsync(new MemoryStream(frame[..^3]), CancellationToken.None).AsTask());
        Assert.Contains($"ended inside a message ({frame.Length - 3} of {frame.Length} bytes)", e.Message);
    }

    [Fact]
    public async Task ReadAsync_HostileLength_IsRefusedBeforeAllocatingOrWaiting()
    {
        // A valid prelude CRC over a 4 GB length: must fail at once, not allocate it or wait for the bytes.
        var prelude = new byte[12];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(prelude, 0xFFFFFFF0);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(prelude.AsSpan(8), Crc32.Compute(prelude.AsSpan(0, 8)));

        var e = await Assert.ThrowsAsync<EventStreamFormatException>(() => EventStreamDecoder.ReadAsync(new MemoryStream(prelude), CancellationToken.None).AsTask());
        Assert.Contains("message length 4294967280 is outside", e.Message);
    }

    [Fact]
    public void Decode_HeaderValueRunningPastTheBlock_NamesTheHeader()
    {
        // A string header that claims 300 bytes but has 2.
        var frame = EventStreamFrames.Raw([4, .. "name"u8, 7, 0x01, 0x2C, 1, 2], []);

        var e = Assert.Throws<EventStreamFormatException>(() => EventStreamDecoder.Decode(frame));
        Assert.Contains("name runs past the end of the headers", e.Message);
    }

    [Fact]
    public void RandomBytes_OnlyEverThrowTheFormatException() =>
        Check.One(Runs, Prop.ForAll(ArbMap.Default.ArbFor<byte[]>(), bytes => SurvivesStream(bytes, trickle: false) && SurvivesStream(bytes, trickle: true)));

    [Fact]
    public void RandomHeaderBlocksWithValidCrcs_OnlyEverThrowTheFormatException()
    {
        // Random bytes behind a correct prelude and CRCs reach the header parser, where hostile input does most harm.
        var frames =
            from headers in ArbMap.Default.GeneratorFor<byte[]>()
            from payload in ArbMap.Default.GeneratorFor<byte[]>()
            select EventStreamFrames.Raw(headers, payload);

        Check.One(Runs, Prop.ForAll(frames.ToArbitrary(), frame => SurvivesDecode(frame) && SurvivesStream(frame, trickle: true)));
    }

    [Fact]
    public void AnySingleByteCorruption_IsDetected()
    {
        var valid = EventStreamFrames.SessionUpdate(true, "REPORT RequestId: 1", "hello");
        var corrupted =
            from at in Gen.Choose(0, valid.Length - 1)
            from flip in Gen.Choose(1, 255)
            select (at, (byte)flip);

        Check.One(Runs, Prop.ForAll(corrupted.ToArbitrary(), c =>
        {
            var frame = (byte[])valid.Clone();
            frame[c.at] ^= c.Item2;
            try
            {
                EventStreamDecoder.Decode(frame);
                return false;
            }
            catch (EventStreamFormatException)
            {
                return true;
            }
        }));
    }

    private static bool SurvivesDecode(byte[] frame)
    {
        try
        {
            EventStreamDecoder.Decode(frame);
        }
        catch (EventStreamFormatException)
        {
        }

        return true;
    }

    private static bool SurvivesStream(byte[] bytes, bool trickle)
    {
        Stream stream = trickle ? new TrickleStream(bytes) : new MemoryStream(bytes);
        try
        {
            // Every read makes progress or ends, so this loop ends: the decoder cannot hang on finite input.
            while (EventStreamDecoder.ReadAsync(stream, CancellationToken.None).AsTask().GetAwaiter().GetResult() is not null)
            {
            }
        }
        catch (EventStreamFormatException)
        {
        }

        return true;
    }

    private static byte[] Concat(params byte[][] parts) => [.. parts.SelectMany(p => p)];

    /// <summary>Hands out one byte per read, the worst way a transport can split frames.</summary>
    private sealed class TrickleStream(byte[] data) : MemoryStream(data)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(1, buffer.Length)], cancellationToken);
    }
}
