using Observe.Collectors.Tests.Infrastructure;
using Observe.Collectors.Traces;
using Observe.Store;
using Observe.Store.Model;

namespace Observe.Collectors.Tests.Traces;

/// <summary>
/// The traces collector against moto's X-Ray (PutTraceSegments, GetTraceSummaries, BatchGetTraces), into a real
/// SQLite store. moto answers a filter expression with HTTP 500, so these tests collect everything
/// (<see cref="TracesCollectorOptions.SampleRate"/> 1, one unfiltered query); the filtered path is in
/// <see cref="TracesCollectorRecordedTests"/>. The service graph is off here: moto returns none.
/// </summary>
public class TracesCollectorMotoTests
{
    private const string Region = "eu-west-1";

    [Fact]
    public async Task CollectAsync_SeededLambdaTraces_StoreEqualsSeeded()
    {
        var account = FreshAccount();
        var now = DateTimeOffset.UtcNow;
        var seeded = Enumerable.Range(0, 12)
            .Select(i => LambdaTraces.Invocation(account, Region, i % 3 == 0 ? "orders-api" : "billing", now.AddMinutes(-11).AddSeconds(i * 40), coldStart: i % 4 == 0, fault: i % 5 == 2))
            .ToList();
        using var seed = new MotoSeeder(account);
        await seed.PutTraceSegmentsAsync(Region, seeded.SelectMany(t => t.Documents));
        await using var store = await TestStore.CreateAsync();
        using var host = new AwsTestHost(AwsTestHost.OptionsFor(Moto.Url, (account, [Region])));
        var collector = TracesTestKit.Collector(host.Clients, store.Store, Options(), new ManualTimeProvider(now));

        await collector.CollectAsync(TracesTestKit.Target(host.Options), CancellationToken.None);

        await AssertStoreEqualsSeededAsync(store.Store, seeded, account, now);
        var tree = (await store.Store.GetTraceAsync(seeded[2].TraceId, CancellationToken.None))!;
        var function = tree.Segments.Single(s => s.Origin == "AWS::Lambda::Function");
        var service = tree.Segments.Single(s => s.Origin == "AWS::Lambda");
        Assert.Equal(service.Id, function.ParentId);
        var invocation = tree.Segments.Single(s => s.Name == "Invocation");
        Assert.Equal((function.Id, true), (invocation.ParentId, invocation.Fault));
        Assert.Equal("InvalidOperationException", invocation.Attributes["error.type"]);
        var dynamo = tree.Segments.Single(s => s.Name == "DynamoDB");
        Assert.Equal((invocation.Id, "PutItem", "200", "orders"), (dynamo.ParentId, dynamo.Attributes["aws.operation"], dynamo.Attributes["http.status"], dynamo.Attributes["aws.resource"]));
        Assert.Equal("acme", function.Attributes["annotation.tenant"]);
        Assert.DoesNotContain(tree.Segments, s => s.Name == "Initialization");
        var cold = (await store.Store.GetTraceAsync(seeded[0].TraceId, CancellationToken.None))!;
        Assert.Equal(cold.Segments.Single(s => s.Origin == "AWS::Lambda::Function").Id, cold.Segments.Single(s => s.Name == "Initialization").ParentId);
        Assert.Equal(3, host.Meter.GetUsage(DateOnly.FromDateTime(DateTime.UtcNow)).Single(u => u.Operation == "BatchGetTraces").Calls);
    }

    [Fact]
    public async Task CollectAsync_CrashMidPassThenRestart_NoGapAndNoDuplicate()
    {
        var account = FreshAccount();
        var now = DateTimeOffset.UtcNow;

        // Three 5-minute query windows back from now; the traces sit well inside them (moto only returns a trace
        // lying entirely within the queried range).
        var seeded = new[] { -13.5, -12, -8.5, -7, -3.5, -2 }
            .Select((minutes, i) => LambdaTraces.Invocation(account, Region, "orders-api", now.AddMinutes(minutes), coldStart: i == 0, fault: i == 3))
            .ToList();
        using var seed = new MotoSeeder(account);
        await seed.PutTraceSegmentsAsync(Region, seeded.SelectMany(t => t.Documents));
        await using var store = await TestStore.CreateAsync();
        using var host = new AwsTestHost(AwsTestHost.OptionsFor(Moto.Url, (account, [Region])));
        var options = Options();
        options.QueryWindow = TimeSpan.FromMinutes(5);
        var target = TracesTestKit.Target(host.Options);

        // The process dies writing the second window: the first is stored and checkpointed, the rest is not.
        var crashing = TracesTestKit.Collector(host.Clients, CrashingStore.Wrap(store.Store, crashOnTraceWrite: 2), options, new ManualTimeProvider(now));
        await Assert.ThrowsAsync<IOException>(() => crashing.CollectAsync(target, CancellationToken.None));
        var afterCrash = await store.Store.GetTraceSummariesAsync(new TimeRange(now.AddHours(-1), now), false, 100, CancellationToken.None);
        Assert.Equal(seeded.Take(2).Select(t => t.TraceId).Order(StringComparer.Ordinal), afterCrash.Select(t => t.TraceId).Order(StringComparer.Ordinal));
        Assert.Contains(now.AddMinutes(-10).ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture), await store.Store.GetCheckpointAsync(target.CheckpointKey("traces"), CancellationToken.None), StringComparison.Ordinal);

        // The restarted collector resumes from the checkpoint (minus the late-arrival overlap) a minute later.
        var restarted = TracesTestKit.Collector(host.Clients, store.Store, options, new ManualTimeProvider(now.AddMinutes(1)));
        await restarted.CollectAsync(target, CancellationToken.None);

        await AssertStoreEqualsSeededAsync(store.Store, seeded, account, now);
        await AssertSameAsFaultFreeRunAsync(store.Store, host, options, target, now.AddMinutes(1), seeded);
    }

    [Fact]
    public async Task CollectAsync_ThrottlingFaultsAndResetsInFront_SameStoreAsFaultFreeRun()
    {
        var account = FreshAccount();
        var now = DateTimeOffset.UtcNow;
        var seeded = Enumerable.Range(0, 8)
            .Select(i => LambdaTraces.Invocation(account, Region, "orders-api", now.AddMinutes(-9).AddSeconds(i * 50), coldStart: i == 0, fault: i == 5))
            .ToList();
        using var seed = new MotoSeeder(account);
        await seed.PutTraceSegmentsAsync(Region, seeded.SelectMany(t => t.Documents));
        await using var proxy = new FaultProxy(Moto.Url);

        // After AssumeRole: throttling (400 and 429), a 5xx and a reset, each retried by the AWS layer.
        proxy.Script(Fault.Pass, Fault.Throttling400, Fault.Pass, Fault.Unavailable503, Fault.ConnectionReset, Fault.Pass, Fault.TooManyRequests429);
        using var faulty = new AwsTestHost(AwsTestHost.OptionsFor(proxy.Url, (account, [Region])));
        await using var store = await TestStore.CreateAsync();
        var target = TracesTestKit.Target(faulty.Options);

        await TracesTestKit.Collector(faulty.Clients, store.Store, Options(), new ManualTimeProvider(now)).CollectAsync(target, CancellationToken.None);

        Assert.True(proxy.Requests >= 7, $"only {proxy.Requests} requests went through the proxy");
        await AssertStoreEqualsSeededAsync(store.Store, seeded, account, now);
        using var direct = new AwsTestHost(AwsTestHost.OptionsFor(Moto.Url, (account, [Region])));
        await AssertSameAsFaultFreeRunAsync(store.Store, direct, Options(), target, now, seeded);
    }

    /// <summary>
    /// An account of its own per test run: moto lives for the whole test script and is never reset, so traces a
    /// previous run seeded would otherwise fall into this run's windows.
    /// </summary>
    private static string FreshAccount() => "34" + Random.Shared.NextInt64(0, 10_000_000_000).ToString("D10", System.Globalization.CultureInfo.InvariantCulture);

    private static TracesCollectorOptions Options() => new()
    {
        SampleRate = 1,
        ServiceGraph = false,
        InitialLookback = TimeSpan.FromMinutes(15),
        LateArrival = TimeSpan.FromMinutes(1),
    };

    private static async Task AssertStoreEqualsSeededAsync(IObserveStore store, IReadOnlyList<SeededTrace> seeded, string account, DateTimeOffset now)
    {
        var summaries = await store.GetTraceSummariesAsync(new TimeRange(now.AddHours(-1), now.AddMinutes(5)), false, 1000, CancellationToken.None);
        Assert.Equal(seeded.Select(t => t.TraceId).Order(StringComparer.Ordinal), summaries.Select(s => s.TraceId).Order(StringComparer.Ordinal));
        var faulty = await store.GetTraceSummariesAsync(new TimeRange(now.AddHours(-1), now.AddMinutes(5)), true, 1000, CancellationToken.None);
        Assert.Equal(seeded.Where(t => t.Fault).Select(t => t.TraceId).Order(StringComparer.Ordinal), faulty.Select(s => s.TraceId).Order(StringComparer.Ordinal));
        foreach (var trace in seeded)
        {
            var tree = (await store.GetTraceAsync(trace.TraceId, CancellationToken.None))!;
            Assert.Equal(trace.SegmentCount, tree.Segments.Count);
            Assert.Equal(tree.Segments.Count, tree.Segments.Select(s => s.Id).Distinct().Count());
            Assert.Equal(trace.Fault, tree.Summary.HasFault);
            Assert.Equal([new FunctionKey(account, Region, trace.Function)], tree.Summary.Functions);
            Assert.Equal(trace.Function, tree.Summary.EntryPoint);
            Assert.True(tree.Summary.DurationMs > 200, $"duration {tree.Summary.DurationMs} ms");
        }
    }

    /// <summary>A fresh store filled by one uninterrupted pass holds exactly what the crashed-and-resumed one holds.</summary>
    private static async Task AssertSameAsFaultFreeRunAsync(IObserveStore resumed, AwsTestHost host, TracesCollectorOptions options, Observe.Collectors.Collection.CollectionTarget target, DateTimeOffset now, IReadOnlyList<SeededTrace> seeded)
    {
        await using var clean = await TestStore.CreateAsync();
        await TracesTestKit.Collector(host.Clients, clean.Store, options, new ManualTimeProvider(now)).CollectAsync(target, CancellationToken.None);
        foreach (var trace in seeded)
        {
            var expected = (await clean.Store.GetTraceAsync(trace.TraceId, CancellationToken.None))!;
            var actual = (await resumed.GetTraceAsync(trace.TraceId, CancellationToken.None))!;
            Assert.Equal(Describe(expected), Describe(actual));
        }
    }

    private static string Describe(TraceTree tree) =>
        string.Join('\n', [
            $"{tree.Summary with { Functions = [] }} {string.Join(',', tree.Summary.Functions)}",
            .. tree.Segments.Select(s => $"{s with { Attributes = null! }} {string.Join(',', s.Attributes.OrderBy(a => a.Key, StringComparer.Ordinal))}"),
        ]);
}
