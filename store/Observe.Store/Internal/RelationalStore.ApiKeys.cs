using System.Data.Common;
using Observe.Store.Model;

namespace Observe.Store.Internal;

internal abstract partial class RelationalStore
{
    private const string ApiKeyColumns = "id, name, role, created_at, created_by, rotated_at, secondary_hash IS NOT NULL, last_used_at, revoked_at, revoked_by";

    public async Task<IReadOnlyList<ApiKey>> GetApiKeysAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenReadConnectionAsync(cancellationToken);
        await using var command = connection.Command(null, $"SELECT {ApiKeyColumns} FROM api_key ORDER BY CASE WHEN revoked_at IS NULL THEN 0 ELSE 1 END, name, id");
        return await command.ReadAllAsync(ReadApiKey, cancellationToken);
    }

    public async Task<ApiKeyCredential?> GetApiKeyCredentialAsync(string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        await using var connection = await OpenReadConnectionAsync(cancellationToken);
        await using var command = connection.Command(null, $"SELECT {ApiKeyColumns}, primary_hash, secondary_hash FROM api_key WHERE id = @id");
        command.AddText("@id", id);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new ApiKeyCredential(ReadApiKey(reader), reader.GetString(10), reader.GetNullableString(11))
            : null;
    }

    public async Task RecordApiKeyUseAsync(string id, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        await using var scope = await BeginWriteAsync(WriteLock.None, cancellationToken);
        await using (var command = scope.Command("UPDATE api_key SET last_used_at = @at WHERE id = @id AND (last_used_at IS NULL OR last_used_at < @at)"))
        {
            command.AddText("@id", id);
            command.AddInt64("@at", StoreTime.ToMs(at));
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await scope.CommitAsync(cancellationToken);
    }

    public async Task<bool> CreateApiKeyAsync(ApiKey key, string secretHash, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentException.ThrowIfNullOrEmpty(secretHash);
        await using var scope = await BeginWriteAsync(WriteLock.None, cancellationToken);
        int inserted;
        // Without a conflict target, so both the id and the working name's unique index make it a no-op.
        await using (var command = scope.Command("""
            INSERT INTO api_key (id, name, role, primary_hash, created_at, created_by)
            VALUES (@id, @name, @role, @hash, @created_at, @created_by)
            ON CONFLICT DO NOTHING
            """))
        {
            command.AddText("@id", key.Id);
            command.AddText("@name", key.Name);
            command.AddText("@role", key.Role);
            command.AddText("@hash", secretHash);
            command.AddInt64("@created_at", StoreTime.ToMs(key.CreatedAt));
            command.AddText("@created_by", key.CreatedBy);
            inserted = await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await scope.CommitAsync(cancellationToken);
        return inserted == 1;
    }

    public Task<ApiKey?> RotateApiKeyAsync(string id, string newSecretHash, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(newSecretHash);
        return UpdateApiKeyAsync(
            id,
            "secondary_hash = primary_hash, primary_hash = @hash, rotated_at = @at",
            "secondary_hash IS NULL",
            command =>
            {
                command.AddText("@hash", newSecretHash);
                command.AddInt64("@at", StoreTime.ToMs(at));
            },
            cancellationToken);
    }

    public Task<ApiKey?> RetireApiKeySecondaryAsync(string id, CancellationToken cancellationToken) =>
        UpdateApiKeyAsync(id, "secondary_hash = NULL", "secondary_hash IS NOT NULL", _ => { }, cancellationToken);

    public Task<ApiKey?> RevokeApiKeyAsync(string id, string actor, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(actor);
        return UpdateApiKeyAsync(
            id,
            "primary_hash = '', secondary_hash = NULL, revoked_at = @at, revoked_by = @actor",
            "1 = 1",
            command =>
            {
                command.AddInt64("@at", StoreTime.ToMs(at));
                command.AddText("@actor", actor);
            },
            cancellationToken);
    }

    /// <summary>One conditional UPDATE of a working key, returning the row as it is after it; null when nothing matched.</summary>
    private async Task<ApiKey?> UpdateApiKeyAsync(string id, string set, string condition, Action<DbCommand> parameters, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        await using var scope = await BeginWriteAsync(WriteLock.None, cancellationToken);
        ApiKey? key;
        await using (var command = scope.Command($"UPDATE api_key SET {set} WHERE id = @id AND revoked_at IS NULL AND {condition} RETURNING {ApiKeyColumns}"))
        {
            command.AddText("@id", id);
            parameters(command);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            key = await reader.ReadAsync(cancellationToken) ? ReadApiKey(reader) : null;
        }

        await scope.CommitAsync(cancellationToken);
        return key;
    }

    private static ApiKey ReadApiKey(DbDataReader reader) =>
        new(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetInstant(3), reader.GetString(4))
        {
            RotatedAt = reader.GetNullableInstant(5),
            HasSecondary = reader.GetBoolean(6),
            LastUsedAt = reader.GetNullableInstant(7),
            RevokedAt = reader.GetNullableInstant(8),
            RevokedBy = reader.GetNullableString(9),
        };
}
