using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Observe.Alerting.Tests.Channels;

/// <summary>
/// The receiver's check exactly as docs/alerting-webhooks.md prints it, so the documented example is the one the tests
/// run against what the channel sends. It shares no code with the sender.
/// </summary>
internal static class WebhookSignature
{
    private static readonly TimeSpan ReplayWindow = TimeSpan.FromMinutes(5);

    public static bool IsValid(string secret, string? timestamp, string? signature, byte[] body, DateTimeOffset now)
    {
        // 1. The timestamp is recent: a captured request replayed later is refused.
        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || Math.Abs(now.ToUnixTimeSeconds() - seconds) > ReplayWindow.TotalSeconds)
        {
            return false;
        }

        // 2. The signature is "v1=" and 64 hex digits.
        if (signature is null || !signature.StartsWith("v1=", StringComparison.Ordinal) || signature.Length != 3 + 64)
        {
            return false;
        }

        byte[] given;
        try
        {
            given = Convert.FromHexString(signature.AsSpan(3));
        }
        catch (FormatException)
        {
            return false;
        }

        // 3. HMAC-SHA256 with the shared secret over "{timestamp}.{body}", the body's bytes exactly as received,
        //    compared in constant time.
        var signed = Encoding.UTF8.GetBytes(timestamp + ".").Concat(body).ToArray();
        var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed);
        return CryptographicOperations.FixedTimeEquals(expected, given);
    }
}
