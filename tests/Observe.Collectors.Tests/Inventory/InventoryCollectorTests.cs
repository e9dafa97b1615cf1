using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Observe.Collectors.Aws;
using Observe.Collectors.Collection;
using Observe.Collectors.Inventory;
using Observe.Collectors.Tests.Infrastructure;
using Observe.Store.Model;

namespace Observe.Collectors.Tests.Inventory;

/// <summary>
/// The inventory collector against moto writing into a real SQLite store. Each test reads a fresh account (34 and ten
/// random digits, reached by AssumeRole): moto lives as long as the test run's peers, and the collector lists whole
/// regions, so the functions of an earlier run must not be in the listing; ListProvisionedConcurrencyConfigs, which moto lacks, answers from <see cref="ProvisionedConcurrencyTransport"/>.
/// </summary>
public sealed class InventoryCollectorTests
{
    private static readonly DateOnly Today = DateOnly.FromDateTime(DateTime.UtcNow);

    [Fact]
    public async Task CollectAsync_125FunctionsInTwoRegions_StoreEqualsSeeded()
    {
        var account = FreshAccount();
        using var seed = new MotoSeeder(account);
        var seeded = new List<(string Region, string Name, int Memory, string Team)>();
        foreach (var (region, count) in new[] { ("eu-west-1", 65), ("us-east-2", 60) })
        {
            for (var i = 0; i < count; i++)
            {
                seeded.Add((region, $"fleet-{region}-{i:D3}", 128 * (1 + (i % 4)), $"team-{i % 7}"));
            }
        }

        foreach (var chunk in seeded.Chunk(8))
        {
            await Task.WhenAll(chunk.Select(f => seed.CreateFunctionAsync(f.Region, f.Name, new Dictionary<string, string> { ["team"] = f.Team }, memoryMb: f.Memory)));
        }

        await using var store = await TestStore.CreateAsync();
        using var transport = new ProvisionedConcurrencyTransport();
        using var host = new AwsTestHost(AwsTestHost.OptionsFor(Moto.Url, (account, ["eu-west-1", "us-east-2"])), transport: transport);
        var collector = Collector(host, store);

        foreach (var region in new[] { "eu-west-1", "us-east-2" })
        {
            await collector.CollectAsync(Target(host, region), CancellationToken.None);
        }

        var stored = await store.Store.GetFunctionsAsync(new FleetFilter(account), CancellationToken.None);
        Assert.Equal(
            seeded.Select(f => (f.Region, f.Name, f.Memory, f.Team)).Order(),
            stored.Select(f => (f.Key.Region, f.Key.Name, f.MemoryMb, f.Tags["team"])).Order());
        Assert.All(stored, f => Assert.Equal($"arn:aws:lambda:{f.Key.Region}:{account}:function:{f.Key.Name}", f.Arn));
        Assert.All(stored, f => Assert.Equal(("dotnet8", 30, "Zip"), (f.Runtime, f.TimeoutSeconds, f.PackageType)));

        // One listing per region (moto does not page), and the event source mappings once per region, not per function.
        Assert.Equal(2, Calls(host, account, "ListFunctions"));
        Assert.Equal(2, Calls(host, account, "ListEventSourceMappings"));
        Assert.Equal(125, Calls(host, account, "ListTags"));
    }

    [Fact]
    public async Task CollectAsync_FunctionWithEverything_TagsEventSourcesAliasesVersionsAndConcurrencyStored()
    {
        var account = FreshAccount();
        const string region = "eu-west-1";
        using var seed = new MotoSeeder(account);
        using var extras = new MotoLambdaSeeder(account);
        await seed.CreateFunctionAsync(region, "orders", new Dictionary<string, string> { ["team"] = "checkout", ["env"] = "prod" }, memoryMb: 1024);
        await seed.PublishVersionAsync(region, "orders");

        // Lambda publishes a new version only when something changed since the last one.
        await extras.UpdateMemoryAsync(region, "orders", 1536);
        await seed.PublishVersionAsync(region, "orders");
        await seed.CreateAliasAsync(region, "orders", "live", "2");
        await seed.CreateAliasAsync(region, "orders", "canary", "1");
        await seed.PutFunctionConcurrencyAsync(region, "orders", 40);
        var queue = await extras.MapQueueAsync(region, "orders", "orders-queue", 7);
        await seed.CreateFunctionAsync(region, "plain");
        await using var store = await TestStore.CreateAsync();
        using var transport = new ProvisionedConcurrencyTransport();

        // Written from the Lambda API reference (ListProvisionedConcurrencyConfigs), as moto lacks the operation.
        transport.Set("orders", $$"""
            {"ProvisionedConcurrencyConfigs": [
              {"FunctionArn": "arn:aws:lambda:{{region}}:{{account}}:function:orders:live", "RequestedProvisionedConcurrentExecutions": 20,
               "AvailableProvisionedConcurrentExecutions": 20, "AllocatedProvisionedConcurrentExecutions": 20, "Status": "READY",
               "LastModified": "2026-11-20T10:15:00+0000"},
              {"FunctionArn": "arn:aws:lambda:{{region}}:{{account}}:function:orders:canary", "RequestedProvisionedConcurrentExecutions": 5,
               "AvailableProvisionedConcurrentExecutions": 0, "AllocatedProvisionedConcurrentExecutions": 0, "Status": "IN_PROGRESS",
               "LastModified": "2026-11-22T09:00:00+0000"}]}
            """);
        using var host = new AwsTestHost(AwsTestHost.OptionsFor(Moto.Url, (account, [region])), transport: transport);

        await Collector(host, store).CollectAsync(Target(host, region), CancellationToken.None);

        var functions = await store.Store.GetFunctionsAsync(new FleetFilter(account, region), CancellationToken.None);
        var orders = functions.Single(f => f.Key.Name == "orders");
        Assert.Equal(new Dictionary<string, string> { ["team"] = "checkout", ["env"] = "prod" }, orders.Tags);
        Assert.Equal(["1", "2"], orders.PublishedVersions);
        Assert.Equal([new FunctionAlias("canary", "1"), new FunctionAlias("live", "2")], orders.Aliases);
        Assert.Equal((25, (int?)40), (orders.ProvisionedConcurrency, orders.ReservedConcurrency));
        var mapping = Assert.Single(orders.EventSources);
        Assert.Equal((queue, 7), (mapping.SourceArn, mapping.BatchSize));
        Assert.Equal(1536, orders.MemoryMb);

        var plain = functions.Single(f => f.Key.Name == "plain");
        Assert.Equal((0, 0, 0, 0, (int?)null), (plain.Aliases.Count, plain.PublishedVersions.Count, plain.EventSources.Count, plain.ProvisionedConcurrency, plain.ReservedConcurrency));
    }

    [Fact]
    public async Task CollectAsync_FunctionDeletedInAws_MarkedDeletedOthersKept()
    {
        var account = FreshAccount();
        const string region = "eu-west-1";
        using var seed = new MotoSeeder(account);
        using var extras = new MotoLambdaSeeder(account);
        await seed.CreateFunctionAsync(region, "keeps");
        await seed.CreateFunctionAsync(region, "goes");
        await using var store = await TestStore.CreateAsync();
        using var transport = new ProvisionedConcurrencyTransport();
        using var host = new AwsTestHost(AwsTestHost.OptionsFor(Moto.Url, (account, [region])), transport: transport);
        var collector = Collector(host, store);
        await collector.CollectAsync(Target(host, region), CancellationToken.None);
        Assert.Equal(["goes", "keeps"], await Names(store, account));

        await extras.DeleteFunctionAsync(region, "goes");
        await collector.CollectAsync(Target(host, region), CancellationToken.None);

        Assert.Equal(["keeps"], await Names(store, account));

        // A function created again under the same name comes back live.
        await seed.CreateFunctionAsync(region, "goes");
        await collector.CollectAsync(Target(host, region), CancellationToken.None);
        Assert.Equal(["goes", "keeps"], await Names(store, account));
    }

    [Fact]
    public async Task CollectAsync_ListingFailsOnSecondPage_ThrowsAndMarksNothingDeleted()
    {
        // moto does not page ListFunctions, so the two pages are the recorded responses (written from the Lambda API
        // reference) and the second page fails on the second pass.
        var failSecondPage = false;
        var transport = new StubTransport((request, _) =>
        {
            var path = request.Uri.AbsolutePath;
            if (path.EndsWith("/functions/", StringComparison.Ordinal))
            {
                return request.Uri.Query.Contains("Marker=", StringComparison.Ordinal)
                    ? failSecondPage
                        ? (HttpStatusCode.BadRequest, """{"__type":"InvalidParameterValueException","message":"Invalid marker"}""")
                        : (HttpStatusCode.OK, StubTransport.Recorded("lambda-list-functions-page2.json"))
                    : (HttpStatusCode.OK, StubTransport.Recorded("lambda-list-functions-page1.json"));
            }

            return (HttpStatusCode.OK, EmptyAnswer(path));
        });
        var options = AwsTestHost.OptionsFor("https://lambda.test.invalid", ("123456789012", ["eu-west-1"]));
        options.Accounts[0].RoleArn = null;
        await using var store = await TestStore.CreateAsync();
        using var host = new AwsTestHost(options, transport: transport);
        var collector = Collector(host, store);
        await collector.CollectAsync(Target(host, "eu-west-1"), CancellationToken.None);
        var before = await Names(store, "123456789012");
        Assert.Equal(["image-resizer", "nightly-report", "orders-api"], before);

        failSecondPage = true;
        var error = await Assert.ThrowsAsync<AwsServiceException>(() => collector.CollectAsync(Target(host, "eu-west-1"), CancellationToken.None));

        Assert.Equal("InvalidParameterValueException", error.ErrorCode);
        Assert.Equal(before, await Names(store, "123456789012"));
    }

    [Fact]
    public async Task CollectAsync_UnchangedFunctions_DetailsReadOnlyForChangedOnesAndTheRefreshSlice()
    {
        var account = FreshAccount();
        const string region = "eu-west-1";
        using var seed = new MotoSeeder(account);
        using var extras = new MotoLambdaSeeder(account);
        string[] names = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot"];
        foreach (var name in names)
        {
            await seed.CreateFunctionAsync(region, name);
        }

        await using var store = await TestStore.CreateAsync();
        using var transport = new ProvisionedConcurrencyTransport();
        using var host = new AwsTestHost(AwsTestHost.OptionsFor(Moto.Url, (account, [region])), transport: transport);

        // 15 min passes, a full refresh every 100 h: 400 slices, so a slice rarely holds one of six functions.
        var collector = Collector(host, store, new InventoryCollectorOptions { Interval = TimeSpan.FromMinutes(15), FullRefreshInterval = TimeSpan.FromHours(100) });
        await collector.CollectAsync(Target(host, region), CancellationToken.None);
        Assert.Equal(6, Calls(host, account, "ListTags"));

        await collector.CollectAsync(Target(host, region), CancellationToken.None);
        var inSecondSlice = names.Count(n => InventoryCollector.Slice(n, 400) == 1);
        Assert.Equal(6 + inSecondSlice, Calls(host, account, "ListTags"));

        // moto's UpdateFunctionConfiguration leaves LastModified as it was (AWS changes it and RevisionId), so the
        // function changes by being created again.
        await extras.DeleteFunctionAsync(region, "charlie");
        await seed.CreateFunctionAsync(region, "charlie", memoryMb: 2048);
        await collector.CollectAsync(Target(host, region), CancellationToken.None);

        var inThirdSlice = names.Count(n => n != "charlie" && InventoryCollector.Slice(n, 400) == 2);
        Assert.Equal(6 + inSecondSlice + 1 + inThirdSlice, Calls(host, account, "ListTags"));
        var functions = await store.Store.GetFunctionsAsync(new FleetFilter(account, region), CancellationToken.None);
        Assert.Equal(2048, functions.Single(f => f.Key.Name == "charlie").MemoryMb);
        Assert.Equal("3", await store.Store.GetCheckpointAsync($"inventory/{account}/{region}", CancellationToken.None));
    }

    [Fact]
    public async Task CollectAsync_TagAddedWithoutNewRevision_PickedUpWithinOneRefreshCycle()
    {
        var account = FreshAccount();
        const string region = "eu-west-1";
        using var seed = new MotoSeeder(account);
        using var extras = new MotoLambdaSeeder(account);
        string[] names = ["one", "two", "three", "four"];
        var arns = new Dictionary<string, string>();
        foreach (var name in names)
        {
            arns[name] = await seed.CreateFunctionAsync(region, name);
        }

        await using var store = await TestStore.CreateAsync();
        using var transport = new ProvisionedConcurrencyTransport();
        using var host = new AwsTestHost(AwsTestHost.OptionsFor(Moto.Url, (account, [region])), transport: transport);
        var collector = Collector(host, store, new InventoryCollectorOptions { Interval = TimeSpan.FromMinutes(15), FullRefreshInterval = TimeSpan.FromMinutes(30) });
        await collector.CollectAsync(Target(host, region), CancellationToken.None);

        foreach (var name in names)
        {
            await extras.TagAsync(region, arns[name], "owner", name);
        }

        // Two slices: each pass re-reads half of the unchanged functions, so two passes re-read them all.
        await collector.CollectAsync(Target(host, region), CancellationToken.None);
        var afterOne = await store.Store.GetFunctionsAsync(new FleetFilter(account, region), CancellationToken.None);
        await collector.CollectAsync(Target(host, region), CancellationToken.None);
        var afterTwo = await store.Store.GetFunctionsAsync(new FleetFilter(account, region), CancellationToken.None);

        Assert.Equal(names.Count(n => InventoryCollector.Slice(n, 2) == 1), afterOne.Count(f => f.Tags.ContainsKey("owner")));
        Assert.All(afterTwo, f => Assert.Equal(f.Key.Name, f.Tags["owner"]));
        Assert.Equal(4 + 4, Calls(host, account, "ListTags"));
    }

    [Fact]
    public async Task CollectAsync_FunctionDeletedBetweenListingAndDetails_MarkedDeletedNotFailed()
    {
        // Recorded responses: the listing names three functions, and Lambda answers ResourceNotFoundException for the
        // details of one of them, as it does for a function deleted after the listing was read.
        var transport = new StubTransport((request, _) =>
        {
            var path = request.Uri.AbsolutePath;
            if (path.EndsWith("/functions/", StringComparison.Ordinal))
            {
                return request.Uri.Query.Contains("Marker=", StringComparison.Ordinal)
                    ? (HttpStatusCode.OK, StubTransport.Recorded("lambda-list-functions-page2.json"))
                    : (HttpStatusCode.OK, StubTransport.Recorded("lambda-list-functions-page1.json"));
            }

            return path.Contains("image-resizer", StringComparison.Ordinal)
                ? (HttpStatusCode.NotFound, """{"Type":"User","Message":"Function not found: arn:aws:lambda:eu-west-1:123456789012:function:image-resizer","__type":"ResourceNotFoundException"}""")
                : (HttpStatusCode.OK, EmptyAnswer(path));
        });
        var options = AwsTestHost.OptionsFor("https://lambda.test.invalid", ("123456789012", ["eu-west-1"]));
        options.Accounts[0].RoleArn = null;
        await using var store = await TestStore.CreateAsync();
        await store.Store.UpsertFunctionsAsync([new LambdaFunction { Key = new FunctionKey("123456789012", "eu-west-1", "image-resizer"), Arn = "arn:aws:lambda:eu-west-1:123456789012:function:image-resizer" }], CancellationToken.None);
        using var host = new AwsTestHost(options, transport: transport);

        await Collector(host, store).CollectAsync(Target(host, "eu-west-1"), CancellationToken.None);

        Assert.Equal(["nightly-report", "orders-api"], await Names(store, "123456789012"));

        // Issue 9 defect 6: "no such function" answered the detail reads; no call failed for the inventory.
        var usage = host.Meter.GetUsage(Today).Where(u => u.Service == "Lambda").ToList();
        Assert.True(usage.Single(u => u.Operation == "ListTags").Calls >= 1);
        Assert.Equal(0, usage.Sum(u => u.FailedCalls));
    }

    [Fact]
    public async Task CollectAsync_ThrottlingServerErrorsAndResets_StoreEqualsAFaultFreePass()
    {
        var account = FreshAccount();
        const string region = "eu-west-1";
        using var seed = new MotoSeeder(account);
        for (var i = 0; i < 12; i++)
        {
            await seed.CreateFunctionAsync(region, $"faulty-{i:D2}", new Dictionary<string, string> { ["n"] = $"{i}" }, memoryMb: 128 + (64 * i));
        }

        await seed.PublishVersionAsync(region, "faulty-03");
        await seed.CreateAliasAsync(region, "faulty-03", "live", "1");
        await seed.PutFunctionConcurrencyAsync(region, "faulty-05", 12);
        using var transport = new ProvisionedConcurrencyTransport();
        await using var proxy = new FaultProxy(Moto.Url);
        var options = AwsTestHost.OptionsFor(Moto.Url, (account, [region]));
        options.Endpoints.Lambda = proxy.Url;
        using var host = new AwsTestHost(options, transport: transport);

        // One function at a time; a function's five detail reads still run together, so each fault is followed by
        // five passes: whichever read it hits, its retry finds a pass even when the other four reads come first.
        var sequential = new InventoryCollectorOptions { DetailConcurrency = 1 };
        await using var clean = await TestStore.CreateAsync();
        await Collector(host, clean, sequential).CollectAsync(Target(host, region), CancellationToken.None);
        var cleanRequests = proxy.Requests;
        await using var faulted = await TestStore.CreateAsync();
        proxy.Script([.. Enumerable.Range(0, 10).SelectMany(i => new[] { (Fault)(1 + (i % 4)), Fault.Pass, Fault.Pass, Fault.Pass, Fault.Pass, Fault.Pass })]);

        await Collector(host, faulted, sequential).CollectAsync(Target(host, region), CancellationToken.None);

        Assert.Equal(await Snapshot(clean, account), await Snapshot(faulted, account));
        Assert.Equal(12, (await Snapshot(faulted, account)).Count);

        // Each of the 10 faults cost exactly one more request: retried once, nothing else repeated.
        // The last fault is the script's 55th request: a pass with fewer requests would leave faults unserved.
        Assert.True(cleanRequests + 10 >= 55, $"the clean pass made {cleanRequests} requests: too few to be served every scripted fault");
        Assert.Equal(cleanRequests + 10, proxy.Requests - cleanRequests);
    }

    [Fact]
    public async Task CollectAsync_10000UnchangedFunctions_OnePassCostsTheListingAndOneRefreshSlice()
    {
        // A 10,000-function region answered by a stub (ListFunctions pages of 50, as Lambda returns them), with the
        // store already holding every function as this listing describes it: the steady state of a fleet.
        const int count = 10_000;
        const string modified = "2026-10-10T13:34:07.448+0000";
        var transport = new StubTransport((request, _) =>
        {
            var path = request.Uri.AbsolutePath;
            if (!path.EndsWith("/functions/", StringComparison.Ordinal))
            {
                return (HttpStatusCode.OK, EmptyAnswer(path));
            }

            var marker = System.Web.HttpUtility.ParseQueryString(request.Uri.Query)["Marker"];
            var page = marker is null ? 0 : int.Parse(marker, CultureInfo.InvariantCulture);
            var functions = Enumerable.Range(page * 50, 50).Select(i =>
                $$"""{"FunctionName":"fn-{{i:D5}}","FunctionArn":"arn:aws:lambda:eu-west-1:123456789012:function:fn-{{i:D5}}","Runtime":"dotnet8","MemorySize":256,"Timeout":30,"LastModified":"{{modified}}","RevisionId":"rev-{{i}}","PackageType":"Zip"}""");
            var next = page + 1 < count / 50 ? $$""","NextMarker":"{{page + 1}}" """ : "";
            return (HttpStatusCode.OK, $$"""{"Functions":[{{string.Join(",", functions)}}]{{next}}}""");
        });
        var options = AwsTestHost.OptionsFor("https://lambda.test.invalid", ("123456789012", ["eu-west-1"]));
        options.Accounts[0].RoleArn = null;
        await using var store = await TestStore.CreateAsync();
        await store.Store.UpsertFunctionsAsync(
            [.. Enumerable.Range(0, count).Select(i => new LambdaFunction
            {
                Key = new FunctionKey("123456789012", "eu-west-1", $"fn-{i:D5}"),
                Arn = $"arn:aws:lambda:eu-west-1:123456789012:function:fn-{i:D5}",
                Runtime = "dotnet8",
                MemoryMb = 256,
                TimeoutSeconds = 30,
                LastModified = DateTimeOffset.Parse("2026-10-10T13:34:07.448Z", CultureInfo.InvariantCulture),
                RevisionId = $"rev-{i}",
            })],
            CancellationToken.None);
        using var host = new AwsTestHost(options, transport: transport);

        // The defaults: a pass every 15 min, every function's details re-read within 24 h, so 96 slices.
        await Collector(host, store).CollectAsync(Target(host, "eu-west-1"), CancellationToken.None);

        var slice = Enumerable.Range(0, count).Count(i => InventoryCollector.Slice($"fn-{i:D5}", 96) == 0);
        Assert.InRange(slice, 60, 150);
        Assert.Equal((200, 1, slice), (Calls(host, "123456789012", "ListFunctions"), Calls(host, "123456789012", "ListEventSourceMappings"), Calls(host, "123456789012", "ListTags")));
        Assert.Equal(201 + (5 * slice), host.Meter.GetUsage(Today).Sum(u => u.Calls));
        Assert.Equal(count, (await store.Store.GetFunctionsAsync(FleetFilter.All, CancellationToken.None)).Count(f => f.MemoryMb == 256));

        // Nothing changed, so no deploy marker either.
        Assert.Empty(await store.Store.GetFunctionChangesAsync(FleetFilter.All, null, Always, 10, CancellationToken.None));
    }

    [Fact]
    public void Validator_BadSettings_NamesEachSetting()
    {
        var result = new InventoryCollectorOptionsValidator().Validate(null, new InventoryCollectorOptions
        {
            Interval = TimeSpan.FromSeconds(10),
            DetailConcurrency = 0,
            WriteBatchSize = 0,
        });

        Assert.Equal(
            [
                "Observe:Collectors:Inventory:Interval '00:00:10' must be at least 00:01:00",
                "Observe:Collectors:Inventory:DetailConcurrency '0' must be between 1 and 64",
                "Observe:Collectors:Inventory:WriteBatchSize '0' must be between 1 and 10000",
            ],
            result.Failures);
        Assert.Contains(
            "Observe:Collectors:Inventory:FullRefreshInterval '01:00:00' must be at least Observe:Collectors:Inventory:Interval ('02:00:00')",
            new InventoryCollectorOptionsValidator().Validate(null, new InventoryCollectorOptions { Interval = TimeSpan.FromHours(2), FullRefreshInterval = TimeSpan.FromHours(1) }).Failures!);
    }

    [Theory]
    [InlineData("arn:aws:lambda:eu-west-1:123456789012:function:orders", "orders")]
    [InlineData("arn:aws:lambda:eu-west-1:123456789012:function:orders:live", "orders")]
    [InlineData("arn:aws:lambda:eu-west-1:123456789012:function:orders:7", "orders")]
    [InlineData("arn:aws:lambda:eu-west-1:123456789012:layer:x:1", null)]
    [InlineData("", null)]
    [InlineData(null, null)]
    public void FunctionName_FromMappingArn_UnqualifiedName(string? arn, string? expected) =>
        Assert.Equal(expected, InventoryCollector.FunctionName(arn));

    private static readonly TimeRange Always = new(DateTimeOffset.UnixEpoch, DateTimeOffset.UtcNow.AddYears(1));

    private static string FreshAccount() => "34" + Random.Shared.NextInt64(10_000_000_000).ToString("D10", CultureInfo.InvariantCulture);

    private static InventoryCollector Collector(AwsTestHost host, TestStore store, InventoryCollectorOptions? options = null) =>
        new(host.Clients, store.Store, store.Store, store.Store, store.Store, Microsoft.Extensions.Options.Options.Create(options ?? new InventoryCollectorOptions()), host.Time, NullLogger<InventoryCollector>.Instance);

    private static CollectionTarget Target(AwsTestHost host, string region) => new(host.Options.Accounts[0], region);

    private static long Calls(AwsTestHost host, string account, string operation) =>
        host.Meter.GetUsage(Today).Where(u => u.AccountId == account && u.Operation == operation).Sum(u => u.Calls);

    private static async Task<List<string>> Names(TestStore store, string account) =>
        [.. (await store.Store.GetFunctionsAsync(new FleetFilter(account), CancellationToken.None)).Select(f => f.Key.Name).Order(StringComparer.Ordinal)];

    /// <summary>Everything the store holds about the account's functions but the time they were seen, one line each.</summary>
    private static async Task<List<string>> Snapshot(TestStore store, string account) =>
        [.. (await store.Store.GetFunctionsAsync(new FleetFilter(account), CancellationToken.None)).Select(f => string.Join(
            " | ",
            f.Key, f.Arn, f.MemoryMb, f.LastModified.ToUnixTimeMilliseconds(), f.RevisionId, string.Join(",", f.Tags.OrderBy(t => t.Key).Select(t => $"{t.Key}={t.Value}")),
            string.Join(",", f.Aliases), string.Join(",", f.PublishedVersions), f.ReservedConcurrency, f.ProvisionedConcurrency, f.EventSources.Count))];

    /// <summary>What Lambda answers for a function with no tags, versions, aliases or concurrency settings.</summary>
    private static string EmptyAnswer(string path) =>
        path.Contains("/tags/", StringComparison.Ordinal) ? """{"Tags":{}}"""
        : path.EndsWith("/versions", StringComparison.Ordinal) ? """{"Versions":[]}"""
        : path.EndsWith("/aliases", StringComparison.Ordinal) ? """{"Aliases":[]}"""
        : path.EndsWith("/event-source-mappings/", StringComparison.Ordinal) ? """{"EventSourceMappings":[]}"""
        : path.EndsWith("/provisioned-concurrency", StringComparison.Ordinal) ? """{"ProvisionedConcurrencyConfigs":[]}"""
        : "{}";
}
