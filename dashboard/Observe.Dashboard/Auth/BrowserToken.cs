using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace Observe.Dashboard.Auth;

/// <summary>
/// The token of <see cref="AuthMode.BrowserToken"/>: configured, or 32 random bytes drawn at start. A session cookie
/// carries a hash of the token it was issued for, so a restart with a new token ends the sessions of the old one.
/// </summary>
public sealed class BrowserToken
{
    /// <summary>The claim on a session cookie naming the token's hash.</summary>
    internal const string TokenClaim = "observe:browser-token";

    private readonly byte[] _token;

    public BrowserToken(IOptions<AuthOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Value = string.IsNullOrEmpty(options.Value.BrowserToken)
            ? WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32))
            : options.Value.BrowserToken;
        _token = Encoding.UTF8.GetBytes(Value);
        Hash = Convert.ToHexString(SHA256.HashData(_token));
    }

    /// <summary>The token itself, printed at start-up.</summary>
    public string Value { get; }

    /// <summary>The SHA-256 of the token, hex: what a session cookie carries.</summary>
    public string Hash { get; }

    /// <summary>Whether <paramref name="candidate"/> is the token, in time independent of where they differ.</summary>
    public bool Matches(string? candidate) =>
        candidate is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(candidate), _token);
}
