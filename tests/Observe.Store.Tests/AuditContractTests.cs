using Observe.Store.Model;
using Observe.Store.Tests.Harness;

namespace Observe.Store.Tests;

/// <summary>
/// Schema version 19, on both engines: the audit log (written, read newest first with filters and pages, pruned with
/// the alerting history) and the Data Protection key ring shared by every store on one database.
/// </summary>
public abstract class AuditContractTests : StoreTestBase
{
    [Fact]
    public async Task AppendAuditEntryAsync_ReadBack_NewestFirstWithEveryFieldAndAnId()
    {
        var first = await Store.AppendAuditEntryAsync(Entry("alice", "error.status", "fp-a", At(1)) with { Before = """{"status":"Active"}""", After = """{"status":"Resolved"}""" }, Ct);
        var second = await Store.AppendAuditEntryAsync(Entry("bob", "alert.acknowledge", "<script>x</script> rule", At(2)) with { Before = null, After = null }, Ct);
        // Same millisecond as the second: the later write comes first.
        var third = await Store.AppendAuditEntryAsync(Entry("alice", "rule.save", "errors", At(2)), Ct);

        Assert.True(first.Id > 0 && second.Id > first.Id && third.Id > second.Id);
        var page = await Store.GetAuditEntriesAsync(new AuditQuery(), Ct);

        Assert.Equal(3, page.Total);
        Assert.Equal([third.Id, second.Id, first.Id], page.Entries.Select(e => e.Id));
        Assert.Equal(first, page.Entries[2]);
        Assert.Equal(("bob", "alert.acknowledge", "<script>x</script> rule", (string?)null, (string?)null), (page.Entries[1].Actor, page.Entries[1].Action, page.Entries[1].Target, page.Entries[1].Before, page.Entries[1].After));
        Assert.Equal("""{"status":"Active"}""", page.Entries[2].Before);
    }

    [Fact]
    public async Task GetAuditEntriesAsync_FiltersByUserActionAndTime_PagesWithTheTotal()
    {
        for (var i = 0; i < 12; i++)
        {
            await Store.AppendAuditEntryAsync(Entry(i % 3 == 0 ? "alice" : "bob", i % 2 == 0 ? "error.status" : "silence.create", $"t-{i}", At(i)), Ct);
        }

        async Task<string> Read(AuditQuery query)
        {
            var page = await Store.GetAuditEntriesAsync(query, Ct);
            return $"{page.Total}: {string.Join(' ', page.Entries.Select(e => e.Target))}";
        }

        Assert.Equal("4: t-9 t-6 t-3 t-0", await Read(new AuditQuery { Actor = "alice" }));
        Assert.Equal("6: t-11 t-9 t-7 t-5 t-3 t-1", await Read(new AuditQuery { Action = "silence.create" }));
        Assert.Equal("2: t-9 t-3", await Read(new AuditQuery { Actor = "alice", Action = "silence.create" }));
        // From inclusive, To exclusive.
        Assert.Equal("3: t-6 t-5 t-4", await Read(new AuditQuery { From = At(4), To = At(7) }));
        Assert.Equal("12: t-6 t-5 t-4 t-3 t-2", await Read(new AuditQuery { Offset = 5, Limit = 5 }));
        Assert.Equal("12: t-1 t-0", await Read(new AuditQuery { Offset = 10, Limit = 5 }));
        Assert.Equal("0: ", await Read(new AuditQuery { Actor = "nobody" }));

        var (actors, actions) = await Store.GetAuditFacetsAsync(Ct);
        Assert.Equal(["alice", "bob"], actors);
        Assert.Equal(["error.status", "silence.create"], actions);
    }

    [Fact]
    public async Task GetAuditEntriesAsync_PageLargerThanAllowed_RefusedNamingTheLimit()
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.GetAuditEntriesAsync(new AuditQuery { Limit = 501 }, Ct));
    }

    [Fact]
    public async Task ApplyRetentionAsync_AuditEntriesPastTheAlertHistoryRetention_Deleted()
    {
        var store = Open(Location, o => o.AlertHistoryRetention = TimeSpan.FromDays(30));
        await store.AppendAuditEntryAsync(Entry("alice", "rule.delete", "old", T0.AddDays(-31)), Ct);
        await store.AppendAuditEntryAsync(Entry("alice", "rule.save", "kept", T0.AddDays(-29)), Ct);

        var first = await store.ApplyRetentionAsync(T0, Ct);
        var again = await store.ApplyRetentionAsync(T0, Ct);

        Assert.Equal((1L, 0L), (first.AuditEntriesDeleted, again.AuditEntriesDeleted));
        Assert.Equal(["kept"], (await store.GetAuditEntriesAsync(new AuditQuery(), Ct)).Entries.Select(e => e.Target));
    }

    [Fact]
    public async Task DataProtectionKeys_WrittenByOneStore_ReadByAnotherOnTheSameDatabase_FirstWriteOfANameKept()
    {
        var other = Open(Location);
        await Store.StoreDataProtectionKeyAsync("key-1", "<key id=\"1\" />", At(0), Ct);
        await other.StoreDataProtectionKeyAsync("key-2", "<key id=\"2\" />", At(1), Ct);
        await other.StoreDataProtectionKeyAsync("key-1", "<key id=\"changed\" />", At(2), Ct);

        var keys = await other.GetDataProtectionKeysAsync(Ct);

        Assert.Equal([new DataProtectionKeyElement("key-1", "<key id=\"1\" />", At(0)), new DataProtectionKeyElement("key-2", "<key id=\"2\" />", At(1))], keys);
        Assert.Equal(keys, await Store.GetDataProtectionKeysAsync(Ct));
    }

    private static AuditEntry Entry(string actor, string action, string target, DateTimeOffset at) => new()
    {
        At = at,
        Actor = actor,
        Action = action,
        Target = target,
        Before = """{"enabled":true}""",
        After = """{"enabled":false}""",
    };
}

/// <summary>The version 19 audit contract on SQLite.</summary>
public sealed class SqliteAuditTests : AuditContractTests
{
    protected override Task<StoreLocation> UseLocationAsync() => Task.FromResult(Owned(new SqliteLocation()));

    protected override Task<StoreLocation> CreateFreshLocationAsync() => Task.FromResult<StoreLocation>(new SqliteLocation());
}

/// <summary>The version 19 audit contract on PostgreSQL.</summary>
public sealed class PostgresAuditTests(PostgresDatabaseFixture database) : AuditContractTests, IClassFixture<PostgresDatabaseFixture>
{
    protected override async Task<StoreLocation> UseLocationAsync() => await database.GetEmptyAsync();

    protected override async Task<StoreLocation> CreateFreshLocationAsync() => await PostgresLocation.CreateAsync();
}
