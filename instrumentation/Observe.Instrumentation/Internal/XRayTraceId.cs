using System.Buffers.Binary;
using System.Diagnostics;

namespace Observe.Instrumentation.Internal;

/// <summary>
/// Trace ids X-Ray accepts: the first 4 bytes are the start time in epoch seconds (X-Ray rejects segments whose
/// trace id time is more than 30 days old or in the future), the other 12 random.
/// </summary>
internal static class XRayTraceId
{
    public static ActivityTraceId Create(TimeProvider timeProvider)
    {
        Span<byte> bytes = stackalloc byte[16];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, (uint)timeProvider.GetUtcNow().ToUnixTimeSeconds());
        Random.Shared.NextBytes(bytes[4..]);
        return ActivityTraceId.CreateFromBytes(bytes);
    }

    /// <summary>
    /// Makes root activities of this process get time-prefixed trace ids. <see cref="Activity.TraceIdGenerator"/> is
    /// process-wide, so an existing generator (someone else's choice) is left alone; returns whether ours was installed.
    /// </summary>
    public static bool TryInstall(TimeProvider timeProvider)
    {
        if (Activity.TraceIdGenerator is not null)
        {
            return false;
        }

        Activity.TraceIdGenerator = () => Create(timeProvider);
        return true;
    }
}
