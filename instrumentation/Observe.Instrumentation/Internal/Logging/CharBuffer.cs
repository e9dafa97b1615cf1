using System.Collections;
using System.Globalization;

namespace Observe.Instrumentation.Internal.Logging;

/// <summary>A growable char buffer reused per thread, so rendering a message allocates nothing in steady state.</summary>
internal sealed class CharBuffer
{
    private char[] _chars = new char[256];

    public int Length { get; private set; }

    public ReadOnlySpan<char> Written => _chars.AsSpan(0, Length);

    public void Clear() => Length = 0;

    public void Append(ReadOnlySpan<char> value)
    {
        Ensure(value.Length);
        value.CopyTo(_chars.AsSpan(Length));
        Length += value.Length;
    }

    /// <summary>Appends a value the way Microsoft.Extensions.Logging renders template holes (invariant culture, "(null)", lists joined by ", ").</summary>
    public void AppendValue(object? value, string? format)
    {
        switch (value)
        {
            case null:
                Append("(null)");
                break;
            case string s:
                Append(s);
                break;
            case ISpanFormattable formattable:
                int written;
                while (!formattable.TryFormat(_chars.AsSpan(Length), out written, format, CultureInfo.InvariantCulture))
                {
                    Ensure(Math.Max(_chars.Length, 64));
                }

                Length += written;
                break;
            case IEnumerable items:
                var first = true;
                foreach (var item in items)
                {
                    if (!first)
                    {
                        Append(", ");
                    }

                    AppendValue(item, format);
                    first = false;
                }

                break;
            case IFormattable formattable:
                Append(formattable.ToString(format, CultureInfo.InvariantCulture));
                break;
            default:
                Append(value.ToString());
                break;
        }
    }

    /// <summary>Pads what was written since <paramref name="start"/> to <paramref name="alignment"/> like composite formatting: positive right-aligns.</summary>
    public void Align(int start, int alignment)
    {
        var width = Math.Abs(alignment);
        var written = Length - start;
        if (written >= width)
        {
            return;
        }

        var pad = width - written;
        Ensure(pad);
        if (alignment > 0)
        {
            _chars.AsSpan(start, written).CopyTo(_chars.AsSpan(start + pad));
            _chars.AsSpan(start, pad).Fill(' ');
        }
        else
        {
            _chars.AsSpan(Length, pad).Fill(' ');
        }

        Length += pad;
    }

    private void Ensure(int extra)
    {
        if (Length + extra <= _chars.Length)
        {
            return;
        }

        Array.Resize(ref _chars, Math.Max(_chars.Length * 2, Length + extra));
    }
}
