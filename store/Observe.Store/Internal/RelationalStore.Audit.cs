using System.Data.Common;
using System.Globalization;
using System.Text;
using Observe.Store.Model;

namespace Observe.Store.Internal;

/// <summary>The audit log (schema version 19) and the Data Protection key ring (same version).</summary>
internal abstract partial class RelationalStore : IAuditLogReader, IAuditLogWriter, IDataProtectionKeyStore
{
    private const int MaxAuditPage = 500;

    public async Task<AuditEntry> AppendAuditEntryAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentException.ThrowIfNullOrEmpty(entry.Actor);
        ArgumentException.ThrowIfNullOrEmpty(entry.Action);
        ArgumentNullException.ThrowIfNull(entry.Target);
        await using var scope = await BeginWriteAsync(WriteLock.None, cancellationToken);
        long id;
        await using (var command = scope.Command("""
            INSERT INTO audit_entry (at, actor, action, target, before_json, after_json)
            VALUES (@at, @actor, @action, @target, @before, @after) RETURNING id
            """))
        {
            command.AddInt64("@at", StoreTime.ToMs(entry.At));
            command.AddText("@actor", entry.Actor);
            command.AddText("@action", entry.Action);
            command.AddText("@target", entry.Target);
            command.AddText("@before", entry.Before);
            command.AddText("@after", entry.After);
            id = Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
        }

        await scope.CommitAsync(cancellationToken);
        return entry with { Id = id, At = StoreTime.FromMs(StoreTime.ToMs(entry.At)) };
    }

    public async Task<AuditPage> GetAuditEntriesAsync(AuditQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfNegative(query.Offset);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(query.Limit);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(query.Limit, MaxAuditPage);

        var where = new StringBuilder("WHERE 1 = 1");
        if (query.Actor is not null)
        {
            where.Append(" AND actor = @actor");
        }

        if (query.Action is not null)
        {
            where.Append(" AND action = @action");
        }

        if (query.From is not null)
        {
            where.Append(" AND at >= @from");
        }

        if (query.To is not null)
        {
            where.Append(" AND at < @to");
        }

        void Bind(DbCommand command)
        {
            command.AddText("@actor", query.Actor);
            command.AddText("@action", query.Action);
            command.AddInt64("@from", StoreTime.ToMs(query.From));
            command.AddInt64("@to", StoreTime.ToMs(query.To));
        }

        await using var connection = await OpenReadConnectionAsync(cancellationToken);
        await using var snapshot = await BeginSnapshotAsync(connection, cancellationToken);
        long total;
        await using (var count = connection.Command(snapshot, $"SELECT COUNT(*) FROM audit_entry {where}"))
        {
            Bind(count);
            total = Convert.ToInt64(await count.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
        }

        await using var page = connection.Command(snapshot, $"""
            SELECT id, at, actor, action, target, before_json, after_json FROM audit_entry {where}
            ORDER BY at DESC, id DESC LIMIT @limit OFFSET @offset
            """);
        Bind(page);
        page.AddInt32("@limit", query.Limit);
        page.AddInt32("@offset", query.Offset);
        var entries = await page.ReadAllAsync(
            reader => new AuditEntry
            {
                Id = reader.GetInt64(0),
                At = StoreTime.FromMs(reader.GetInt64(1)),
                Actor = reader.GetString(2),
                Action = reader.GetString(3),
                Target = reader.GetString(4),
                Before = reader.IsDBNull(5) ? null : reader.GetString(5),
                After = reader.IsDBNull(6) ? null : reader.GetString(6),
            },
            cancellationToken);
        return new AuditPage(entries, total);
    }

    public async Task<(IReadOnlyList<string> Actors, IReadOnlyList<string> Actions)> GetAuditFacetsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenReadConnectionAsync(cancellationToken);
        await using var actors = connection.Command(null, "SELECT DISTINCT actor FROM audit_entry");
        var actorList = await actors.ReadAllAsync(reader => reader.GetString(0), cancellationToken);
        await using var actions = connection.Command(null, "SELECT DISTINCT action FROM audit_entry");
        var actionList = await actions.ReadAllAsync(reader => reader.GetString(0), cancellationToken);
        // Sorted here, not in SQL: the engines collate text differently.
        actorList.Sort(StringComparer.Ordinal);
        actionList.Sort(StringComparer.Ordinal);
        return (actorList, actionList);
    }

    public async Task<IReadOnlyList<DataProtectionKeyElement>> GetDataProtectionKeysAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenReadConnectionAsync(cancellationToken);
        await using var command = connection.Command(null, "SELECT name, xml, stored_at FROM data_protection_key ORDER BY stored_at, name");
        return await command.ReadAllAsync(
            reader => new DataProtectionKeyElement(reader.GetString(0), reader.GetString(1), StoreTime.FromMs(reader.GetInt64(2))), cancellationToken);
    }

    public async Task StoreDataProtectionKeyAsync(string name, string xml, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentException.ThrowIfNullOrEmpty(xml);
        await using var scope = await BeginWriteAsync(WriteLock.None, cancellationToken);
        // A key is immutable once written: two replicas creating the ring at once each keep their own key by name.
        await using (var command = scope.Command("INSERT INTO data_protection_key (name, xml, stored_at) VALUES (@name, @xml, @at) ON CONFLICT (name) DO NOTHING"))
        {
            command.AddText("@name", name);
            command.AddText("@xml", xml);
            command.AddInt64("@at", StoreTime.ToMs(at));
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await scope.CommitAsync(cancellationToken);
    }
}
