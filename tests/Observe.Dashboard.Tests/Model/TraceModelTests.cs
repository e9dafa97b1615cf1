using Observe.Dashboard.Model;
using Observe.Store.Model;

namespace Observe.Dashboard.Tests.Model;

public sealed class TraceModelTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 2, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Waterfall_ColdStartTrace_NestsByParentOrdersSiblingsByStartAndShowsTheLambdaPhases()
    {
        var waterfall = TraceWaterfall.Build(Tree(
            Span("fn", null, "orders", 0, 900, origin: "AWS::Lambda::Function"),
            Span("inv", "fn", "Invocation", 400, 880),
            Span("init", "fn", "Initialization", 0, 400),
            Span("ddb", "inv", "DynamoDB", 500, 700, attributes: new() { ["aws.operation"] = "PutItem", ["http.status"] = "200" }),
            Span("over", "fn", "Overhead", 880, 900)));

        Assert.Equal(["fn", "init", "inv", "ddb", "over"], waterfall.Rows.Select(r => r.Segment.Id));
        Assert.Equal([0, 1, 1, 2, 1], waterfall.Rows.Select(r => r.Depth));
        Assert.Equal(
            [WaterfallKind.Segment, WaterfallKind.LambdaPhase, WaterfallKind.LambdaPhase, WaterfallKind.Downstream, WaterfallKind.LambdaPhase],
            waterfall.Rows.Select(r => r.Kind));
        Assert.True(waterfall.ColdStart);
        Assert.Equal(900, waterfall.TotalMs);

        // Bars on one axis: Invocation starts 400 ms into 900 and runs 480 ms.
        var invocation = waterfall.Find("inv")!;
        Assert.Equal((400d, 480d), (invocation.OffsetMs, invocation.DurationMs!.Value));
        Assert.Equal(400d / 900 * 100, invocation.Left, 6);
        Assert.Equal(480d / 900 * 100, invocation.Width, 6);
        Assert.Equal("PutItem", waterfall.Find("ddb")!.Call);
        Assert.Equal("200", waterfall.Find("ddb")!.HttpStatus);
    }

    [Fact]
    public void Waterfall_MissingParentUnclosedAndLoopingSpans_AreKeptAndMarked()
    {
        var waterfall = TraceWaterfall.Build(Tree(
            Span("root", null, "api", 0, 100, origin: "AWS::ApiGateway::Stage"),
            Span("orphan", "not-collected", "orders", 10, 60, origin: "AWS::Lambda::Function"),
            Span("child", "orphan", "S3", 20, null),
            Span("a", "b", "loop-a", 30, 40),
            Span("b", "a", "loop-b", 35, 45)));

        Assert.Equal(5, waterfall.Rows.Count);
        Assert.Equal(["root", "orphan", "child"], waterfall.Rows.Take(3).Select(r => r.Segment.Id));
        var orphan = waterfall.Find("orphan")!;
        Assert.True(orphan.MissingParent);
        Assert.Equal(0, orphan.Depth);
        var child = waterfall.Find("child")!;
        Assert.Equal((1, true, false), (child.Depth, child.Unclosed, child.MissingParent));

        // Unclosed: duration unknown, the bar runs to the axis's end.
        Assert.Null(child.DurationMs);
        Assert.Equal(100, child.Left + child.Width, 6);
        Assert.Equal((2, 1), (waterfall.MissingParents, waterfall.Unclosed));
        Assert.Equal((0, true, 1, false), (waterfall.Find("a")!.Depth, waterfall.Find("a")!.MissingParent, waterfall.Find("b")!.Depth, waterfall.Find("b")!.MissingParent));
        Assert.False(waterfall.ColdStart);
    }

    [Fact]
    public void Waterfall_AnnotationsMetadataAndFieldsApart_NoSegments_AnEmptyWaterfall()
    {
        var row = TraceWaterfall.Build(Tree(Span("s", null, "fn", 0, 10, attributes: new()
        {
            ["annotation.customer"] = "<script>alert(1)</script>",
            ["error.message"] = "boom",
            ["metadata.default.order"] = "{\"id\":7}",
        }))).Rows.Single();
        Assert.Equal([KeyValuePair.Create("customer", "<script>alert(1)</script>")], row.Annotations);
        Assert.Equal([KeyValuePair.Create("default.order", "{\"id\":7}")], row.Metadata);
        Assert.Equal([KeyValuePair.Create("error.message", "boom")], row.Fields);

        var empty = TraceWaterfall.Build(Tree());
        Assert.Empty(empty.Rows);
    }

    [Fact]
    public void Waterfall_FiveHundredSpans_BuildsEveryRowOnce()
    {
        var spans = new List<TraceSegment> { Span("root", null, "fn", 0, 5_000, origin: "AWS::Lambda::Function") };
        spans.AddRange(Enumerable.Range(0, 499).Select(i => Span($"s{i}", i == 0 ? "root" : $"s{(i - 1) / 3}", $"call {i}", i * 5, i * 5 + 40)));

        var waterfall = TraceWaterfall.Build(Tree([.. spans]));

        Assert.Equal(500, waterfall.Rows.Select(r => r.Segment.Id).Distinct().Count());
        Assert.All(waterfall.Rows.Zip(waterfall.Rows.Skip(1)), pair => Assert.True(pair.Second.Depth <= pair.First.Depth + 1));
    }

    [Theory]
    [InlineData("http://x/traces?min=abc", "min: \"abc\" is not a duration")]
    [InlineData("http://x/traces?status=slow", "status: \"slow\" is not a trace status; use ok, error, fault or throttle.")]
    [InlineData("http://x/traces?sort=up", "sort: \"up\" is not an order")]
    [InlineData("http://x/traces?page=0", "page: \"0\" is not a page")]
    [InlineData("http://x/traces?min=500&max=100", "max: 100 ms is below the minimum of 500 ms.")]
    public void Address_BadValue_NamesTheParameterAndWhatWorks(string uri, string expected)
    {
        var address = TracesAddress.Parse(uri, "http://x/");
        Assert.StartsWith(expected, address.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Address_ReadsEveryField_BuildsTheSearchAndLinksThatKeepTheRange()
    {
        var address = TracesAddress.Parse("http://x/traces?function=orders&account=1&region=eu-west-1&min=10&max=900.5&status=fault&status=ok&id=1-a&sort=slowest&page=3&range=6h", "http://x/");

        Assert.Null(address.Error);
        var search = address.ToSearch(new TimeRange(T0, T0.AddHours(6)));
        Assert.Equal(("orders", new FleetFilter("1", "eu-west-1"), 10d, 900.5d), (search.FunctionName, search.Fleet, search.MinDurationMs!.Value, search.MaxDurationMs!.Value));
        Assert.Equal((TraceStatuses.Ok | TraceStatuses.Fault, "1-a", TraceSort.Slowest, 100, 50), (search.Statuses, search.TraceId, search.Sort, search.Offset, search.Limit));
        Assert.Equal("traces?function=orders&account=1&region=eu-west-1&min=10&max=900.5&status=ok&status=fault&id=1-a&sort=slowest&page=4&range=6h", address.PageUri(4));
        Assert.Equal("traces?function=orders&account=1&region=eu-west-1&min=10&max=900.5&status=ok&id=1-a&sort=slowest&range=6h", address.ToggleStatus(TraceStatuses.Fault));
        Assert.Equal("traces?sort=slowest&range=6h", address.ClearedUri());
        Assert.Equal("traces/1-5759e988-bd86%2F%3Cx%3E?range=6h", address.TraceUri("1-5759e988-bd86/<x>"));
        Assert.Equal("traces?function=f&account=1&region=eu-west-1", TraceLinks.ForFunction(new FunctionKey("1", "eu-west-1", "f")));
    }

    [Fact]
    public void ServiceMap_LayersFollowTheCalls_FilterKeepsTheFunctionsCallersAndCallees_RatesUnknownWithoutRequests()
    {
        var graph = new ServiceGraph(
        [
            Node("client", null, 100, root: true), Node("api", "AWS::ApiGateway::Stage", 100), Node("orders", "AWS::Lambda::Function", 100, faults: 5),
            Node("table", "AWS::DynamoDB::Table", 80), Node("billing", "AWS::Lambda::Function", 20), Node("idle", "AWS::SQS::Queue", 0),
        ],
        [Edge("client", "api"), Edge("api", "orders"), Edge("orders", "table"), Edge("billing", "table")],
        3);
        var range = new TimeRange(T0, T0.AddMinutes(10));

        var map = ServiceMapViewModel.Build(graph, range, null);
        Assert.Equal(["billing", "client", "idle", "api", "orders", "table"], map.Nodes.Select(n => n.Node.Name));
        Assert.Equal([0, 0, 0, 1, 2, 3], map.Nodes.Select(n => n.Layer));
        Assert.All(map.Edges, e => Assert.True(e.Target.Layer > e.Source.Layer));

        var filtered = ServiceMapViewModel.Build(graph, range, "orders");
        Assert.Equal(["api", "client", "orders", "table"], filtered.Nodes.Select(n => n.Node.Name).Order(StringComparer.Ordinal));
        Assert.Equal(3, filtered.Edges.Count);
        Assert.Equal(6, filtered.TotalNodes);

        var orders = map.Nodes.Single(n => n.Node.Name == "orders").Node.Stats;
        Assert.Equal(10d, map.PerMinute(orders));
        Assert.Equal(0.05, ServiceMapViewModel.Share(orders.Faults, orders));
        Assert.Equal("250 ms", ServiceMapViewModel.Latency(orders));
        var idle = map.Nodes.Single(n => n.Node.Name == "idle").Node.Stats;
        Assert.Null(ServiceMapViewModel.Share(idle.Faults, idle));
        Assert.Equal(FigureFormat.NoData, ServiceMapViewModel.Latency(idle));
    }

    private static ServiceGraphNode Node(string name, string? type, long requests, long faults = 0, bool root = false) => new()
    {
        Key = ServiceGraphNode.KeyFor("1", type, name),
        Name = name,
        Type = type,
        AccountId = "1",
        Root = root,
        Stats = new ServiceGraphStats { Requests = requests, Faults = faults, Ok = requests - faults, ResponseTimeSumMs = requests * 250 },
    };

    private static ServiceGraphEdge Edge(string from, string to) => new()
    {
        SourceKey = ServiceGraphNode.KeyFor("1", Type(from), from),
        TargetKey = ServiceGraphNode.KeyFor("1", Type(to), to),
        Stats = new ServiceGraphStats { Requests = 10, Ok = 10, ResponseTimeSumMs = 1000 },
    };

    private static string? Type(string name) => name switch
    {
        "client" => null,
        "api" => "AWS::ApiGateway::Stage",
        "table" => "AWS::DynamoDB::Table",
        "idle" => "AWS::SQS::Queue",
        _ => "AWS::Lambda::Function",
    };

    internal static TraceTree Tree(params TraceSegment[] segments) => new(
        new TraceSummary { TraceId = "1-00000000-000000000000000000000001", Start = T0, DurationMs = segments.Length == 0 ? 0 : 100 },
        segments);

    internal static TraceSegment Span(string id, string? parent, string name, double startMs, double? endMs, string? origin = null,
        Dictionary<string, string>? attributes = null) => new()
    {
        Id = id,
        ParentId = parent,
        Name = name,
        Origin = origin,
        Start = T0.AddMilliseconds(startMs),
        End = endMs is { } end ? T0.AddMilliseconds(end) : null,
        Attributes = attributes ?? [],
    };
}
