using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Observe.Collectors.Traces;

/// <summary>
/// Decides by trace id alone whether a trace without fault, error or throttle is kept, so every pass (and every
/// replica, and a re-read of the late-arrival overlap) makes the same choice for the same trace.
/// </summary>
internal static class TraceSampler
{
    public static bool Keep(string traceId, double rate)
    {
        if (rate >= 1)
        {
            return true;
        }

        if (rate <= 0)
        {
            return false;
        }

        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(traceId), hash);
        return BinaryPrimitives.ReadUInt64BigEndian(hash) / (double)ulong.MaxValue < rate;
    }
}
