using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Observe.Collectors.Aws;
using Observe.Collectors.LiveTail;
using Observe.Dashboard.Components.Pages;
using Observe.Dashboard.Configuration;
using Observe.Dashboard.Tests.Hosting;
using Observe.Store;

namespace Observe.Dashboard.Tests.Components;

/// <summary>
/// The Live tail page over a scripted <see cref="ILiveTail"/> (the session layer has its own tests against a fake Live
/// Tail peer; the browser test runs the whole path) and a stepped clock, so render throttling and idleness are exact.
/// </summary>
public sealed class LiveTailPageTests : MudContext
{
    private const string Account = "111122223333";
    private const string Region = "eu-west-1";
    private const string Orders = "live-tail?account=111122223333&region=eu-west-1&group=%2Faws%2Flambda%2Forders";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 4, 4, 0, 0, TimeSpan.Zero));
    private readonly ScriptedLiveTail _tail = new();
    private readonly LiveTailPageOptions _options = new() { RenderInterval = TimeSpan.FromMilliseconds(250), StatusInterval = TimeSpan.FromSeconds(1), IdleTimeout = TimeSpan.FromMinutes(15) };
    private TestStore _store = null!;

    public override async Task InitializeAsync()
    {
        _store = await TestStore.CreateAsync();
        Services.AddObserveStore(_store.Store);
        Services.AddSingleton<TimeProvider>(_time);
        Services.AddSingleton(Options.Create(new AwsOptions
        {
            Accounts = [new AwsAccountOptions { AccountId = Account, Name = "prod", Regions = [Region] }],
            Prices = new AwsPriceOptions { LiveTailPerSessionMinute = 0.01m },
        }));
        Services.AddSingleton(Options.Create(_options));
        Services.AddSingleton(Options.Create(new LiveTailOptions()));
    }

    protected override ValueTask DisposeResourcesAsync() => _store.DisposeAsync();

    [Fact]
    public void NoLiveTailService_DemoMode_SaysWhatToConfigure_AndOffersNoControls()
    {
        var page = RenderAt(Orders);

        Assert.Contains("Observe:Aws:Accounts", page.Find("[data-testid=no-account]").TextContent, StringComparison.Ordinal);
        Assert.Empty(page.FindAll("[data-testid=tail-controls]"));
    }

    [Fact]
    public async Task Lines_ArriveNewestFirst_AsText_WithLevelsFieldsAndTraceLinks()
    {
        Services.AddSingleton<ILiveTail>(_tail);
        var page = RenderAt(Orders);
        var viewer = await _tail.NextViewerAsync();
        Assert.Equal((Account, Region, "/aws/lambda/orders", (string?)null), (viewer.Request.AccountId, viewer.Request.Region, viewer.Request.LogGroups.Single(), viewer.Request.FilterPattern));

        await viewer.SendAsync(
            "2026-12-04T04:00:00.000Z\tc0ffee\tERROR\t<script>alert(1)</script> in 1-5759e988-bd862e3fe1be46a994272793",
            "{\"level\":\"warn\",\"traceId\":\"1-5759e988-bd862e3fe1be46a994272794\",\"msg\":\"retry\"}");
        _time.Advance(_options.RenderInterval);

        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("[data-line]").Count), Wait);
        var lines = page.FindAll("[data-line]");
        Assert.Contains("level-warning", lines[0].ClassList);
        Assert.Equal(["level", "traceId", "msg"], lines[0].QuerySelectorAll("[data-field]").Select(f => f.GetAttribute("data-field")));
        Assert.Equal("traces/1-5759e988-bd862e3fe1be46a994272794", lines[0].QuerySelector("a.tail-trace")!.GetAttribute("href"));
        Assert.Contains("level-error", lines[1].ClassList);
        Assert.Equal("ERROR", lines[1].QuerySelector(".tail-level")!.TextContent);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", lines[1].InnerHtml, StringComparison.Ordinal);
        Assert.Empty(page.FindAll("script"));
        Assert.Equal("traces/1-5759e988-bd862e3fe1be46a994272793", lines[1].QuerySelector("a.tail-trace")!.GetAttribute("href"));
    }

    [Fact]
    public async Task SourceAndCost_ComeFromTheSharedSession()
    {
        Services.AddSingleton<ILiveTail>(_tail);
        var page = RenderAt(Orders);
        await _tail.NextViewerAsync();
        Assert.Equal("starting", page.Find("[data-testid=stream-source]").GetAttribute("data-source"));

        _tail.State = new LiveTailSessionState(LiveTailSource.LiveTail, 2, TimeSpan.FromMinutes(3));
        _time.Advance(_options.StatusInterval);

        page.WaitForAssertion(() => Assert.Equal("live-tail", page.Find("[data-testid=stream-source]").GetAttribute("data-source")), Wait);
        var status = page.Find("[data-testid=session-status]").TextContent;
        Assert.Contains("open 3 min 0 s: about $0.03 so far at $0.01 per session minute", status, StringComparison.Ordinal);
        Assert.Contains("shared with 1 other viewer", status, StringComparison.Ordinal);

        _tail.State = new LiveTailSessionState(LiveTailSource.Polling, 1, TimeSpan.Zero);
        _time.Advance(_options.StatusInterval);
        page.WaitForAssertion(() => Assert.Contains("Polling FilterLogEvents every 5 s", page.Find("[data-testid=session-status]").TextContent, StringComparison.Ordinal), Wait);
    }

    [Fact]
    public async Task Pause_KeepsThePlace_CountsWaitingLines_ResumeShowsThem()
    {
        Services.AddSingleton<ILiveTail>(_tail);
        var page = RenderAt(Orders);
        var viewer = await _tail.NextViewerAsync();
        await viewer.SendAsync("first");
        _time.Advance(_options.RenderInterval);
        page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-line]")), Wait);

        page.Find("[data-testid=pause]").Click();
        await viewer.SendAsync("second", "third");
        _time.Advance(_options.StatusInterval);

        page.WaitForAssertion(() => Assert.Contains("2 new lines are waiting", page.Find("[data-testid=paused]").TextContent, StringComparison.Ordinal), Wait);
        Assert.Equal(["first"], page.FindAll(".tail-message").Select(m => m.TextContent));

        page.Find("[data-testid=pause]").Click();
        page.WaitForAssertion(() => Assert.Equal(["third", "second", "first"], page.FindAll(".tail-message").Select(m => m.TextContent)), Wait);
        Assert.Empty(page.FindAll("[data-testid=paused]"));
    }

    [Fact]
    public async Task Filter_StartsAFilteredSession_AndFiltersLinesAlreadyHereByItsTerms()
    {
        Services.AddSingleton<ILiveTail>(_tail);
        var page = RenderAt(Orders);
        var first = await _tail.NextViewerAsync();
        await first.SendAsync("ERROR one", "INFO two");
        _time.Advance(_options.RenderInterval);
        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll(".tail-message").Count), Wait);

        Services.GetRequiredService<NavigationManager>().NavigateTo(Orders + "&filter=ERROR");

        var second = await _tail.NextViewerAsync();
        Assert.Equal("ERROR", second.Request.FilterPattern);
        await first.Left.WaitAsync(Wait);
        page.WaitForAssertion(() => Assert.Equal(["ERROR one"], page.FindAll(".tail-message").Select(m => m.TextContent)), Wait);
        Assert.Contains("Filter \"ERROR\" applied by AWS from here on", page.Find(".tail-marker").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoInputForTheIdleTimeout_LeavesTheSession_AndOffersToStartAgain()
    {
        Services.AddSingleton<ILiveTail>(_tail);
        var page = RenderAt(Orders);
        var viewer = await _tail.NextViewerAsync();

        _time.Advance(_options.IdleTimeout);

        await viewer.Left.WaitAsync(Wait);
        page.WaitForAssertion(() => Assert.Contains("with no change made here", page.Find("[data-testid=stopped]").TextContent, StringComparison.Ordinal), Wait);
        Assert.Equal("stopped", page.Find("[data-testid=stream-source]").GetAttribute("data-source"));

        page.Find("[data-testid=restart]").Click();
        var again = await _tail.NextViewerAsync();
        Assert.Equal(viewer.Request, again.Request);
    }

    [Fact]
    public async Task SessionFails_SaysWhatToDo_WithoutTheExceptionText()
    {
        Services.AddSingleton<ILiveTail>(_tail);
        var page = RenderAt(Orders);
        var viewer = await _tail.NextViewerAsync();

        viewer.Fail(new LiveTailException("account prod: the log group does not exist (stack trace here)", "ResourceNotFoundException"));

        page.WaitForAssertion(() => Assert.Contains("does not exist in that account and region", page.Find("[data-testid=tail-error]").TextContent, StringComparison.Ordinal), Wait);
        Assert.DoesNotContain("stack trace", page.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void AddressErrors_AndNoSelection_SayWhatToDo()
    {
        Services.AddSingleton<ILiveTail>(_tail);
        Assert.Contains("Choose an account and region", RenderAt("live-tail").Find("[data-testid=empty]").TextContent, StringComparison.Ordinal);
        Assert.Contains("not a configured account", RenderAt("live-tail?account=1&region=eu-west-1&group=g").Find("[data-testid=address-error]").TextContent, StringComparison.Ordinal);
        Assert.Empty(_tail.Started);
    }

    private IRenderedComponent<LiveTailPage> RenderAt(string uri)
    {
        Services.GetRequiredService<NavigationManager>().NavigateTo(uri);
        return Render<LiveTailPage>();
    }

    /// <summary>An <see cref="ILiveTail"/> whose viewers the test feeds by hand.</summary>
    private sealed class ScriptedLiveTail : ILiveTail
    {
        private readonly Channel<Viewer> _viewers = Channel.CreateUnbounded<Viewer>();

        public List<LiveTailRequest> Started { get; } = [];

        public LiveTailSessionState? State { get; set; }

        public async Task<Viewer> NextViewerAsync() => await _viewers.Reader.ReadAsync().AsTask().WaitAsync(Wait);

        public LiveTailSessionState? Describe(LiveTailRequest request) => State;

        public IAsyncEnumerable<LiveTailBatch> TailAsync(LiveTailRequest request, CancellationToken cancellationToken)
        {
            var viewer = new Viewer(request);
            Started.Add(request);
            _viewers.Writer.TryWrite(viewer);
            return viewer.ReadAsync(cancellationToken);
        }
    }

    private sealed class Viewer(LiveTailRequest request)
    {
        private readonly Channel<LiveTailBatch> _batches = Channel.CreateUnbounded<LiveTailBatch>();
        private readonly TaskCompletionSource _left = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly Channel<bool> _handled = Channel.CreateUnbounded<bool>();

        public LiveTailRequest Request { get; } = request;

        /// <summary>Completes when the page stopped reading (it left the session).</summary>
        public Task Left => _left.Task;

        /// <summary>Sends one batch and returns once the page has handled it (it asked for the next one).</summary>
        public async Task SendAsync(params string[] messages)
        {
            await _batches.Writer.WriteAsync(new LiveTailBatch([.. messages.Select(m => new LiveTailEvent("/aws/lambda/orders", "s", DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, m))], false, LiveTailSource.LiveTail));
            await _handled.Reader.ReadAsync().AsTask().WaitAsync(Wait);
        }

        public void Fail(Exception error) => _batches.Writer.TryComplete(error);

        public async IAsyncEnumerable<LiveTailBatch> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
        {
            try
            {
                await foreach (var batch in _batches.Reader.ReadAllAsync(cancellationToken))
                {
                    yield return batch;

                    // Resumed only when the page asks for the next batch, after its loop body handled this one.
                    _handled.Writer.TryWrite(true);
                }
            }
            finally
            {
                _left.TrySetResult();
            }
        }
    }
}
