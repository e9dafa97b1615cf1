using System.Security.Cryptography;
using System.Text;

namespace Observe.Dashboard.Auth;

/// <summary>
/// The form of an API key, <c>obs_{id}_{secret}</c>: a public id (16 hex digits) naming the stored key, and a 256-bit
/// random secret (base64url). Only the secret's SHA-256 is stored; a presented key is found by its id and its secret
/// compared with the stored hashes in constant time.
/// </summary>
internal static class ApiKeySecrets
{
    public const string Prefix = "obs_";
    private const int IdBytes = 8;
    private const int SecretBytes = 32;

    /// <summary>A new key id.</summary>
    public static string NewId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(IdBytes));

    /// <summary>A new secret for <paramref name="id"/>: the whole key as the client sends it, and the hash to store.</summary>
    public static (string Key, string Hash) NewSecret(string id)
    {
        var secret = Base64UrlEncode(RandomNumberGenerator.GetBytes(SecretBytes));
        return ($"{Prefix}{id}_{secret}", Hash(secret));
    }

    /// <summary>Splits a presented key into its id and secret; false when it is not of the form.</summary>
    public static bool TryParse(string? key, out string id, out string secret)
    {
        id = secret = "";
        if (key is null || !key.StartsWith(Prefix, StringComparison.Ordinal) || key.Length != Prefix.Length + (IdBytes * 2) + 1 + 43)
        {
            return false;
        }

        var idPart = key.AsSpan(Prefix.Length, IdBytes * 2);
        if (key[Prefix.Length + (IdBytes * 2)] != '_' || !idPart.ContainsOnlyHexLower())
        {
            return false;
        }

        id = idPart.ToString();
        secret = key[(Prefix.Length + (IdBytes * 2) + 1)..];
        return true;
    }

    /// <summary>Lower-case hex of the secret's SHA-256.</summary>
    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    /// <summary>
    /// Whether <paramref name="secret"/> hashes to <paramref name="storedHash"/>, in time independent of where they
    /// differ; an empty or missing stored hash (revoked, no secondary) never matches.
    /// </summary>
    public static bool Matches(string secret, string? storedHash)
    {
        if (string.IsNullOrEmpty(storedHash) || storedHash.Length != SHA256.HashSizeInBytes * 2)
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Hash(secret)), Encoding.ASCII.GetBytes(storedHash));
    }

    private static string Base64UrlEncode(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static bool ContainsOnlyHexLower(this ReadOnlySpan<char> span)
    {
        foreach (var c in span)
        {
            if (c is not ((>= '0' and <= '9') or (>= 'a' and <= 'f')))
            {
                return false;
            }
        }

        return true;
    }
}
