using System.Net;
using System.Text.Json.Nodes;
using Observe.Collectors.LiveTail;

namespace Observe.Collectors.Tests.LiveTail;

/// <summary>
/// Live Tail sessions against <see cref="LiveTailServer"/>, because moto does not implement StartLiveTail: every
/// stream here is written from the AWS API reference (StartLiveTail, StartLiveTailResponseStream, LiveTailSessionStart,
/// LiveTailSessionUpdate, SessionTimeoutException, SessionStreamingException) and the event-stream encoding.
/// </summary>
public sealed class LiveTailSessionTests : IAsyncLifetime
{
    private const string Account = "320000000001";
    private const string Region = "eu-west-1";
    private static readonly LiveTailRequest Orders = new(Account, Region, ["/aws/lambda/orders"]);

    private readonly LiveTailServer _server = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Tail_EventsArriveInOrder_FromASignedStartLiveTailRequest()
    {
        // Written from the API reference: sessionStart, then sessionUpdate events each second.
        await using var host = NewHost();
        await using var viewer = Tail(host, Orders with { FilterPattern = "ERROR" });
        var first = viewer.NextAsync();
        var exchange = await AcceptSessionAsync();
        await exchange.SendAsync(EventStreamFrames.SessionUpdate(false));
        await exchange.SendAsync(EventStreamFrames.SessionUpdate(false, "one", "two"));
        await exchange.SendAsync(EventStreamFrames.SessionUpdate(false, "three"));

        // The empty heartbeat update is not passed on.
        var a = await first;
        var b = await viewer.NextAsync();
        Assert.Equal(["one", "two", "three"], a.Events.Concat(b.Events).Select(e => e.Message));
        Assert.All(a.Events.Concat(b.Events), e => Assert.Equal("/aws/lambda/orders", e.LogGroup));
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1796000000000L), a.Events[0].Timestamp);
        Assert.Equal((false, LiveTailSource.LiveTail, (string?)null), (a.Sampled, a.Source, a.Gap));

        var request = Assert.Single(_server.Requests);
        Assert.Equal("Logs_20140328.StartLiveTail", request.Headers["X-Amz-Target"]);
        Assert.Equal("application/x-amz-json-1.1", request.Headers["Content-Type"]);
        Assert.Contains($"/{Region}/logs/aws4_request", request.Headers["Authorization"]);
        var body = JsonNode.Parse(request.Body)!;
        Assert.Equal($"arn:aws:logs:{Region}:{Account}:log-group:/aws/lambda/orders", body["logGroupIdentifiers"]![0]!.GetValue<string>());
        Assert.Equal("ERROR", body["logEventFilterPattern"]!.GetValue<string>());
        Assert.Equal(1, host.Aws.Meter.GetUsage(DateOnly.FromDateTime(DateTime.UtcNow)).Single(u => u.Operation == "StartLiveTail").Calls);
    }

    [Fact]
    public async Task Tail_SampledUpdate_SurfacesTheFlag()
    {
        // LiveTailSessionMetadata.sampled: more than 500 events matched in that second.
        await using var host = NewHost();
        await using var viewer = Tail(host);
        var first = viewer.NextAsync();
        var exchange = await AcceptSessionAsync();
        await exchange.SendAsync(EventStreamFrames.SessionUpdate(true, "sampled"));
        await exchange.SendAsync(EventStreamFrames.SessionUpdate(false, "whole"));

        Assert.Equal((true, "sampled"), ((await first).Sampled, (await first).Events[0].Message));
        var next = await viewer.NextAsync();
        Assert.Equal((false, "whole"), (next.Sampled, next.Events[0].Message));
    }

    [Fact]
    public async Task Tail_TwoViewersOfTheSameGroups_ShareOneSession_WhichEndsWithTheLastViewer()
    {
        // Written from the API reference. The second viewer names the same group by ARN: still the same session.
        await using var host = NewHost();
        var a = Tail(host);
        var b = Tail(host, Orders with { LogGroups = [$"arn:aws:logs:{Region}:{Account}:log-group:/aws/lambda/orders:*", "/aws/lambda/orders"] });
        var aFirst = a.NextAsync();
        var bFirst = b.NextAsync();
        var exchange = await AcceptSessionAsync();
        await exchange.SendAsync(EventStreamFrames.SessionUpdate(false, "for both"));

        Assert.Equal("for both", (await aFirst).Events[0].Message);
        Assert.Equal("for both", (await bFirst).Events[0].Message);
        Assert.Single(_server.Requests);
        Assert.Equal(1, host.Hub.SessionCount);

        // The first viewer leaves: the session stays for the other.
        await a.DisposeAsync();
        await exchange.SendAsync(EventStreamFrames.SessionUpdate(false, "for b"));
        Assert.Equal("for b", (await b.NextAsync()).Events[0].Message);
        Assert.False(exchange.ClientGone.IsCompleted);

        // The last viewer leaves: the connection (and so the AWS session) is closed.
        await b.DisposeAsync();
        await exchange.ClientGone.WithinAsync("closing the session");
        Assert.Equal(0, host.Hub.SessionCount);
        Assert.Single(_server.Requests);
    }

    [Fact]
    public async Task Describe_SharedSession_ReportsSourceViewersAndLiveTailTime_UntilTheLastViewerLeaves()
    {
        // Written from the API reference. The clock is stepped by hand, so the billed time is exact.
        var clock = new SteppedClock(new DateTimeOffset(2026, 12, 4, 4, 0, 0, TimeSpan.Zero));
        await using var host = NewHost(time: clock);
        Assert.Null(host.Hub.Describe(Orders));
        var a = Tail(host);
        var b = Tail(host);
        var aFirst = a.NextAsync();
        var bFirst = b.NextAsync();
        var exchange = await AcceptSessionAsync();
        await exchange.SendAsync(EventStreamFrames.SessionUpdate(false, "one"));
        await aFirst;
        await bFirst;

        clock.Now += TimeSpan.FromSeconds(90);
        Assert.Equal(new LiveTailSessionState(LiveTailSource.LiveTail, 2, TimeSpan.FromSeconds(90)), host.Hub.Describe(Orders));

        // Another filter is another session, which nobody has open.
        Assert.Null(host.Hub.Describe(Orders with { FilterPattern = "ERROR" }));

        await a.DisposeAsync();
        Assert.Equal(1, host.Hub.Describe(Orders)!.Viewers);
        await b.DisposeAsync();
        Assert.Null(host.Hub.Describe(Orders));
    }

    [Fact]
    public async Task Tail_SlowViewer_LosesItsOldestBatches_AndIsToldHowMany_WithoutSlowingTheOther()
    {
        // Written from the API reference.
        await using var host = NewHost(o => o.ViewerBufferBatches = 2);
        await using var slow = Tail(host);
        await using var fast = Tail(host);
        var slowFirst = slow.NextAsync();
        var fastFirst = fast.NextAsync();
        var exchange = await AcceptSessionAsync();
        await exchange.SendAsync(EventStreamFrames.SessionUpdate(false, "u1"));
        Assert.Equal("u1", (await slowFirst).Events[0].Message);
        Assert.Equal("u1", (await fastFirst).Events[0].Message);

        // The slow viewer now stops reading while four more updates come; the fast one takes each as it comes.
        for (var i = 2; i <= 5; i++)
        {
            var fastNext = fast.NextAsync();
            await exchange.SendAsync(EventStreamFrames.SessionUpdate(false, $"u{i}"));
            var batch = await fastNext;
            Assert.Equal(($"u{i}", 0), (batch.Events[0].Message, batch.DroppedBatches));
        }

        // Of u2..u5 its 2-batch buffer kept the newest two, and the first it reads says two were lost.
        var after = await slow.NextAsync();
        Assert.Equal(("u4", 2), (after.Events[0].Message, after.DroppedBatches));
        var last = await slow.NextAsync();
        Assert.Equal(("u5", 0), (last.Events[0].Message, last.DroppedBatches));
    }

    [Fact]
    public async Task Tail_AtTheMaxSessionDuration_ReconnectsWithAGapMarker_AndTheViewerCarriesOn()
    {
        // Written from the API reference; time is a manual clock, so "3 hours" passes at once.
        var time = new Infrastructure.ManualTimeProvider(DateTimeOffset.UtcNow);
        await using var host = NewHost(o => o.IdleTimeout = TimeSpan.FromHours(1), time);
        await using var viewer = Tail(host);
        var next = viewer.NextAsync();
        var first = await AcceptSessionAsync("s-1");

        // An update every 50 minutes keeps the idle timer from firing; after 3 h the session is replaced.
        for (var i = 1; i <= 3; i++)
        {
            time.Advance(TimeSpan.FromMinutes(50));
            await first.SendAsync(EventStreamFrames.SessionUpdate(false, $"hour {i}"));
            Assert.Equal($"hour {i}", (await next).Events[0].Message);
            next = viewer.NextAsync();
        }

        Assert.Single(_server.Requests);
        time.Advance(TimeSpan.FromMinutes(31));
        var second = await _server.NextAsync();
        await first.ClientGone.WithinAsync("closing the expired session");
        await second.StartStreamAsync();
        await second.SendAsync(EventStreamFrames.SessionStart("s-2"));
        await second.SendAsync(EventStreamFrames.SessionUpdate(false, "after"));

        var marker = await next;
        Assert.Empty(marker.Events);
        Assert.Contains("MaxSessionDuration (03:00:00) and was restarted", marker.Gap);
        Assert.Equal("after", (await viewer.NextAsync()).Events[0].Message);
        Assert.Equal(2, _server.Requests.Count);
    }

    [Fact]
    public async Task Tail_AwsEndsTheSessionWithSessionTimeoutException_ReconnectsWithAGapMarker()
    {
        // SessionTimeoutException in the stream, as the API reference says AWS sends after three hours.
        await using var host = NewHost();
        await using var viewer = Tail(host);
        var next = viewer.NextAsync();
        var first = await AcceptSessionAsync("s-1");
        await first.SendAsync(EventStreamFrames.SessionUpdate(false, "before"));
        await first.SendAsync(EventStreamFrames.Exception("SessionTimeoutException", "Session timed out after 3 hours"));

        var second = await AcceptSessionAsync("s-2");
        await second.SendAsync(EventStreamFrames.SessionUpdate(false, "after"));

        Assert.Equal("before", (await next).Events[0].Message);
        Assert.Contains("AWS's 3-hour limit", (await viewer.NextAsync()).Gap);
        Assert.Equal("after", (await viewer.NextAsync()).Events[0].Message);
    }

    [Fact]
    public async Task Tail_DroppedConnection_ReconnectsWithAGapMarker()
    {
        // Written from the API reference; the first connection is reset mid-stream.
        await using var host = NewHost();
        await using var viewer = Tail(host);
        var next = viewer.NextAsync();
        var first = await AcceptSessionAsync("s-1");
        await first.SendAsync(EventStreamFrames.SessionUpdate(false, "before"));
        Assert.Equal("before", (await next).Events[0].Message);
        next = viewer.NextAsync();
        first.Abort();

        var second = await AcceptSessionAsync("s-2");
        await second.SendAsync(EventStreamFrames.SessionUpdate(false, "after"));

        Assert.Contains("the stream failed (NetworkError) and was reconnected", (await next).Gap);
        Assert.Equal("after", (await viewer.NextAsync()).Events[0].Message);
    }

    [Fact]
    public async Task Tail_SilentStream_IsReconnectedAfterTheIdleTimeout()
    {
        // Written from the API reference, which promises an update every second: silence means a dead stream.
        var time = new Infrastructure.ManualTimeProvider(DateTimeOffset.UtcNow);
        await using var host = NewHost(o => o.IdleTimeout = TimeSpan.FromSeconds(30), time);
        await using var viewer = Tail(host);
        var next = viewer.NextAsync();
        var first = await AcceptSessionAsync("s-1");
        await first.SendAsync(EventStreamFrames.SessionUpdate(false, "before"));
        Assert.Equal("before", (await next).Events[0].Message);
        next = viewer.NextAsync();

        time.Advance(TimeSpan.FromSeconds(31));
        var second = await _server.NextAsync();
        await first.ClientGone.WithinAsync("dropping the silent stream");
        await second.StartStreamAsync();
        await second.SendAsync(EventStreamFrames.SessionStart("s-2"));

        Assert.Contains("the stream failed (IdleTimeout) and was reconnected", (await next).Gap);
    }

    [Fact]
    public async Task Tail_MoreSessionsThanTheAccountQuota_RefusesTheExtraOne_InLiveTailMode()
    {
        // Written from the API reference.
        await using var host = NewHost(o => o.MaxSessionsPerAccount = 1);
        await using var orders = Tail(host);
        var next = orders.NextAsync();
        var exchange = await AcceptSessionAsync();
        await exchange.SendAsync(EventStreamFrames.SessionUpdate(false, "x"));
        await next;

        await using var payments = Tail(host, Orders with { LogGroups = ["/aws/lambda/payments"] });
        var e = await Assert.ThrowsAsync<LiveTailException>(() => payments.NextAsync());
        Assert.Equal("SessionQuotaReached", e.ErrorCode);
        Assert.Contains("1 Live Tail sessions are already open for this account (Observe:Collectors:LiveTail:MaxSessionsPerAccount)", e.Message);
        Assert.Single(_server.Requests);
    }

    [Fact]
    public async Task Tail_SessionStreamingException_EndsTheViewerWithAClearError_WhenRetriesAreSpent()
    {
        // SessionStreamingException as the API reference describes it; one failure allowed, so it reaches the viewer.
        await using var host = NewHost(o => o.MaxConsecutiveFailures = 1);
        await using var viewer = Tail(host);
        var next = viewer.MoveNextAsync();
        var exchange = await AcceptSessionAsync();
        await exchange.SendAsync(EventStreamFrames.Exception("SessionStreamingException", "Internal error while streaming"));

        var e = await Assert.ThrowsAsync<LiveTailException>(() => next.WithinAsync("the error"));
        Assert.Equal("SessionStreamingException", e.ErrorCode);
        Assert.Equal($"account {Account} (tail), {Region}, Live Tail of /aws/lambda/orders: AWS sent SessionStreamingException in the stream: Internal error while streaming", e.Message);
        Assert.Equal(0, host.Hub.SessionCount);
    }

    [Fact]
    public async Task Tail_RefusedWithResourceNotFound_EndsTheViewerWithAwsMessage()
    {
        // The JSON error StartLiveTail answers with for a missing log group (AWS API reference: ResourceNotFoundException).
        await using var host = NewHost();
        await using var viewer = Tail(host);
        var next = viewer.MoveNextAsync();
        var exchange = await _server.NextAsync();
        await exchange.RespondErrorAsync(400, "ResourceNotFoundException", "The specified log group does not exist.");

        var e = await Assert.ThrowsAsync<LiveTailException>(() => next.WithinAsync("the error"));
        Assert.Equal(("ResourceNotFoundException", HttpStatusCode.BadRequest), (e.ErrorCode, e.StatusCode));
        Assert.Contains("HTTP 400 ResourceNotFoundException: The specified log group does not exist. (request id test-error)", e.Message);
    }

    [Fact]
    public async Task Tail_GarbageInsteadOfFrames_IsAMalformedStreamError()
    {
        await using var host = NewHost(o => o.MaxConsecutiveFailures = 1);
        await using var viewer = Tail(host);
        var next = viewer.MoveNextAsync();
        var exchange = await _server.NextAsync();
        await exchange.StartStreamAsync();
        await exchange.SendAsync("<html>proxy error page</html>"u8.ToArray());

        var e = await Assert.ThrowsAsync<LiveTailException>(() => next.WithinAsync("the error"));
        Assert.Equal("MalformedStream", e.ErrorCode);
        Assert.Contains("prelude CRC mismatch", e.Message);
    }

    [Fact]
    public async Task Tail_BadRequests_AreRefusedWhereTheyAreMade()
    {
        await using var host = NewHost();

        Assert.Contains("1 to 10 log groups, not 11", Assert.Throws<ArgumentException>(() => host.Hub.TailAsync(Orders with { LogGroups = [.. Enumerable.Range(0, 11).Select(i => $"/g/{i}")] }, CancellationToken.None)).Message);
        Assert.Contains("1 to 10 log groups, not 0", Assert.Throws<ArgumentException>(() => host.Hub.TailAsync(Orders with { LogGroups = [] }, CancellationToken.None)).Message);
        Assert.Contains("account 999999999999 is not in Observe:Aws:Accounts", Assert.Throws<ArgumentException>(() => host.Hub.TailAsync(Orders with { AccountId = "999999999999" }, CancellationToken.None)).Message);
        Assert.Contains("'Mars' is not a region name", Assert.Throws<ArgumentException>(() => host.Hub.TailAsync(Orders with { Region = "Mars" }, CancellationToken.None)).Message);
        Assert.Contains("at most 1024", Assert.Throws<ArgumentException>(() => host.Hub.TailAsync(Orders with { FilterPattern = new string('x', 1025) }, CancellationToken.None)).Message);
        Assert.Empty(_server.Requests);
    }

    private LiveTailTestHost NewHost(Action<LiveTailOptions>? configure = null, TimeProvider? time = null) =>
        new(LiveTailTestHost.DirectAccount(Account, Region), LiveTailTestHost.Options(_server.Url, configure), time);

    private static TestViewer Tail(LiveTailTestHost host, LiveTailRequest? request = null) =>
        new(host.Hub.TailAsync(request ?? Orders, CancellationToken.None));

    /// <summary>Takes the next StartLiveTail request, opens its event stream and sends sessionStart.</summary>
    private async Task<LiveTailExchange> AcceptSessionAsync(string sessionId = "session-1")
    {
        var exchange = await _server.NextAsync();
        await exchange.StartStreamAsync();
        await exchange.SendAsync(EventStreamFrames.SessionStart(sessionId));
        return exchange;
    }
}

/// <summary>A clock read by <c>GetUtcNow</c> that only moves when the test moves it; timers run on real time.</summary>
internal sealed class SteppedClock(DateTimeOffset start) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = start;

    public override DateTimeOffset GetUtcNow() => Now;
}
