using Observe.Store.Tests.Harness;

namespace Observe.Store.Tests;

/// <summary>The contract on SQLite: a file in a new temporary directory per test.</summary>
public sealed class SqliteStoreTests : StoreContractTests
{
    protected override Task<StoreLocation> UseLocationAsync() => Task.FromResult(Owned(new SqliteLocation()));

    protected override Task<StoreLocation> CreateFreshLocationAsync() => Task.FromResult<StoreLocation>(new SqliteLocation());

    [Fact]
    public async Task WriteMetricsAsync_OpenStore_CommitsThroughWriteAheadLog()
    {
        var location = (SqliteLocation)Location;

        await Store.WriteMetricsAsync([Point(Fn("a"), 0, invocations: 1)], Ct);

        Assert.True(File.Exists(location.DatabasePath + "-wal"), "the database is not in WAL mode");
    }

    [Fact]
    public async Task GetSchemaVersionAsync_NeverMigrated_FailsWithoutCreatingTheFile()
    {
        var location = (SqliteLocation)await FreshLocationAsync();

        await Assert.ThrowsAnyAsync<Microsoft.Data.Sqlite.SqliteException>(() => Open(location).GetSchemaVersionAsync(Ct));

        Assert.False(File.Exists(location.DatabasePath));
    }
}
