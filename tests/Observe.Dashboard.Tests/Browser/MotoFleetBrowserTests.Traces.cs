using System.Globalization;
using Microsoft.Playwright;
using Observe.Dashboard.Model;
using Observe.Store.Model;

namespace Observe.Dashboard.Tests.Browser;

/// <summary>
/// The Traces pages over what the traces collector read, with its default settings, from moto's X-Ray
/// (<see cref="MotoInvestigation"/>). moto lacks filter expressions and the service graph: <see cref="MotoXRayGaps"/>
/// answers those two from the X-Ray API reference. Expectations are worked out here from the store's trace summaries.
/// </summary>
public sealed partial class MotoFleetBrowserTests
{
    [Fact]
    public async Task Traces_FromMoto_SearchByFunctionThenStatus_RowsAreTheStoresTracesFilteredHere()
    {
        var seeded = moto.Fleet.Investigation.Traces;
        var stored = await moto.Store.GetTraceSummariesAsync(new TimeRange(DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddMinutes(1)), false, 1000, CancellationToken.None);
        Assert.Equal(seeded.Select(t => t.TraceId).Order(StringComparer.Ordinal), stored.Select(t => t.TraceId).Order(StringComparer.Ordinal));
        Assert.True(moto.XRayGaps.FilteredSummaries > 0, "the collector never asked X-Ray for the faulty traces with its filter expression");

        // The stored duration is X-Ray's Duration, or the segments' span where it gives none. moto answers Duration as
        // the span cut to whole seconds (0 under a second; X-Ray's is exact): worked out here from the documents.
        foreach (var trace in seeded)
        {
            var starts = trace.Documents.Select(d => d["start_time"]!.GetValue<double>());
            var ends = trace.Documents.Select(d => d["end_time"]!.GetValue<double>());
            var span = ends.Max() - starts.Min();
            Assert.Equal(span >= 1 ? Math.Floor(span) * 1000 : span * 1000, stored.Single(t => t.TraceId == trace.TraceId).DurationMs, 1);
        }

        var page = await OpenAsync("/traces?range=1h", "[data-trace]");
        await WaitForTraceRowsAsync(page, Newest(stored, _ => true));
        Assert.Equal(
            Newest(stored, _ => true).Select(id => stored.Single(t => t.TraceId == id)).Select(t => $"{TraceOutcome.Of(t)} {t.DurationMs.ToString(CultureInfo.InvariantCulture)}"),
            await page.Locator("[data-trace]").EvaluateAllAsync<string[]>("rows => rows.map(r => `${r.dataset.outcome} ${r.querySelector('[data-duration]').dataset.duration}`)"));

        // Function: typed into the search form, it reaches the address and narrows the rows to that function's traces.
        var payments = moto.Fleet.Investigation.ColdStart.Function.Name;
        await page.Locator("input[data-testid=search-function], [data-testid=search-function] input").FillAsync(payments);
        await page.Locator("[data-testid=search-submit]").ClickAsync();
        await WaitUntilAsync(() => Task.FromResult(page.Url.Contains($"function={payments}", StringComparison.Ordinal)), () => page.Url);
        await WaitForTraceRowsAsync(page, Newest(stored, t => t.Functions.Any(f => f.Name == payments)));

        // Status: error, as the store flags it (the DynamoDB call's 400 in the cold start).
        await page.Locator("[data-testid=status-filter] [data-status=error]").ClickAsync();
        await WaitUntilAsync(() => Task.FromResult(page.Url.Contains("status=error", StringComparison.Ordinal)), () => page.Url);
        var errors = Newest(stored, t => t.Functions.Any(f => f.Name == payments) && t.HasError);
        Assert.Equal([moto.Fleet.Investigation.ColdStart.TraceId], errors);
        await WaitForTraceRowsAsync(page, errors);
        await page.Context.CloseAsync();

        // Throttle, across functions: Lambda's 429 before the function ran.
        page = await OpenAsync("/traces?range=1h&status=throttle", "[data-trace]");
        var throttled = Newest(stored, t => t.HasThrottle);
        Assert.Equal(seeded.Where(t => t.Status == TraceStatuses.Throttle).Select(t => t.TraceId), throttled);
        await WaitForTraceRowsAsync(page, throttled);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Traces_FromMoto_ColdStartWaterfall_NestsInitializationInvocationOverheadAndTheFailedCall()
    {
        var cold = moto.Fleet.Investigation.ColdStart;
        var tree = (await moto.Store.GetTraceAsync(cold.TraceId, CancellationToken.None))!;
        var page = await OpenAsync($"/traces/{cold.TraceId}?range=1h", "[data-testid=waterfall]");

        await Assertions.Expect(page.Locator("[data-span]")).ToHaveCountAsync(tree.Segments.Count, new() { Timeout = Timeout });
        var function = tree.Segments.Single(s => s.Origin == "AWS::Lambda::Function");
        foreach (var phase in new[] { "Initialization", "Invocation", "Overhead" })
        {
            var segment = tree.Segments.Single(s => s.Name == phase);
            Assert.Equal(function.Id, segment.ParentId);
            var row = page.Locator($"[data-span='{segment.Id}']");
            await Assertions.Expect(row).ToHaveAttributeAsync("data-kind", "LambdaPhase");
            await Assertions.Expect(row).ToContainTextAsync(phase);
            Assert.True(int.Parse(await row.GetAttributeAsync("data-depth") ?? "0", CultureInfo.InvariantCulture) > 0, $"{phase} is not nested under the function");
        }

        var dynamo = tree.Segments.Single(s => s.Name == "DynamoDB");
        Assert.True(dynamo.Error, "the store did not keep the DynamoDB call's error");
        await Assertions.Expect(page.Locator($"[data-span='{dynamo.Id}']")).ToHaveAttributeAsync("data-outcome", "error");
        await Assertions.Expect(page.Locator("[data-field=spans]")).ToContainTextAsync("cold start", new() { Timeout = Timeout });
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Traces_FromMoto_ServiceMap_DrawsTheRecordedGraphAsStored_FilteredByFunction()
    {
        // moto answers GetServiceGraph with no services: the collector read the recorded answer MotoXRayGaps gives.
        Assert.True(moto.XRayGaps.RecordedGraphs > 0, "the collector never asked for the recorded service graph window");
        var graph = await moto.Store.GetServiceGraphAsync(FleetFilter.All, new TimeRange(DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow), CancellationToken.None);
        Assert.Equal(["AWS::DynamoDB::Table", "AWS::Lambda", "AWS::Lambda::Function"], graph.Nodes.Select(n => n.Type).Order(StringComparer.Ordinal));
        var page = await OpenAsync("/traces/map?range=1h", "[data-testid=service-map]");

        await Assertions.Expect(page.Locator("[data-testid=service-map] svg [data-node]")).ToHaveCountAsync(graph.Nodes.Count, new() { Timeout = Timeout });
        foreach (var node in graph.Nodes)
        {
            var row = page.Locator($"[data-testid=map-nodes] tr[data-node=\"{node.Key}\"]");
            await Assertions.Expect(row.Locator("[data-requests]")).ToHaveTextAsync(FigureFormat.ExactCount(node.Stats.Requests), new() { Timeout = Timeout });
        }

        Assert.Equal(graph.Edges.Count, await page.Locator("[data-testid=map-edges] [data-edge]").CountAsync());

        // Filtered to the payments worker: its nodes stay; a function with no graph says so.
        var payments = moto.Fleet.Investigation.ColdStart.Function.Name;
        await page.Context.CloseAsync();
        page = await OpenAsync($"/traces/map?range=1h&function={payments}", "[data-testid=service-map]");
        await Assertions.Expect(page.Locator("[data-testid=service-map] svg [data-node]")).ToHaveCountAsync(graph.Nodes.Count, new() { Timeout = Timeout });
        await page.Context.CloseAsync();
        page = await OpenAsync("/traces/map?range=1h&function=orders-api", "[data-testid=no-function], [data-testid=no-graph]");
        Assert.Equal(0, await page.Locator("[data-testid=service-map] svg [data-node]").CountAsync());
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task LogsAndTraces_FromMoto_EveryTargetsPassesRanCleanWithNothingSkipped()
    {
        // What the pages show is all that was read: no pass of either collector failed, degraded or skipped a line,
        // a segment or a trace over moto's answers (and MotoXRayGaps').
        var statuses = (await moto.Store.GetCollectorStatusAsync(CancellationToken.None)).Where(s => s.Collector is "logs" or "traces").ToList();
        Assert.Equal(
            moto.Fleet.Targets.SelectMany(t => new[] { $"logs {t.AccountId} {t.Region}", $"traces {t.AccountId} {t.Region}" }).Order(StringComparer.Ordinal),
            statuses.Select(s => $"{s.Collector} {s.AccountId} {s.Region}").Order(StringComparer.Ordinal));
        Assert.All(statuses, s => Assert.True(
            s is { IsFailing: false, IsDegraded: false, TotalSkipped.Total: 0 } && s.LastSuccess is not null,
            $"{s.Collector} {s.AccountId} {s.Region}: failures {s.ConsecutiveFailures} ({s.LastError}), warning {s.LastWarning}, skipped {s.TotalSkipped.Total}"));
    }

    /// <summary>Trace ids of the stored summaries that <paramref name="filter"/> keeps, newest first (the list's default order).</summary>
    private static string[] Newest(IReadOnlyList<TraceSummary> traces, Func<TraceSummary, bool> filter) =>
        [.. traces.Where(filter).OrderByDescending(t => t.Start).ThenByDescending(t => t.TraceId, StringComparer.Ordinal).Select(t => t.TraceId)];

    private static async Task WaitForTraceRowsAsync(IPage page, string[] expected)
    {
        Assert.NotEmpty(expected);
        var shown = Array.Empty<string>();
        await WaitUntilAsync(
            async () => (shown = await page.Locator("[data-trace]").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.trace)")).SequenceEqual(expected),
            () => $"rows {string.Join(", ", shown)}, expected {string.Join(", ", expected)}");
    }
}
