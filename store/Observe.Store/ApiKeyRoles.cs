using Observe.Store.Model;

namespace Observe.Store;

/// <summary>The API keys as the settings page lists them: names, roles and times, never a secret or its hash.</summary>
public interface IApiKeyReader
{
    /// <summary>Every key, revoked ones included, working keys first, then by name.</summary>
    Task<IReadOnlyList<ApiKey>> GetApiKeysAsync(CancellationToken cancellationToken);
}

/// <summary>
/// Checking a presented key: the hashes to compare with, and the record of its use. Only the authentication handler
/// uses it; the hashes never leave the server.
/// </summary>
public interface IApiKeyCredentialReader
{
    /// <summary>The key with the hashes of its secrets; null when there is no key with that id.</summary>
    Task<ApiKeyCredential?> GetApiKeyCredentialAsync(string id, CancellationToken cancellationToken);

    /// <summary>Records that the key was used at <paramref name="at"/> (never moving the time back).</summary>
    Task RecordApiKeyUseAsync(string id, DateTimeOffset at, CancellationToken cancellationToken);
}

/// <summary>Creating, rotating and revoking API keys. Secrets arrive already hashed: the store never sees a key.</summary>
public interface IApiKeyWriter
{
    /// <summary>Stores a new key with its secret's hash; false, storing nothing, when a key not revoked has that name.</summary>
    Task<bool> CreateApiKeyAsync(ApiKey key, string secretHash, CancellationToken cancellationToken);

    /// <summary>
    /// Makes <paramref name="newSecretHash"/> the primary secret and the old primary the secondary, which keeps
    /// working; null, changing nothing, when the key is revoked, unknown or still has a secondary (retire it first).
    /// </summary>
    Task<ApiKey?> RotateApiKeyAsync(string id, string newSecretHash, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Ends the secondary secret; null when the key is revoked, unknown or has none.</summary>
    Task<ApiKey?> RetireApiKeySecondaryAsync(string id, CancellationToken cancellationToken);

    /// <summary>Ends both secrets at once and records who did; null when the key is unknown or already revoked.</summary>
    Task<ApiKey?> RevokeApiKeyAsync(string id, string actor, DateTimeOffset at, CancellationToken cancellationToken);
}
