using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Observe.Store;

namespace Observe.Collectors.Tests.Inventory;

/// <summary>A real SQLite store in a temporary directory, built the way the host builds it (AddObserveStore), deleted on dispose.</summary>
internal sealed class SqliteTestStore : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly string _directory;

    private SqliteTestStore(ServiceProvider services, string directory)
    {
        _services = services;
        _directory = directory;
        Store = services.GetRequiredService<IObserveStore>();
    }

    public IObserveStore Store { get; }

    public static async Task<SqliteTestStore> CreateAsync()
    {
        var directory = Path.Combine(Path.GetTempPath(), $"observe-collector-test-{Guid.NewGuid():N}");
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Observe:Store:Kind"] = "Sqlite", ["Observe:Store:DataDirectory"] = directory })
            .Build();
        var services = new ServiceCollection().AddObserveStore(configuration).BuildServiceProvider();
        var store = new SqliteTestStore(services, directory);
        await store.Store.MigrateAsync(CancellationToken.None);
        return store;
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
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
