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
    public async Task MigrateAsync_FileIsNotADatabase_ThrowsNamingTheFileAndKeepsIt()
    {
        var location = (SqliteLocation)await FreshLocationAsync();
        var content = string.Concat(Enumerable.Repeat("notes someone saved under the wrong name\n", 200));
        await File.WriteAllTextAsync(location.DatabasePath, content, Ct);

        var error = await Assert.ThrowsAsync<StoreUnavailableException>(() => Open(location).MigrateAsync(Ct));

        Assert.StartsWith($"the SQLite database '{location.DatabasePath}' cannot be used: ", error.Message, StringComparison.Ordinal);
        Assert.Contains("not a database", error.Message, StringComparison.Ordinal);
        Assert.Equal(content, await File.ReadAllTextAsync(location.DatabasePath, Ct));
    }

    [Fact]
    public async Task MigrateAsync_NewDatabaseFails_LeavesNoFileBehind()
    {
        var location = (SqliteLocation)await FreshLocationAsync();

        // A directory where the write-ahead log must go: SQLite creates the database, then cannot write to it.
        Directory.CreateDirectory(location.DatabasePath + "-wal");

        var error = await Assert.ThrowsAsync<StoreUnavailableException>(() => Open(location).MigrateAsync(Ct));

        Assert.StartsWith($"the SQLite database '{location.DatabasePath}' cannot be used: ", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(location.DatabasePath), "a half-created database was left behind");
    }

    [Fact]
    public async Task GetSchemaVersionAsync_NeverMigrated_FailsWithoutCreatingTheFile()
    {
        var location = (SqliteLocation)await FreshLocationAsync();

        await Assert.ThrowsAnyAsync<Microsoft.Data.Sqlite.SqliteException>(() => Open(location).GetSchemaVersionAsync(Ct));

        Assert.False(File.Exists(location.DatabasePath));
    }
}
