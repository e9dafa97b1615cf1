using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Observe.Dashboard.Components.Layout;
using Observe.Store;
using Observe.Store.Model;
using Xunit.Abstractions;

namespace Observe.Dashboard.Tests.Browser;

/// <summary>
/// Every page as a new install sees it (no demo, nothing collected yet: a dashboard beside a worker that has not run)
/// and over a sparse store of hostile, unbreakable text: in each theme and on a wide screen and a phone. The demo fleet's
/// screenshots show the pages full; these show the states users meet first and the text attackers choose.
/// </summary>
public static class SparseStorePages
{
    /// <summary>A figure of 0% shown for data nobody read is the worst bug a dashboard can have.</summary>
    internal static Regex ZeroPercent { get; } = new(@"(?<![\d.,])0(\.0+)?\s?%", RegexOptions.CultureInvariant);

    /// <summary>Every page in the navigation, and each kind of detail page.</summary>
    public static TheoryData<string, string, string, int> Pages(bool withHostileDetail)
    {
        var paths = NavEntry.All.Where(e => e.Enabled).Select(e => "/" + e.Path).ToList();
        paths.Add("/traces/map");
        paths.Add("/functions/" + SparseStore.Account + "/eu-west-1/" + Uri.EscapeDataString(withHostileDetail ? SparseStore.HostileName : "not-collected"));
        paths.Add("/errors/" + (withHostileDetail ? SparseStore.Fingerprint : "0000000000000000"));
        paths.Add("/traces/" + (withHostileDetail ? SparseStore.TraceId : "1-00000000-000000000000000000000000"));
        var data = new TheoryData<string, string, string, int>();
        foreach (var path in paths)
        {
            var name = Name(path);
            // Each theme once and each width once: the themes change colours, not layout, so the width checks hold
            // in both; the demo fleet's screenshot tests take every page in all four.
            data.Add(name, path, DashboardThemes.Light, 1440);
            data.Add(name, path, DashboardThemes.Dark, 390);
        }

        return data;
    }

    public static TheoryData<string, string, string, int> EmptyPages() => Pages(withHostileDetail: false);

    public static TheoryData<string, string, string, int> HostilePages() => Pages(withHostileDetail: true);

    /// <summary>A screenshot's name: the page's first path segment, and "-view" for a detail page.</summary>
    private static string Name(string path)
    {
        var segments = path.Trim('/').Split('/');
        return segments[0].Length == 0 ? "overview"
            : segments.Length == 1 ? segments[0]
            : segments[1] == "map" ? "service-map"
            : segments[0] + "-view";
    }

    internal static async Task<IPage> OpenAsync(BrowserDashboard host, string path, string theme, int width) =>
        await ThemedPages.OpenAsync(host.Browser, host.BaseUrl, path + (path.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "range=24h", theme, width);

    internal static async Task ScreenshotAsync(IPage page, string file, int width, ITestOutputHelper output)
    {
        output.WriteLine($"screenshot: {await ThemedPages.ScreenshotAsync(page, file, fullPage: width < 600)}");
        await page.Context.CloseAsync();
    }
}

/// <summary>A new install: the demo turned off and nothing collected.</summary>
public sealed class EmptyStoreBrowserTests(EmptyStoreFixture store, ITestOutputHelper output) : IClassFixture<EmptyStoreFixture>
{
    [Theory]
    [MemberData(nameof(SparseStorePages.EmptyPages), MemberType = typeof(SparseStorePages))]
    public async Task Page_NothingCollected_SaysSoWithoutAZeroPercent_NoWiderThanTheScreen(string name, string path, string theme, int width)
    {
        var page = await SparseStorePages.OpenAsync(store.Host, path, theme, width);

        var text = await page.Locator(".page").InnerTextAsync();
        Assert.DoesNotMatch(SparseStorePages.ZeroPercent, text);
        Assert.False(string.IsNullOrWhiteSpace(text), $"{path}: the page is blank");
        await SparseStorePages.ScreenshotAsync(page, $"empty-{name}-{theme}-{width}.png", width, output);
    }
}

/// <summary>One of each thing a page shows, every text in it hostile or unbreakable.</summary>
public sealed class HostileStoreBrowserTests(SparseStore store, ITestOutputHelper output) : IClassFixture<SparseStore>
{
    [Theory]
    [MemberData(nameof(SparseStorePages.HostilePages), MemberType = typeof(SparseStorePages))]
    public async Task Page_HostileText_IsTextNotMarkup_AndNoWiderThanTheScreen(string name, string path, string theme, int width)
    {
        var page = await SparseStorePages.OpenAsync(store.Host, path, theme, width);

        Assert.Equal(0, await page.Locator(".page img[src=x], .page script").CountAsync());
        Assert.True(await page.EvaluateAsync<bool>("() => window.__pwned === undefined"), $"{path}: hostile text ran as script");
        await SparseStorePages.ScreenshotAsync(page, $"hostile-{name}-{theme}-{width}.png", width, output);
    }

    [Fact]
    public async Task HostileFunction_ListedByTheFunctionsPage_AsText()
    {
        var page = await SparseStorePages.OpenAsync(store.Host, "/functions", DashboardThemes.Light, 1440);

        await Assertions.Expect(page.Locator("[data-testid=functions-grid]")).ToContainTextAsync(SparseStore.HostileName, new() { Timeout = 15_000 });
        await page.Context.CloseAsync();
    }
}

/// <summary>The dashboard over an empty store, the demo fleet turned off.</summary>
public class EmptyStoreFixture : IAsyncLifetime
{
    internal BrowserDashboard Host { get; } = new();

    public IObserveStore Store => Host.App.Services.GetRequiredService<IObserveStore>();

    public virtual async Task InitializeAsync()
    {
        Host.Build(new Dictionary<string, string?>
        {
            ["Observe:Demo:Enabled"] = "false",
            ["Observe:Dashboard:RefreshThrottle"] = "00:00:00.500",
        });
        await Host.StartDashboardAsync();
        await Host.LaunchChromiumAsync();
    }

    public Task DisposeAsync() => Host.DisposeAsync().AsTask();
}

/// <summary>
/// A sparse store of hostile text: a function whose name is markup and one whose name is 64 characters without a
/// break, owner tags, an error group, an alarm and a trace whose texts are markup or long unbroken runs.
/// </summary>
public sealed class SparseStore : EmptyStoreFixture
{
    public const string Account = "111111111111";
    public const string HostileName = "<img src=x onerror=\"window.__pwned=1\">";
    public const string Fingerprint = "f00dfacef00dface";
    public const string TraceId = "1-6a5f0000-0123456789abcdef01234567";
    private const string Unbroken = "orders-api-handler-with-a-name-of-sixty-four-characters-no-break";
    private const string Script = "<script>window.__pwned=1</script>";

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        var now = DateTimeOffset.UtcNow;
        var minute = new DateTimeOffset(now.UtcTicks - (now.UtcTicks % TimeSpan.TicksPerMinute), TimeSpan.Zero);
        var hostile = new FunctionKey(Account, "eu-west-1", HostileName);
        var unbroken = new FunctionKey(Account, "eu-west-1", Unbroken);
        await Store.UpsertFunctionsAsync(
        [
            Function(hostile, new Dictionary<string, string> { ["owner"] = Script, ["team"] = new string('W', 120) }),
            Function(unbroken, new Dictionary<string, string> { ["owner"] = Unbroken + Unbroken }),
        ], CancellationToken.None);
        await Store.WriteMetricsAsync(
            [.. new[] { hostile, unbroken }.SelectMany(f => Enumerable.Range(1, 3).Select(m => new MetricPoint
            {
                Function = f, Minute = minute.AddMinutes(-m * 7), Invocations = 40, Errors = 3, Throttles = 1, ColdStarts = 2,
                DurationAvgMs = 420, DurationP99Ms = 2800,
            }))],
            CancellationToken.None);
        await Store.RecordErrorsAsync(
        [
            new ErrorOccurrences(hostile, Fingerprint, Script, HostileName + " " + new string('E', 400), now.AddMinutes(-50), now.AddMinutes(-5), 7,
                "at " + Unbroken + Unbroken + ".Handle()\n   at " + Script, "req-" + Unbroken, TraceId),
        ], CancellationToken.None);
        await Store.UpsertAlarmsAsync(
        [
            new CloudWatchAlarm
            {
                AccountId = Account, Region = "eu-west-1", Name = Script + Unbroken, Arn = $"arn:aws:cloudwatch:eu-west-1:{Account}:alarm:{Unbroken}",
                State = AlarmState.Alarm, StateReason = HostileName + new string('R', 300), StateUpdated = now.AddMinutes(-20),
                FunctionName = HostileName, MetricName = "Errors", Namespace = "AWS/Lambda",
            },
        ], CancellationToken.None);
        var start = now.AddMinutes(-10);
        await Store.WriteTracesAsync(
        [
            new TraceTree(
                new TraceSummary { TraceId = TraceId, Start = start, DurationMs = 1900, HasFault = true, EntryPoint = Script, HttpStatus = "500", Functions = [hostile] },
                [
                    Segment("fn", null, HostileName, start, 0, 1900, "AWS::Lambda::Function"),
                    Segment("init", "fn", "Initialization", start, 0, 700, null),
                    Segment("inv", "fn", "Invocation", start, 700, 1850, null),
                    Segment("ddb", "inv", Unbroken + Unbroken, start, 800, 1700, null, new Dictionary<string, string> { ["annotation.note"] = Script, ["http.url"] = "https://" + Unbroken + ".example/" + Unbroken }),
                ]),
        ], CancellationToken.None);
    }

    private static LambdaFunction Function(FunctionKey key, Dictionary<string, string> tags) => new()
    {
        Key = key, Arn = $"arn:aws:lambda:{key.Region}:{key.AccountId}:function:{key.Name}", Runtime = "nodejs16.x", MemoryMb = 1024,
        TimeoutSeconds = 3, CodeSizeBytes = 48_000_000, Tags = tags, Layers = [$"arn:aws:lambda:eu-west-1:{Account}:layer:{Unbroken}:3"],
        LastModified = DateTimeOffset.UtcNow.AddDays(-3), LastSeen = DateTimeOffset.UtcNow,
    };

    private static TraceSegment Segment(string id, string? parent, string name, DateTimeOffset start, int fromMs, int toMs, string? origin, Dictionary<string, string>? attributes = null) => new()
    {
        Id = id, ParentId = parent, Name = name, Origin = origin, Start = start.AddMilliseconds(fromMs), End = start.AddMilliseconds(toMs),
        Fault = id == "ddb", Attributes = attributes ?? [],
    };
}
