using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Observe.Collectors.Tests.Infrastructure;
using Observe.Collectors.XRay;

namespace Observe.Collectors.Tests.Clients;

/// <summary>Against moto (account 310000000004, by AssumeRole) where it implements X-Ray; recorded responses where not.</summary>
public class XRayClientTests
{
    private const string Account = "310000000004";
    private const string Region = "eu-west-1";

    [Fact]
    public async Task SummariesThenBatchGetTraces_SevenTraces_FetchedFiveIdsPerCall()
    {
        using var seed = new MotoSeeder(Account);
        var start = DateTimeOffset.UtcNow.AddMinutes(-5);
        var traceIds = Enumerable.Range(0, 7).Select(_ => TraceId(start)).ToList();
        await seed.PutTraceSegmentsAsync(Region, traceIds.Select((id, i) => Segment(id, $"orders-api", start.AddSeconds(i), fault: i == 3)));
        using var host = new AwsTestHost(AwsTestHost.OptionsFor(Moto.Url, (Account, [Region])));
        var xray = host.Clients.XRay(Account, Region);

        var summaries = await xray.GetTraceSummariesAsync(new GetTraceSummariesRequest { StartTime = start.AddMinutes(-1), EndTime = DateTimeOffset.UtcNow.AddMinutes(1) }, CancellationToken.None).ToListAsync();
        var ours = summaries.Where(s => traceIds.Contains(s.Id)).ToList();
        var batch = await xray.BatchGetTracesAsync(ours.Select(s => s.Id).ToList(), CancellationToken.None);

        Assert.Equal(traceIds.Order(StringComparer.Ordinal), ours.Select(s => s.Id).Order(StringComparer.Ordinal));
        Assert.True(ours.Single(s => s.Id == traceIds[3]).HasFault);
        Assert.Equal(traceIds.Order(StringComparer.Ordinal), batch.Traces.Select(t => t.Id).Order(StringComparer.Ordinal));
        Assert.Empty(batch.UnprocessedTraceIds);
        var document = JsonNode.Parse(Assert.Single(batch.Traces.Single(t => t.Id == traceIds[3]).Segments!).Document)!;
        Assert.Equal(("orders-api", true), (document["name"]!.GetValue<string>(), document["fault"]!.GetValue<bool>()));

        var usage = host.Meter.GetUsage(DateOnly.FromDateTime(DateTime.UtcNow));
        Assert.Equal(2, usage.Single(u => u.Operation == "BatchGetTraces").Calls);
    }

    [Fact]
    public async Task BatchGetTraces_UnprocessedIds_AreAskedForAgain()
    {
        // Recorded: X-Ray answers UnprocessedTraceIds while it still assembles a trace (BatchGetTraces API reference).
        var transport = new StubTransport((r, i) =>
        {
            var asked = JsonNode.Parse(r.Body)!["TraceIds"]!.AsArray().Select(t => t!.GetValue<string>()).ToList();
            var body = i == 0
                ? new JsonObject { ["Traces"] = Traces(asked.Take(1)), ["UnprocessedTraceIds"] = new JsonArray([.. asked.Skip(1).Select(a => JsonValue.Create(a))]) }
                : new JsonObject { ["Traces"] = Traces(asked), ["UnprocessedTraceIds"] = new JsonArray() };
            return (HttpStatusCode.OK, body.ToJsonString());
        });
        using var host = new AwsTestHost(LambdaRecordedTests.DirectAccount(), transport: transport);

        var batch = await host.Clients.XRay("123456789012", "eu-west-1").BatchGetTracesAsync(["1-00000001-a", "1-00000001-b", "1-00000001-c"], CancellationToken.None);

        Assert.Equal(["1-00000001-a", "1-00000001-b", "1-00000001-c"], batch.Traces.Select(t => t.Id).Order(StringComparer.Ordinal));
        Assert.Empty(batch.UnprocessedTraceIds);
        Assert.Equal(["https://xray.eu-west-1.amazonaws.com/Traces", "https://xray.eu-west-1.amazonaws.com/Traces"], transport.Seen.Select(s => s.Uri.ToString()));
    }

    [Fact]
    public async Task BatchGetTraces_StillUnprocessedAfterRetries_AreReturnedForLater()
    {
        var transport = new StubTransport((r, _) =>
            (HttpStatusCode.OK, new JsonObject { ["Traces"] = new JsonArray(), ["UnprocessedTraceIds"] = JsonNode.Parse(r.Body)!["TraceIds"]!.DeepClone() }.ToJsonString()));
        var options = LambdaRecordedTests.DirectAccount();
        options.UnprocessedTraceRetries = 2;
        options.UnprocessedTraceRetryDelay = TimeSpan.FromMilliseconds(1);
        using var host = new AwsTestHost(options, transport: transport);

        var batch = await host.Clients.XRay("123456789012", "eu-west-1").BatchGetTracesAsync(["1-00000001-a"], CancellationToken.None);

        Assert.Empty(batch.Traces);
        Assert.Equal(["1-00000001-a"], batch.UnprocessedTraceIds);
        Assert.Equal(3, transport.Seen.Count);
    }

    [Fact]
    public async Task GetServiceGraph_ReadsNodesEdgesAndStatistics()
    {
        // Recorded: moto answers GetServiceGraph with no services; the response is from the GetServiceGraph API reference.
        var transport = new StubTransport((_, _) => (HttpStatusCode.OK, StubTransport.Recorded("xray-service-graph.json")));
        using var host = new AwsTestHost(LambdaRecordedTests.DirectAccount(), transport: transport);
        var start = DateTimeOffset.FromUnixTimeSeconds(1763805600);

        var services = await host.Clients.XRay("123456789012", "eu-west-1").GetServiceGraphAsync(start, start.AddMinutes(5), null, CancellationToken.None).ToListAsync();

        var function = services.Single(s => s.Type == "AWS::Lambda::Function");
        Assert.Equal(("orders-api", 1200L, 7L, 3L), (function.Name, function.SummaryStatistics!.TotalCount!.Value, function.SummaryStatistics.FaultStatistics!.TotalCount!.Value, function.SummaryStatistics.ErrorStatistics!.ThrottleCount!.Value));
        Assert.Equal(2, Assert.Single(function.Edges!).ReferenceId);
        Assert.Equal(start, function.StartTime);
        var request = JsonNode.Parse(transport.Seen[0].Body)!;
        Assert.Equal((1763805600d, 1763805900d), (request["StartTime"]!.GetValue<double>(), request["EndTime"]!.GetValue<double>()));
        Assert.Equal("https://xray.eu-west-1.amazonaws.com/ServiceGraph", transport.Seen[0].Uri.ToString());
    }

    private static JsonArray Traces(IEnumerable<string> ids) =>
        new([.. ids.Select(id => (JsonNode)new JsonObject
        {
            ["Id"] = id,
            ["Duration"] = 0.2,
            ["Segments"] = new JsonArray(new JsonObject { ["Id"] = "0152aa5560163101", ["Document"] = "{}" }),
        })]);

    private static string TraceId(DateTimeOffset at) =>
        $"1-{at.ToUnixTimeSeconds():x8}-{Guid.NewGuid():N}"[..35];

    private static JsonObject Segment(string traceId, string name, DateTimeOffset start, bool fault) => new()
    {
        ["name"] = name,
        ["id"] = Guid.NewGuid().ToString("N")[..16],
        ["trace_id"] = traceId,
        ["start_time"] = start.ToUnixTimeMilliseconds() / 1000.0,
        ["end_time"] = (start.ToUnixTimeMilliseconds() + 120) / 1000.0,
        ["origin"] = "AWS::Lambda::Function",
        ["fault"] = fault,
        ["http"] = new JsonObject { ["response"] = new JsonObject { ["status"] = fault ? 502 : 200 } },
        ["annotations"] = new JsonObject { ["seq"] = start.Second.ToString(CultureInfo.InvariantCulture) },
    };
}
