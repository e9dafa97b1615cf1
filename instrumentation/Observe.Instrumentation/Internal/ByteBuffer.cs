using System.Buffers;

namespace Observe.Instrumentation.Internal;

/// <summary>
/// A growable byte buffer for <see cref="System.Text.Json.Utf8JsonWriter"/>, like <see cref="ArrayBufferWriter{T}"/>:
/// this non-generic class is precompiled with the package, where <c>ArrayBufferWriter&lt;byte&gt;</c>'s methods were
/// JIT-compiled on the first log line of every cold start.
/// </summary>
internal sealed class ByteBuffer(int initialCapacity) : IBufferWriter<byte>
{
    private byte[] _array = new byte[initialCapacity];
    private int _written;

    public ReadOnlySpan<byte> WrittenSpan => _array.AsSpan(0, _written);

    public int Capacity => _array.Length;

    public void ResetWrittenCount() => _written = 0;

    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (_written > _array.Length - count)
        {
            throw new InvalidOperationException($"Cannot advance past the end of the buffer ({_array.Length - _written} bytes left, {count} asked).");
        }

        _written += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return _array.AsMemory(_written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return _array.AsSpan(_written);
    }

    private void Reserve(int sizeHint)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sizeHint);
        var needed = Math.Max(sizeHint, 1);
        if (_array.Length - _written >= needed)
        {
            return;
        }

        var size = Math.Max(_array.Length * 2L, (long)_written + needed);
        Array.Resize(ref _array, (int)Math.Min(size, Array.MaxLength));
        if (_array.Length - _written < needed)
        {
            throw new OutOfMemoryException($"A line of more than {Array.MaxLength} bytes cannot be buffered.");
        }
    }
}
