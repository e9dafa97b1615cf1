using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.Options;
using Observe.Store;

namespace Observe.Dashboard.Auth;

/// <summary>The Data Protection key ring as the Settings page shows it: where it is kept and the keys in it.</summary>
public sealed class DataProtectionStatus(IKeyManager keys, IOptions<StoreOptions> store, TimeProvider time)
{
    /// <summary>Reads the ring (through the store, off the caller's thread: the key manager's API is synchronous).</summary>
    public async Task<KeyRingStatus> GetAsync()
    {
        var all = await Task.Run(keys.GetAllKeys);
        var now = time.GetUtcNow();
        var current = all.Where(k => !k.IsRevoked && k.ActivationDate <= now && k.ExpirationDate > now).MaxBy(k => k.ActivationDate);
        return new KeyRingStatus(
            store.Value.ParsedKind?.ToString() ?? store.Value.Kind,
            all.Count,
            all.Count(k => k.IsRevoked),
            current?.KeyId,
            current?.ActivationDate,
            current?.ExpirationDate);
    }
}

/// <summary>
/// The key ring: the store kind it is kept in, how many keys (revoked among them), and the key new cookies are
/// protected with (null when none is active yet: the first request creates one).
/// </summary>
public sealed record KeyRingStatus(string StoreKind, int Keys, int Revoked, Guid? CurrentKeyId, DateTimeOffset? CurrentActivated, DateTimeOffset? CurrentExpires);
