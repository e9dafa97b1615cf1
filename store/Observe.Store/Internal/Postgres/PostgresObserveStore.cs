using System.Data.Common;
using System.Globalization;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;
using Observe.Store.Model;

namespace Observe.Store.Internal.Postgres;

/// <summary>
/// The shared engine for several dashboard replicas and collector workers. Writes that merge in memory hold a
/// transaction-scoped advisory lock (<see cref="WriteLock"/>), so replicas never apply deltas against the same
/// old row. Every committed write NOTIFYs <c>observe_changes</c>; a LISTEN connection relays other processes'
/// writes to this process's subscribers.
/// </summary>
internal sealed class PostgresObserveStore : RelationalStore
{
    private const string ChangeChannel = "observe_changes";

    // Arbitrary but fixed advisory lock keys ("Obsv" in the high bytes), shared by every process on the database.
    private const long MigrationLockKey = 0x4F627376_00000001;

    private static readonly TimeSpan MaxListenRetryDelay = TimeSpan.FromSeconds(30);

    private readonly NpgsqlDataSource _dataSource;
    private readonly string _endpoint;
    private readonly string _database;
    private readonly string _instanceId = Guid.NewGuid().ToString("N");
    private readonly CancellationTokenSource _stopListening = new();
    private readonly object _listenerGate = new();
    private Task? _listener;

    public PostgresObserveStore(StoreOptions options, ILogger<PostgresObserveStore> logger)
        : base(options, logger)
    {
        var connectionString = options.ConnectionString
            ?? throw new ArgumentException($"{StoreOptions.SectionName}:{nameof(StoreOptions.ConnectionString)} is required when Kind is PostgreSql", nameof(options));
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        _endpoint = $"{builder.Host}:{builder.Port}";
        _database = builder.Database ?? builder.Username ?? "";
        _dataSource = NpgsqlDataSource.Create(builder);
    }

    protected override IReadOnlyList<Migration> Migrations => PostgresMigrations.All;

    // A share lock: a take-over's update of the row waits until the fenced write has committed, while the holder's
    // own fenced writes (one per channel's sender) do not wait for each other.
    protected override string FenceLockSql => " FOR SHARE";

    protected override string SchemaVersionExistsSql => "SELECT CASE WHEN to_regclass('schema_version') IS NULL THEN 0 ELSE 1 END";

    internal override async Task MigrateToAsync(int version, CancellationToken cancellationToken)
    {
        NpgsqlConnection connection;
        try
        {
            connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        }
        catch (Exception e) when (e is NpgsqlException or SocketException or TimeoutException)
        {
            throw new StoreUnavailableException($"could not connect to PostgreSQL at {_endpoint}: {Reason(e)}", e);
        }

        await using (connection)
        {
            // Held across the whole run (each step still commits on its own): a second process starting at the
            // same time waits here, then finds the schema current.
            await connection.ExecuteAsync(null, $"SELECT pg_advisory_lock({MigrationLockKey})", cancellationToken);
            try
            {
                EnsureNotNewer(await ReadSchemaVersionAsync(connection, null, cancellationToken), $"{_endpoint}/{_database}");
                await ApplyMigrationsAsync(connection, version, cancellationToken);
            }
            finally
            {
                await UnlockMigrationAsync(connection);
            }
        }

        Logger.LogInformation("Store: PostgreSQL database {Database} at {Endpoint} at schema version {Version}", _database, _endpoint, version);
    }

    public override IDisposable Subscribe(Action<StoreChangeKind> onChange)
    {
        var subscription = base.Subscribe(onChange);
        lock (_listenerGate)
        {
            // Listening starts with the first subscriber, so a collector-only process holds no idle connection.
            _listener ??= Task.Run(() => ListenAsync(_stopListening.Token));
        }

        return subscription;
    }

    protected override async Task<DbConnection> OpenReadConnectionCoreAsync(CancellationToken cancellationToken) =>
        await _dataSource.OpenConnectionAsync(cancellationToken);

    protected override async Task<DbTransaction> BeginSnapshotAsync(DbConnection connection, CancellationToken cancellationToken) =>
        await ((NpgsqlConnection)connection).BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);

    protected override async Task<WriteScope> BeginWriteCoreAsync(WriteLock writeLock, CancellationToken cancellationToken)
    {
        var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            var transaction = await connection.BeginTransactionAsync(cancellationToken);
            if (writeLock != WriteLock.None)
            {
                await using var command = new NpgsqlCommand("SELECT pg_advisory_xact_lock(@key)", connection, transaction);
                command.Parameters.AddWithValue("key", MigrationLockKey + 1 + (long)writeLock);
                await command.ExecuteNonQueryAsync(cancellationToken);
            }

            return new WriteScope(this, connection, transaction, connection.DisposeAsync);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    protected override async Task<DbTransaction> BeginMigrationTransactionAsync(DbConnection connection, CancellationToken cancellationToken) =>
        await ((NpgsqlConnection)connection).BeginTransactionAsync(cancellationToken);

    internal override async Task BeforeCommitAsync(WriteScope scope, CancellationToken cancellationToken)
    {
        if (scope.Changed == StoreChangeKind.None)
        {
            return;
        }

        // Delivered only if the transaction commits; carries our id so our own listener skips what we raised locally.
        await using var command = scope.Command("SELECT pg_notify(@channel, @payload)");
        command.AddText("@channel", ChangeChannel);
        command.AddText("@payload", $"{_instanceId}:{(int)scope.Changed}");
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    protected override async Task<IReadOnlyDictionary<FunctionKey, int>> InsertFunctionIdsAsync(
        WriteScope scope, IReadOnlyCollection<FunctionKey> keys, CancellationToken cancellationToken)
    {
        // One round trip for a batch of new functions (the first metrics batch names every function of the fleet).
        await using var command = (NpgsqlCommand)scope.Command("""
            INSERT INTO fn (account_id, region, name) SELECT * FROM unnest(@accounts, @regions, @names) ON CONFLICT DO NOTHING;
            SELECT f.id, f.account_id, f.region, f.name FROM fn f
            JOIN unnest(@accounts, @regions, @names) AS k (account_id, region, name)
              ON f.account_id = k.account_id COLLATE "C" AND f.region = k.region COLLATE "C" AND f.name = k.name COLLATE "C"
            """);
        command.Parameters.Add(new NpgsqlParameter<string[]>("accounts", [.. keys.Select(k => k.AccountId)]));
        command.Parameters.Add(new NpgsqlParameter<string[]>("regions", [.. keys.Select(k => k.Region)]));
        command.Parameters.Add(new NpgsqlParameter<string[]>("names", [.. keys.Select(k => k.Name)]));
        var ids = new Dictionary<FunctionKey, int>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            ids[new FunctionKey(reader.GetString(1), reader.GetString(2), reader.GetString(3))] = reader.GetInt32(0);
        }

        return ids;
    }

    protected override async Task<IReadOnlyList<StoredMetricRow>> ReadMetricRowsAsync(WriteScope scope, IReadOnlyList<MetricRun> runs, CancellationToken cancellationToken)
    {
        await using var command = (NpgsqlCommand)scope.Command($"""
            SELECT m.fid, m.minute, {Prefixed("m.")} FROM metric_minute m
            JOIN unnest(@fids, @froms, @tos) AS k (fid, first_minute, last_minute)
              ON m.fid = k.fid AND m.minute BETWEEN k.first_minute AND k.last_minute
            ORDER BY m.fid, m.minute
            """);
        command.Parameters.Add(new NpgsqlParameter<int[]>("fids", [.. runs.Select(r => r.FunctionId)]));
        command.Parameters.Add(new NpgsqlParameter<int[]>("froms", [.. runs.Select(r => r.FirstMinute)]));
        command.Parameters.Add(new NpgsqlParameter<int[]>("tos", [.. runs.Select(r => r.LastMinute)]));
        var rows = new List<StoredMetricRow>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(new StoredMetricRow(reader.GetInt32(0), reader.GetInt32(1), MetricValues.Read(reader, 2)));
        }

        return rows;
    }

    protected override async Task WriteMetricRowsAsync(WriteScope scope, IReadOnlyList<MetricRow> rows, CancellationToken cancellationToken)
    {
        // Binary COPY into an unindexed temporary table, then one set-based merge: far fewer round trips and
        // index probes than row-by-row upserts.
        await scope.ExecuteAsync("CREATE TEMP TABLE metric_minute_incoming (LIKE metric_minute) ON COMMIT DROP", cancellationToken);
        var connection = (NpgsqlConnection)scope.Connection;
        await using (var import = await connection.BeginBinaryImportAsync(
            $"COPY metric_minute_incoming (fid, minute, {MetricValues.Columns}) FROM STDIN (FORMAT BINARY)", cancellationToken))
        {
            foreach (var (fid, minute, v) in rows)
            {
                await import.StartRowAsync(cancellationToken);
                await import.WriteAsync(fid, NpgsqlDbType.Integer, cancellationToken);
                await import.WriteAsync(minute, NpgsqlDbType.Integer, cancellationToken);
                await WriteAsync(import, v.Invocations, cancellationToken);
                await WriteAsync(import, v.Errors, cancellationToken);
                await WriteAsync(import, v.Throttles, cancellationToken);
                await WriteAsync(import, v.DurationAvgMs, cancellationToken);
                await WriteAsync(import, v.DurationP50Ms, cancellationToken);
                await WriteAsync(import, v.DurationP90Ms, cancellationToken);
                await WriteAsync(import, v.DurationP99Ms, cancellationToken);
                await WriteAsync(import, v.ConcurrentExecutions, cancellationToken);
                await WriteAsync(import, v.IteratorAgeMs, cancellationToken);
                await WriteAsync(import, v.ColdStarts, cancellationToken);
                await WriteAsync(import, v.DeadLetterErrors, cancellationToken);
                await WriteAsync(import, v.AsyncEventsDropped, cancellationToken);
                await WriteAsync(import, v.InsightsMemoryUtilizationMax, cancellationToken);
                await WriteAsync(import, v.InsightsUsedMemoryMaxMb, cancellationToken);
                await WriteAsync(import, v.InsightsCpuTotalTimeMs, cancellationToken);
                await WriteAsync(import, v.InsightsNetworkBytes, cancellationToken);
                await WriteAsync(import, v.InsightsInitDurationMaxMs, cancellationToken);
            }

            await import.CompleteAsync(cancellationToken);
        }

        await scope.ExecuteAsync($"""
            INSERT INTO metric_minute (fid, minute, {MetricValues.Columns})
            SELECT fid, minute, {MetricValues.Columns} FROM metric_minute_incoming
            ON CONFLICT (fid, minute) DO UPDATE SET {OverwriteMetricColumns}
            """, cancellationToken);
        await scope.ExecuteAsync("DROP TABLE metric_minute_incoming", cancellationToken);
    }

    protected override async Task<(long Rolled, long HoursDeleted)> RollUpFunctionsAsync(
        WriteScope scope, IReadOnlyList<int> functionIds, int watermark, int hourCutoff, CancellationToken cancellationToken)
    {
        // One statement per step for the whole batch of functions; the (fid, ...) keys still serve each lookup.
        var fids = functionIds.ToArray();
        await using (var rollUp = (NpgsqlCommand)scope.Command(RollUpSql("fid = ANY(@fids)")))
        {
            rollUp.Parameters.Add(new NpgsqlParameter<int[]>("fids", fids));
            rollUp.AddInt32("@watermark", watermark);
            await rollUp.ExecuteNonQueryAsync(cancellationToken);
        }

        long rolled;
        await using (var delete = (NpgsqlCommand)scope.Command("DELETE FROM metric_minute WHERE fid = ANY(@fids) AND minute < @watermark"))
        {
            delete.Parameters.Add(new NpgsqlParameter<int[]>("fids", fids));
            delete.AddInt32("@watermark", watermark);
            rolled = await delete.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var delete = (NpgsqlCommand)scope.Command("DELETE FROM metric_hour WHERE fid = ANY(@fids) AND hour < @cutoff"))
        {
            delete.Parameters.Add(new NpgsqlParameter<int[]>("fids", fids));
            delete.AddInt32("@cutoff", hourCutoff);
            return (rolled, await delete.ExecuteNonQueryAsync(cancellationToken));
        }
    }

    protected override async ValueTask DisposeCoreAsync()
    {
        await _stopListening.CancelAsync();
        Task? listener;
        lock (_listenerGate)
        {
            listener = _listener;
        }

        if (listener is not null)
        {
            await listener;
        }

        _stopListening.Dispose();
        await _dataSource.DisposeAsync();
    }

    private static string Prefixed(string prefix) =>
        string.Join(", ", MetricValues.Columns.Split(", ").Select(c => prefix + c));

    private static Task WriteAsync(NpgsqlBinaryImporter import, double? value, CancellationToken cancellationToken) =>
        value is { } v ? import.WriteAsync(v, NpgsqlDbType.Double, cancellationToken) : import.WriteNullAsync(cancellationToken);

    /// <summary>The innermost message: Npgsql's outer one ("Failed to connect to ...") repeats the address we already name.</summary>
    private static string Reason(Exception e)
    {
        if (e is PostgresException postgres)
        {
            return postgres.MessageText;
        }

        while (e.InnerException is not null)
        {
            e = e.InnerException;
        }

        return e.Message;
    }

    private async Task UnlockMigrationAsync(NpgsqlConnection connection)
    {
        try
        {
            await connection.ExecuteAsync(null, $"SELECT pg_advisory_unlock({MigrationLockKey})", CancellationToken.None);
        }
        catch (NpgsqlException e)
        {
            // A broken connection has ended its session, which released the lock with it.
            Logger.LogDebug(e, "Could not release the migration lock explicitly");
        }
    }

    private async Task ListenAsync(CancellationToken stop)
    {
        var delay = TimeSpan.FromSeconds(1);
        var reconnecting = false;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await using var connection = await _dataSource.OpenConnectionAsync(stop);
                connection.Notification += OnNotification;
                await connection.ExecuteAsync(null, $"LISTEN {ChangeChannel}", stop);
                if (reconnecting)
                {
                    // Whatever changed while we were not listening is unknown: tell readers to refresh everything.
                    Logger.LogInformation("Store: listening for changes from other processes again");
                    Notifier.Raise(AllChanges);
                    reconnecting = false;
                }

                delay = TimeSpan.FromSeconds(1);
                while (true)
                {
                    await connection.WaitAsync(stop);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NpgsqlException or IOException or SocketException or TimeoutException)
            {
                Logger.LogWarning(e, "Store: lost the change notification connection to {Endpoint}; retrying in {Delay}", _endpoint, delay);
                reconnecting = true;
            }

            try
            {
                await Task.Delay(delay, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxListenRetryDelay.Ticks));
        }
    }

    private static StoreChangeKind AllChanges => Enum.GetValues<StoreChangeKind>().Aggregate(StoreChangeKind.None, (a, b) => a | b);

    private void OnNotification(object sender, NpgsqlNotificationEventArgs e)
    {
        var separator = e.Payload.IndexOf(':', StringComparison.Ordinal);
        if (separator < 0 || e.Payload.AsSpan(0, separator).SequenceEqual(_instanceId))
        {
            return;
        }

        if (int.TryParse(e.Payload.AsSpan(separator + 1), NumberStyles.Integer, CultureInfo.InvariantCulture, out var kind))
        {
            Notifier.Raise((StoreChangeKind)kind);
        }
    }
}
