using Amazon.Runtime;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Playwright;
using Observe.Collectors.Aws;
using Observe.Collectors.Tests.LiveTail;
using Xunit.Abstractions;

namespace Observe.Dashboard.Tests.Browser;

/// <summary>
/// A dashboard configured with one AWS account whose Live Tail endpoint is <see cref="LiveTailFeed"/>, a fake Live Tail
/// peer on 127.0.0.1 speaking the event-stream framing (moto has no StartLiveTail). Mode LiveTail, so the polling
/// fallback is not what is tested here (LiveTailPollingTests cover it over moto); the collectors do not run.
/// </summary>
public sealed class LiveTailDashboardFixture : IAsyncLifetime
{
    public const string Account = "320000000001";
    public const string Region = "eu-west-1";

    private readonly BrowserDashboard _host = new();

    public Uri BaseUrl => _host.BaseUrl;

    public IBrowser Browser => _host.Browser;

    internal LiveTailFeed Feed { get; } = new();

    public async Task InitializeAsync()
    {
        _host.Build(
            new Dictionary<string, string?>
            {
                ["Observe:Aws:Accounts:0:AccountId"] = Account,
                ["Observe:Aws:Accounts:0:Name"] = "tail",
                ["Observe:Aws:Accounts:0:Regions:0"] = Region,
                ["Observe:Aws:Endpoints:Logs"] = "http://127.0.0.1:9/",
                ["Observe:Collectors:InProcess"] = "false",
                ["Observe:Collectors:LiveTail:Mode"] = "LiveTail",
                ["Observe:Collectors:LiveTail:Endpoint"] = Feed.Url,
                ["Observe:Dashboard:LiveTail:RenderInterval"] = "00:00:00.100",
            },
            builder => builder.Services.AddSingleton(sp => new AwsCredentialsProvider(
                sp.GetRequiredService<IOptions<AwsOptions>>(), sp.GetRequiredService<AwsEndpointResolver>(), sp.GetRequiredService<AwsUsageMeter>(),
                sp.GetRequiredService<ILogger<AwsCredentialsProvider>>(),
                (_, _) => Task.FromResult<AWSCredentials>(new BasicAWSCredentials("AKIAOBSERVETEST00001", "observe-test-secret")))));
        await _host.StartDashboardAsync();
        await _host.LaunchChromiumAsync();
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await Feed.DisposeAsync();
    }
}

public sealed class LiveTailBrowserTests(LiveTailDashboardFixture dashboard, ITestOutputHelper output) : IClassFixture<LiveTailDashboardFixture>
{
    private const float Timeout = 20_000;
    private const string TraceId = "1-5759e988-bd862e3fe1be46a994272793";
    private static readonly string Orders = $"live-tail?account={LiveTailDashboardFixture.Account}&region={LiveTailDashboardFixture.Region}&group=%2Faws%2Flambda%2Forders";

    [Fact]
    public async Task Page_ShowsLines_PausesAndResumes_Filters_RendersScriptAsText_AndLinksTraces()
    {
        var context = await dashboard.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1440, Height = 900 } });
        var page = await context.NewPageAsync();
        var started = dashboard.Feed.StartedSessions;
        await page.GotoAsync(new Uri(dashboard.BaseUrl, Orders).ToString());
        await page.Locator(".page[data-interactive]").WaitForAsync(new() { Timeout = Timeout });
        await UntilSessionsAsync(started + 1);

        await SendAsync($"2026-12-04T04:00:00.000Z\tc0ffee\tERROR\t<script>window.injected = 1</script> failed, trace Root={TraceId}", "{\"level\":\"INFO\",\"msg\":\"order placed\",\"orderId\":42}");
        var lines = page.Locator("[data-line]");
        await Assertions.Expect(lines).ToHaveCountAsync(2, new() { Timeout = Timeout });
        await Assertions.Expect(page.Locator("[data-testid=stream-source]")).ToHaveTextAsync("Live Tail", new() { Timeout = Timeout });

        // The <script> line is text: shown as written, never run.
        await Assertions.Expect(page.Locator(".tail-line.level-error .tail-message")).ToContainTextAsync("<script>window.injected = 1</script> failed");
        Assert.Equal(0, await page.EvaluateAsync<int>("() => document.querySelectorAll('.tail-lines script').length"));
        Assert.True(await page.EvaluateAsync<bool>("() => window.injected === undefined"));
        await Assertions.Expect(page.Locator(".tail-line.level-info [data-field=orderId]")).ToHaveTextAsync("orderId=42");

        // Paused, the view holds; what arrives meanwhile is counted and shown on resume.
        await page.Locator("[data-testid=pause]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=pause]")).ToHaveAttributeAsync("aria-pressed", "true");
        await SendAsync("INFO while paused");
        await Assertions.Expect(page.Locator("[data-testid=paused]")).ToContainTextAsync("1 new line is waiting", new() { Timeout = Timeout });
        await Assertions.Expect(lines).ToHaveCountAsync(2);
        await page.Locator("[data-testid=pause]").ClickAsync();
        await Assertions.Expect(page.Locator(".tail-message", new() { HasText = "INFO while paused" })).ToHaveCountAsync(1, new() { Timeout = Timeout });

        // A filter is AWS's: a new session with the pattern; lines already here are narrowed to its terms.
        var beforeFilter = dashboard.Feed.StartedSessions;
        await page.Locator("input[data-testid=filter], [data-testid=filter] input").FillAsync("ERROR");
        await UntilSessionsAsync(beforeFilter + 1);
        Assert.Contains("\"logEventFilterPattern\":\"ERROR\"", dashboard.Feed.Requests[^1].Body, StringComparison.Ordinal);
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("filter=ERROR"), new() { Timeout = Timeout });
        await Assertions.Expect(page.Locator(".tail-message", new() { HasText = "INFO while paused" })).ToHaveCountAsync(0, new() { Timeout = Timeout });
        await SendAsync("ERROR after the filter", "INFO filtered out by AWS");
        await Assertions.Expect(page.Locator(".tail-message", new() { HasText = "ERROR after the filter" })).ToHaveCountAsync(1, new() { Timeout = Timeout });
        await Assertions.Expect(page.Locator(".tail-message", new() { HasText = "INFO filtered out by AWS" })).ToHaveCountAsync(0);

        // The trace id opens its trace.
        await page.Locator($"a.tail-trace[data-trace='{TraceId}']").First.ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Uri(dashboard.BaseUrl, $"traces/{TraceId}").ToString(), new() { Timeout = Timeout });
        await context.CloseAsync();
    }

    public static TheoryData<string, int> Views()
    {
        var data = new TheoryData<string, int>();
        foreach (var theme in new[] { DashboardThemes.Light, DashboardThemes.Dark })
        {
            data.Add(theme, 1440);
            data.Add(theme, 390);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Views))]
    public async Task Page_InThemeAndWidth_ScreenshotWithLines_AndNothingWiderThanTheScreen(string theme, int width)
    {
        var phone = width < 600;
        var context = await dashboard.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = width, Height = phone ? 844 : 1000 }, DeviceScaleFactor = 1 });
        await context.AddCookiesAsync([new Microsoft.Playwright.Cookie { Name = DashboardThemes.CookieName, Value = theme, Url = dashboard.BaseUrl.ToString() }]);
        var page = await context.NewPageAsync();
        var started = dashboard.Feed.StartedSessions;
        // A selection of its own: a page of the same selection closed just before may still hold the shared session
        // (its circuit ends a moment after), which this page would join instead of starting one.
        await page.GotoAsync(new Uri(dashboard.BaseUrl, Orders + $"&group=%2Faws%2Flambda%2Fpayments-{theme}-{width}").ToString());
        await page.Locator(".page[data-interactive]").WaitForAsync(new() { Timeout = Timeout });
        await UntilSessionsAsync(started + 1);
        await SendAsync(
            "START RequestId: 8f5c1c2e-0d7b-4c1e-9a43-5b1f0e6a7d21 Version: $LATEST",
            "2026-12-04T04:00:01.120Z\t8f5c1c2e\tINFO\tReceived order 1042 from checkout",
            "{\"level\":\"DEBUG\",\"msg\":\"cache lookup\",\"key\":\"order:1042\",\"hit\":false}",
            "2026-12-04T04:00:01.480Z\t8f5c1c2e\tWARN\tInventory service slow (1.2 s), retrying once",
            $"{{\"level\":\"ERROR\",\"msg\":\"payment declined\",\"orderId\":1042,\"traceId\":\"{TraceId}\"}}",
            "2026-12-04T04:00:01.530Z\t8f5c1c2e\tERROR\t<script>alert('x')</script> is shown as text",
            "END RequestId: 8f5c1c2e-0d7b-4c1e-9a43-5b1f0e6a7d21",
            "REPORT RequestId: 8f5c1c2e-0d7b-4c1e-9a43-5b1f0e6a7d21\tDuration: 612.40 ms\tBilled Duration: 613 ms\tMemory Size: 512 MB\tMax Memory Used: 141 MB");
        await Assertions.Expect(page.Locator("[data-line]")).ToHaveCountAsync(8, new() { Timeout = Timeout });
        await Assertions.Expect(page.Locator("[data-testid=stream-source]")).ToHaveTextAsync("Live Tail", new() { Timeout = Timeout });

        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways");
        var path = Path.Combine(DashboardFixture.ArtifactsDirectory, $"live-tail-{theme}-{width}.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = phone });
        output.WriteLine($"screenshot: {path}");
        await context.CloseAsync();
    }

    /// <summary>Waits for the dashboard's StartLiveTail to reach the peer, so events sent next go to the page's session.</summary>
    private Task UntilSessionsAsync(int started) =>
        BrowserPoll.UntilAsync(() => Task.FromResult(dashboard.Feed.StartedSessions >= started), () => $"{dashboard.Feed.StartedSessions} Live Tail sessions started, waiting for {started}", Timeout);

    private Task SendAsync(params string[] messages) =>
        dashboard.Feed.SendAsync([.. messages.Select(m => new FeedEvent(m, DateTimeOffset.UtcNow))]);
}
