using Observe.Collectors.Collection;
using Observe.Collectors.Tests.Clients;
using Observe.Collectors.Tests.Infrastructure;
using Observe.Collectors.Traces;
using Observe.Store.Model;

namespace Observe.Collectors.Tests.Traces;

/// <summary>
/// Against <see cref="FakeXRay"/>: responses written from the X-Ray API reference, because moto answers a filter
/// expression with HTTP 500, ignores sampling, never leaves ids unprocessed and returns an empty service graph.
/// </summary>
public class TracesCollectorRecordedTests
{
    private const string Account = "123456789012";
    private const string Region = "eu-west-1";

    // A fixed instant 7.5 minutes past a 5-minute boundary.
    private static readonly DateTimeOffset Now = new(2026, 11, 20, 12, 7, 30, TimeSpan.Zero);

    [Fact]
    public async Task CollectAsync_SampleRateBelowOne_FaultsByFilterExpressionRestBySampling()
    {
        var xray = new FakeXRay();
        var faulty = Trace(-6, fault: true);
        var throttled = Trace(-5) with { Throttle = true };
        var ok = Trace(-4);
        var notSampled = Trace(-3);
        xray.Add(faulty, throttled, ok, notSampled);

        // What X-Ray would match: the fault filter the flagged traces, fixed-rate sampling a share of the rest.
        xray.FilterMatches = (request, trace) => request["Sampling"] is null
            ? trace.Fault || trace.Throttle
            : trace.TraceId == ok.TraceId || trace.TraceId == faulty.TraceId;
        var options = Options();
        options.SampleRate = 0.1;
        options.FilterExpression = "service(\"orders-api\")";
        await using var store = await TestStore.CreateAsync();
        using var host = new AwsTestHost(LambdaRecordedTests.DirectAccount(Account), transport: xray.Transport);

        await TracesTestKit.Collector(host.Clients, store.Store, options, new ManualTimeProvider(Now)).CollectAsync(TracesTestKit.Target(host.Options), CancellationToken.None);

        var requests = xray.Requests("TraceSummaries");
        Assert.Equal("(service(\"orders-api\")) AND (fault = true OR error = true OR throttle = true)", requests[0]["FilterExpression"]!.GetValue<string>());
        Assert.Equal("Event", requests[0]["TimeRangeType"]!.GetValue<string>());
        Assert.Null(requests[0]["Sampling"]);
        var sampled = requests.Single(r => r["Sampling"] is not null);
        Assert.Equal(("service(\"orders-api\")", "FixedRate", 0.1), (sampled["FilterExpression"]!.GetValue<string>(), sampled["SamplingStrategy"]!["Name"]!.GetValue<string>(), sampled["SamplingStrategy"]!["Value"]!.GetValue<double>()));
        var stored = await store.Store.GetTraceSummariesAsync(new TimeRange(Now.AddHours(-1), Now), false, 100, CancellationToken.None);
        Assert.Equal(new[] { faulty, throttled, ok }.Select(t => t.TraceId).Order(StringComparer.Ordinal), stored.Select(s => s.TraceId).Order(StringComparer.Ordinal));

        // The summary's view wins where the segments say less: the throttle, the entry point and the HTTP status.
        var throttledSummary = stored.Single(s => s.TraceId == throttled.TraceId);
        Assert.Equal((true, "orders-gateway/prod", "429", 452d), (throttledSummary.HasThrottle, throttledSummary.EntryPoint, throttledSummary.HttpStatus, throttledSummary.DurationMs));
        Assert.Single(xray.Requests("Traces"));
    }

    [Fact]
    public async Task CollectAsync_UnprocessedTraceIds_KeptInCheckpointAndFetchedNextPass()
    {
        var xray = new FakeXRay();
        var late = Trace(-4);
        var ready = Trace(-3);
        xray.Add(late, ready);
        xray.Unprocessed.Add(late.TraceId);
        await using var store = await TestStore.CreateAsync();
        var aws = LambdaRecordedTests.DirectAccount(Account);
        aws.UnprocessedTraceRetries = 0;
        using var host = new AwsTestHost(aws, transport: xray.Transport);
        var target = TracesTestKit.Target(host.Options);
        var options = Options();
        options.LateArrival = TimeSpan.Zero;

        await TracesTestKit.Collector(host.Clients, store.Store, options, new ManualTimeProvider(Now)).CollectAsync(target, CancellationToken.None);
        Assert.Null(await store.Store.GetTraceAsync(late.TraceId, CancellationToken.None));
        Assert.Contains(late.TraceId, await store.Store.GetCheckpointAsync(target.CheckpointKey("traces"), CancellationToken.None), StringComparison.Ordinal);

        // Next pass: the window has moved past both traces, but the pending id is asked for again.
        xray.Unprocessed.Clear();
        await TracesTestKit.Collector(host.Clients, store.Store, options, new ManualTimeProvider(Now.AddMinutes(1))).CollectAsync(target, CancellationToken.None);
        await TracesTestKit.Collector(host.Clients, store.Store, options, new ManualTimeProvider(Now.AddMinutes(2))).CollectAsync(target, CancellationToken.None);

        Assert.Equal(late.SegmentCount, (await store.Store.GetTraceAsync(late.TraceId, CancellationToken.None))!.Segments.Count);
        Assert.NotNull(await store.Store.GetTraceAsync(ready.TraceId, CancellationToken.None));
        Assert.Equal([2, 1], xray.Requests("Traces").Select(r => r["TraceIds"]!.AsArray().Count));
        Assert.DoesNotContain(late.TraceId, await store.Store.GetCheckpointAsync(target.CheckpointKey("traces"), CancellationToken.None), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CollectAsync_TraceStillUnprocessedAndABrokenSegment_CountedAsSkippedByReason()
    {
        var xray = new FakeXRay();
        var late = Trace(-4);
        var broken = Trace(-3);

        // A segment cut to a fragment (no name, no times): the trace is kept with its other segments.
        var documents = broken.Documents.ToList();
        documents[^1] = new System.Text.Json.Nodes.JsonObject { ["id"] = documents[^1]["id"]!.GetValue<string>() };
        xray.Add(late, broken with { Documents = documents });
        xray.Unprocessed.Add(late.TraceId);
        await using var store = await TestStore.CreateAsync();
        var aws = LambdaRecordedTests.DirectAccount(Account);
        aws.UnprocessedTraceRetries = 0;
        using var host = new AwsTestHost(aws, transport: xray.Transport);
        var target = TracesTestKit.Target(host.Options);
        var options = Options();
        options.LateArrival = TimeSpan.Zero;
        var first = new PassReport();
        var second = new PassReport();

        await TracesTestKit.Collector(host.Clients, store.Store, options, new ManualTimeProvider(Now)).CollectAsync(target, first, CancellationToken.None);
        await TracesTestKit.Collector(host.Clients, store.Store, options, new ManualTimeProvider(Now.AddMinutes(1))).CollectAsync(target, second, CancellationToken.None);

        Assert.Equal([KeyValuePair.Create(TracesCollector.UnreadableSkip, 1L)], first.Skips.ByReason);
        Assert.Equal([KeyValuePair.Create(TracesCollector.AbandonedSkip, 1L)], second.Skips.ByReason);
        Assert.False(first.IsDegraded || second.IsDegraded);
        Assert.NotNull(await store.Store.GetTraceAsync(broken.TraceId, CancellationToken.None));
    }

    [Fact]
    public async Task CollectAsync_SegmentMetadataOverItsCap_StoredCutSayingSo_CountedNotDegraded()
    {
        var xray = new FakeXRay();
        var traced = Trace(-3);
        var documents = traced.Documents.ToList();
        var root = (System.Text.Json.Nodes.JsonObject)documents[0].DeepClone();
        root["metadata"] = new System.Text.Json.Nodes.JsonObject
        {
            ["default"] = new System.Text.Json.Nodes.JsonObject { ["order"] = new System.Text.Json.Nodes.JsonObject { ["id"] = 7 }, ["payload"] = new string('p', 5_000) },
        };
        documents[0] = root;
        xray.Add(traced with { Documents = documents });
        await using var store = await TestStore.CreateAsync();
        using var host = new AwsTestHost(LambdaRecordedTests.DirectAccount(Account), transport: xray.Transport);
        var options = Options();
        options.LateArrival = TimeSpan.Zero;
        var report = new PassReport();

        await TracesTestKit.Collector(host.Clients, store.Store, options, new ManualTimeProvider(Now)).CollectAsync(TracesTestKit.Target(host.Options), report, CancellationToken.None);

        Assert.Equal([KeyValuePair.Create(TracesCollector.MetadataCutSkip, 1L)], report.Skips.ByReason);
        Assert.False(report.IsDegraded);
        var segment = (await store.Store.GetTraceAsync(traced.TraceId, CancellationToken.None))!.Segments.Single(s => s.Id == root["id"]!.GetValue<string>());
        Assert.Equal("{\"id\":7}", segment.Attributes["metadata.default.order"]);
        Assert.EndsWith("… (cut: 5,000 characters, 1,024 kept)", segment.Attributes["metadata.default.payload"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task CollectAsync_CheckpointOlderThanMaxLookback_PassDegradedNamingTheGapAndTheSetting()
    {
        var xray = new FakeXRay();
        var recent = Trace(-3);
        xray.Add(recent);
        await using var store = await TestStore.CreateAsync();
        using var host = new AwsTestHost(LambdaRecordedTests.DirectAccount(Account), transport: xray.Transport);
        var target = TracesTestKit.Target(host.Options);
        var stopped = Now.AddDays(-2).ToUnixTimeMilliseconds();
        await store.Store.SetCheckpointAsync(target.CheckpointKey("traces"), new TracesCheckpoint { TracesUntilMs = stopped, GraphUntilMs = stopped }.Serialize(), CancellationToken.None);
        var options = Options();
        options.LateArrival = TimeSpan.Zero;
        options.ServiceGraph = true;
        options.MaxLookback = TimeSpan.FromHours(1);
        var report = new PassReport();

        await TracesTestKit.Collector(host.Clients, store.Store, options, new ManualTimeProvider(Now)).CollectAsync(target, report, CancellationToken.None);

        Assert.Equal(
            [
                "traces from 2026-11-18T12:07:30.0000000+00:00 to 2026-11-20T11:07:30.0000000+00:00 are older than Observe:Collectors:Traces:MaxLookback and were left out",
                "service graph from 2026-11-18T12:05:00.0000000+00:00 to 2026-11-20T11:05:00.0000000+00:00 is older than Observe:Collectors:Traces:MaxLookback and was left out",
            ],
            report.Problems);

        // What is within MaxLookback is still collected.
        Assert.NotNull(await store.Store.GetTraceAsync(recent.TraceId, CancellationToken.None));
    }

    [Fact]
    public async Task CollectAsync_OverMaxTracesPerPass_StopsAtAWindowAndNextPassContinues()
    {
        var xray = new FakeXRay();

        // Three traces in each of the three 5-minute windows the first pass reads.
        var seeded = new[] { -14, -13, -12, -9, -8, -7, -4, -3, -2 }.Select(m => Trace(m)).ToArray();
        xray.Add(seeded);
        await using var store = await TestStore.CreateAsync();
        using var host = new AwsTestHost(LambdaRecordedTests.DirectAccount(Account), transport: xray.Transport);
        var target = TracesTestKit.Target(host.Options);
        var options = Options();
        options.QueryWindow = TimeSpan.FromMinutes(5);
        options.MaxTracesPerPass = 4;
        options.LateArrival = TimeSpan.Zero;
        var collector = TracesTestKit.Collector(host.Clients, store.Store, options, new ManualTimeProvider(Now));

        var counts = new List<int>();
        for (var pass = 0; pass < 3; pass++)
        {
            await collector.CollectAsync(target, CancellationToken.None);
            counts.Add((await store.Store.GetTraceSummariesAsync(new TimeRange(Now.AddHours(-1), Now), false, 100, CancellationToken.None)).Count);
        }

        Assert.Equal([3, 6, 9], counts);
        Assert.Equal(seeded.Length, xray.Requests("Traces").Sum(r => r["TraceIds"]!.AsArray().Count));
    }

    [Fact]
    public async Task CollectAsync_OneWindowOverMaxTracesPerPass_KeepsFaultyFirstAndMovesOn()
    {
        var xray = new FakeXRay();
        var seeded = new[] { Trace(-3), Trace(-2, fault: true), Trace(-1) };
        xray.Add(seeded);
        await using var store = await TestStore.CreateAsync();
        using var host = new AwsTestHost(LambdaRecordedTests.DirectAccount(Account), transport: xray.Transport);
        var target = TracesTestKit.Target(host.Options);
        var options = Options();
        options.MaxTracesPerPass = 2;

        var report = new PassReport();
        await TracesTestKit.Collector(host.Clients, store.Store, options, new ManualTimeProvider(Now)).CollectAsync(target, report, CancellationToken.None);

        // Traces were left behind: the pass says so on the Collectors page, naming the setting.
        Assert.Equal("1 query windows held more traces than Observe:Collectors:Traces:MaxTracesPerPass (2); the rest of them was not collected", Assert.Single(report.Problems));
        var stored = await store.Store.GetTraceSummariesAsync(new TimeRange(Now.AddHours(-1), Now), false, 100, CancellationToken.None);
        Assert.Equal(2, stored.Count);
        Assert.Contains(stored, s => s.TraceId == seeded[1].TraceId && s.HasFault);
        Assert.Contains(Now.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture), await store.Store.GetCheckpointAsync(target.CheckpointKey("traces"), CancellationToken.None), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CollectAsync_ServiceGraph_AlignedWindowsStoredAndLateWindowReplaced()
    {
        var xray = new FakeXRay { ServiceGraph = StubTransport.Recorded("xray-service-graph.json") };
        await using var store = await TestStore.CreateAsync();
        using var host = new AwsTestHost(LambdaRecordedTests.DirectAccount(Account), transport: xray.Transport);
        var target = TracesTestKit.Target(host.Options);
        var options = Options();
        options.ServiceGraph = true;

        // 12:07:30, 15 min back: the complete windows 11:50, 11:55 and 12:00 (12:05 is still running).
        await TracesTestKit.Collector(host.Clients, store.Store, options, new ManualTimeProvider(Now)).CollectAsync(target, CancellationToken.None);
        var first = xray.Requests("ServiceGraph").Select(r => DateTimeOffset.FromUnixTimeSeconds((long)r["StartTime"]!.GetValue<double>())).ToList();
        var graph = await store.Store.GetServiceGraphAsync(FleetFilter.All, new TimeRange(Now.AddHours(-1), Now), CancellationToken.None);

        Assert.Equal([Now.AddMinutes(-17.5), Now.AddMinutes(-12.5), Now.AddMinutes(-7.5)], first);
        Assert.Equal(3, graph.Windows);
        var function = graph.Nodes.Single(n => n.Type == "AWS::Lambda::Function");
        Assert.Equal((ServiceGraphNode.KeyFor(Account, "AWS::Lambda::Function", "orders-api"), true), (function.Key, function.Root));
        Assert.Equal((3600L, 3570L, 0L, 21L, 9L), (function.Stats.Requests, function.Stats.Ok, function.Stats.Errors, function.Stats.Faults, function.Stats.Throttles));
        Assert.Equal(3 * 180_200d, function.Stats.ResponseTimeSumMs, 6);
        var edge = Assert.Single(graph.Edges);
        Assert.Equal((function.Key, ServiceGraphNode.KeyFor(null, "AWS::DynamoDB::Table", "orders"), 3600L, 9L, 21L), (edge.SourceKey, edge.TargetKey, edge.Stats.Requests, edge.Stats.Errors, edge.Stats.Faults));

        // Four minutes later: 12:05 is complete, and 12:00 (within LateArrival) is read again and replaced.
        await TracesTestKit.Collector(host.Clients, store.Store, options, new ManualTimeProvider(Now.AddMinutes(4))).CollectAsync(target, CancellationToken.None);
        var again = await store.Store.GetServiceGraphAsync(FleetFilter.All, new TimeRange(Now.AddHours(-1), Now.AddMinutes(4)), CancellationToken.None);

        Assert.Equal(5, xray.Requests("ServiceGraph").Count);
        Assert.Equal((4, 4800L), (again.Windows, again.Nodes.Single(n => n.Key == function.Key).Stats.Requests));
    }

    [Fact]
    public async Task CollectAsync_CorruptCheckpoint_ThrowsNamingTheKey()
    {
        var xray = new FakeXRay();
        await using var store = await TestStore.CreateAsync();
        using var host = new AwsTestHost(LambdaRecordedTests.DirectAccount(Account), transport: xray.Transport);
        var target = TracesTestKit.Target(host.Options);
        await store.Store.SetCheckpointAsync(target.CheckpointKey("traces"), "{not json", CancellationToken.None);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            TracesTestKit.Collector(host.Clients, store.Store, Options(), new ManualTimeProvider(Now)).CollectAsync(target, CancellationToken.None));

        Assert.StartsWith($"the traces checkpoint 'traces/{Account}/{Region}' is not valid JSON", error.Message, StringComparison.Ordinal);
        Assert.Empty(xray.Transport.Seen);
    }

    private static TracesCollectorOptions Options() => new()
    {
        SampleRate = 1,
        ServiceGraph = false,
        InitialLookback = TimeSpan.FromMinutes(15),
        LateArrival = TimeSpan.FromMinutes(5),
    };

    private static SeededTrace Trace(double minutes, bool fault = false) =>
        LambdaTraces.Invocation(Account, Region, "orders-api", Now.AddMinutes(minutes), coldStart: false, fault);
}
