using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Observe.Collectors.Collection;
using Observe.Collectors.Inventory;
using Observe.Collectors.Tests.Infrastructure;
using Observe.Store.Model;

namespace Observe.Collectors.Tests.Inventory;

/// <summary>
/// Deploy markers: the inventory collector records what changed since the stored copy of each function, against moto
/// (versions, aliases, memory) and recorded responses (Lambda moving LastModified, which moto does not).
/// </summary>
public sealed class InventoryChangesTests
{
    private const string Region = "eu-west-1";
    private static readonly DateTimeOffset T0 = new(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);
    private static readonly TimeRange Always = new(DateTimeOffset.UnixEpoch, DateTimeOffset.UtcNow.AddYears(1));

    [Fact]
    public async Task CollectAsync_VersionAliasAndMemoryChanged_OneMarkerEachAtThePassThatSawThem_NoneOnReplayOrForNewFunctions()
    {
        var account = "34" + Random.Shared.NextInt64(10_000_000_000).ToString("D10", CultureInfo.InvariantCulture);
        using var seed = new MotoSeeder(account);
        using var extras = new MotoLambdaSeeder(account);
        await seed.CreateFunctionAsync(Region, "orders", memoryMb: 256);
        await seed.CreateFunctionAsync(Region, "quiet");
        await using var store = await TestStore.CreateAsync();
        using var transport = new ProvisionedConcurrencyTransport();
        using var host = new AwsTestHost(AwsTestHost.OptionsFor(Moto.Url, (account, [Region])), transport: transport);
        var clock = new PassClock(T0);
        var collector = Collector(host, store, clock);
        var orders = new FunctionKey(account, Region, "orders");

        // First sight of both functions: nothing to compare with, so no marker.
        await collector.CollectAsync(Target(host), new PassReport(), CancellationToken.None);
        Assert.Empty(await Changes(store, account));

        await extras.UpdateMemoryAsync(Region, "orders", 512);
        await seed.PublishVersionAsync(Region, "orders");
        await seed.CreateAliasAsync(Region, "orders", "live", "1");
        clock.Now = T0.AddMinutes(15);
        await collector.CollectAsync(Target(host), new PassReport(), CancellationToken.None);

        // moto leaves LastModified as it was on a configuration update, so the memory change is dated by the pass too.
        FunctionChange[] second =
        [
            new(orders, T0.AddMinutes(15), "alias", "Alias live created: version 1"),
            new(orders, T0.AddMinutes(15), "configuration", "Memory 256 -> 512 MB"),
            new(orders, T0.AddMinutes(15), "version", "Published version 1"),
        ];
        Assert.Equal(second, await Changes(store, account));

        // The same state again records nothing.
        clock.Now = T0.AddMinutes(30);
        await collector.CollectAsync(Target(host), new PassReport(), CancellationToken.None);
        Assert.Equal(second, await Changes(store, account));

        await extras.UpdateMemoryAsync(Region, "orders", 1024);
        await seed.PublishVersionAsync(Region, "orders");
        await extras.UpdateAliasAsync(Region, "orders", "live", "2", additionalVersion: "1", weight: 0.1);
        clock.Now = T0.AddMinutes(45);
        await collector.CollectAsync(Target(host), new PassReport(), CancellationToken.None);

        Assert.Equal(
            [
                new(orders, T0.AddMinutes(45), "alias", "Alias live moved: version 1 -> version 2, 10% to version 1"),
                new(orders, T0.AddMinutes(45), "configuration", "Memory 512 -> 1024 MB"),
                new(orders, T0.AddMinutes(45), "version", "Published version 2"),
                .. second,
            ],
            await Changes(store, account));
    }

    [Fact]
    public async Task CollectAsync_LambdaMovedLastModified_ConfigurationAndCodeDatedByIt_StoredOnceWhenReplayed()
    {
        // Recorded response written from the Lambda API reference (ListFunctions): orders-api was updated at
        // 2026-11-20T08:00:00.123Z with a new runtime, a layer and new code.
        var transport = new StubTransport((request, _) =>
        {
            var path = request.Uri.AbsolutePath;
            return path.EndsWith("/functions/", StringComparison.Ordinal)
                ? (HttpStatusCode.OK, """
                    {"Functions":[{"FunctionName":"orders-api","FunctionArn":"arn:aws:lambda:eu-west-1:123456789012:function:orders-api",
                      "Runtime":"nodejs22.x","Role":"arn:aws:iam::123456789012:role/orders","Handler":"index.handler","CodeSize":2048,
                      "MemorySize":512,"Timeout":10,"LastModified":"2026-11-20T08:00:00.123+0000","RevisionId":"rev-2","PackageType":"Zip",
                      "Architectures":["arm64"],"Layers":[{"Arn":"arn:aws:lambda:eu-west-1:123456789012:layer:otel:3","CodeSize":100}]}]}
                    """)
                : (HttpStatusCode.OK, EmptyAnswer(path));
        });
        var options = AwsTestHost.OptionsFor("https://lambda.test.invalid", ("123456789012", ["eu-west-1"]));
        options.Accounts[0].RoleArn = null;
        await using var store = await TestStore.CreateAsync();
        var key = new FunctionKey("123456789012", Region, "orders-api");
        var before = new LambdaFunction
        {
            Key = key,
            Arn = "arn:aws:lambda:eu-west-1:123456789012:function:orders-api",
            Runtime = "nodejs20.x",
            Architecture = "arm64",
            MemoryMb = 512,
            TimeoutSeconds = 10,
            CodeSizeBytes = 1024,
            LastModified = new DateTimeOffset(2026, 11, 1, 9, 0, 0, TimeSpan.Zero),
            RevisionId = "rev-1",
        };
        await store.Store.UpsertFunctionsAsync([before], CancellationToken.None);
        using var host = new AwsTestHost(options, transport: transport);
        var clock = new PassClock(T0);
        var collector = Collector(host, store, clock);

        await collector.CollectAsync(Target(host), new PassReport(), CancellationToken.None);

        var updated = new DateTimeOffset(2026, 11, 20, 8, 0, 0, 123, TimeSpan.Zero);
        FunctionChange[] expected =
        [
            new(key, updated, "code", "Code size 1,024 -> 2,048 bytes"),
            new(key, updated, "configuration", "Runtime nodejs20.x -> nodejs22.x; Layers added arn:aws:lambda:eu-west-1:123456789012:layer:otel:3"),
        ];
        Assert.Equal(expected, await Changes(store, "123456789012"));

        // A pass replayed over the same stored copy (as after an upsert that failed) stores nothing twice.
        await store.Store.UpsertFunctionsAsync([before], CancellationToken.None);
        clock.Now = T0.AddMinutes(15);
        await collector.CollectAsync(Target(host), new PassReport(), CancellationToken.None);
        Assert.Equal(expected, await Changes(store, "123456789012"));
    }

    [Fact]
    public void Between_WeightedAliasRemovedAliasAndTwoVersions_OneMarkerPerKind()
    {
        var key = new FunctionKey("123456789012", Region, "orders");
        var previous = Function(key) with
        {
            PublishedVersions = ["1", "2"],
            Aliases = [new FunctionAlias("beta", "1"), new FunctionAlias("live", "2", "1", 0.25)],
        };
        var current = previous with
        {
            PublishedVersions = ["1", "2", "3", "4"],
            Aliases = [new FunctionAlias("live", "2", "1", 0.5)],
        };

        var changes = FunctionChanges.Between(previous, current, T0);

        Assert.Equal(
            [
                new FunctionChange(key, T0, "version", "Published versions 3, 4"),
                new FunctionChange(key, T0, "alias", "Alias live re-weighted: version 2, 25% to version 1 -> version 2, 50% to version 1; Alias beta removed"),
            ],
            changes);
    }

    [Fact]
    public void Between_LastModifiedMovedButNothingKeptDiffers_AnUpdateMarkerAtLastModified()
    {
        var key = new FunctionKey("123456789012", Region, "orders");
        var previous = Function(key);
        var current = previous with { LastModified = previous.LastModified.AddHours(3), RevisionId = "rev-2" };

        var change = Assert.Single(FunctionChanges.Between(previous, current, T0));

        Assert.Equal((previous.LastModified.AddHours(3), "configuration"), (change.At, change.Kind));
        Assert.StartsWith("Updated (LastModified moved)", change.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void Between_SameFunctionReadAgain_NoChange()
    {
        var previous = Function(new FunctionKey("123456789012", Region, "orders")) with { Layers = ["arn:a", "arn:b"] };

        Assert.Empty(FunctionChanges.Between(previous, previous with { LastSeen = T0, Layers = ["arn:a", "arn:b"] }, T0));
    }

    [Fact]
    public void Between_TimeoutArchitectureAndLayerOrder_ListedInOneConfigurationMarker()
    {
        var key = new FunctionKey("123456789012", Region, "orders");
        var previous = Function(key) with { Layers = ["arn:a", "arn:b"] };
        var current = previous with { TimeoutSeconds = 30, Architecture = "arm64", Layers = ["arn:b", "arn:a"] };

        var change = Assert.Single(FunctionChanges.Between(previous, current, T0));

        Assert.Equal(new FunctionChange(key, T0, "configuration", "Timeout 3 -> 30 s; Architecture x86_64 -> arm64; Layers reordered"), change);
    }

    private static LambdaFunction Function(FunctionKey key) => new()
    {
        Key = key,
        Arn = $"arn:aws:lambda:{key.Region}:{key.AccountId}:function:{key.Name}",
        Runtime = "dotnet8",
        MemoryMb = 256,
        TimeoutSeconds = 3,
        CodeSizeBytes = 4096,
        LastModified = new DateTimeOffset(2026, 11, 1, 9, 0, 0, TimeSpan.Zero),
        RevisionId = "rev-1",
    };

    private static InventoryCollector Collector(AwsTestHost host, TestStore store, TimeProvider clock) =>
        new(host.Clients, store.Store, store.Store, store.Store, store.Store,
            Microsoft.Extensions.Options.Options.Create(new InventoryCollectorOptions { Interval = TimeSpan.FromMinutes(15), FullRefreshInterval = TimeSpan.FromMinutes(15) }),
            clock, NullLogger<InventoryCollector>.Instance);

    private static CollectionTarget Target(AwsTestHost host) => new(host.Options.Accounts[0], Region);

    private static async Task<IReadOnlyList<FunctionChange>> Changes(TestStore store, string account) =>
        await store.Store.GetFunctionChangesAsync(new FleetFilter(account), null, Always, 100, CancellationToken.None);

    /// <summary>What Lambda answers for a function with no tags, versions, aliases or concurrency settings.</summary>
    private static string EmptyAnswer(string path) =>
        path.Contains("/tags/", StringComparison.Ordinal) ? """{"Tags":{}}"""
        : path.EndsWith("/versions", StringComparison.Ordinal) ? """{"Versions":[]}"""
        : path.EndsWith("/aliases", StringComparison.Ordinal) ? """{"Aliases":[]}"""
        : path.EndsWith("/event-source-mappings/", StringComparison.Ordinal) ? """{"EventSourceMappings":[]}"""
        : path.EndsWith("/provisioned-concurrency", StringComparison.Ordinal) ? """{"ProvisionedConcurrencyConfigs":[]}"""
        : "{}";

    /// <summary>The pass time the collector reads; the AWS calls keep the system clock.</summary>
    private sealed class PassClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
