using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Observe.Store.Internal;

namespace Observe.Store.Tests.Harness;

/// <summary>
/// Where a store lives (a SQLite directory or a PostgreSQL database). Several stores can be opened on one location
/// to play several processes or a restart; raw SQL builds the databases an older build would have left.
/// </summary>
public abstract class StoreLocation : IAsyncDisposable
{
    public abstract StoreOptions CreateOptions();

    internal RelationalStore OpenStore(Action<StoreOptions>? configure = null)
    {
        var options = CreateOptions();
        configure?.Invoke(options);
        return StoreServiceCollectionExtensions.CreateStore(options, NullLoggerFactory.Instance);
    }

    public abstract Task ExecuteAsync(string sql);

    public abstract Task<long> ScalarAsync(string sql);

    public abstract ValueTask DisposeAsync();
}

public sealed class SqliteLocation : StoreLocation
{
    private readonly string _directory = Directory.CreateTempSubdirectory("observe-store-tests-").FullName;

    public string DatabasePath => Path.Combine(_directory, StoreOptions.SqliteFileName);

    public override StoreOptions CreateOptions() => new() { Kind = "Sqlite", DataDirectory = _directory };

    public override async Task ExecuteAsync(string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        await connection.OpenAsync();
        await using var command = new SqliteCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    public override async Task<long> ScalarAsync(string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        await connection.OpenAsync();
        await using var command = new SqliteCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    public override ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A handle closing late must not fail the test; the temp directory is cleaned by the OS eventually.
        }

        return ValueTask.CompletedTask;
    }
}

/// <summary>A uniquely named database on the test server, dropped on dispose.</summary>
public sealed class PostgresLocation : StoreLocation
{
    private readonly string _connectionString;

    private PostgresLocation(string database)
    {
        Database = database;
        _connectionString = new NpgsqlConnectionStringBuilder(PostgresServer.ConnectionString) { Database = database, Pooling = false }.ToString();
    }

    public string Database { get; }

    public static async Task<PostgresLocation> CreateAsync()
    {
        var database = $"observe_test_{Guid.NewGuid():N}";
        await PostgresServer.ExecuteAsync($"CREATE DATABASE {database}");
        return new PostgresLocation(database);
    }

    public override StoreOptions CreateOptions() => new() { Kind = "PostgreSql", ConnectionString = _connectionString };

    public override async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    public override async Task<long> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    /// <summary>Empties every table but the schema's version, so a test class can reuse its migrated database.</summary>
    public async Task TruncateAsync()
    {
        await ExecuteAsync("""
            DO $$ BEGIN
              EXECUTE (SELECT 'TRUNCATE ' || string_agg(quote_ident(tablename), ', ') || ' RESTART IDENTITY'
                       FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'schema_version');
            END $$
            """);
    }

    public override async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await PostgresServer.ExecuteAsync($"DROP DATABASE IF EXISTS {Database} WITH (FORCE)");
    }
}

/// <summary>The PostgreSQL server <c>scripts/peers.sh</c> starts; its address comes from <c>OBSERVE_TEST_POSTGRES</c>.</summary>
public static class PostgresServer
{
    public const string Variable = "OBSERVE_TEST_POSTGRES";

    /// <summary>The admin connection string; throws (never skips) when the server was not started.</summary>
    public static string ConnectionString =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"{Variable} is not set, so the PostgreSQL tests cannot run: run scripts/test.sh (it starts PostgreSQL and sets " +
                $"{Variable}), or start it with scripts/peers.sh start and export the variables in .peers/env");

    public static async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ConnectionString) { Pooling = false }.ToString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
