using System.Globalization;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Observe.Dashboard.Components.Pages;
using Observe.Dashboard.Configuration;
using Observe.Dashboard.Model;
using Observe.Dashboard.Tests.Hosting;
using Observe.Store;
using Observe.Store.Model;

namespace Observe.Dashboard.Tests.Components;

public sealed class OverviewTests : MudContext
{
    private TestStore _store = null!;
    private CountingStoreChanges _changes = null!;

    public override async Task InitializeAsync()
    {
        _store = await TestStore.CreateAsync();
        _changes = new CountingStoreChanges(_store.Changes);
        Services.AddObserveStore(_store.Store);
        Services.AddSingleton<IStoreChanges>(_changes);
        Services.AddSingleton(TimeProvider.System);
        Services.AddSingleton(Options.Create(new DashboardOptions { RefreshThrottle = TimeSpan.FromMilliseconds(100) }));
        Services.AddLiveData();
    }

    protected override ValueTask DisposeResourcesAsync() => _store.DisposeAsync();

    [Fact]
    public async Task Overview_WithData_ShowsTheStoresFiguresFormatted()
    {
        var now = DateTimeOffset.UtcNow;
        await SeedAsync(now, minutes: 30, invocationsPerMinute: 1000, errorsPerMinute: 7, coldStartsPerMinute: 3);

        var page = RenderAt("/?range=1h");

        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-figure=invocations]")), TimeSpan.FromSeconds(5));
        Assert.Equal("2", Figure(page, "functions").Display);
        Assert.Equal((30 * 2000d).ToString("R", CultureInfo.InvariantCulture), Figure(page, "invocations").Value);
        Assert.Equal("60K", Figure(page, "invocations").Display);
        Assert.Equal("0.70%", Figure(page, "error-rate").Display);
        Assert.Equal("0.30%", Figure(page, "cold-start-rate").Display);
        Assert.Equal("1", Figure(page, "alarms").Display);
        Assert.Equal("1", Figure(page, "deprecated-runtimes").Display);
        Assert.Contains("dotnet6: 1", page.Find("[data-figure=deprecated-runtimes]").TextContent, StringComparison.Ordinal);
        Assert.Contains("Last 1 hour", page.Find("[data-testid=range-caption]").TextContent, StringComparison.Ordinal);
        Assert.NotEmpty(page.FindAll("[data-chart=invocations]"));
        Assert.NotEmpty(page.FindAll("[data-chart=errors]"));
        Assert.NotEmpty(page.FindAll("[data-chart=cold-starts]"));
    }

    [Theory]
    [InlineData("/?range=6h", "range=6h")]
    [InlineData("/?from=2026-11-22T04:00:00Z&to=2026-11-22T05:00:00Z", "from=2026-11-22T04%3A00%3A00Z&to=2026-11-22T05%3A00%3A00Z")]
    public async Task Overview_Figures_LinkToThePageThatExplainsEachAtTheSameRange(string uri, string range)
    {
        await SeedAsync(DateTimeOffset.UtcNow, minutes: 5, invocationsPerMinute: 10, errorsPerMinute: 1, coldStartsPerMinute: 1);

        var page = RenderAt(uri);

        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-figure=deprecated-runtimes]")), TimeSpan.FromSeconds(5));
        var links = page.FindAll("[data-figure-link]").ToDictionary(a => a.GetAttribute("data-figure-link")!, a => a.GetAttribute("href"));
        Assert.Equal(new Dictionary<string, string?>
        {
            ["functions"] = $"functions?{range}",
            ["invocations"] = $"functions?sort=invocations&dir=desc&{range}",
            ["error-rate"] = $"functions?sort=errors&dir=desc&{range}",
            ["cold-start-rate"] = $"cold-starts?{range}",
            ["throttles"] = $"functions?flag=Throttled&{range}",
            ["alarms"] = $"alarms?state=alarm&{range}",
            ["deprecated-runtimes"] = $"functions?flag=RuntimeDeprecated&{range}",
        }, links);

        // Every card is inside its link: one tab stop that reads the figure out.
        Assert.Equal(page.FindAll("[data-figure]").Count, page.FindAll("[data-figure-link] [data-figure]").Count);
        Assert.StartsWith("Alarms in ALARM: 1 (now", page.Find("[data-figure-link=alarms]").GetAttribute("aria-label"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/?range=banana", "range: \"banana\" is not a time range")]
    [InlineData("/?from=2026-11-22T06:00:00Z&to=2026-11-22T05:00:00Z", "from: 2026-11-22T06:00:00Z is after to (2026-11-22T05:00:00Z).")]
    [InlineData("/?from=soon&to=2026-11-22T05:00:00Z", "from: \"soon\" is not a date and time")]
    [InlineData("/?range=120d", "range: \"120d\" is longer than the longest range allowed, 90d (Observe:Dashboard:MaxRange)")]
    [InlineData("/?range=1m", "range: \"1m\" is too short; the shortest range is 5m, because figures are counted in whole minutes and the minute in progress is still filling up.")]
    public async Task Overview_InvalidRange_ShowsTheNamedProblemAndNoFigures(string uri, string expected)
    {
        await SeedAsync(DateTimeOffset.UtcNow, minutes: 5, invocationsPerMinute: 10, errorsPerMinute: 0, coldStartsPerMinute: 0);

        var page = RenderAt(uri);

        var error = page.Find("[data-testid=range-error]");
        Assert.Contains(expected, error.TextContent, StringComparison.Ordinal);
        Assert.Contains("The time range in the address is not valid.", error.TextContent, StringComparison.Ordinal);
        Assert.Empty(page.FindAll("[data-testid=figures]"));
        Assert.Empty(page.FindAll("[data-chart]"));
    }

    [Fact]
    public async Task Overview_NewData_RefreshesWithoutNavigation()
    {
        var now = DateTimeOffset.UtcNow;
        await SeedAsync(now, minutes: 10, invocationsPerMinute: 100, errorsPerMinute: 0, coldStartsPerMinute: 0);
        var page = RenderAt("/?range=15m");
        page.WaitForAssertion(() => Assert.Equal("2,000", Figure(page, "invocations").Display), TimeSpan.FromSeconds(5));

        await _store.Store.WriteMetricsAsync(
            [new MetricPoint { Function = Function("orders-api", "nodejs22.x").Key, Minute = Minute(now), Invocations = 5000 }],
            CancellationToken.None);

        page.WaitForAssertion(() => Assert.Equal("7,000", Figure(page, "invocations").Display), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Overview_StoreFailsOnAReload_KeepsTheLastFiguresSaysWhatToDoAndClearsWhenItAnswersAgain()
    {
        var now = DateTimeOffset.UtcNow;
        await SeedAsync(now, minutes: 10, invocationsPerMinute: 100, errorsPerMinute: 0, coldStartsPerMinute: 0);
        var (store, storeSwitch) = SwitchableStore.Wrap(_store.Store);
        Services.AddObserveStore(store);
        var page = RenderAt("/?range=15m");
        page.WaitForAssertion(() => Assert.Equal("2,000", Figure(page, "invocations").Display), TimeSpan.FromSeconds(5));
        Assert.NotEmpty(page.FindAll("[data-testid=live]"));
        Assert.Empty(page.FindAll("[data-testid=load-error]"));

        // The store stops answering; a write announces new data, so the page reloads, and that read fails.
        storeSwitch.Failing = true;
        await WriteInvocationsAsync(now, 5000);

        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-testid=load-error]")), TimeSpan.FromSeconds(5));
        var error = page.Find("[data-testid=load-error]").TextContent;
        Assert.Contains("The store did not answer, so the figures below are from the last read that worked", error, StringComparison.Ordinal);
        Assert.Contains("check that the store is reachable (the Observe:Store settings)", error, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-connection-detail", page.Markup, StringComparison.Ordinal);
        Assert.Equal("2,000", Figure(page, "invocations").Display);
        Assert.Empty(page.FindAll("[data-testid=live]"));

        // It answers again: the next announced write (the same minute, rewritten) reloads, the error goes and the
        // figures are the store's as they are now.
        storeSwitch.Failing = false;
        await WriteInvocationsAsync(now, 1);

        page.WaitForAssertion(() => Assert.Equal("2,001", Figure(page, "invocations").Display), TimeSpan.FromSeconds(5));
        Assert.Empty(page.FindAll("[data-testid=load-error]"));
        Assert.NotEmpty(page.FindAll("[data-testid=live]"));
    }

    [Theory]
    [InlineData("/?range=15m", true)]
    [InlineData("/?from=2026-11-22T04:00:00Z&to=2026-11-22T05:00:00Z", false)]
    public void Overview_RangeEndingNow_SaysTheMinuteInProgressIsStillFilling(string uri, bool filling)
    {
        var page = RenderAt(uri);

        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-testid=range-caption]")), TimeSpan.FromSeconds(5));
        var caption = page.Find("[data-testid=range-caption]").TextContent;
        Assert.Equal(filling, caption.Contains("the minute in progress", StringComparison.Ordinal));
        Assert.Equal(filling ? "now" : "now, not at the range's end", page.Find("[data-figure=functions] .figure-note").TextContent);
    }

    [Theory]
    [InlineData("/?range=1h", true)]
    [InlineData("/?from=2026-11-22T04:00:00Z&to=2026-11-22T05:00:00Z", false)]
    [InlineData("/?range=banana", false)]
    public void Overview_LiveBadge_OnlyOnARangeThatEndsNow(string uri, bool live)
    {
        var page = RenderAt(uri);

        page.WaitForAssertion(() => Assert.True(page.FindAll("[data-figure=invocations], [data-testid=range-error]").Count > 0), TimeSpan.FromSeconds(5));
        Assert.Equal(live, page.FindAll("[data-testid=live]").Count == 1);
    }

    [Fact]
    public async Task Overview_Dispose_DisposesItsStoreSubscription()
    {
        var page = RenderAt("/");
        Assert.Equal(1, _changes.Active);

        await DisposeComponentsAsync();

        Assert.Equal(0, _changes.Active);
        Assert.NotNull(page);
    }

    [Fact]
    public async Task Overview_PresetClicked_PutsTheRangeInTheAddress()
    {
        await SeedAsync(DateTimeOffset.UtcNow, minutes: 5, invocationsPerMinute: 10, errorsPerMinute: 0, coldStartsPerMinute: 0);
        var navigation = Services.GetRequiredService<NavigationManager>();
        var page = RenderAt("/?range=1h");
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-figure=invocations]")), TimeSpan.FromSeconds(5));

        // What a loaded machine does: the page's renderer is busy (a store-change refresh) when the click arrives, so
        // bUnit queues the click and returns before it is handled. The address is awaited, not read at once.
        using var busy = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var refresh = Task.Run(() => page.InvokeAsync(() =>
        {
            busy.Set();
            release.Wait(TimeSpan.FromSeconds(10));
        }));
        Assert.True(busy.Wait(TimeSpan.FromSeconds(10)), "the renderer never ran the simulated refresh");

        page.Find("[data-range='6h']").Click();
        release.Set();

        page.WaitForAssertion(() => Assert.EndsWith("/?range=6h", navigation.Uri, StringComparison.Ordinal), TimeSpan.FromSeconds(5));
        await refresh;
    }

    [Fact]
    public async Task Overview_OneNonZeroMinuteInAnHour_ChartSpansTheRangeWithWholeCountLabels()
    {
        var now = DateTimeOffset.UtcNow;
        var function = Function("orders-api", "nodejs22.x");
        await _store.Store.UpsertFunctionsAsync([function], CancellationToken.None);
        await _store.Store.WriteMetricsAsync(
            [new MetricPoint { Function = function.Key, Minute = Minute(now).AddMinutes(-30), Invocations = 1, Errors = 0, ColdStarts = 0 }],
            CancellationToken.None);

        var page = RenderAt("/?range=1h");

        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-chart=invocations] .chart-x-axis .tick")), TimeSpan.FromSeconds(5));
        var figures = page.Find("[data-testid=figures]");
        var from = DateTimeOffset.Parse(figures.GetAttribute("data-from")!, CultureInfo.InvariantCulture);
        var to = DateTimeOffset.Parse(figures.GetAttribute("data-to")!, CultureInfo.InvariantCulture);
        var times = AxisLabels(page, "invocations", "chart-x-axis");
        Assert.Equal(from.UtcDateTime.ToString("HH:mm", CultureInfo.InvariantCulture), times[0]);
        Assert.Equal(to.UtcDateTime.ToString("HH:mm", CultureInfo.InvariantCulture), times[^1]);
        Assert.Equal(["0", "1"], AxisLabels(page, "invocations", "chart-y-axis"));
    }

    [Fact]
    public async Task Overview_DataOnlyInTheStillFillingBucketAt24Hours_IsChartedNotNoData()
    {
        var now = DateTimeOffset.UtcNow;
        var function = Function("orders-api", "nodejs22.x");
        await _store.Store.UpsertFunctionsAsync([function], CancellationToken.None);
        await _store.Store.WriteMetricsAsync(
            [new MetricPoint { Function = function.Key, Minute = Minute(now), Invocations = 5, Errors = 0, ColdStarts = 1 }],
            CancellationToken.None);

        var page = RenderAt("/?range=24h");

        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-chart=invocations] svg")), TimeSpan.FromSeconds(5));
        Assert.Empty(page.FindAll("[data-chart] .empty"));
        Assert.Contains("dashed: a bucket only partly counted", page.Find("[data-testid=range-caption]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Overview_ColdStartsWithInvocationsNotRead_ShowsTheCountAndWhatIsMissing()
    {
        // Three cold starts from REPORT lines; the metrics collector has not stored an invocation count.
        var now = DateTimeOffset.UtcNow;
        var function = Function("orders-api", "nodejs22.x");
        await _store.Store.UpsertFunctionsAsync([function], CancellationToken.None);
        await _store.Store.WriteMetricsAsync(
            [new MetricPoint { Function = function.Key, Minute = Minute(now).AddMinutes(-10), ColdStarts = 3 }],
            CancellationToken.None);

        var page = RenderAt("/?range=1h");

        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-figure=cold-start-rate]")), TimeSpan.FromSeconds(5));
        Assert.Equal("3", Figure(page, "cold-start-rate").Display);
        Assert.Contains("rate unknown: invocations not read", page.Find("[data-figure=cold-start-rate]").TextContent, StringComparison.Ordinal);
    }

    private Task WriteInvocationsAsync(DateTimeOffset now, double invocations) =>
        _store.Store.WriteMetricsAsync(
            [new MetricPoint { Function = Function("orders-api", "nodejs22.x").Key, Minute = Minute(now), Invocations = invocations }],
            CancellationToken.None);

    private static List<string> AxisLabels(IRenderedComponent<Overview> page, string chart, string axisClass) =>
        page.FindAll($"[data-chart={chart}] .{axisClass} .tick").Select(t => t.TextContent.Trim()).Where(t => t.Length > 0).ToList();

    private IRenderedComponent<Overview> RenderAt(string uri)
    {
        Services.GetRequiredService<NavigationManager>().NavigateTo(uri);
        return Render<Overview>();
    }

    private static (string? Value, string Display) Figure(IRenderedComponent<Overview> page, string id)
    {
        var card = page.Find($"[data-figure={id}]");
        return (card.GetAttribute("data-value"), card.QuerySelector(".figure-value")!.TextContent.Trim());
    }

    private async Task SeedAsync(DateTimeOffset now, int minutes, double invocationsPerMinute, double errorsPerMinute, double coldStartsPerMinute)
    {
        var functions = new[] { Function("orders-api", "nodejs22.x"), Function("legacy-report", "dotnet6") };
        await _store.Store.UpsertFunctionsAsync(functions, CancellationToken.None);
        var points = functions.SelectMany(f => Enumerable.Range(1, minutes).Select(m => new MetricPoint
        {
            Function = f.Key,
            Minute = Minute(now).AddMinutes(-m),
            Invocations = invocationsPerMinute,
            Errors = errorsPerMinute,
            ColdStarts = coldStartsPerMinute,
            Throttles = 0,
        })).ToList();
        await _store.Store.WriteMetricsAsync(points, CancellationToken.None);
        await _store.Store.UpsertAlarmsAsync(
        [
            new CloudWatchAlarm
            {
                AccountId = "111122223333", Region = "us-east-1", Name = "orders-api-errors",
                Arn = "arn:aws:cloudwatch:us-east-1:111122223333:alarm:orders-api-errors",
                State = AlarmState.Alarm, StateUpdated = now, FunctionName = "orders-api",
            },
            new CloudWatchAlarm
            {
                AccountId = "111122223333", Region = "us-east-1", Name = "legacy-report-errors",
                Arn = "arn:aws:cloudwatch:us-east-1:111122223333:alarm:legacy-report-errors",
                State = AlarmState.Ok, StateUpdated = now, FunctionName = "legacy-report",
            },
        ], CancellationToken.None);
    }

    private static LambdaFunction Function(string name, string runtime) => new()
    {
        Key = new FunctionKey("111122223333", "us-east-1", name),
        Arn = $"arn:aws:lambda:us-east-1:111122223333:function:{name}",
        Runtime = runtime,
        MemoryMb = 512,
        LastSeen = DateTimeOffset.UtcNow,
    };

    private static DateTimeOffset Minute(DateTimeOffset t) => new(t.UtcTicks - (t.UtcTicks % TimeSpan.TicksPerMinute), TimeSpan.Zero);
}
