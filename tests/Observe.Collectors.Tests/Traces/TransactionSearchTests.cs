using System.Text.Json.Nodes;
using Observe.Collectors.Tests.Infrastructure;
using Observe.Collectors.Traces;
using Observe.Store.Model;

namespace Observe.Collectors.Tests.Traces;

/// <summary>
/// Accounts with CloudWatch Transaction Search: spans read from <c>aws/spans</c> through moto's FilterLogEvents.
/// moto knows nothing of Transaction Search (and real AWS refuses PutLogEvents into <c>aws/spans</c>), so the
/// spans are seeded with PutLogEvents; their content is written from the CloudWatch documentation ("Transaction
/// Search", spans stored in the OpenTelemetry semantic-convention format with W3C trace ids).
/// </summary>
public class TransactionSearchTests
{
    private const string Region = "eu-west-1";

    [Fact]
    public async Task CollectAsync_SpansInAwsSpans_BuildTraceTreesLikeXRay()
    {
        var account = FreshAccount();
        var now = DateTimeOffset.UtcNow;
        var ok = new SpanTrace(account, now.AddMinutes(-13));
        var failed = new SpanTrace(account, now.AddMinutes(-7), status: 500);

        // The root span lands in the first 5-minute window, its DynamoDB call in the second.
        var straddling = new SpanTrace(account, now.AddMinutes(-10).AddSeconds(-1), clientDelay: TimeSpan.FromSeconds(2));
        using var seed = new MotoSeeder(account);
        await seed.PutLogEventsAsync(Region, "aws/spans", "default", [
            .. ok.Events, .. failed.Events, .. straddling.Events,
            (now.AddMinutes(-3), """{"traceId":"not-a-trace-id","spanId":"x"}"""),
            (now.AddMinutes(-2), "{\"resource\":{\"attributes\":{"),
        ]);
        await using var store = await TestStore.CreateAsync();
        using var host = new AwsTestHost(AwsTestHost.OptionsFor(Moto.Url, (account, [Region])));
        var options = Options(account);

        await TracesTestKit.Collector(host.Clients, store.Store, options, new ManualTimeProvider(now)).CollectAsync(TracesTestKit.Target(host.Options), CancellationToken.None);

        var summaries = await store.Store.GetTraceSummariesAsync(new TimeRange(now.AddHours(-1), now), false, 100, CancellationToken.None);
        Assert.Equal(new[] { ok, failed, straddling }.Select(t => t.XRayTraceId).Order(StringComparer.Ordinal), summaries.Select(s => s.TraceId).Order(StringComparer.Ordinal));

        var tree = (await store.Store.GetTraceAsync(ok.XRayTraceId, CancellationToken.None))!;
        Assert.Equal(3, tree.Segments.Count);
        var root = tree.Segments.Single(s => s.ParentId is null);
        Assert.Equal(("orders-api", "AWS::Lambda::Function", "200", "POST"), (root.Name, root.Origin, root.Attributes["http.status"], root.Attributes["http.method"]));
        var dynamo = tree.Segments.Single(s => s.Name == "DynamoDB.PutItem");
        Assert.Equal(("PutItem", "DynamoDB"), (dynamo.Attributes["aws.operation"], dynamo.Attributes["aws.service"]));
        Assert.Equal(root.Id, tree.Segments.Single(s => s.Name == "Handler").ParentId);
        Assert.Equal(("orders-api", "200", false), (tree.Summary.EntryPoint, tree.Summary.HttpStatus, tree.Summary.HasFault));
        Assert.Equal([new FunctionKey(account, Region, "orders-api")], tree.Summary.Functions);
        Assert.Equal(ok.DurationMs, tree.Summary.DurationMs);

        var fault = (await store.Store.GetTraceAsync(failed.XRayTraceId, CancellationToken.None))!;
        Assert.True(fault.Summary.HasFault);
        Assert.Equal("order 42 has no lines", fault.Segments.Single(s => s.ParentId is null).Attributes["error.message"]);

        // Read in two windows, stored as one trace with both parts.
        Assert.Equal(3, (await store.Store.GetTraceAsync(straddling.XRayTraceId, CancellationToken.None))!.Segments.Count);
    }

    [Fact]
    public async Task CollectAsync_SampleRateZero_OnlyFaultyTraces()
    {
        var account = FreshAccount();
        var now = DateTimeOffset.UtcNow;
        var ok = new SpanTrace(account, now.AddMinutes(-6));
        var failed = new SpanTrace(account, now.AddMinutes(-5), status: 503);
        var throttled = new SpanTrace(account, now.AddMinutes(-4), status: 429);
        using var seed = new MotoSeeder(account);
        await seed.PutLogEventsAsync(Region, "aws/spans", "default", [.. ok.Events, .. failed.Events, .. throttled.Events]);
        await using var store = await TestStore.CreateAsync();
        using var host = new AwsTestHost(AwsTestHost.OptionsFor(Moto.Url, (account, [Region])));
        var options = Options(account);
        options.SampleRate = 0;

        await TracesTestKit.Collector(host.Clients, store.Store, options, new ManualTimeProvider(now)).CollectAsync(TracesTestKit.Target(host.Options), CancellationToken.None);

        var summaries = await store.Store.GetTraceSummariesAsync(new TimeRange(now.AddHours(-1), now), false, 100, CancellationToken.None);
        Assert.Equal(new[] { failed.XRayTraceId, throttled.XRayTraceId }.Order(StringComparer.Ordinal), summaries.Select(s => s.TraceId).Order(StringComparer.Ordinal));
        Assert.Equal((true, false), (summaries.Single(s => s.TraceId == throttled.XRayTraceId).HasThrottle, summaries.Single(s => s.TraceId == throttled.XRayTraceId).HasFault));
    }

    [Fact]
    public async Task CollectAsync_NoSpansLogGroup_ThrowsNamingAccountAndSetting()
    {
        var account = FreshAccount();
        await using var store = await TestStore.CreateAsync();
        using var host = new AwsTestHost(AwsTestHost.OptionsFor(Moto.Url, (account, [Region])));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            TracesTestKit.Collector(host.Clients, store.Store, Options(account), new ManualTimeProvider(DateTimeOffset.UtcNow)).CollectAsync(TracesTestKit.Target(host.Options), CancellationToken.None));

        Assert.Contains($"the log group aws/spans does not exist", error.Message, StringComparison.Ordinal);
        Assert.Contains($"remove {account} from Observe:Collectors:Traces:TransactionSearchAccounts", error.Message, StringComparison.Ordinal);
    }

    private static string FreshAccount() => "35" + Random.Shared.NextInt64(0, 10_000_000_000).ToString("D10", System.Globalization.CultureInfo.InvariantCulture);

    private static TracesCollectorOptions Options(string account) => new()
    {
        SampleRate = 1,
        ServiceGraph = false,
        InitialLookback = TimeSpan.FromMinutes(15),
        QueryWindow = TimeSpan.FromMinutes(5),
        TransactionSearchAccounts = [account],
    };

    /// <summary>
    /// One Lambda invocation as Transaction Search stores it: the function's SERVER span (resource attributes
    /// naming the function), an internal handler span and a DynamoDB CLIENT span, one log event each.
    /// </summary>
    private sealed class SpanTrace
    {
        private readonly string _w3cTraceId;

        public SpanTrace(string account, DateTimeOffset start, int status = 200, TimeSpan? clientDelay = null)
        {
            var epochHex = start.ToUnixTimeSeconds().ToString("x8", System.Globalization.CultureInfo.InvariantCulture);
            _w3cTraceId = epochHex + Guid.NewGuid().ToString("N")[..24];
            var rootId = TracesTestKit.SegmentId();
            var handlerId = TracesTestKit.SegmentId();
            var resource = new JsonObject
            {
                ["attributes"] = new JsonObject
                {
                    ["cloud.provider"] = "aws",
                    ["cloud.platform"] = "aws_lambda",
                    ["cloud.region"] = Region,
                    ["cloud.account.id"] = account,
                    ["faas.name"] = "orders-api",
                    ["faas.version"] = "$LATEST",
                    ["service.name"] = "orders-api",
                    ["telemetry.sdk.language"] = "dotnet",
                },
            };
            var end = start.AddMilliseconds(320);
            DurationMs = 320;
            var clientStart = start.AddMilliseconds(40) + (clientDelay ?? TimeSpan.Zero);
            Events =
            [
                (start, Span(resource, rootId, null, "orders-api", "SERVER", start, end, new JsonObject
                {
                    ["faas.trigger"] = "http",
                    ["http.request.method"] = "POST",
                    ["http.response.status_code"] = status,
                    ["aws.span.kind"] = "LOCAL_ROOT",
                    ["faas.invocation_id"] = Guid.NewGuid().ToString(),
                }, status >= 500 ? new JsonObject { ["code"] = "ERROR", ["message"] = "order 42 has no lines" } : new JsonObject { ["code"] = "UNSET" })),
                (start.AddMilliseconds(5), Span(resource, handlerId, rootId, "Handler", "INTERNAL", start.AddMilliseconds(5), end.AddMilliseconds(-5), [], new JsonObject { ["code"] = "UNSET" })),
                (clientStart, Span(resource, TracesTestKit.SegmentId(), handlerId, "DynamoDB.PutItem", "CLIENT", clientStart, clientStart.AddMilliseconds(30), new JsonObject
                {
                    ["rpc.system"] = "aws-api",
                    ["rpc.service"] = "DynamoDB",
                    ["rpc.method"] = "PutItem",
                    ["aws.remote.service"] = "AWS::DynamoDB",
                    ["aws.remote.operation"] = "PutItem",
                    ["aws.dynamodb.table_names"] = new JsonArray("orders"),
                    ["http.response.status_code"] = 200,
                }, new JsonObject { ["code"] = "UNSET" })),
            ];
        }

        public string XRayTraceId => $"1-{_w3cTraceId[..8]}-{_w3cTraceId[8..]}";

        public double DurationMs { get; }

        public List<(DateTimeOffset At, string Message)> Events { get; }

        private string Span(JsonObject resource, string spanId, string? parentId, string name, string kind, DateTimeOffset start, DateTimeOffset end, JsonObject attributes, JsonObject status) =>
            new JsonObject
            {
                ["resource"] = resource.DeepClone(),
                ["scope"] = new JsonObject { ["name"] = "OpenTelemetry.Instrumentation.AWSLambda", ["version"] = "1.10.0" },
                ["traceId"] = _w3cTraceId,
                ["spanId"] = spanId,
                ["parentSpanId"] = parentId ?? "",
                ["flags"] = 256,
                ["name"] = name,
                ["kind"] = kind,
                ["startTimeUnixNano"] = start.ToUnixTimeMilliseconds() * 1_000_000,
                ["endTimeUnixNano"] = end.ToUnixTimeMilliseconds() * 1_000_000,
                ["durationNano"] = (end - start).Ticks * 100,
                ["attributes"] = attributes,
                ["status"] = status,
            }.ToJsonString();
    }
}
