using System.Data;
using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using SQLitePCL;

namespace Observe.Store.Internal.Sqlite;

/// <summary>
/// The embedded engine: one SQLite file in WAL mode. All writes go through one connection, one at a time (SQLite
/// has a single writer anyway; queuing in-process is cheaper than busy retries); reads use pooled connections and
/// run alongside a write. <c>synchronous=NORMAL</c>: a committed transaction survives the process dying, though a
/// power loss may take the last few commits, an accepted trade for telemetry.
/// </summary>
internal sealed class SqliteObserveStore : RelationalStore
{
    private readonly string _path;
    private readonly string _readConnectionString;
    private readonly string _writeConnectionString;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private SqliteConnection? _writer;

    public SqliteObserveStore(StoreOptions options, ILogger<SqliteObserveStore> logger)
        : base(options, logger)
    {
        _path = options.SqlitePath;

        // Readers never create the file: querying a store that was never migrated must fail, not leave an empty database.
        _readConnectionString = new SqliteConnectionStringBuilder { DataSource = _path, Mode = SqliteOpenMode.ReadWrite, Pooling = true }.ToString();
        _writeConnectionString = new SqliteConnectionStringBuilder { DataSource = _path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false }.ToString();
    }

    protected override IReadOnlyList<Migration> Migrations => SqliteMigrations.All;

    protected override string SchemaVersionExistsSql => "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'";

    internal override async Task MigrateToAsync(int version, CancellationToken cancellationToken)
    {
        EnsureDirectoryWritable();
        var created = !File.Exists(_path);
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            var writer = await GetWriterAsync(cancellationToken);
            EnsureNotNewer(await ReadSchemaVersionAsync(writer, null, cancellationToken), _path);
            await ApplyMigrationsAsync(writer, version, cancellationToken);
            Logger.LogInformation("Store: SQLite database {Path} at schema version {Version}", _path, version);
        }
        catch (Exception e)
        {
            if (created)
            {
                await RemoveIfEmptyAsync();
            }

            if (e is SqliteException sqlite)
            {
                throw new StoreUnavailableException($"the SQLite database '{_path}' cannot be used: {sqlite.Message}", sqlite);
            }

            throw;
        }
        finally
        {
            _writeGate.Release();
        }
    }

    protected override async Task<DbConnection> OpenReadConnectionCoreAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_readConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    // Deferred: a read transaction in WAL mode, holding its snapshot from the first read without blocking writers.
    protected override Task<DbTransaction> BeginSnapshotAsync(DbConnection connection, CancellationToken cancellationToken) =>
        Task.FromResult<DbTransaction>(((SqliteConnection)connection).BeginTransaction(deferred: true));

    protected override async Task<WriteScope> BeginWriteCoreAsync(WriteLock writeLock, CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            var writer = await GetWriterAsync(cancellationToken);

            // IMMEDIATE takes the write lock at BEGIN, so a writer in another process makes us wait (busy timeout)
            // instead of failing at the first write after we have read.
            var transaction = writer.BeginTransaction(IsolationLevel.Serializable, deferred: false);
            return new WriteScope(this, writer, transaction, ReleaseWriteGate);
        }
        catch
        {
            _writeGate.Release();
            throw;
        }
    }

    protected override Task<DbTransaction> BeginMigrationTransactionAsync(DbConnection connection, CancellationToken cancellationToken) =>
        Task.FromResult<DbTransaction>(((SqliteConnection)connection).BeginTransaction(IsolationLevel.Serializable, deferred: false));

    protected override Task<IReadOnlyList<StoredMetricRow>> ReadMetricRowsAsync(WriteScope scope, IReadOnlyList<MetricRun> runs, CancellationToken cancellationToken)
    {
        // The synchronous API on purpose: Microsoft.Data.Sqlite's async methods complete synchronously anyway,
        // and this loop runs once per function in a batch.
        using var command = scope.Command($"""
            SELECT minute, {MetricValues.Columns} FROM metric_minute
            WHERE fid = @fid AND minute >= @from AND minute <= @to ORDER BY minute
            """);
        var fid = command.AddInt32("@fid", 0);
        var from = command.AddInt32("@from", 0);
        var to = command.AddInt32("@to", 0);
        command.Prepare();
        var rows = new List<StoredMetricRow>();
        foreach (var run in runs)
        {
            cancellationToken.ThrowIfCancellationRequested();
            fid.Value = run.FunctionId;
            from.Value = run.FirstMinute;
            to.Value = run.LastMinute;
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                rows.Add(new StoredMetricRow(run.FunctionId, reader.GetInt32(0), MetricValues.Read(reader, 1)));
            }
        }

        return Task.FromResult<IReadOnlyList<StoredMetricRow>>(rows);
    }

    protected override Task WriteMetricRowsAsync(WriteScope scope, IReadOnlyList<MetricRow> rows, CancellationToken cancellationToken)
    {
        // The hottest loop of the store (a day of a 10,000-function fleet is 14.4 M rows), so it binds through
        // SQLitePCLRaw directly: Microsoft.Data.Sqlite's parameter objects doubled the time per row. The statement
        // runs on the scope's connection inside its transaction like any other command.
        var db = ((SqliteConnection)scope.Connection).Handle!;
        Check(db, raw.sqlite3_prepare_v2(db, $"""
            INSERT INTO metric_minute (fid, minute, {MetricValues.Columns})
            VALUES ({string.Join(", ", Enumerable.Repeat("?", MetricValues.ColumnCount + 2))})
            ON CONFLICT (fid, minute) DO UPDATE SET {OverwriteMetricColumns}
            """, out var statement));
        using (statement)
        {
            for (var r = 0; r < rows.Count; r++)
            {
                if ((r & 0xFFF) == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }

                var (fid, minute, v) = rows[r];
                raw.sqlite3_bind_int(statement, 1, fid);
                raw.sqlite3_bind_int(statement, 2, minute);
                Bind(statement, 3, v.Invocations);
                Bind(statement, 4, v.Errors);
                Bind(statement, 5, v.Throttles);
                Bind(statement, 6, v.DurationAvgMs);
                Bind(statement, 7, v.DurationP50Ms);
                Bind(statement, 8, v.DurationP90Ms);
                Bind(statement, 9, v.DurationP99Ms);
                Bind(statement, 10, v.ConcurrentExecutions);
                Bind(statement, 11, v.IteratorAgeMs);
                Bind(statement, 12, v.ColdStarts);
                Bind(statement, 13, v.DeadLetterErrors);
                Bind(statement, 14, v.AsyncEventsDropped);
                Bind(statement, 15, v.InsightsMemoryUtilizationMax);
                Bind(statement, 16, v.InsightsUsedMemoryMaxMb);
                Bind(statement, 17, v.InsightsCpuTotalTimeMs);
                Bind(statement, 18, v.InsightsNetworkBytes);
                Bind(statement, 19, v.InsightsInitDurationMaxMs);
                var rc = raw.sqlite3_step(statement);
                if (rc != raw.SQLITE_DONE)
                {
                    Check(db, rc);
                }

                raw.sqlite3_reset(statement);
            }
        }

        return Task.CompletedTask;
    }

    private static void Bind(sqlite3_stmt statement, int index, double? value)
    {
        if (value is { } v)
        {
            raw.sqlite3_bind_double(statement, index, v);
        }
        else
        {
            raw.sqlite3_bind_null(statement, index);
        }
    }

    private static void Check(sqlite3 db, int rc)
    {
        if (rc != raw.SQLITE_OK)
        {
            SqliteException.ThrowExceptionForRC(rc, db);
        }
    }

    protected override async ValueTask DisposeCoreAsync()
    {
        await _writeGate.WaitAsync();
        try
        {
            if (_writer is not null)
            {
                await _writer.DisposeAsync();
                _writer = null;
            }

            // Pooled readers keep the file open; release them so the file can be moved or deleted after disposal.
            using var pooled = new SqliteConnection(_readConnectionString);
            SqliteConnection.ClearPool(pooled);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    private ValueTask ReleaseWriteGate()
    {
        _writeGate.Release();
        return ValueTask.CompletedTask;
    }

    private async Task<SqliteConnection> GetWriterAsync(CancellationToken cancellationToken)
    {
        if (_writer is not null)
        {
            return _writer;
        }

        var writer = new SqliteConnection(_writeConnectionString);
        try
        {
            await writer.OpenAsync(cancellationToken);

            await writer.ExecuteAsync(null, "PRAGMA busy_timeout = 30000", cancellationToken);
            await using (var wal = writer.Command(null, "PRAGMA journal_mode = WAL"))
            {
                // SQLite answers with the mode it ended up in rather than failing; without WAL readers would block
                // behind every write, so refuse to run that way.
                var mode = await wal.ExecuteScalarAsync(cancellationToken) as string;
                if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
                {
                    throw new StoreUnavailableException($"the SQLite database '{_path}' cannot be used: it could not be switched to WAL mode (journal mode is '{mode}')");
                }
            }

            // A metrics batch touches the newest leaf page of every function it names (about 40 MB of pages for
            // 10,000 functions), hence the 128 MB cache; the WAL file shrinks back to 64 MB after a checkpoint.
            await writer.ExecuteAsync(null, """
                PRAGMA synchronous = NORMAL;
                PRAGMA cache_size = -131072;
                PRAGMA temp_store = MEMORY;
                PRAGMA journal_size_limit = 67108864;
                """, cancellationToken);
        }
        catch
        {
            await writer.DisposeAsync();
            throw;
        }

        _writer = writer;
        return writer;
    }

    private void EnsureDirectoryWritable()
    {
        var directory = Path.GetDirectoryName(_path)!;
        try
        {
            Directory.CreateDirectory(directory);

            // Creating the directory can succeed on a read-only mount; only writing a file proves SQLite can.
            using var probe = new FileStream(
                Path.Combine(directory, $".observe-write-test-{Guid.NewGuid():N}"), FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StoreUnavailableException(
                $"{StoreOptions.SectionName}:{nameof(StoreOptions.DataDirectory)} '{Options.DataDirectory}' is not writable: {e.Message}", e);
        }
    }

    /// <summary>Removes a database this start created when not even the first migration committed.</summary>
    private async Task RemoveIfEmptyAsync()
    {
        try
        {
            if (_writer is not null)
            {
                var version = 0;
                try
                {
                    version = await ReadSchemaVersionAsync(_writer, null, CancellationToken.None);
                }
                catch (SqliteException)
                {
                    // Unreadable right after we created it: nothing of ours committed, and nobody else's data is in it
                    // (a process that had migrated it could read it).
                }

                if (version > 0)
                {
                    return;
                }

                await _writer.DisposeAsync();
                _writer = null;
            }

            foreach (var file in new[] { _path, _path + "-wal", _path + "-shm" })
            {
                if (File.Exists(file))
                {
                    File.Delete(file);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Logger.LogWarning(e, "Could not remove the incomplete SQLite database {Path}", _path);
        }
    }
}
