using Observe.Store.Model;

namespace Observe.Store.Internal;

internal abstract partial class RelationalStore
{
    private const string LeaseColumns = "name, holder, token, acquired_at, expires_at";

    // One statement decides and writes, so two replicas racing for a free or expired lease cannot both win: PostgreSQL
    // makes the loser wait on the winner's row and re-checks the WHERE against the row the winner committed (the
    // insert of a new name conflicts the same way); SQLite runs one writer at a time. The token grows whenever the
    // lease is taken rather than renewed, including by the same holder after it expired: operations the holder
    // started under the lapsed lease are fenced off too.
    private const string AcquireLeaseSql = $"""
        INSERT INTO lease ({LeaseColumns}) VALUES (@name, @holder, 1, @now, @expires_at)
        ON CONFLICT (name) DO UPDATE SET
            token = CASE WHEN lease.holder = excluded.holder AND lease.expires_at > @now THEN lease.token ELSE lease.token + 1 END,
            acquired_at = CASE WHEN lease.holder = excluded.holder AND lease.expires_at > @now THEN lease.acquired_at ELSE excluded.acquired_at END,
            holder = excluded.holder,
            expires_at = excluded.expires_at
        WHERE lease.expires_at <= @now OR lease.holder = excluded.holder
        RETURNING {LeaseColumns}
        """;

    /// <summary>
    /// Appended to the fence's read of the lease row. PostgreSQL locks the row against a take-over until the fenced
    /// write commits; SQLite needs nothing, its single writer already excludes one.
    /// </summary>
    protected virtual string FenceLockSql => "";

    public async Task<Lease?> TryAcquireLeaseAsync(string name, string holder, TimeSpan duration, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentException.ThrowIfNullOrEmpty(holder);
        if (duration <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(duration), duration, $"the duration of lease '{name}' must be positive");
        }

        await using var scope = await BeginWriteAsync(WriteLock.None, cancellationToken);
        Lease? lease;
        await using (var command = scope.Command(AcquireLeaseSql))
        {
            command.AddText("@name", name);
            command.AddText("@holder", holder);
            command.AddInt64("@now", StoreTime.ToMs(now));
            command.AddInt64("@expires_at", StoreTime.ToMs(now + duration));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            lease = await reader.ReadAsync(cancellationToken) ? ReadLease(reader) : null;
        }

        await scope.CommitAsync(cancellationToken);
        return lease;
    }

    /// <summary>
    /// Sets the lease's expiry back to when it was taken, so it is free at once for any clock; the row stays, so the
    /// next holder's token is still greater than every earlier one.
    /// </summary>
    public async Task ReleaseLeaseAsync(Lease lease, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        await using var scope = await BeginWriteAsync(WriteLock.None, cancellationToken);
        await using (var command = scope.Command("UPDATE lease SET expires_at = acquired_at WHERE name = @name AND holder = @holder AND token = @token"))
        {
            command.AddText("@name", lease.Name);
            command.AddText("@holder", lease.Holder);
            command.AddInt64("@token", lease.Token);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await scope.CommitAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<Lease>> GetLeasesAsync(string? prefix, CancellationToken cancellationToken)
    {
        await using var connection = await OpenReadConnectionAsync(cancellationToken);
        await using var command = connection.Command(null, "");

        // substr and length rather than LIKE: a prefix may hold % or _ (a log group name does).
        var where = "";
        if (prefix is not null)
        {
            where = " WHERE substr(name, 1, length(@prefix)) = @prefix";
            command.AddText("@prefix", prefix);
        }

        command.CommandText = $"SELECT {LeaseColumns} FROM lease{where} ORDER BY name";
        return await command.ReadAllAsync(ReadLease, cancellationToken);
    }

    /// <summary>
    /// The fence: whether <paramref name="lease"/> is still held with its token and unexpired at <paramref name="at"/>,
    /// read inside the write's own transaction (and, on PostgreSQL, locked until it ends), so nobody can take the
    /// lease between this check and the commit. Returns the lease's stored expiry when held, null when not.
    /// </summary>
    private async Task<DateTimeOffset?> ReadHeldLeaseExpiryAsync(WriteScope scope, Lease lease, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var command = scope.Command($"""
            SELECT expires_at FROM lease
            WHERE name = @lease_name AND holder = @lease_holder AND token = @lease_token AND expires_at > @lease_at{FenceLockSql}
            """);
        command.AddText("@lease_name", lease.Name);
        command.AddText("@lease_holder", lease.Holder);
        command.AddInt64("@lease_token", lease.Token);
        command.AddInt64("@lease_at", StoreTime.ToMs(at));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? reader.GetInstant(0) : null;
    }

    private static Lease ReadLease(System.Data.Common.DbDataReader reader) =>
        new(reader.GetString(0), reader.GetString(1), reader.GetInt64(2), reader.GetInstant(3), reader.GetInstant(4));
}
