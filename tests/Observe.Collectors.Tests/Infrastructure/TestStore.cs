using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Observe.Store;

namespace Observe.Collectors.Tests.Infrastructure;

/// <summary>
/// A fresh, migrated store built through AddObserveStore as the hosts build it: SQLite in a temporary directory by
/// default, or a uniquely named database on the PostgreSQL server scripts/peers.sh starts (OBSERVE_TEST_POSTGRES;
/// missing, the test fails). Dispose deletes the directory or drops the database.
/// </summary>
internal sealed class TestStore : IAsyncDisposable
{
    private readonly string? _directory;
    private readonly string? _database;
    private readonly ServiceProvider _services;

    private TestStore(string? directory, string? database, Dictionary<string, string?> settings)
    {
        _directory = directory;
        _database = database;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        _services = new ServiceCollection().AddObserveStore(configuration).BuildServiceProvider();
        Store = _services.GetRequiredService<IObserveStore>();
    }

    public IObserveStore Store { get; }

    public static async Task<TestStore> CreateAsync(StoreKind kind = StoreKind.Sqlite)
    {
        TestStore store;
        if (kind == StoreKind.PostgreSql)
        {
            var database = $"observe_collectors_{Guid.NewGuid():N}";
            await AdminAsync($"CREATE DATABASE {database}");
            var connection = new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = database }.ToString();
            store = new TestStore(null, database, new() { ["Observe:Store:Kind"] = "PostgreSql", ["Observe:Store:ConnectionString"] = connection });
        }
        else
        {
            var directory = Directory.CreateTempSubdirectory("observe-collectors-tests-").FullName;
            store = new TestStore(directory, null, new() { ["Observe:Store:Kind"] = "Sqlite", ["Observe:Store:DataDirectory"] = directory });
        }

        await store.Store.MigrateAsync(CancellationToken.None);
        return store;
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        if (_database is not null)
        {
            NpgsqlConnection.ClearAllPools();
            await AdminAsync($"DROP DATABASE IF EXISTS {_database} WITH (FORCE)");
        }

        if (_directory is not null)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (IOException)
            {
                // A file still held open only leaves a temp directory behind.
            }
        }
    }

    private static string AdminConnectionString =>
        Environment.GetEnvironmentVariable("OBSERVE_TEST_POSTGRES") is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException("OBSERVE_TEST_POSTGRES is not set: run scripts/test.sh, or scripts/peers.sh start and export .peers/env");

    private static async Task AdminAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
