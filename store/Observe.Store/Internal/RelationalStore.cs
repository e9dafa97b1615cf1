using System.Collections.Concurrent;
using System.Data;
using System.Data.Common;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Observe.Store.Model;

namespace Observe.Store.Internal;

/// <summary>
/// Everything both engines share: the SQL here runs unchanged on SQLite and PostgreSQL (typed parameters,
/// <c>ON CONFLICT</c> upserts, integer time). An engine supplies connections, locks, its migrations and the bulk
/// metric I/O where the two differ most.
/// </summary>
internal abstract partial class RelationalStore : IObserveStore, IStoreChanges, IAsyncDisposable, IDisposable
{
    /// <summary>Coalescing delay for change callbacks.</summary>
    private static readonly TimeSpan ChangeCoalescing = TimeSpan.FromMilliseconds(100);

    // Function ids are never deleted or reused, so a cached id stays right; ids enter the cache only after the
    // transaction that created them committed.
    private readonly ConcurrentDictionary<FunctionKey, int> _functionIds = new();
    private int _disposed;

    protected RelationalStore(StoreOptions options, ILogger logger)
    {
        Options = options;
        Logger = logger;
        Notifier = new ChangeNotifier(ChangeCoalescing, logger);
    }

    protected StoreOptions Options { get; }

    protected ILogger Logger { get; }

    protected ChangeNotifier Notifier { get; }

    protected abstract IReadOnlyList<Migration> Migrations { get; }

    /// <summary>A query returning one row with a non-zero value when <c>schema_version</c> exists.</summary>
    protected abstract string SchemaVersionExistsSql { get; }

    internal int LatestVersion => Migrations[^1].Version;

    /// <summary>Steps in the schema's history; versions need not be contiguous while branches number theirs ahead.</summary>
    internal int MigrationCount => Migrations.Count;

    public Task MigrateAsync(CancellationToken cancellationToken) => MigrateToAsync(LatestVersion, cancellationToken);

    /// <summary>Brings the schema to <paramref name="version"/>; tests use it to build an older database.</summary>
    internal abstract Task MigrateToAsync(int version, CancellationToken cancellationToken);

    public async Task<int> GetSchemaVersionAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenReadConnectionAsync(cancellationToken);
        return await ReadSchemaVersionAsync(connection, null, cancellationToken);
    }

    public virtual IDisposable Subscribe(Action<StoreChangeKind> onChange) => Notifier.Subscribe(onChange);

    /// <summary>
    /// A connection for reads; the caller disposes it. The read's activity (<see cref="StoreTelemetry"/>), named after
    /// the calling operation, ends when the connection closes.
    /// </summary>
    protected async Task<DbConnection> OpenReadConnectionAsync(CancellationToken cancellationToken, [CallerMemberName] string operation = "")
    {
        var activity = StoreTelemetry.Start(operation, Options.ParsedKind, write: false);
        try
        {
            var connection = await OpenReadConnectionCoreAsync(cancellationToken);
            if (activity is not null)
            {
                connection.StateChange += (_, e) =>
                {
                    if (e.CurrentState == ConnectionState.Closed)
                    {
                        activity.Dispose();
                    }
                };
            }

            return connection;
        }
        catch (Exception ex)
        {
            activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
            activity?.Dispose();
            throw;
        }
    }

    /// <summary>The engine's connection for reads.</summary>
    protected abstract Task<DbConnection> OpenReadConnectionCoreAsync(CancellationToken cancellationToken);

    /// <summary>
    /// A read-only transaction whose statements all see one snapshot, for reads that combine the minute and hour
    /// tables: retention moving rows between them mid-read must not count a minute twice or not at all.
    /// </summary>
    protected abstract Task<DbTransaction> BeginSnapshotAsync(DbConnection connection, CancellationToken cancellationToken);

    /// <summary>A write transaction holding <paramref name="writeLock"/>, traced as the calling operation until it ends.</summary>
    protected async Task<WriteScope> BeginWriteAsync(WriteLock writeLock, CancellationToken cancellationToken, [CallerMemberName] string operation = "")
    {
        var activity = StoreTelemetry.Start(operation, Options.ParsedKind, write: true);
        try
        {
            var scope = await BeginWriteCoreAsync(writeLock, cancellationToken);
            scope.Activity = activity;
            return scope;
        }
        catch (Exception ex)
        {
            activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
            activity?.Dispose();
            throw;
        }
    }

    /// <summary>The engine's write transaction holding <paramref name="writeLock"/>.</summary>
    protected abstract Task<WriteScope> BeginWriteCoreAsync(WriteLock writeLock, CancellationToken cancellationToken);

    /// <summary>
    /// A transaction that excludes other migrators from reading the version until it ends (SQLite takes the write
    /// lock at BEGIN; PostgreSQL holds an advisory lock around the whole run).
    /// </summary>
    protected abstract Task<DbTransaction> BeginMigrationTransactionAsync(DbConnection connection, CancellationToken cancellationToken);

    /// <summary>Runs inside the transaction just before it commits (PostgreSQL queues its NOTIFY here).</summary>
    internal virtual Task BeforeCommitAsync(WriteScope scope, CancellationToken cancellationToken) => Task.CompletedTask;

    internal void AfterCommit(WriteScope scope)
    {
        foreach (var (key, id) in scope.NewFunctionIds)
        {
            _functionIds[key] = id;
        }

        Notifier.Raise(scope.Changed);
    }

    protected async Task ApplyMigrationsAsync(DbConnection connection, int target, CancellationToken cancellationToken)
    {
        foreach (var migration in Migrations.Where(m => m.Version <= target))
        {
            await using var transaction = await BeginMigrationTransactionAsync(connection, cancellationToken);
            var current = await ReadSchemaVersionAsync(connection, transaction, cancellationToken);
            if (current >= migration.Version)
            {
                continue;
            }

            try
            {
                await connection.ExecuteAsync(transaction, migration.Sql, cancellationToken);
                await using (var record = connection.Command(
                    transaction, "INSERT INTO schema_version (version, description, applied_at) VALUES (@version, @description, @at)"))
                {
                    record.AddInt32("@version", migration.Version);
                    record.AddText("@description", migration.Description);
                    record.AddInt64("@at", StoreTime.ToMs(DateTimeOffset.UtcNow));
                    await record.ExecuteNonQueryAsync(cancellationToken);
                }

                await transaction.CommitAsync(cancellationToken);
            }
            catch (DbException e)
            {
                throw new StoreUnavailableException(
                    $"schema migration {migration.Version} ({migration.Description}) failed, the database stays at version {current}: {e.Message}", e);
            }

            Logger.LogInformation("Applied store schema migration {Version}: {Description}", migration.Version, migration.Description);
        }
    }

    /// <summary>Refuses a database written by a newer build: this code would misread or damage its schema.</summary>
    protected void EnsureNotNewer(int version, string where)
    {
        if (version > LatestVersion)
        {
            throw new StoreUnavailableException(
                $"the database at {where} is at schema version {version}, newer than this build of Observe supports ({LatestVersion}); " +
                "upgrade Observe or point it at another database");
        }
    }

    protected async Task<int> ReadSchemaVersionAsync(DbConnection connection, DbTransaction? transaction, CancellationToken cancellationToken)
    {
        await using (var exists = connection.Command(transaction, SchemaVersionExistsSql))
        {
            if (Convert.ToInt64(await exists.ExecuteScalarAsync(cancellationToken) ?? 0L, System.Globalization.CultureInfo.InvariantCulture) == 0)
            {
                return 0;
            }
        }

        await using var command = connection.Command(transaction, "SELECT COALESCE(MAX(version), 0) FROM schema_version");
        return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Ids for the keys, creating dimension rows for functions seen for the first time.</summary>
    protected async Task<Dictionary<FunctionKey, int>> ResolveFunctionIdsAsync(WriteScope scope, IEnumerable<FunctionKey> keys, CancellationToken cancellationToken)
    {
        var ids = new Dictionary<FunctionKey, int>();
        var missing = new HashSet<FunctionKey>();
        foreach (var key in keys)
        {
            if (ids.ContainsKey(key) || missing.Contains(key))
            {
                continue;
            }

            if (_functionIds.TryGetValue(key, out var id))
            {
                ids.Add(key, id);
            }
            else
            {
                missing.Add(key);
            }
        }

        if (missing.Count > 0)
        {
            foreach (var (key, id) in await InsertFunctionIdsAsync(scope, missing, cancellationToken))
            {
                ids.Add(key, id);
                scope.NewFunctionIds[key] = id;
            }
        }

        return ids;
    }

    /// <summary>Creates (or finds) dimension rows; one statement per key, which PostgreSQL replaces with one round trip.</summary>
    protected virtual async Task<IReadOnlyDictionary<FunctionKey, int>> InsertFunctionIdsAsync(
        WriteScope scope, IReadOnlyCollection<FunctionKey> keys, CancellationToken cancellationToken)
    {
        // DO UPDATE (a no-op) rather than DO NOTHING so RETURNING also yields the id of an existing row.
        await using var command = scope.Command("""
            INSERT INTO fn (account_id, region, name) VALUES (@account, @region, @name)
            ON CONFLICT (account_id, region, name) DO UPDATE SET name = excluded.name
            RETURNING id
            """);
        var account = command.AddText("@account", null);
        var region = command.AddText("@region", null);
        var name = command.AddText("@name", null);
        var ids = new Dictionary<FunctionKey, int>();
        foreach (var key in keys)
        {
            account.Set(key.AccountId);
            region.Set(key.Region);
            name.Set(key.Name);
            ids[key] = Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
        }

        return ids;
    }

    /// <summary>Appends <c>AND account = @account AND region = @region</c> for the filter's set fields.</summary>
    protected static string FilterSql(DbCommand command, FleetFilter filter, string accountColumn, string regionColumn)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var sql = "";
        if (filter.AccountId is not null)
        {
            sql += $" AND {accountColumn} = @filter_account";
            command.AddText("@filter_account", filter.AccountId);
        }

        if (filter.Region is not null)
        {
            sql += $" AND {regionColumn} = @filter_region";
            command.AddText("@filter_region", filter.Region);
        }

        return sql;
    }

    // Collector checkpoints

    public async Task<string?> GetCheckpointAsync(string key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        await using var connection = await OpenReadConnectionAsync(cancellationToken);
        await using var command = connection.Command(null, "SELECT value FROM checkpoint WHERE key = @key");
        command.AddText("@key", key);
        return await command.ExecuteScalarAsync(cancellationToken) as string;
    }

    public async Task SetCheckpointAsync(string key, string value, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        await using var scope = await BeginWriteAsync(WriteLock.None, cancellationToken);
        await using (var command = scope.Command("""
            INSERT INTO checkpoint (key, value, updated_at) VALUES (@key, @value, @at)
            ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
            """))
        {
            command.AddText("@key", key);
            command.AddText("@value", value);
            command.AddInt64("@at", StoreTime.ToMs(DateTimeOffset.UtcNow));
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await scope.CommitAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            await Notifier.DisposeAsync();
            await DisposeCoreAsync();
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>
    /// For hosts that dispose their container synchronously (a sync <c>ServiceProvider.Dispose</c> throws on a
    /// singleton that is only <see cref="IAsyncDisposable"/>). Blocking is safe here: the store's own awaits need no
    /// synchronization context, and hosts that can should use <see cref="DisposeAsync"/>.
    /// </summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    protected abstract ValueTask DisposeCoreAsync();
}
