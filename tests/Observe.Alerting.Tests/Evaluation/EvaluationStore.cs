using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Observe.Store;

namespace Observe.Alerting.Tests.Evaluation;

/// <summary>A migrated, empty store on SQLite (a temporary directory) or PostgreSQL (a new database), opened as the hosts open it.</summary>
internal sealed class EvaluationStore : IAsyncDisposable
{
    private const string PostgresVariable = "OBSERVE_TEST_POSTGRES";

    private readonly ServiceProvider _provider;
    private readonly string? _directory;
    private readonly string? _database;

    private EvaluationStore(ServiceProvider provider, string? directory, string? database)
    {
        _provider = provider;
        _directory = directory;
        _database = database;
    }

    public IObserveStore Store => _provider.GetRequiredService<IObserveStore>();

    public static Task<EvaluationStore> OpenSqliteAsync(CancellationToken cancellationToken)
    {
        var directory = Directory.CreateTempSubdirectory("observe-alerting-").FullName;
        return OpenAsync(new() { ["Observe:Store:Kind"] = "Sqlite", ["Observe:Store:DataDirectory"] = directory }, directory, null, cancellationToken);
    }

    /// <summary>Throws (never skips) when the PostgreSQL peer was not started.</summary>
    public static async Task<EvaluationStore> OpenPostgresAsync(CancellationToken cancellationToken)
    {
        var admin = Environment.GetEnvironmentVariable(PostgresVariable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"{PostgresVariable} is not set: start PostgreSQL with scripts/peers.sh start and export the variables in .peers/env");
        var database = $"observe_alerting_{Guid.NewGuid():N}";
        await AdminAsync(admin, $"CREATE DATABASE {database}", cancellationToken);
        var connection = new NpgsqlConnectionStringBuilder(admin) { Database = database }.ToString();
        return await OpenAsync(new() { ["Observe:Store:Kind"] = "PostgreSql", ["Observe:Store:ConnectionString"] = connection }, null, database, cancellationToken);
    }

    private static async Task<EvaluationStore> OpenAsync(Dictionary<string, string?> settings, string? directory, string? database, CancellationToken cancellationToken)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var provider = new ServiceCollection().AddObserveStore(configuration).BuildServiceProvider();
        var store = new EvaluationStore(provider, directory, database);
        await store.Store.MigrateAsync(cancellationToken);
        return store;
    }

    private static async Task AdminAsync(string connectionString, string sql, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ToString());
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _provider.DisposeAsync();
        if (_directory is not null)
        {
            Directory.Delete(_directory, recursive: true);
        }

        if (_database is not null)
        {
            NpgsqlConnection.ClearAllPools();
            await AdminAsync(Environment.GetEnvironmentVariable(PostgresVariable)!, $"DROP DATABASE IF EXISTS {_database} WITH (FORCE)", CancellationToken.None);
        }
    }
}
