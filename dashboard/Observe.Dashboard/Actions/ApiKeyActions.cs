using Observe.Dashboard.Auditing;
using Observe.Dashboard.Auth;
using Observe.Dashboard.Model;
using Observe.Store;
using Observe.Store.Model;

namespace Observe.Dashboard.Actions;

/// <summary>
/// Creating, rotating, retiring and revoking API keys: an Admin's, recorded under their name. Secrets are made here and
/// only their hashes are stored; the audit log gets the key's name, role and state, never a secret or its hash.
/// </summary>
public sealed class ApiKeyActions(IApiKeyWriter writer, IApiKeyReader reader, DashboardUser user, ActionAudit audit, TimeProvider time)
{
    /// <summary>Longest key name: it is shown in lists and logs.</summary>
    public const int MaxNameLength = 100;

    /// <exception cref="DashboardAccessDeniedException">The user is not an Admin; nothing was written.</exception>
    [RequiresRole(DashboardRoles.Admin)]
    public async Task<ApiKeyChange> CreateAsync(ApiKeyDraft draft, CancellationToken cancellationToken)
    {
        var actor = await user.DemandAsync(DashboardRoles.Admin);
        ArgumentNullException.ThrowIfNull(draft);
        var change = await CreateAsync(draft, actor, cancellationToken);
        await RecordAsync(actor, "apikey.create", change.Key?.Id ?? (draft.Name ?? "").Trim(), null, change, cancellationToken);
        return change;
    }

    private async Task<ApiKeyChange> CreateAsync(ApiKeyDraft draft, string actor, CancellationToken cancellationToken)
    {
        var name = (draft.Name ?? "").Trim();
        if (name.Length == 0)
        {
            return new ApiKeyChange(null, null, "name: say what the key is for (an assistant, a CI job); it is how the key is found again to rotate or revoke it");
        }

        if (name.Length > MaxNameLength || name.Any(char.IsControl))
        {
            return new ApiKeyChange(null, null, $"name: at most {MaxNameLength} characters, without line breaks or control characters");
        }

        if (!DashboardRoles.All.Contains(draft.Role, StringComparer.Ordinal))
        {
            return new ApiKeyChange(null, null, $"role: '{draft.Role}' is not a dashboard role; use {string.Join(", ", DashboardRoles.All)}");
        }

        var id = ApiKeySecrets.NewId();
        var (secret, hash) = ApiKeySecrets.NewSecret(id);
        var key = new ApiKey(id, name, draft.Role, time.GetUtcNow(), actor);
        return await writer.CreateApiKeyAsync(key, hash, cancellationToken)
            ? new ApiKeyChange(key, secret, null)
            : new ApiKeyChange(null, null, $"name: a working key is already named '{name}'; choose another name, or rotate that key");
    }

    /// <summary>A new primary secret; the old one keeps working as the secondary until it is retired.</summary>
    /// <exception cref="DashboardAccessDeniedException">The user is not an Admin; nothing was written.</exception>
    [RequiresRole(DashboardRoles.Admin)]
    public async Task<ApiKeyChange> RotateAsync(string id, CancellationToken cancellationToken)
    {
        var actor = await user.DemandAsync(DashboardRoles.Admin);
        var before = await FindAsync(id, cancellationToken);
        var (secret, hash) = ApiKeySecrets.NewSecret(id);
        var key = await writer.RotateApiKeyAsync(id, hash, time.GetUtcNow(), cancellationToken);
        var change = key is null
            ? new ApiKeyChange(null, null, "Not rotated: the key is revoked, or its old secret still works. Retire the old secret first, once its clients use the new one.")
            : new ApiKeyChange(key, secret, null);
        await RecordAsync(actor, "apikey.rotate", id, before, change, cancellationToken);
        return change;
    }

    /// <summary>Ends the secret a rotation left working.</summary>
    /// <exception cref="DashboardAccessDeniedException">The user is not an Admin; nothing was written.</exception>
    [RequiresRole(DashboardRoles.Admin)]
    public async Task<ApiKeyChange> RetireOldSecretAsync(string id, CancellationToken cancellationToken)
    {
        var actor = await user.DemandAsync(DashboardRoles.Admin);
        var before = await FindAsync(id, cancellationToken);
        var key = await writer.RetireApiKeySecondaryAsync(id, cancellationToken);
        var change = key is null
            ? new ApiKeyChange(null, null, "Nothing to retire: the key has no old secret, or it was revoked.")
            : new ApiKeyChange(key, null, null);
        await RecordAsync(actor, "apikey.retire-old-secret", id, before, change, cancellationToken);
        return change;
    }

    /// <summary>Ends both secrets at once: the next request with the key gets 401.</summary>
    /// <exception cref="DashboardAccessDeniedException">The user is not an Admin; nothing was written.</exception>
    [RequiresRole(DashboardRoles.Admin)]
    public async Task<ApiKeyChange> RevokeAsync(string id, CancellationToken cancellationToken)
    {
        var actor = await user.DemandAsync(DashboardRoles.Admin);
        var before = await FindAsync(id, cancellationToken);
        var key = await writer.RevokeApiKeyAsync(id, actor, time.GetUtcNow(), cancellationToken);
        var change = key is null
            ? new ApiKeyChange(null, null, "Not revoked: the key was already revoked, or no longer exists.")
            : new ApiKeyChange(key, null, null);
        await RecordAsync(actor, "apikey.revoke", id, before, change, cancellationToken);
        return change;
    }

    private async Task<ApiKey?> FindAsync(string id, CancellationToken cancellationToken) =>
        (await reader.GetApiKeysAsync(cancellationToken)).FirstOrDefault(k => k.Id == id);

    /// <summary>The key as it stands (name, role, rotation, revocation) or the refusal; the new secret never.</summary>
    private Task RecordAsync(string actor, string action, string target, ApiKey? before, ApiKeyChange change, CancellationToken cancellationToken) =>
        audit.RecordAsync(actor, action, target, before, change.Key is { } key ? key : new { outcome = change.Error }, cancellationToken);
}
