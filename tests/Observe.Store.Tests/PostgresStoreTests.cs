using Observe.Store.Tests.Harness;

namespace Observe.Store.Tests;

/// <summary>
/// The contract on PostgreSQL: one database per test class, emptied before each test; tests that need an untouched
/// database (migrations) get their own.
/// </summary>
public sealed class PostgresStoreTests(PostgresDatabaseFixture database) : StoreContractTests, IClassFixture<PostgresDatabaseFixture>
{
    protected override async Task<StoreLocation> UseLocationAsync() => await database.GetEmptyAsync();

    protected override async Task<StoreLocation> CreateFreshLocationAsync() => await PostgresLocation.CreateAsync();

    [Fact]
    public async Task Subscribe_WriteFromAnotherProcess_RelayedThroughNotify()
    {
        var other = Open(Location);
        await other.MigrateAsync(Ct);
        var changes = new ChangeRecorder();
        using var subscription = Store.Subscribe(changes.Add);

        // The listener connects in the background: keep writing until a notification gets through (30 s bounds a broken
        // test only; on a loaded machine the listener's connection can take seconds).
        var deadline = DateTime.UtcNow.AddSeconds(30);
        for (var attempt = 0; !changes.HasSeen(StoreChangeKind.Traces); attempt++)
        {
            Assert.True(DateTime.UtcNow < deadline, $"no change from the other store arrived within 30 s ({attempt} writes)");
            await other.WriteTracesAsync([Trace($"1-relay-{attempt}", At(0))], Ct);
            await Task.Delay(200, Ct);
        }

        Assert.DoesNotContain(changes.Seen, c => c.HasFlag(StoreChangeKind.Metrics));
    }
}

/// <summary>The migrated database a <see cref="PostgresStoreTests"/> run shares; created on first use.</summary>
public sealed class PostgresDatabaseFixture : IAsyncLifetime
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private PostgresLocation? _location;

    public async Task<PostgresLocation> GetAsync()
    {
        await _gate.WaitAsync();
        try
        {
            if (_location is null)
            {
                // Created here rather than in InitializeAsync so a missing server fails each test with the message
                // naming scripts/test.sh, instead of a fixture error.
                var location = await PostgresLocation.CreateAsync();
                await using (var store = location.OpenStore())
                {
                    await store.MigrateAsync(CancellationToken.None);
                }

                _location = location;
            }

            return _location;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The shared database, emptied: what each contract test starts from.</summary>
    public async Task<PostgresLocation> GetEmptyAsync()
    {
        var location = await GetAsync();
        await location.TruncateAsync();
        return location;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_location is not null)
        {
            await _location.DisposeAsync();
        }

        _gate.Dispose();
    }
}
