using Observe.Store.Model;
using Observe.Store.Tests.Harness;

namespace Observe.Store.Tests;

/// <summary>
/// Schema version 20, on both engines: API keys kept as hashes, a rotation's old secret working until it is retired,
/// revocation ending both, and names unique among working keys.
/// </summary>
public abstract class ApiKeyContractTests : StoreTestBase
{
    private static readonly string HashA = new('a', 64);
    private static readonly string HashB = new('b', 64);
    private static readonly string HashC = new('c', 64);

    [Fact]
    public async Task CreateApiKeyAsync_StoresTheHashOnly_ListsTheKeyWithoutIt()
    {
        Assert.True(await Store.CreateApiKeyAsync(Key("k1", "ci export"), HashA, Ct));

        var key = Assert.Single(await Store.GetApiKeysAsync(Ct));
        Assert.Equal(Key("k1", "ci export"), key);
        var credential = await Store.GetApiKeyCredentialAsync("k1", Ct);
        Assert.Equal(new ApiKeyCredential(key, HashA, null), credential);
        Assert.Null(await Store.GetApiKeyCredentialAsync("k2", Ct));
        Assert.Equal(1, await Location.ScalarAsync($"SELECT COUNT(*) FROM api_key WHERE primary_hash = '{HashA}'"));
    }

    [Fact]
    public async Task CreateApiKeyAsync_NameOfAWorkingKey_Refused_NameOfARevokedKey_Allowed()
    {
        Assert.True(await Store.CreateApiKeyAsync(Key("k1", "assistant"), HashA, Ct));
        Assert.False(await Store.CreateApiKeyAsync(Key("k2", "assistant"), HashB, Ct));
        Assert.False(await Store.CreateApiKeyAsync(Key("k1", "other"), HashB, Ct));

        Assert.NotNull(await Store.RevokeApiKeyAsync("k1", "alice", T0.AddHours(1), Ct));
        Assert.True(await Store.CreateApiKeyAsync(Key("k2", "assistant"), HashB, Ct));
        Assert.Equal(["k2", "k1"], (await Store.GetApiKeysAsync(Ct)).Select(k => k.Id));
    }

    [Fact]
    public async Task RotateApiKeyAsync_OldSecretBecomesSecondary_UntilRetired_SecondRotationWaitsForRetirement()
    {
        await Store.CreateApiKeyAsync(Key("k1", "assistant"), HashA, Ct);

        var rotated = await Store.RotateApiKeyAsync("k1", HashB, T0.AddHours(1), Ct);
        Assert.Equal((true, T0.AddHours(1)), (rotated!.HasSecondary, rotated.RotatedAt));
        Assert.Equal((HashB, HashA), Hashes(await Store.GetApiKeyCredentialAsync("k1", Ct)));

        // The oldest secret is never dropped by a rotation: a client still on it would lose access unannounced.
        Assert.Null(await Store.RotateApiKeyAsync("k1", HashC, T0.AddHours(2), Ct));
        Assert.Equal((HashB, HashA), Hashes(await Store.GetApiKeyCredentialAsync("k1", Ct)));

        var retired = await Store.RetireApiKeySecondaryAsync("k1", Ct);
        Assert.False(retired!.HasSecondary);
        Assert.Equal((HashB, (string?)null), Hashes(await Store.GetApiKeyCredentialAsync("k1", Ct)));
        Assert.Null(await Store.RetireApiKeySecondaryAsync("k1", Ct));
        Assert.NotNull(await Store.RotateApiKeyAsync("k1", HashC, T0.AddHours(3), Ct));
    }

    [Fact]
    public async Task RevokeApiKeyAsync_EndsBothSecrets_RecordsWho_LaterChangesRefused()
    {
        await Store.CreateApiKeyAsync(Key("k1", "assistant"), HashA, Ct);
        await Store.RotateApiKeyAsync("k1", HashB, T0.AddHours(1), Ct);

        var revoked = await Store.RevokeApiKeyAsync("k1", "alice", T0.AddHours(2), Ct);

        Assert.Equal((T0.AddHours(2), "alice", false), (revoked!.RevokedAt, revoked.RevokedBy, revoked.HasSecondary));
        Assert.Equal(("", (string?)null), Hashes(await Store.GetApiKeyCredentialAsync("k1", Ct)));
        Assert.Null(await Store.RevokeApiKeyAsync("k1", "bob", T0.AddHours(3), Ct));
        Assert.Null(await Store.RotateApiKeyAsync("k1", HashC, T0.AddHours(3), Ct));
        Assert.Null(await Store.RevokeApiKeyAsync("unknown", "bob", T0.AddHours(3), Ct));
    }

    [Fact]
    public async Task RecordApiKeyUseAsync_KeepsTheLatestTime()
    {
        await Store.CreateApiKeyAsync(Key("k1", "assistant"), HashA, Ct);

        await Store.RecordApiKeyUseAsync("k1", T0.AddMinutes(5), Ct);
        await Store.RecordApiKeyUseAsync("k1", T0.AddMinutes(2), Ct);

        Assert.Equal(T0.AddMinutes(5), Assert.Single(await Store.GetApiKeysAsync(Ct)).LastUsedAt);
    }

    private static ApiKey Key(string id, string name) => new(id, name, "Viewer", T0, "alice");

    private static (string, string?) Hashes(ApiKeyCredential? credential) => (credential!.PrimaryHash, credential.SecondaryHash);
}

/// <summary>The version 20 API key contract on SQLite.</summary>
public sealed class SqliteApiKeyTests : ApiKeyContractTests
{
    protected override Task<StoreLocation> UseLocationAsync() => Task.FromResult(Owned(new SqliteLocation()));

    protected override Task<StoreLocation> CreateFreshLocationAsync() => Task.FromResult<StoreLocation>(new SqliteLocation());
}

/// <summary>The version 20 API key contract on PostgreSQL.</summary>
public sealed class PostgresApiKeyTests(PostgresDatabaseFixture database) : ApiKeyContractTests, IClassFixture<PostgresDatabaseFixture>
{
    protected override async Task<StoreLocation> UseLocationAsync() => await database.GetEmptyAsync();

    protected override async Task<StoreLocation> CreateFreshLocationAsync() => await PostgresLocation.CreateAsync();
}
