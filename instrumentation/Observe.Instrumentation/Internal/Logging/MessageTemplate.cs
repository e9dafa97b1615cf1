namespace Observe.Instrumentation.Internal.Logging;

/// <summary>
/// A parsed Microsoft.Extensions.Logging message template (<c>"Order {OrderId} took {Elapsed:N1} ms"</c>). Holes are
/// positional, as in Microsoft.Extensions.Logging: the n-th hole takes the n-th value whatever its name. Parsed once per
/// template and cached by the logger provider, then rendered straight into a <see cref="CharBuffer"/>.
/// </summary>
internal sealed class MessageTemplate
{
    private readonly Segment[] _segments;

    private MessageTemplate(Segment[] segments, int holeCount)
    {
        _segments = segments;
        HoleCount = holeCount;
    }

    public int HoleCount { get; }

    public static MessageTemplate Parse(string template)
    {
        // Scanned twice, to count and then to fill an exact array: a List<Segment> over this struct would be one more
        // set of generic methods JIT-compiled on the first log call.
        var segments = new Segment[Scan(template, null, out _)];
        Scan(template, segments, out var holes);
        return new MessageTemplate(segments, holes);
    }

    /// <summary>Splits <paramref name="template"/> into segments, stored into <paramref name="segments"/> when given; returns how many there are.</summary>
    private static int Scan(string template, Segment[]? segments, out int holes)
    {
        var count = 0;
        var literal = new System.Text.StringBuilder();
        holes = 0;
        var i = 0;
        while (i < template.Length)
        {
            var c = template[i];
            if ((c == '{' || c == '}') && i + 1 < template.Length && template[i + 1] == c)
            {
                literal.Append(c);
                i += 2;
                continue;
            }

            var close = c == '{' ? template.IndexOf('}', i + 1) : -1;
            if (close < 0)
            {
                literal.Append(c);
                i++;
                continue;
            }

            AddLiteral(segments, ref count, literal);
            if (segments is not null)
            {
                segments[count] = Segment.ForHole(template.AsSpan(i + 1, close - i - 1), holes);
            }

            count++;
            holes++;
            i = close + 1;
        }

        AddLiteral(segments, ref count, literal);
        return count;
    }

    private static void AddLiteral(Segment[]? segments, ref int count, System.Text.StringBuilder literal)
    {
        if (literal.Length == 0)
        {
            return;
        }

        if (segments is not null)
        {
            segments[count] = Segment.ForLiteral(literal.ToString());
        }

        count++;
        literal.Clear();
    }

    /// <summary>
    /// Renders with the values of a Microsoft.Extensions.Logging state (the last entry is <c>{OriginalFormat}</c>).
    /// Values whose names are in <paramref name="redacted"/> render as <c>***</c>.
    /// </summary>
    public void Render(IReadOnlyList<KeyValuePair<string, object?>> values, int valueCount, IReadOnlySet<string> redacted, CharBuffer buffer)
    {
        foreach (var segment in _segments)
        {
            if (segment.Literal is { } text)
            {
                buffer.Append(text);
                continue;
            }

            var start = buffer.Length;
            if (segment.Index >= valueCount)
            {
                // Fewer arguments than holes: Microsoft.Extensions.Logging leaves the hole as written.
                buffer.Append("{");
                buffer.Append(segment.Name);
                buffer.Append("}");
                continue;
            }

            var pair = values[segment.Index];
            if (redacted.Count > 0 && redacted.Contains(pair.Key))
            {
                buffer.Append(JsonLogWriter.Redacted);
            }
            else
            {
                buffer.AppendValue(pair.Value, segment.Format);
            }

            if (segment.Alignment != 0)
            {
                buffer.Align(start, segment.Alignment);
            }
        }
    }

    private readonly struct Segment
    {
        private Segment(string? literal, string name, int index, int alignment, string? format)
        {
            Literal = literal;
            Name = name;
            Index = index;
            Alignment = alignment;
            Format = format;
        }

        public string? Literal { get; }

        public string Name { get; }

        public int Index { get; }

        public int Alignment { get; }

        public string? Format { get; }

        public static Segment ForLiteral(string text) => new(text, string.Empty, -1, 0, null);

        public static Segment ForHole(ReadOnlySpan<char> hole, int index)
        {
            string? format = null;
            var colon = hole.IndexOf(':');
            if (colon >= 0)
            {
                format = hole[(colon + 1)..].ToString();
                hole = hole[..colon];
            }

            var alignment = 0;
            var comma = hole.IndexOf(',');
            if (comma >= 0)
            {
                _ = int.TryParse(hole[(comma + 1)..].Trim(), System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out alignment);
                hole = hole[..comma];
            }

            return new Segment(null, hole.Trim().ToString(), index, alignment, format);
        }
    }
}
