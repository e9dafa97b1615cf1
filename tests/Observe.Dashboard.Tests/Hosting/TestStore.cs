using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Observe.Store;

namespace Observe.Dashboard.Tests.Hosting;

/// <summary>A real SQLite store in a temp directory, registered the way the dashboard registers it.</summary>
internal sealed class TestStore : IAsyncDisposable
{
    private readonly ServiceProvider _provider;

    private TestStore(ServiceProvider provider, TempDirectory directory)
    {
        _provider = provider;
        Directory = directory;
        Store = provider.GetRequiredService<IObserveStore>();
        Changes = provider.GetRequiredService<IStoreChanges>();
    }

    public TempDirectory Directory { get; }

    public IObserveStore Store { get; }

    public IStoreChanges Changes { get; }

    public static async Task<TestStore> CreateAsync()
    {
        var directory = new TempDirectory();
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Observe:Store:Kind"] = "Sqlite",
                ["Observe:Store:DataDirectory"] = directory.Path,
            })
            .Build();
        var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton<IConfiguration>(configuration);
        services.AddObserveStore(configuration);
        var store = new TestStore(services.BuildServiceProvider(), directory);
        await store.Store.MigrateAsync(CancellationToken.None);
        return store;
    }

    public async ValueTask DisposeAsync()
    {
        await _provider.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Dispose();
    }
}

/// <summary>A directory deleted with everything in it when disposed.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory() => Path = System.IO.Directory.CreateTempSubdirectory("observe-dashboard-tests-").FullName;

    public string Path { get; }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A file still open (a pooled connection closing late) must not fail the test; the OS temp cleaner gets it.
        }
    }
}
