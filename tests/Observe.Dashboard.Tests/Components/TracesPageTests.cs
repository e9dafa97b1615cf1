using System.Globalization;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Observe.Dashboard.Components.Controls;
using Observe.Dashboard.Components.Pages;
using Observe.Dashboard.Configuration;
using Observe.Dashboard.Model;
using Observe.Dashboard.Tests.Hosting;
using Observe.Dashboard.Tests.Model;
using Observe.Store;
using Observe.Store.Model;

namespace Observe.Dashboard.Tests.Components;

/// <summary>The Traces list, a trace's waterfall and the service map over a real SQLite store.</summary>
public sealed class TracesPageTests : MudContext
{
    private const string Account = "111122223333";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    private TestStore _store = null!;

    public override async Task InitializeAsync()
    {
        _store = await TestStore.CreateAsync();
        Services.AddObserveStore(_store.Store);
        Services.AddSingleton(_store.Changes);
        Services.AddSingleton(TimeProvider.System);
        Services.AddSingleton(Options.Create(new DashboardOptions { RefreshThrottle = TimeSpan.FromMilliseconds(100) }));
        Services.AddLiveData();
        SetRendererInfo(new RendererInfo("Server", isInteractive: true));
    }

    protected override ValueTask DisposeResourcesAsync() => _store.DisposeAsync();

    [Fact]
    public async Task List_StatusAndDurationFilters_ShowExactlyTheMatchingTracesSlowestFirst_WithTheirScatterPoints()
    {
        var now = DateTimeOffset.UtcNow;
        var written = Enumerable.Range(0, 30).Select(i => Summary(i, now.AddMinutes(-50 + i), duration: 100 + i * 37 % 400, fault: i % 4 == 0, error: i % 5 == 0)).ToList();
        await _store.Store.WriteTracesAsync(written.Select(s => new TraceTree(s, [])).ToList(), CancellationToken.None);

        var page = RenderAt("/traces?range=1h&status=fault&status=error&min=150&sort=slowest");

        // Computed from what was written, not through the page's model.
        var expected = written.Where(t => (t.HasFault || t.HasError) && t.DurationMs >= 150)
            .OrderByDescending(t => t.DurationMs).ThenByDescending(t => t.TraceId, StringComparer.Ordinal).ToList();
        page.WaitForAssertion(() => Assert.Equal(expected.Select(t => t.TraceId), page.FindAll("[data-trace]").Select(r => r.GetAttribute("data-trace"))), Wait);
        Assert.Equal(expected.Select(TraceOutcome.Of), page.FindAll("[data-trace]").Select(r => r.GetAttribute("data-outcome")));
        Assert.Equal(expected.Select(t => t.TraceId).Order(StringComparer.Ordinal), page.FindAll("[data-point]").Select(p => p.GetAttribute("data-point")).Order(StringComparer.Ordinal));
        Assert.Equal($"traces/{expected[0].TraceId}?range=1h", page.Find("[data-open-trace]").GetAttribute("href"));
        Assert.Equal("descending", page.Find("th[aria-sort]").GetAttribute("aria-sort"));
        Assert.Equal("Duration ↓", page.Find("[data-sort=duration]").TextContent);
        Assert.Equal("true", page.Find("[data-status=fault]").GetAttribute("aria-pressed"));
        Assert.Contains("the last of the search", page.Find("[data-testid=trace-count]").TextContent, StringComparison.Ordinal);
        Assert.Empty(page.FindAll("[data-testid=next-page]"));
    }

    [Fact]
    public async Task List_Prerendered_ShowsTheRowsWithoutReadingTheScatter_InteractiveDrawsIt()
    {
        var now = DateTimeOffset.UtcNow;
        var written = Enumerable.Range(0, 5).Select(i => Summary(i, now.AddMinutes(-30 + i))).ToList();
        await _store.Store.WriteTracesAsync(written.Select(s => new TraceTree(s, [])).ToList(), CancellationToken.None);
        var newestFirst = written.OrderByDescending(t => t.Start).Select(t => t.TraceId).ToList();

        SetRendererInfo(new RendererInfo("Static", isInteractive: false));
        var prerendered = RenderAt("/traces?range=1h");
        prerendered.WaitForAssertion(() => Assert.Equal(newestFirst, prerendered.FindAll("[data-trace]").Select(r => r.GetAttribute("data-trace"))), Wait);
        Assert.Empty(prerendered.FindAll("[data-point]"));
        Assert.Equal("Drawing the durations…", prerendered.Find("[data-testid=scatter-pending]").TextContent);

        SetRendererInfo(new RendererInfo("Server", isInteractive: true));
        var interactive = RenderAt("/traces?range=1h");
        interactive.WaitForAssertion(() => Assert.Equal(newestFirst.Order(StringComparer.Ordinal), interactive.FindAll("[data-point]").Select(p => p.GetAttribute("data-point")).Order(StringComparer.Ordinal)), Wait);
        Assert.Empty(interactive.FindAll("[data-testid=scatter-pending]"));
    }

    [Fact]
    public async Task List_ByFunction_PagedFiftyAtATime_NextPageLinkKeepsTheSearch()
    {
        var now = DateTimeOffset.UtcNow;
        var written = Enumerable.Range(0, 60).Select(i => Summary(i, now.AddMinutes(-59).AddSeconds(i * 50), function: i % 2 == 0 ? "orders" : "billing")).ToList();
        await _store.Store.WriteTracesAsync(written.Select(s => new TraceTree(s, [])).ToList(), CancellationToken.None);

        var page = RenderAt("/traces?range=1h&function=orders");

        var orders = written.Where(t => t.Functions[0].Name == "orders").OrderByDescending(t => t.Start).Select(t => t.TraceId).ToList();
        page.WaitForAssertion(() => Assert.Equal(orders, page.FindAll("[data-trace]").Select(r => r.GetAttribute("data-trace"))), Wait);
        Assert.Equal("orders", page.Find("[data-functions] a").TextContent);

        written.AddRange(Enumerable.Range(60, 40).Select(i => Summary(i, now.AddMinutes(-30).AddSeconds(i), function: "orders")));
        await _store.Store.WriteTracesAsync(written.Skip(60).Select(s => new TraceTree(s, [])).ToList(), CancellationToken.None);

        // The page follows the store's writes; 70 traces make two pages.
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-testid=next-page]")), Wait);
        Assert.Equal(TracesAddress.PageSize, page.FindAll("[data-trace]").Count);
        Assert.Equal("traces?function=orders&page=2&range=1h", page.Find("[data-testid=next-page]").GetAttribute("href"));

        // A search changed in the address (the form, a link, the back button) is followed on the same page.
        Services.GetRequiredService<NavigationManager>().NavigateTo("/traces?range=1h&function=billing");
        var billing = written.Where(t => t.Functions[0].Name == "billing").OrderByDescending(t => t.Start).Select(t => t.TraceId).ToList();
        page.WaitForAssertion(() => Assert.Equal(billing, page.FindAll("[data-trace]").Select(r => r.GetAttribute("data-trace"))), Wait);
    }

    [Fact]
    public async Task List_Empty_SaysWhyAndWhatToDo_FilteredSaysWhichFilter()
    {
        var page = RenderAt("/traces?range=1h");
        page.WaitForAssertion(() => Assert.Contains("No traces in the last 1 hour.", page.Find("[data-testid=no-traces]").TextContent, StringComparison.Ordinal), Wait);
        Assert.Contains("Collectors page", page.Find("[data-testid=no-traces]").TextContent, StringComparison.Ordinal);

        await _store.Store.WriteTracesAsync([new TraceTree(Summary(1, DateTimeOffset.UtcNow.AddMinutes(-5)), [])], CancellationToken.None);
        page = RenderAt("/traces?range=1h&status=throttle&function=orders");
        page.WaitForAssertion(() => Assert.Contains("No trace in the last 1 hour matches function \"orders\", status throttle.",
            page.Find("[data-testid=no-traces]").TextContent, StringComparison.Ordinal), Wait);
    }

    [Fact]
    public void List_BadDurationInTheAddress_NamesItAndOffersTheSearchWithoutIt()
    {
        var page = RenderAt("/traces?min=fast&range=1h");

        var error = page.Find("[data-testid=address-error]");
        Assert.Contains("min: \"fast\" is not a duration", error.TextContent, StringComparison.Ordinal);
        Assert.Equal("traces?range=1h", error.QuerySelector("a")!.GetAttribute("href"));
        Assert.Empty(page.FindAll("[data-trace]"));
    }

    [Fact]
    public async Task Trace_ColdStart_WaterfallShowsInitializationNestedUnderTheFunction_HostileTextAsText()
    {
        var start = DateTimeOffset.UtcNow.AddMinutes(-3);
        var tree = new TraceTree(Summary(7, start, duration: 900) with { Functions = [new FunctionKey(Account, "eu-west-1", "<script>alert('fn')</script>")] },
        [
            Segment("fn", null, "<script>alert('x')</script>", start, 0, 900, origin: "AWS::Lambda::Function"),
            Segment("init", "fn", "Initialization", start, 0, 400),
            Segment("inv", "fn", "Invocation", start, 400, 880),
            Segment("ddb", "inv", "DynamoDB", start, 500, 700, new() { ["aws.operation"] = "PutItem", ["http.status"] = "500", ["annotation.note"] = "<img src=x onerror=alert(1)>", ["metadata.default.payload"] = "{\"html\":\"<b>x</b>\"}" }, fault: true),
            Segment("lost", "gone", "S3", start, 600, null),
        ]);
        await _store.Store.WriteTracesAsync([tree], CancellationToken.None);

        Services.GetRequiredService<NavigationManager>().NavigateTo($"/traces/{tree.Summary.TraceId}?span=ddb");
        var page = Render<TraceDetail>(p => p.Add(x => x.TraceId, tree.Summary.TraceId));

        page.WaitForAssertion(() => Assert.Equal(5, page.FindAll("[data-span]").Count), Wait);
        Assert.Equal(["fn", "init", "inv", "ddb", "lost"], page.FindAll("[data-span]").Select(r => r.GetAttribute("data-span")));
        Assert.Equal(["0", "1", "1", "2", "0"], page.FindAll("[data-span]").Select(r => r.GetAttribute("data-depth")));
        var init = page.Find("[data-span=init]");
        Assert.Equal(("LambdaPhase", "Initialization"), (init.GetAttribute("data-kind"), init.QuerySelector("[data-name]")!.TextContent));
        Assert.Contains("cold start (Initialization)", page.Find("[data-field=spans]").TextContent, StringComparison.Ordinal);

        // A downstream call with its status; a span whose parent is missing and which never closed, said in words.
        var ddb = page.Find("[data-span=ddb]");
        Assert.Equal(("Downstream", "fault", "500"), (ddb.GetAttribute("data-kind"), ddb.GetAttribute("data-outcome"), ddb.QuerySelector("[data-http-status]")!.TextContent));
        var lost = page.Find("[data-span=lost]");
        Assert.Equal(("true", "true"), (lost.GetAttribute("data-missing-parent"), lost.GetAttribute("data-unclosed")));
        Assert.Contains("parent missing", lost.TextContent, StringComparison.Ordinal);
        Assert.Contains("unknown", lost.TextContent, StringComparison.Ordinal);

        // The selected span's pane: annotations apart from metadata, hostile values as text.
        var pane = page.Find("[data-testid=span-pane]");
        Assert.Equal("<img src=x onerror=alert(1)>", pane.QuerySelector("[data-testid=annotations] dd")!.TextContent);
        Assert.Contains("PutItem", pane.QuerySelector("[data-testid=fields]")!.TextContent, StringComparison.Ordinal);
        Assert.Equal(("default.payload", "{\"html\":\"<b>x</b>\"}"), (pane.QuerySelector("[data-testid=metadata] dt")!.TextContent, pane.QuerySelector("[data-testid=metadata] dd")!.TextContent));
        Assert.Equal("true", ddb.GetAttribute("aria-current"));
        Assert.Equal("<script>alert('x')</script>", page.Find("[data-span=fn] [data-name]").TextContent);
        Assert.Empty(page.FindAll("script, img, b"));
    }

    [Fact]
    public async Task Waterfall_500Spans_DrawsTheFirstWindow_ThenTheRowsTheBrowserReportsOnScreen()
    {
        // A root and 499 children a millisecond apart: tree order is the root, then c000 to c498.
        var start = DateTimeOffset.UtcNow.AddMinutes(-3);
        var ids = new[] { "root" }.Concat(Enumerable.Range(0, 499).Select(i => $"c{i:000}")).ToList();
        var tree = new TraceTree(Summary(9, start, duration: 600),
            ids.Select((id, i) => Segment(id, i == 0 ? null : "root", id, start, i, i == 0 ? 600 : i + 1)).ToList());
        var view = Render<TraceWaterfallView>(p => p
            .Add(x => x.Waterfall, TraceWaterfall.Build(tree))
            .Add(x => x.SelectUri, id => $"traces/t?span={id}"));

        string[] Drawn() => view.FindAll("[data-span]").Select(r => r.GetAttribute("data-span")!).ToArray();
        string? Spacer(string which) => view.FindAll($"[data-spacer={which}]").SingleOrDefault()?.GetAttribute("style");

        // Before the browser reports anything (and prerendered alike): the top of the trace, the rest as one spacer.
        Assert.Equal("501", view.Find("[data-testid=waterfall]").GetAttribute("aria-rowcount"));
        Assert.Equal(ids.Take(TraceWaterfallView.FirstWindow), Drawn());
        Assert.Null(Spacer("before"));
        Assert.Equal($"--rows:{500 - TraceWaterfallView.FirstWindow}", Spacer("after"));
        JSInterop.VerifyInvoke("observe.watchRows");

        // Rows 430 to 466 on screen: those and the overscan either side are drawn, each with its index in the table.
        await view.Instance.ShowRows(430, 37);
        var first = 430 - TraceWaterfallView.Overscan;
        var end = 430 + 37 + TraceWaterfallView.Overscan;
        view.WaitForAssertion(() => Assert.Equal(ids.Skip(first).Take(end - first), Drawn()), Wait);
        Assert.Equal((first + 2).ToString(CultureInfo.InvariantCulture), view.Find("[data-span]").GetAttribute("aria-rowindex"));
        Assert.Equal($"--rows:{first}", Spacer("before"));
        Assert.Equal($"--rows:{500 - end}", Spacer("after"));

        // A scroll of two rows stays inside the drawn window: nothing is rendered again.
        var renders = view.RenderCount;
        await view.Instance.ShowRows(432, 37);
        Assert.Equal(renders, view.RenderCount);

        // The end of the trace: the last span is drawn, with no spacer after it.
        await view.Instance.ShowRows(470, 37);
        view.WaitForAssertion(() => Assert.Equal("c498", Drawn()[^1]), Wait);
        Assert.Null(Spacer("after"));
    }

    [Fact]
    public void Trace_NotInTheStore_SaysSoAndWhy()
    {
        var page = Render<TraceDetail>(p => p.Add(x => x.TraceId, "1-00000000-missing"));

        page.WaitForAssertion(() => Assert.Contains("The store holds no trace with the id 1-00000000-missing.", page.Find("[data-testid=no-trace]").TextContent, StringComparison.Ordinal), Wait);
    }

    [Fact]
    public async Task Map_FiguresEqualTheStoredGraph_NamesAsText_FilterByFunction()
    {
        var now = DateTimeOffset.UtcNow;
        var api = GraphNode("orders-api/prod", "AWS::ApiGateway::Stage", 120, faults: 0, root: true);
        var fn = GraphNode("<script>orders</script>", "AWS::Lambda::Function", 120, faults: 6, errors: 3);
        var table = GraphNode("orders", "AWS::DynamoDB::Table", 0);
        var other = GraphNode("billing", "AWS::Lambda::Function", 10);
        await _store.Store.WriteServiceGraphAsync(
        [
            new ServiceGraphWindow
            {
                AccountId = Account, Region = "eu-west-1", Start = now.AddMinutes(-20), End = now.AddMinutes(-15),
                Nodes = [api, fn, table, other],
                Edges = [new ServiceGraphEdge { SourceKey = api.Key, TargetKey = fn.Key, Stats = fn.Stats }, new ServiceGraphEdge { SourceKey = fn.Key, TargetKey = table.Key, Stats = table.Stats }],
            },
        ], CancellationToken.None);

        var page = RenderMap("/traces/map?range=1h");

        page.WaitForAssertion(() => Assert.Equal(4, page.FindAll("[data-testid=map-nodes] [data-node]").Count), Wait);
        var row = page.Find($"[data-testid=map-nodes] [data-node='{fn.Key}']");
        Assert.Equal(("<script>orders</script>", "120", "2.50%", "5.00%", "250 ms"),
            (row.QuerySelector("[data-name]")!.TextContent, row.QuerySelector("[data-requests]")!.TextContent, row.QuerySelector("[data-error-rate]")!.TextContent,
             row.QuerySelector("[data-fault-rate]")!.TextContent, row.QuerySelector("[data-latency]")!.TextContent));

        // No requests: rates and latency are no data, never 0.
        var idle = page.Find($"[data-testid=map-nodes] [data-node='{table.Key}']");
        Assert.Equal((FigureFormat.NoData, FigureFormat.NoData), (idle.QuerySelector("[data-fault-rate]")!.TextContent, idle.QuerySelector("[data-latency]")!.TextContent));
        Assert.Equal(4, page.FindAll("[data-testid=service-map] [data-node]").Count);
        Assert.Empty(page.FindAll("script"));
        Assert.Equal("<script>orders</script>", page.Find($"[data-testid=service-map] [data-node='{fn.Key}'] title").TextContent.Split(" (")[0]);

        page = RenderMap("/traces/map?range=1h&function=billing");
        page.WaitForAssertion(() => Assert.Equal([other.Key], page.FindAll("[data-testid=map-nodes] [data-node]").Select(n => n.GetAttribute("data-node"))), Wait);
    }

    private IRenderedComponent<Traces> RenderAt(string uri)
    {
        Services.GetRequiredService<NavigationManager>().NavigateTo(uri);
        return Render<Traces>();
    }

    private IRenderedComponent<TraceMap> RenderMap(string uri)
    {
        Services.GetRequiredService<NavigationManager>().NavigateTo(uri);
        return Render<TraceMap>();
    }

    private static TraceSummary Summary(int i, DateTimeOffset start, double duration = 100, bool fault = false, bool error = false, string function = "orders") => new()
    {
        TraceId = $"1-{start.ToUnixTimeSeconds():x8}-{i:x24}",
        Start = start,
        DurationMs = duration,
        HasFault = fault,
        HasError = error,
        EntryPoint = "GET /orders",
        HttpStatus = fault ? "502" : "200",
        Functions = [new FunctionKey(Account, "eu-west-1", function)],
    };

    private static TraceSegment Segment(string id, string? parent, string name, DateTimeOffset start, double from, double? to,
        Dictionary<string, string>? attributes = null, string? origin = null, bool fault = false) =>
        TraceModelTests.Span(id, parent, name, 0, null) with
        {
            Start = start.AddMilliseconds(from),
            End = to is { } end ? start.AddMilliseconds(end) : null,
            Attributes = attributes ?? [],
            Origin = origin,
            Fault = fault,
        };

    private static ServiceGraphNode GraphNode(string name, string type, long requests, long faults = 0, long errors = 0, bool root = false) => new()
    {
        Key = ServiceGraphNode.KeyFor(Account, type, name),
        Name = name,
        Type = type,
        AccountId = Account,
        Root = root,
        Stats = new ServiceGraphStats { Requests = requests, Faults = faults, Errors = errors, Ok = requests - faults - errors, ResponseTimeSumMs = requests * 250 },
    };
}
