using System.Globalization;
using System.Threading.Channels;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Observe.Alerting;
using Observe.Collectors.Metrics;
using Observe.Dashboard.Collection;
using Observe.Dashboard.Components.Pages;
using Observe.Dashboard.Configuration;
using Observe.Dashboard.Demo;
using Observe.Dashboard.Model;
using Observe.Dashboard.Tests.Hosting;
using Observe.Store;
using Observe.Store.Model;

namespace Observe.Dashboard.Tests.Components;

public sealed class FunctionDetailTests : MudContext
{
    private const string Account = "111122223333";
    private const string Region = "eu-west-1";
    private const string Hostile = "<script>alert('x')</script>";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private TestStore _store = null!;
    private RecordingWatchStore _watches = null!;

    public override async Task InitializeAsync()
    {
        _store = await TestStore.CreateAsync();
        _watches = new RecordingWatchStore(_store.Store);
        Services.AddObserveStore(_store.Store);
        Services.AddSingleton<IFunctionWatchStore>(_watches);
        Services.AddSingleton(_store.Changes);
        Services.AddSingleton(Options.Create(new DashboardOptions { RefreshThrottle = TimeSpan.FromMilliseconds(100) }));
        Services.AddSingleton(Options.Create(new MetricsCollectorOptions()));
        Services.AddSingleton(new CollectorsMode(true, "this dashboard collects its 1 configured AWS account itself"));
        Services.AddSingleton(new DemoFleetStatus(new DemoMode(false, "no demo in these tests")));
        Services.AddSingleton(Observe.Dashboard.Fleet.RuntimeCatalog.Default);
        Services.AddSingleton(Options.Create(new Observe.Dashboard.Fleet.FleetOptions()));
        Services.AddLiveData();

        // The page's alerts section reads the rules through alerting's own registration.
        Services.AddObserveAlerting(new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build());
    }

    protected override ValueTask DisposeResourcesAsync() => _store.DisposeAsync();

    [Fact]
    public async Task Detail_KnownFunction_ShowsEverySectionFromTheStore()
    {
        Services.AddSingleton(TimeProvider.System);
        var now = DateTimeOffset.UtcNow;
        var fn = Function("orders-api") with
        {
            Runtime = "dotnet8",
            Architecture = "arm64",
            MemoryMb = 1024,
            TimeoutSeconds = 30,
            CodeSizeBytes = 3 * 1024 * 1024,
            ReservedConcurrency = 25,
            ProvisionedConcurrency = 4,
            Tags = new Dictionary<string, string> { ["owner"] = "payments" },
            Layers = [$"arn:aws:lambda:{Region}:580247275435:layer:LambdaInsightsExtension-Arm64:20"],
            Aliases = [new FunctionAlias("live", "7", "8", 0.1)],
            PublishedVersions = ["6", "7", "8"],
            EventSources = [new EventSourceMapping("uuid-1", $"arn:aws:sqs:{Region}:{Account}:orders", "Enabled", 10)],
        };
        await _store.Store.UpsertFunctionsAsync([fn], CancellationToken.None);
        await _store.Store.WriteInvocationReportsAsync([Report(fn.Key, "req-1", now.AddMinutes(-3), 900, 2_500, "timeout", init: 412)], CancellationToken.None);
        await _store.Store.UpsertAlarmsAsync([Alarm("orders-api-errors", "orders-api", AlarmState.Alarm, "Threshold crossed"), Alarm("other", "other-fn", AlarmState.Alarm, "not ours")], CancellationToken.None);

        var page = RenderAt(fn.Key, "?range=1h");

        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-section=configuration]")), Wait);
        Assert.StartsWith("dotnet8", Field(page, "runtime"), StringComparison.Ordinal);
        Assert.Equal("arm64", Field(page, "architecture"));
        Assert.Equal("1,024 MB", Field(page, "memory"));
        Assert.Equal("30 s", Field(page, "timeout"));
        Assert.Equal("Zip, 3 MB", Field(page, "package"));
        Assert.Contains(fn.Arn, Field(page, "arn"), StringComparison.Ordinal);
        Assert.Equal("25", Field(page, "reserved"));
        Assert.StartsWith("4", Field(page, "provisioned"), StringComparison.Ordinal);
        Assert.Equal("payments", page.Find("[data-tag=owner] td:last-child").TextContent);
        var layer = page.Find("[data-layer='LambdaInsightsExtension-Arm64']");
        Assert.Equal("20", layer.QuerySelector(".num")!.TextContent);
        Assert.Contains(fn.Layers[0], layer.TextContent, StringComparison.Ordinal);
        Assert.Equal("90% to 7, 10% to 8", page.Find("[data-alias=live] td:last-child").TextContent);
        Assert.Contains("6, 7, 8", Field(page, "versions"), StringComparison.Ordinal);
        var source = page.Find("[data-event-source=uuid-1]");
        Assert.Contains("Enabled", source.TextContent, StringComparison.Ordinal);
        Assert.Contains("orders", source.TextContent, StringComparison.Ordinal);

        var report = page.Find("[data-request=req-1]");
        Assert.Equal("timeout", report.GetAttribute("data-status"));
        Assert.NotNull(report.QuerySelector(".status-timeout"));
        Assert.Contains("900 / 1024 MB", report.TextContent, StringComparison.Ordinal);
        Assert.Contains("412 ms", report.TextContent, StringComparison.Ordinal);

        Assert.Single(page.FindAll("[data-alarm]"));
        Assert.Contains("ALARM", page.Find("[data-alarm=orders-api-errors]").TextContent, StringComparison.Ordinal);

        Assert.Equal($"https://{Region}.console.aws.amazon.com/lambda/home?region={Region}#/functions/orders-api", page.Find("[data-testid=console-link]").GetAttribute("href"));
        Assert.Equal($"https://{Region}.console.aws.amazon.com/cloudwatch/home?region={Region}#logsV2:log-groups/log-group/$252Faws$252Flambda$252Forders-api",
            page.Find("[data-testid=logs-link]").GetAttribute("href"));
        Assert.Contains("Metrics refresh every minute while this page is open, instead of every 15 minutes.", page.Find("[data-testid=watch-note]").TextContent, StringComparison.Ordinal);
        foreach (var chart in new[] { "invocations", "errors", "throttles", "duration", "cold-starts", "init-duration", "memory" })
        {
            Assert.NotEmpty(page.FindAll($"[data-chart={chart}]"));
        }

        // The timeout (ms) and the configured memory are the charts' reference lines.
        Assert.Equal("30000", page.Find("[data-chart=duration] [data-reference]").GetAttribute("data-reference"));
        Assert.Equal("1024", page.Find("[data-chart=memory] [data-reference]").GetAttribute("data-reference"));
    }

    [Fact]
    public async Task Detail_DeprecatedRuntime_SaysSinceWhen()
    {
        Services.AddSingleton(TimeProvider.System);
        var fn = Function("legacy") with { Runtime = "dotnet6" };
        await _store.Store.UpsertFunctionsAsync([fn], CancellationToken.None);

        var page = RenderAt(fn.Key, "?range=1h");

        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-testid=runtime-deprecation]")), Wait);
        var expected = Observe.Dashboard.Fleet.RuntimeCatalog.Default.Find("dotnet6")!.Deprecation!.Value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        Assert.Equal($"deprecated since {expected}", page.Find("[data-testid=runtime-deprecation]").TextContent);
    }

    [Fact]
    public async Task Detail_HostileNameTagLayerAndReason_RenderAsText()
    {
        Services.AddSingleton(TimeProvider.System);
        var fn = Function(Hostile) with
        {
            Tags = new Dictionary<string, string> { [Hostile] = "<img src=x onerror=alert(1)>" },
            Layers = [$"arn:aws:lambda:{Region}:{Account}:layer:{Hostile}:3"],
        };
        await _store.Store.UpsertFunctionsAsync([fn], CancellationToken.None);
        await _store.Store.UpsertAlarmsAsync([Alarm("a<b>", Hostile, AlarmState.Ok, "<b>bold</b> reason")], CancellationToken.None);

        var page = RenderAt(fn.Key, "?range=1h");

        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-section=tags]")), Wait);
        Assert.Equal(Hostile, page.Find("[data-testid=function-name]").TextContent);
        Assert.Empty(page.FindAll("script"));
        Assert.Empty(page.FindAll("img"));
        Assert.Empty(page.FindAll("[data-alarm] b"));
        Assert.Contains("<img src=x onerror=alert(1)>", page.Find("[data-section=tags]").TextContent, StringComparison.Ordinal);
        Assert.Contains("<b>bold</b> reason", page.Find("[data-alarm]").TextContent, StringComparison.Ordinal);
        Assert.Equal("3", page.Find("[data-section=layers] td.num").TextContent);
        Assert.Contains(Uri.EscapeDataString(Hostile), page.Find("[data-testid=console-link]").GetAttribute("href"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Detail_ChangesInTheRange_MarkedOnEveryChartAndListedAsText()
    {
        Services.AddSingleton(TimeProvider.System);
        var now = DateTimeOffset.UtcNow;
        var fn = Function("deployed");
        await _store.Store.UpsertFunctionsAsync([fn], CancellationToken.None);
        await _store.Store.WriteMetricsAsync([new MetricPoint { Function = fn.Key, Minute = Minute(now).AddMinutes(-50), Invocations = 5 }], CancellationToken.None);
        var at = Minute(now).AddMinutes(-20);
        await _store.Store.RecordFunctionChangesAsync(
        [
            new FunctionChange(fn.Key, at, "version", $"version 8 published {Hostile}"),
            new FunctionChange(fn.Key, now.AddHours(-3), "configuration", "outside the range"),
        ], CancellationToken.None);

        var page = RenderAt(fn.Key, "?range=1h");

        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-testid=changes]")), Wait);
        var rows = page.FindAll("[data-testid=changes] tbody tr");
        Assert.Single(rows);
        Assert.Contains($"version 8 published {Hostile}", rows[0].TextContent, StringComparison.Ordinal);
        Assert.Empty(page.FindAll("script"));
        foreach (var chart in new[] { "invocations", "throttles", "cold-starts" })
        {
            var marker = page.Find($"[data-chart={chart}] [data-marker]");
            Assert.Equal(at.UtcDateTime.ToString("O", CultureInfo.InvariantCulture), marker.GetAttribute("data-marker"));
        }
    }

    [Fact]
    public async Task Detail_ChangeMarker_ComparesBeforeAndAfterOnHoverAndKeyboardFocus()
    {
        Services.AddSingleton(TimeProvider.System);
        var now = DateTimeOffset.UtcNow;
        var fn = Function("compared");
        await _store.Store.UpsertFunctionsAsync([fn], CancellationToken.None);
        var at = Minute(now).AddMinutes(-20);
        var points = new List<MetricPoint>();
        for (var m = -40; m < 20; m++)
        {
            var after = m >= 0;
            points.Add(new MetricPoint
            {
                Function = fn.Key,
                Minute = at.AddMinutes(m),
                Invocations = 100,
                // One minute after the change whose error count was not read: its 100 invocations make the rate unknown.
                Errors = m == 5 ? null : after ? 4 : 1,
                DurationP99Ms = after ? 900 : 300,
                ColdStarts = after ? 10 : 0,
            });
        }

        await _store.Store.WriteMetricsAsync(points, CancellationToken.None);
        await _store.Store.RecordFunctionChangesAsync([new FunctionChange(fn.Key, at.AddSeconds(10), "code", $"code changed {Hostile}")], CancellationToken.None);

        var page = RenderAt(fn.Key, "?range=1h");

        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-chart=errors] [data-marker] .change-compare")), Wait);
        var marker = page.Find("[data-chart=errors] [data-marker]");

        // A button, so the keyboard reaches it; its name says it all, and the detail shown on hover and focus lays it out.
        var target = marker.QuerySelector("button.marker-hit")!;
        var label = target.GetAttribute("aria-label")!;
        Assert.Contains($"code: code changed {Hostile}", label, StringComparison.Ordinal);
        Assert.Contains("Before → after, windows of 20 minutes each, limited by now: error rate", label, StringComparison.Ordinal);
        Assert.Contains("error rate 1% → unknown", label, StringComparison.Ordinal);
        Assert.Contains("p99 duration 300 ms → 900 ms", label, StringComparison.Ordinal);
        Assert.Contains("cold starts 0% → 10% of invocations", label, StringComparison.Ordinal);
        Assert.Contains("After: the error counts of 100 invocations could not be read.", label, StringComparison.Ordinal);

        var detail = marker.QuerySelector(".marker-detail")!;
        Assert.Contains($"code changed {Hostile}", detail.TextContent, StringComparison.Ordinal);
        Assert.Equal(["Error rate", "1%", "unknown"], detail.QuerySelectorAll("[data-figure=error-rate] th, [data-figure=error-rate] td").Select(c => c.TextContent));
        Assert.Equal(["p99 duration", "300 ms", "900 ms"], detail.QuerySelectorAll("[data-figure=p99] th, [data-figure=p99] td").Select(c => c.TextContent));
        Assert.Equal(["Cold starts", "0%", "10%"], detail.QuerySelectorAll("[data-figure=cold-start-rate] th, [data-figure=cold-start-rate] td").Select(c => c.TextContent));
        Assert.Equal("20", detail.QuerySelector("[data-window-minutes]")!.GetAttribute("data-window-minutes"));
        Assert.Empty(page.FindAll("script"));

        // The same comparison in the list of changes, as text.
        var row = page.Find("[data-testid=changes] tbody tr");
        Assert.Equal("1% → unknown", row.QuerySelector("[data-figure=error-rate]")!.TextContent);
        Assert.Equal("300 ms → 900 ms", row.QuerySelector("[data-figure=p99]")!.TextContent);
    }

    [Fact]
    public async Task Detail_UnknownFunction_SaysSoWithALinkBackAndRecordsNoFigures()
    {
        Services.AddSingleton(TimeProvider.System);
        await _store.Store.UpsertFunctionsAsync([Function("known")], CancellationToken.None);

        var page = RenderAt(new FunctionKey(Account, Region, "never-seen"), "?range=1h");

        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-testid=no-such-function]")), Wait);
        var state = page.Find("[data-testid=no-such-function]");
        Assert.Contains("never-seen", state.TextContent, StringComparison.Ordinal);
        Assert.Contains(state.QuerySelectorAll("a"), a => a.GetAttribute("href") == "/functions?range=1h");
        Assert.Empty(page.FindAll("[data-chart]"));
        Assert.Empty(page.FindAll("[data-section]"));
    }

    [Fact]
    public async Task Detail_DeletedFunction_ShowsWhenWithItsHistory()
    {
        Services.AddSingleton(TimeProvider.System);
        var now = DateTimeOffset.UtcNow;
        var fn = Function("retired");
        await _store.Store.UpsertFunctionsAsync([fn], CancellationToken.None);
        await _store.Store.WriteMetricsAsync([new MetricPoint { Function = fn.Key, Minute = Minute(now).AddMinutes(-20), Invocations = 42 }], CancellationToken.None);
        var deletedAt = new DateTimeOffset(2026, 11, 20, 8, 30, 0, TimeSpan.Zero);
        await _store.Store.MarkDeletedExceptAsync(Account, Region, [], deletedAt, CancellationToken.None);

        var page = RenderAt(fn.Key, "?range=1h");

        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-testid=deleted]")), Wait);
        Assert.Contains("deleted on 2026-11-20 08:30:00 UTC", page.Find("[data-testid=deleted]").TextContent, StringComparison.Ordinal);
        Assert.NotEmpty(page.FindAll("[data-section=configuration]"));
        Assert.Contains(TableValues(page, "invocations"), v => v == "42");
    }

    [Fact]
    public async Task Detail_ChartTables_EqualTheStoresSeriesComputedIndependently()
    {
        Services.AddSingleton(TimeProvider.System);
        var now = DateTimeOffset.UtcNow;
        // Six hours in 5-minute buckets, aligned so that no bucket is partial.
        var to = new DateTimeOffset(now.UtcTicks - (now.UtcTicks % TimeSpan.FromMinutes(5).Ticks), TimeSpan.Zero).AddMinutes(-10);
        var from = to.AddHours(-6);
        var fn = Function("busy") with { MemoryMb = 512 };
        await _store.Store.UpsertFunctionsAsync([fn], CancellationToken.None);

        // Data from minute 30 to 299 of the range; every 11th minute had no invocations, so no row (the collectors
        // write only non-zero minutes). Before minute 30 nothing was collected.
        var points = Enumerable.Range(30, 270).Where(m => m % 11 != 0).Select(m => new MetricPoint
        {
            Function = fn.Key,
            Minute = from.AddMinutes(m),
            Invocations = m % 7 + 1,
            Errors = m % 3 == 0 ? 1 : 0,
            Throttles = 0,
            DurationP50Ms = 10 + m % 5,
            DurationP90Ms = 20 + m % 5,
            DurationP99Ms = 100 + m % 13,
        }).ToList();
        await _store.Store.WriteMetricsAsync(points, CancellationToken.None);
        var reports = Enumerable.Range(0, 20).Select(i => Report(fn.Key, $"r{i}", from.AddMinutes(40 + i * 7).AddSeconds(5), 100 + i * 3, 50)).ToList();
        await _store.Store.WriteInvocationReportsAsync(reports, CancellationToken.None);

        var page = RenderAt(fn.Key, $"?from={TimeRangeQuery.FormatInstant(from)}&to={TimeRangeQuery.FormatInstant(to)}");
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-chart=invocations] svg")), Wait);

        var starts = Enumerable.Range(0, 72).Select(k => from.AddMinutes(5 * k)).ToList();
        List<MetricPoint> In(DateTimeOffset start) => points.Where(p => p.Minute >= start && p.Minute < start.AddMinutes(5)).ToList();
        string Known(DateTimeOffset start, Func<List<MetricPoint>, double?> value) =>
            start < from.AddMinutes(30) ? "unknown" : value(In(start)) is { } v ? v.ToString("#,0.##", CultureInfo.InvariantCulture) : "unknown";

        Assert.Equal(starts.Select(s => Known(s, p => p.Sum(x => x.Invocations))), TableValues(page, "invocations"));
        Assert.Equal(starts.Select(s => Known(s, p => p.Sum(x => x.Errors))), TableValues(page, "errors"));
        Assert.Equal(starts.Select(s => Known(s, p => p.Max(x => x.DurationP99Ms))), TableValues(page, "duration", column: 3));
        Assert.Equal(starts.Select(s => Known(s, p => p.Max(x => x.DurationP50Ms))), TableValues(page, "duration", column: 1));
        var memory = starts.Select(s => reports.Where(r => r.Timestamp >= s && r.Timestamp < s.AddMinutes(5)).Select(r => (double?)r.MaxMemoryUsedMb).Max() is { } m
            ? m.ToString("#,0.##", CultureInfo.InvariantCulture) : "unknown");
        Assert.Equal(memory, TableValues(page, "memory"));
    }

    [Fact]
    public async Task Detail_LambdaInsights_ChartedOnlyWhereTheExtensionReported_EqualToTheStore()
    {
        Services.AddSingleton(TimeProvider.System);
        var now = DateTimeOffset.UtcNow;
        var to = new DateTimeOffset(now.UtcTicks - (now.UtcTicks % TimeSpan.FromMinutes(5).Ticks), TimeSpan.Zero).AddMinutes(-10);
        var from = to.AddHours(-1);
        var plain = Function("plain");
        var measured = Function("measured") with { Layers = [$"arn:aws:lambda:{Region}:580247275435:layer:LambdaInsightsExtension:53"] };
        await _store.Store.UpsertFunctionsAsync([plain, measured], CancellationToken.None);
        var points = Enumerable.Range(0, 60).SelectMany(m => new[]
        {
            new MetricPoint { Function = plain.Key, Minute = from.AddMinutes(m), Invocations = 2 },
            new MetricPoint
            {
                Function = measured.Key, Minute = from.AddMinutes(m), Invocations = 2,
                InsightsUsedMemoryMaxMb = m % 2 == 0 ? 100 + m : null, InsightsCpuTotalTimeMs = 5 * m,
            },
        }).ToList();
        await _store.Store.WriteMetricsAsync(points, CancellationToken.None);
        var range = $"?from={TimeRangeQuery.FormatInstant(from)}&to={TimeRangeQuery.FormatInstant(to)}";

        var page = RenderAt(plain.Key, range);
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-chart=invocations] svg")), Wait);
        Assert.Empty(page.FindAll("[data-chart=insights-memory]"));
        await DisposeComponentsAsync();

        page = RenderAt(measured.Key, range);
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-chart=insights-memory] svg")), Wait);
        var mine = points.Where(p => p.Function == measured.Key).ToList();
        var bucket = SeriesBuckets.Choose(to - from);
        var starts = Enumerable.Range(0, (int)((to - from) / bucket)).Select(k => from + k * bucket).ToList();
        string Value(DateTimeOffset start, Func<MetricPoint, double?> value, bool sum)
        {
            var values = mine.Where(p => p.Minute >= start && p.Minute < start + bucket).Select(value).OfType<double>().ToList();
            return values.Count == 0 ? "unknown" : (sum ? values.Sum() : values.Max()).ToString("#,0.##", CultureInfo.InvariantCulture);
        }

        Assert.Equal(starts.Select(s => Value(s, p => p.InsightsUsedMemoryMaxMb, sum: false)), TableValues(page, "insights-memory"));
        Assert.Equal(starts.Select(s => Value(s, p => p.InsightsCpuTotalTimeMs, sum: true)), TableValues(page, "insights-cpu"));
        Assert.All(TableValues(page, "insights-network"), v => Assert.Equal("unknown", v));
    }

    [Fact]
    public async Task Detail_Open_RecordsTheWatchRenewsItAndStopsWhenClosed()
    {
        var start = DateTimeOffset.UtcNow;
        var time = new FakeTimeProvider(start);
        Services.AddSingleton<TimeProvider>(time);
        var fn = Function("watched");
        await _store.Store.UpsertFunctionsAsync([fn], CancellationToken.None);

        var page = RenderAt(fn.Key, "?range=1h");

        var first = await _watches.NextAsync();
        Assert.Equal(fn.Key, first.Function);
        Assert.Equal(start + FunctionWatch.Lifetime, first.Until);
        Assert.Contains(fn.Key, await _store.Store.GetWatchedFunctionsAsync(start + FunctionWatch.Lifetime - TimeSpan.FromSeconds(1), CancellationToken.None));

        time.Advance(FunctionWatch.Renewal);
        var renewed = await _watches.NextAsync();
        Assert.Equal(start + FunctionWatch.Renewal + FunctionWatch.Lifetime, renewed.Until);
        // Past the first watch's expiry, the renewal keeps the function watched.
        Assert.Contains(fn.Key, await _store.Store.GetWatchedFunctionsAsync(start + FunctionWatch.Lifetime + TimeSpan.FromSeconds(30), CancellationToken.None));

        // Closed: no renewal any more (the fake clock runs due timers inside Advance), so the watch lapses.
        await DisposeComponentsAsync();
        time.Advance(FunctionWatch.Lifetime * 2);
        Assert.Equal(2, _watches.Calls);
        Assert.DoesNotContain(fn.Key, await _store.Store.GetWatchedFunctionsAsync(time.GetUtcNow(), CancellationToken.None));
        Assert.NotNull(page);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Detail_UnknownOrDeletedFunction_IsNotWatched(bool deleted)
    {
        // The fake clock runs a timer due now inside its creation, so a watch started with the render is already counted.
        Services.AddSingleton<TimeProvider>(new FakeTimeProvider(DateTimeOffset.UtcNow));
        var fn = Function("gone");
        if (deleted)
        {
            await _store.Store.UpsertFunctionsAsync([fn], CancellationToken.None);
            await _store.Store.MarkDeletedExceptAsync(Account, Region, [], DateTimeOffset.UtcNow, CancellationToken.None);
        }

        var page = RenderAt(fn.Key, "?range=1h");

        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll(deleted ? "[data-testid=deleted]" : "[data-testid=no-such-function]")), Wait);
        Assert.Equal(0, _watches.Calls);
        Assert.Empty(await _store.Store.GetWatchedFunctionsAsync(DateTimeOffset.UtcNow, CancellationToken.None));
    }

    [Fact]
    public async Task Detail_WatchCannotBeRecorded_ShowsAQuietNoteAndTheFunction()
    {
        Services.AddSingleton(TimeProvider.System);
        _watches.Fail = true;
        var fn = Function("unlucky");
        await _store.Store.UpsertFunctionsAsync([fn], CancellationToken.None);

        var page = RenderAt(fn.Key, "?range=1h");

        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-testid=watch-problem]")), Wait);
        Assert.Contains("could not record that it is watching", page.Find("[data-testid=watch-problem]").TextContent, StringComparison.Ordinal);
        Assert.NotEmpty(page.FindAll("[data-section=configuration]"));
        Assert.Empty(page.FindAll("[data-testid=load-error]"));
    }

    [Fact]
    public async Task Detail_CollectorsInAWorker_SaysWhoReadsTheFunction()
    {
        Services.AddSingleton(TimeProvider.System);
        Services.AddSingleton(new CollectorsMode(false, "Observe:Collectors:InProcess is false: a separate collectors worker writes to the store"));
        var fn = Function("elsewhere");
        await _store.Store.UpsertFunctionsAsync([fn], CancellationToken.None);

        var page = RenderAt(fn.Key, "?range=1h");

        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-testid=watch-note]")), Wait);
        var note = page.Find("[data-testid=watch-note]").TextContent;
        Assert.Contains("No collector runs in this process", note, StringComparison.Ordinal);
        Assert.Contains("worker", note, StringComparison.Ordinal);
        Assert.NotEmpty(page.FindAll("[data-testid=no-metrics]"));
        Assert.NotEmpty(page.FindAll("[data-testid=no-reports]"));
        Assert.NotEmpty(page.FindAll("[data-testid=no-alarms]"));
    }

    private IRenderedComponent<FunctionDetail> RenderAt(FunctionKey key, string query)
    {
        Services.GetRequiredService<NavigationManager>().NavigateTo(FunctionDetailLinks.Page(key) + query);
        return Render<FunctionDetail>(p => p.Add(c => c.AccountId, key.AccountId).Add(c => c.Region, key.Region).Add(c => c.Name, key.Name));
    }

    private static string Field(IRenderedComponent<FunctionDetail> page, string field) => page.Find($"[data-field={field}]").TextContent.Trim();

    /// <summary>
    /// A chart's table column, the table opened with its button first (it is built on demand); none for a chart with
    /// no data, which has no table.
    /// </summary>
    private static List<string> TableValues(IRenderedComponent<FunctionDetail> page, string chart, int column = 1)
    {
        if (page.FindAll($"[data-chart={chart}] .chart-table-toggle").SingleOrDefault() is { } toggle && toggle.GetAttribute("aria-expanded") != "true")
        {
            toggle.Click();
            page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll($"[data-chart={chart}] .chart-table table")), Wait);
        }

        return page.FindAll($"[data-chart={chart}] .chart-table tbody tr").Select(r => r.Children[column].TextContent).ToList();
    }

    private static LambdaFunction Function(string name) => new()
    {
        Key = new FunctionKey(Account, Region, name),
        Arn = $"arn:aws:lambda:{Region}:{Account}:function:{name}",
        Runtime = "nodejs22.x",
        MemoryMb = 256,
        TimeoutSeconds = 10,
        LastModified = DateTimeOffset.UtcNow.AddDays(-3),
        LastSeen = DateTimeOffset.UtcNow,
    };

    [Fact]
    public async Task Detail_ReportTraceIds_LinkedWhenTheTraceIsStored_OtherwiseSaidNotInTheStore()
    {
        Services.AddSingleton(TimeProvider.System);
        var now = DateTimeOffset.UtcNow;
        var fn = Function("orders-api");
        const string stored = "1-5f000000-aaaaaaaaaaaaaaaaaaaaaaaa";
        const string sampledOut = "1-5f000000-bbbbbbbbbbbbbbbbbbbbbbbb";
        await _store.Store.UpsertFunctionsAsync([fn], CancellationToken.None);
        await _store.Store.WriteInvocationReportsAsync(
        [
            Report(fn.Key, "req-traced", now.AddMinutes(-3), 100, 20) with { TraceId = stored },
            Report(fn.Key, "req-sampled-out", now.AddMinutes(-2), 100, 20) with { TraceId = sampledOut },
            Report(fn.Key, "req-untraced", now.AddMinutes(-1), 100, 20),
        ], CancellationToken.None);
        await _store.Store.WriteTracesAsync([new TraceTree(new TraceSummary { TraceId = stored, Start = now.AddMinutes(-3), Functions = [fn.Key] }, [])], CancellationToken.None);

        var page = RenderAt(fn.Key, "?range=1h");

        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-request=req-traced] [data-report-trace]")), Wait);
        Assert.Equal($"traces/{stored}?range=1h", page.Find("[data-request=req-traced] [data-report-trace]").GetAttribute("href"));
        var missing = page.Find("[data-request=req-sampled-out] [data-trace-cell]");
        Assert.Null(missing.QuerySelector("a"));
        Assert.Equal($"{sampledOut} not in the store", missing.TextContent.Trim());
        Assert.Equal("", page.Find("[data-request=req-untraced] [data-trace-cell]").TextContent.Trim());
    }

    private static InvocationReport Report(FunctionKey fn, string id, DateTimeOffset at, int memory, double duration, string status = "success", double? init = null) => new()
    {
        Function = fn,
        RequestId = id,
        Timestamp = at,
        DurationMs = duration,
        BilledDurationMs = Math.Ceiling(duration),
        MemorySizeMb = 1024,
        MaxMemoryUsedMb = memory,
        InitDurationMs = init,
        Status = status,
    };

    private static CloudWatchAlarm Alarm(string name, string function, AlarmState state, string reason) => new()
    {
        AccountId = Account,
        Region = Region,
        Name = name,
        Arn = $"arn:aws:cloudwatch:{Region}:{Account}:alarm:{name}",
        State = state,
        StateReason = reason,
        StateUpdated = DateTimeOffset.UtcNow.AddMinutes(-5),
        FunctionName = function,
        MetricName = "Errors",
        Namespace = "AWS/Lambda",
    };

    private static DateTimeOffset Minute(DateTimeOffset t) => new(t.UtcTicks - (t.UtcTicks % TimeSpan.TicksPerMinute), TimeSpan.Zero);

    /// <summary>The real watch store, with each call reported in order; optionally failing instead.</summary>
    private sealed class RecordingWatchStore(IFunctionWatchStore inner) : IFunctionWatchStore
    {
        private readonly Channel<(FunctionKey Function, DateTimeOffset Until)> _calls = Channel.CreateUnbounded<(FunctionKey, DateTimeOffset)>();
        private int _count;

        public bool Fail { get; set; }

        public int Calls => Volatile.Read(ref _count);

        public async Task WatchFunctionAsync(FunctionKey function, DateTimeOffset until, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _count);
            if (Fail)
            {
                _calls.Writer.TryWrite((function, until));
                throw new InvalidOperationException("the store is read-only today");
            }

            await inner.WatchFunctionAsync(function, until, cancellationToken);
            _calls.Writer.TryWrite((function, until));
        }

        public Task<IReadOnlyList<FunctionKey>> GetWatchedFunctionsAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
            inner.GetWatchedFunctionsAsync(now, cancellationToken);

        /// <summary>The next recorded call; fails the test rather than hang when none comes.</summary>
        public async Task<(FunctionKey Function, DateTimeOffset Until)> NextAsync()
        {
            using var timeout = new CancellationTokenSource(Wait);
            return await _calls.Reader.ReadAsync(timeout.Token);
        }
    }
}
