using Observe.Instrumentation.Internal;

namespace Observe.Instrumentation.Tests;

public class ByteBufferTests
{
    [Fact]
    public void Writes_GrowPastTheInitialCapacity_AndKeepWhatWasWritten()
    {
        var buffer = new ByteBuffer(4);
        for (var i = 0; i < 1000; i++)
        {
            var span = buffer.GetSpan(3);
            Assert.True(span.Length >= 3);
            span[0] = (byte)(i % 251);
            buffer.Advance(1);
        }

        Assert.Equal(1000, buffer.WrittenSpan.Length);
        Assert.Equal(Enumerable.Range(0, 1000).Select(i => (byte)(i % 251)), buffer.WrittenSpan.ToArray());
        Assert.True(buffer.Capacity >= 1000);

        buffer.ResetWrittenCount();
        Assert.Equal(0, buffer.WrittenSpan.Length);
        Assert.True(buffer.GetMemory().Length >= 1);
    }

    [Fact]
    public void Advance_PastWhatWasHandedOut_OrNegative_Throws()
    {
        var buffer = new ByteBuffer(8);
        Assert.Throws<InvalidOperationException>(() => buffer.Advance(9));
        Assert.Throws<ArgumentOutOfRangeException>(() => buffer.Advance(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => buffer.GetSpan(-1));
        Assert.Equal(0, buffer.WrittenSpan.Length);
    }
}
