using System.Data.Common;
using Observe.Store.Model;

namespace Observe.Store.Internal;

internal abstract partial class RelationalStore
{
    private const string FunctionColumns = """
        f.account_id, f.region, f.name, i.arn, i.runtime, i.architecture, i.memory_mb, i.timeout_s, i.code_size,
        i.package_type, i.last_modified, i.tags, i.layers, i.event_sources, i.provisioned_concurrency,
        i.reserved_concurrency, i.last_seen, i.deleted_at, i.aliases, i.published_versions, i.revision_id
        """;

    private const string AlarmColumns =
        "account_id, region, name, arn, kind, state, state_reason, state_updated, function_name, metric_name, namespace, alarm_rule";

    public async Task UpsertFunctionsAsync(IReadOnlyCollection<LambdaFunction> functions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(functions);
        if (functions.Count == 0)
        {
            return;
        }

        await using var scope = await BeginWriteAsync(WriteLock.Inventory, cancellationToken);
        var ids = await ResolveFunctionIdsAsync(scope, functions.Select(f => f.Key), cancellationToken);
        await using (var command = scope.Command("""
            INSERT INTO function_inventory (fid, arn, runtime, architecture, memory_mb, timeout_s, code_size, package_type,
                last_modified, tags, layers, event_sources, provisioned_concurrency, reserved_concurrency, last_seen, deleted_at,
                aliases, published_versions, revision_id)
            VALUES (@fid, @arn, @runtime, @architecture, @memory_mb, @timeout_s, @code_size, @package_type,
                @last_modified, @tags, @layers, @event_sources, @provisioned, @reserved, @last_seen, NULL,
                @aliases, @published_versions, @revision_id)
            ON CONFLICT (fid) DO UPDATE SET
                arn = excluded.arn, runtime = excluded.runtime, architecture = excluded.architecture,
                memory_mb = excluded.memory_mb, timeout_s = excluded.timeout_s, code_size = excluded.code_size,
                package_type = excluded.package_type, last_modified = excluded.last_modified, tags = excluded.tags,
                layers = excluded.layers, event_sources = excluded.event_sources,
                provisioned_concurrency = excluded.provisioned_concurrency,
                reserved_concurrency = excluded.reserved_concurrency, last_seen = excluded.last_seen, deleted_at = NULL,
                aliases = excluded.aliases, published_versions = excluded.published_versions, revision_id = excluded.revision_id
            """))
        {
            foreach (var function in functions)
            {
                command.Parameters.Clear();
                command.AddInt32("@fid", ids[function.Key]);
                command.AddText("@arn", function.Arn);
                command.AddText("@runtime", function.Runtime);
                command.AddText("@architecture", function.Architecture);
                command.AddInt32("@memory_mb", function.MemoryMb);
                command.AddInt32("@timeout_s", function.TimeoutSeconds);
                command.AddInt64("@code_size", function.CodeSizeBytes);
                command.AddText("@package_type", function.PackageType);
                command.AddInt64("@last_modified", StoreTime.ToMs(function.LastModified));
                command.AddText("@tags", StoreJson.Dictionary(function.Tags));
                command.AddText("@layers", StoreJson.Strings(function.Layers));
                command.AddText("@event_sources", StoreJson.EventSources(function.EventSources));
                command.AddInt32("@provisioned", function.ProvisionedConcurrency);
                command.AddInt32("@reserved", function.ReservedConcurrency);
                command.AddInt64("@last_seen", StoreTime.ToMs(function.LastSeen));
                command.AddText("@aliases", StoreJson.Aliases(function.Aliases));
                command.AddText("@published_versions", StoreJson.Strings(function.PublishedVersions));
                command.AddText("@revision_id", function.RevisionId);
                await command.ExecuteNonQueryAsync(cancellationToken);
            }
        }

        scope.Changed |= StoreChangeKind.Functions;
        await scope.CommitAsync(cancellationToken);
    }

    public async Task<int> MarkDeletedExceptAsync(
        string accountId, string region, IReadOnlyCollection<string> present, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(accountId);
        ArgumentNullException.ThrowIfNull(region);
        ArgumentNullException.ThrowIfNull(present);
        var keep = new HashSet<string>(present, StringComparer.Ordinal);
        await using var scope = await BeginWriteAsync(WriteLock.Inventory, cancellationToken);

        // The set difference is taken here rather than in SQL: a listing can name thousands of functions, and
        // the two engines pass lists to SQL differently.
        var gone = new List<int>();
        await using (var command = scope.Command("""
            SELECT i.fid, f.name FROM function_inventory i JOIN fn f ON f.id = i.fid
            WHERE f.account_id = @account AND f.region = @region AND i.deleted_at IS NULL
            """))
        {
            command.AddText("@account", accountId);
            command.AddText("@region", region);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                if (!keep.Contains(reader.GetString(1)))
                {
                    gone.Add(reader.GetInt32(0));
                }
            }
        }

        await using (var command = scope.Command("UPDATE function_inventory SET deleted_at = @at WHERE fid = @fid"))
        {
            command.AddInt64("@at", StoreTime.ToMs(at));
            var fid = command.AddInt32("@fid", 0);
            foreach (var id in gone)
            {
                fid.Value = id;
                await command.ExecuteNonQueryAsync(cancellationToken);
            }
        }

        if (gone.Count > 0)
        {
            scope.Changed |= StoreChangeKind.Functions;
        }

        await scope.CommitAsync(cancellationToken);
        return gone.Count;
    }

    public async Task<IReadOnlyList<LambdaFunction>> GetFunctionsAsync(FleetFilter filter, CancellationToken cancellationToken)
    {
        await using var connection = await OpenReadConnectionAsync(cancellationToken);
        await using var command = connection.Command(null, "");
        var where = FilterSql(command, filter, "f.account_id", "f.region");
        command.CommandText = $"""
            SELECT {FunctionColumns} FROM function_inventory i JOIN fn f ON f.id = i.fid
            WHERE i.deleted_at IS NULL{where} ORDER BY f.account_id, f.region, f.name
            """;
        return await command.ReadAllAsync(ReadLambdaFunction, cancellationToken);
    }

    // Alarms

    public async Task UpsertAlarmsAsync(IReadOnlyCollection<CloudWatchAlarm> alarms, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(alarms);
        if (alarms.Count == 0)
        {
            return;
        }

        await using var scope = await BeginWriteAsync(WriteLock.Alarms, cancellationToken);
        await using var read = scope.Command("SELECT state FROM alarm WHERE arn = @arn");
        var readArn = read.AddText("@arn", "");
        await using var history = scope.Command(InsertAlarmHistorySql);
        await using var upsert = scope.Command($"""
            INSERT INTO alarm ({AlarmColumns})
            VALUES (@account, @region, @name, @arn, @kind, @state, @reason, @updated, @function, @metric, @namespace, @rule)
            ON CONFLICT (arn) DO UPDATE SET
                account_id = excluded.account_id, region = excluded.region, name = excluded.name, kind = excluded.kind,
                state = excluded.state, state_reason = excluded.state_reason, state_updated = excluded.state_updated,
                function_name = excluded.function_name, metric_name = excluded.metric_name, namespace = excluded.namespace,
                alarm_rule = excluded.alarm_rule
            """);
        foreach (var alarm in alarms)
        {
            readArn.Value = alarm.Arn;
            if (await read.ExecuteScalarAsync(cancellationToken) is string stored && stored != alarm.State.ToString())
            {
                await InsertAlarmHistoryAsync(history, new AlarmStateChange(alarm.Arn, alarm.StateUpdated, Enum.Parse<AlarmState>(stored), alarm.State, alarm.StateReason), cancellationToken);
            }

            upsert.Parameters.Clear();
            upsert.AddText("@account", alarm.AccountId);
            upsert.AddText("@region", alarm.Region);
            upsert.AddText("@name", alarm.Name);
            upsert.AddText("@arn", alarm.Arn);
            upsert.AddText("@kind", alarm.Kind);
            upsert.AddText("@state", alarm.State.ToString());
            upsert.AddText("@reason", alarm.StateReason);
            upsert.AddInt64("@updated", StoreTime.ToMs(alarm.StateUpdated));
            upsert.AddText("@function", alarm.FunctionName);
            upsert.AddText("@metric", alarm.MetricName);
            upsert.AddText("@namespace", alarm.Namespace);
            upsert.AddText("@rule", alarm.Rule);
            await upsert.ExecuteNonQueryAsync(cancellationToken);
        }

        scope.Changed |= StoreChangeKind.Alarms;
        await scope.CommitAsync(cancellationToken);
    }

    public async Task RecordAlarmStateChangesAsync(IReadOnlyCollection<AlarmStateChange> changes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(changes);
        if (changes.Count == 0)
        {
            return;
        }

        // The alarm upsert's lock: it reads the history's existence check too, and must not record the same
        // transition concurrently.
        await using var scope = await BeginWriteAsync(WriteLock.Alarms, cancellationToken);
        await using var history = scope.Command(InsertAlarmHistorySql);
        var inserted = 0;
        foreach (var change in changes)
        {
            inserted += await InsertAlarmHistoryAsync(history, change, cancellationToken);
        }

        if (inserted > 0)
        {
            scope.Changed |= StoreChangeKind.Alarms;
        }

        await scope.CommitAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<CloudWatchAlarm>> GetAlarmsAsync(FleetFilter filter, AlarmState? state, CancellationToken cancellationToken)
    {
        await using var connection = await OpenReadConnectionAsync(cancellationToken);
        await using var command = connection.Command(null, "");
        var where = FilterSql(command, filter, "account_id", "region");
        if (state is not null)
        {
            where += " AND state = @state";
            command.AddText("@state", state.Value.ToString());
        }

        command.CommandText = $"SELECT {AlarmColumns} FROM alarm WHERE 1 = 1{where} ORDER BY account_id, region, name, arn";
        return await command.ReadAllAsync(ReadCloudWatchAlarm, cancellationToken);
    }

    public async Task<IReadOnlyList<AlarmStateChange>> GetAlarmHistoryAsync(string alarmArn, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(alarmArn);
        await using var connection = await OpenReadConnectionAsync(cancellationToken);
        await using var command = connection.Command(null, """
            SELECT alarm_arn, ts, from_state, to_state, reason FROM alarm_history
            WHERE alarm_arn = @arn ORDER BY ts DESC, id DESC LIMIT @limit
            """);
        command.AddText("@arn", alarmArn);
        command.AddInt32("@limit", limit);
        return await command.ReadAllAsync(ReadAlarmStateChange, cancellationToken);
    }

    /// <summary>
    /// One transition is one (ARN, timestamp, new state), whether the alarm upsert saw it or DescribeAlarmHistory
    /// reported it: a row already there is not written again. The (alarm_arn, ts) index serves the check.
    /// </summary>
    private const string InsertAlarmHistorySql = """
        INSERT INTO alarm_history (alarm_arn, ts, from_state, to_state, reason)
        SELECT @arn, @ts, @from, @to, @reason
        WHERE NOT EXISTS (SELECT 1 FROM alarm_history WHERE alarm_arn = @arn AND ts = @ts AND to_state = @to)
        """;

    /// <summary>Returns 1 when the change was recorded, 0 when it already was.</summary>
    private static Task<int> InsertAlarmHistoryAsync(DbCommand history, AlarmStateChange change, CancellationToken cancellationToken)
    {
        history.Parameters.Clear();
        history.AddText("@arn", change.AlarmArn);
        history.AddInt64("@ts", StoreTime.ToMs(change.Timestamp));
        history.AddText("@from", change.From.ToString());
        history.AddText("@to", change.To.ToString());
        history.AddText("@reason", change.Reason);
        return history.ExecuteNonQueryAsync(cancellationToken);
    }

    private static LambdaFunction ReadLambdaFunction(DbDataReader reader) => new()
    {
        Key = new FunctionKey(reader.GetString(0), reader.GetString(1), reader.GetString(2)),
        Arn = reader.GetString(3),
        Runtime = reader.GetNullableString(4),
        Architecture = reader.GetString(5),
        MemoryMb = reader.GetInt32(6),
        TimeoutSeconds = reader.GetInt32(7),
        CodeSizeBytes = reader.GetInt64(8),
        PackageType = reader.GetString(9),
        LastModified = reader.GetInstant(10),
        Tags = StoreJson.Dictionary(reader.GetString(11)),
        Layers = StoreJson.Strings(reader.GetString(12)),
        EventSources = StoreJson.EventSources(reader.GetString(13)),
        ProvisionedConcurrency = reader.GetInt32(14),
        ReservedConcurrency = reader.GetNullableInt32(15),
        LastSeen = reader.GetInstant(16),
        DeletedAt = reader.GetNullableInstant(17),
        Aliases = StoreJson.Aliases(reader.GetString(18)),
        PublishedVersions = StoreJson.Strings(reader.GetString(19)),
        RevisionId = reader.GetNullableString(20),
    };

    private static CloudWatchAlarm ReadCloudWatchAlarm(DbDataReader reader) => new()
    {
        AccountId = reader.GetString(0),
        Region = reader.GetString(1),
        Name = reader.GetString(2),
        Arn = reader.GetString(3),
        Kind = reader.GetString(4),
        State = Enum.Parse<AlarmState>(reader.GetString(5)),
        StateReason = reader.GetNullableString(6),
        StateUpdated = reader.GetInstant(7),
        FunctionName = reader.GetNullableString(8),
        MetricName = reader.GetNullableString(9),
        Namespace = reader.GetNullableString(10),
        Rule = reader.GetNullableString(11),
    };

    private static AlarmStateChange ReadAlarmStateChange(DbDataReader reader) => new(
        reader.GetString(0),
        reader.GetInstant(1),
        Enum.Parse<AlarmState>(reader.GetString(2)),
        Enum.Parse<AlarmState>(reader.GetString(3)),
        reader.GetNullableString(4));
}
