using System.Diagnostics;

namespace Observe.Instrumentation.Internal;

/// <summary>Sampling decision carried by an X-Ray trace header.</summary>
internal enum XRaySampling : byte
{
    /// <summary>No <c>Sampled</c> field, or <c>Sampled=?</c> (the receiver decides).</summary>
    Undecided,
    NotSampled,
    Sampled,
}

/// <summary>
/// The parsed <c>X-Amzn-Trace-Id</c> value (<c>Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1</c>).
/// Parsing never throws: Lambda and callers hand us whatever a client sent, and a bad header must only mean "no parent".
/// </summary>
internal readonly struct XRayTraceHeader
{
    internal const string HeaderName = "X-Amzn-Trace-Id";

    // "1-" + 8 hex (epoch seconds) + "-" + 24 hex.
    private const int RootLength = 35;

    public XRayTraceHeader(ActivityTraceId traceId, ActivitySpanId parentId, XRaySampling sampling)
    {
        TraceId = traceId;
        ParentId = parentId;
        Sampling = sampling;
    }

    public ActivityTraceId TraceId { get; }

    /// <summary>The caller's span id; default when the header has only a root (ALB adds such headers).</summary>
    public ActivitySpanId ParentId { get; }

    public XRaySampling Sampling { get; }

    public bool HasParent => ParentId != default;

    /// <summary>The remote parent this header describes; only meaningful when <see cref="HasParent"/>.</summary>
    public ActivityContext ToContext() =>
        new(TraceId, ParentId, Sampling == XRaySampling.Sampled ? ActivityTraceFlags.Recorded : ActivityTraceFlags.None, isRemote: true);

    /// <summary>Parses a header value, tolerating unknown fields (<c>Self</c>, <c>Lineage</c>), spaces and any field order.</summary>
    public static bool TryParse(ReadOnlySpan<char> value, out XRayTraceHeader header)
    {
        header = default;
        ActivityTraceId traceId = default;
        ActivitySpanId parentId = default;
        var sampling = XRaySampling.Undecided;
        var hasRoot = false;
        Span<char> parentHex = stackalloc char[16];

        while (!value.IsEmpty)
        {
            var end = value.IndexOf(';');
            var part = (end < 0 ? value : value[..end]).Trim();
            value = end < 0 ? default : value[(end + 1)..];

            var eq = part.IndexOf('=');
            if (eq <= 0)
            {
                continue;
            }

            var key = part[..eq].Trim();
            var val = part[(eq + 1)..].Trim();
            if (key.Equals("Root", StringComparison.OrdinalIgnoreCase))
            {
                if (!TryParseRoot(val, out traceId))
                {
                    return false;
                }

                hasRoot = true;
            }
            else if (key.Equals("Parent", StringComparison.OrdinalIgnoreCase))
            {
                // A malformed parent makes the header useless as a parent link but the root still identifies the trace.
                parentId = IsLowerOrUpperHex(val, 16) && !IsAllZero(val) ? ActivitySpanId.CreateFromString(ToLowerHex(val, parentHex)) : default;
            }
            else if (key.Equals("Sampled", StringComparison.OrdinalIgnoreCase))
            {
                sampling = val switch
                {
                    "1" => XRaySampling.Sampled,
                    "0" => XRaySampling.NotSampled,
                    _ => XRaySampling.Undecided,
                };
            }
        }

        if (!hasRoot)
        {
            return false;
        }

        header = new XRayTraceHeader(traceId, parentId, sampling);
        return true;
    }

    /// <summary>Formats <c>Root=...;Parent=...;Sampled=...</c> into <paramref name="destination"/> (needs 80 chars).</summary>
    public static int Format(ActivityTraceId traceId, ActivitySpanId spanId, bool sampled, Span<char> destination)
    {
        "Root=".CopyTo(destination);
        var n = 5;
        n += WriteXRayTraceId(traceId, destination[n..]);
        ";Parent=".CopyTo(destination[n..]);
        n += 8;
        spanId.ToHexString().CopyTo(destination[n..]);
        n += 16;
        (sampled ? ";Sampled=1" : ";Sampled=0").CopyTo(destination[n..]);
        return n + 10;
    }

    /// <summary>Writes the X-Ray form <c>1-{8 hex}-{24 hex}</c> of a W3C trace id (35 chars).</summary>
    public static int WriteXRayTraceId(ActivityTraceId traceId, Span<char> destination)
    {
        var hex = traceId.ToHexString();
        destination[0] = '1';
        destination[1] = '-';
        hex.AsSpan(0, 8).CopyTo(destination[2..]);
        destination[10] = '-';
        hex.AsSpan(8, 24).CopyTo(destination[11..]);
        return RootLength;
    }

    private static bool TryParseRoot(ReadOnlySpan<char> root, out ActivityTraceId traceId)
    {
        traceId = default;
        if (root.Length != RootLength || root[0] != '1' || root[1] != '-' || root[10] != '-')
        {
            return false;
        }

        Span<char> hex = stackalloc char[32];
        var epoch = root.Slice(2, 8);
        var random = root.Slice(11, 24);
        if (!IsLowerOrUpperHex(epoch, 8) || !IsLowerOrUpperHex(random, 24))
        {
            return false;
        }

        ToLowerHex(epoch, hex);
        ToLowerHex(random, hex[8..]);
        if (IsAllZero(hex))
        {
            return false;
        }

        traceId = ActivityTraceId.CreateFromString(hex);
        return true;
    }

    private static bool IsLowerOrUpperHex(ReadOnlySpan<char> value, int length)
    {
        if (value.Length != length)
        {
            return false;
        }

        foreach (var c in value)
        {
            if (!char.IsAsciiHexDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsAllZero(ReadOnlySpan<char> hex) => !hex.ContainsAnyExcept('0');

    // ActivityTraceId/ActivitySpanId only accept lower-case hex.
    private static Span<char> ToLowerHex(ReadOnlySpan<char> source, Span<char> destination)
    {
        source.ToLowerInvariant(destination);
        return destination[..source.Length];
    }

    public override string ToString()
    {
        Span<char> buffer = stackalloc char[80];
        var n = Format(TraceId, ParentId, Sampling == XRaySampling.Sampled, buffer);
        return new string(buffer[..n]);
    }
}
