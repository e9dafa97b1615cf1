using System.Text.Json.Nodes;

namespace Observe.Collectors.Tests.LiveTail;

/// <summary>One log event for <see cref="LiveTailFeed.SendAsync"/>.</summary>
internal sealed record FeedEvent(string Message, DateTimeOffset Timestamp);

/// <summary>
/// A fake Live Tail peer for whole-dashboard tests and the benchmark (linked into both, not copied): a
/// <see cref="LiveTailServer"/> that answers every StartLiveTail with a stream (sessionStart, then an empty update each
/// second as AWS sends), and sends each batch of events to every open session whose filter pattern matches them, as AWS
/// would. Only plain-term patterns (<c>ERROR timeout</c>: every term, case-sensitive) are evaluated; the tests use no other.
/// </summary>
internal sealed class LiveTailFeed : IAsyncDisposable
{
    private readonly LiveTailServer _server = new();
    private readonly SemaphoreSlim _writing = new(1, 1);
    private readonly List<FeedSession> _sessions = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private readonly Task _heartbeat;
    private int _started;

    public LiveTailFeed()
    {
        _accepting = AcceptAsync();
        _heartbeat = HeartbeatAsync();
    }

    public string Url => _server.Url;

    /// <summary>Every StartLiveTail request received, in order.</summary>
    public IReadOnlyList<LiveTailServerRequest> Requests => _server.Requests;

    /// <summary>Sessions whose client has not left.</summary>
    public int OpenSessions
    {
        get
        {
            lock (_sessions)
            {
                return _sessions.Count(s => !s.Exchange.ClientGone.IsCompleted);
            }
        }
    }

    /// <summary>Sessions started so far (a reconnect or a new filter is one more).</summary>
    public int StartedSessions => Volatile.Read(ref _started);

    /// <summary>Sends one update with <paramref name="events"/> to every open session; returns how many got it.</summary>
    public async Task<int> SendAsync(IReadOnlyList<FeedEvent> events, bool sampled = false)
    {
        FeedSession[] open;
        lock (_sessions)
        {
            _sessions.RemoveAll(s => s.Exchange.ClientGone.IsCompleted);
            open = [.. _sessions];
        }

        var sent = 0;
        await _writing.WaitAsync();
        try
        {
            foreach (var session in open)
            {
                var matching = events.Where(e => session.Terms.All(t => e.Message.Contains(t, StringComparison.Ordinal))).ToList();
                try
                {
                    await session.Exchange.SendAsync(Update(session, matching, sampled));
                    sent++;
                }
                catch (Exception e) when (e is IOException or ObjectDisposedException)
                {
                    // The client left between the check and the write.
                }
            }
        }
        finally
        {
            _writing.Release();
        }

        return sent;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _heartbeat;
        await _accepting;
        lock (_sessions)
        {
            foreach (var session in _sessions)
            {
                session.Exchange.Dispose();
            }
        }

        await _server.DisposeAsync();
        _stop.Dispose();
        _writing.Dispose();
    }

    private static byte[] Update(FeedSession session, IReadOnlyList<FeedEvent> events, bool sampled) => EventStreamFrames.Event("sessionUpdate", new JsonObject
    {
        ["sessionMetadata"] = new JsonObject { ["sampled"] = sampled },
        ["sessionResults"] = new JsonArray([.. events.Select(e => (JsonNode)new JsonObject
        {
            ["logStreamName"] = "2026/12/04/[$LATEST]feed",
            ["logGroupIdentifier"] = session.Group,
            ["message"] = e.Message,
            ["timestamp"] = e.Timestamp.ToUnixTimeMilliseconds(),
            ["ingestionTime"] = e.Timestamp.ToUnixTimeMilliseconds(),
        })]),
    });

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            LiveTailExchange exchange;
            try
            {
                exchange = await _server.NextAsync().WaitAsync(_stop.Token);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (OperationCanceledException)
            {
                // NextAsync gives up after 30 s without a request; a feed waits as long as it runs.
                continue;
            }

            var body = JsonNode.Parse(exchange.Request.Body)!;
            var pattern = body["logEventFilterPattern"]?.GetValue<string>() ?? "";
            var session = new FeedSession(exchange, body["logGroupIdentifiers"]![0]!.GetValue<string>(), pattern.Split(' ', StringSplitOptions.RemoveEmptyEntries));
            await _writing.WaitAsync();
            try
            {
                await exchange.StartStreamAsync();
                // Open before it is counted as started: a test that waits for the count and then sends must reach it.
                // Sends hold _writing too, so none reaches the session before its start frame.
                lock (_sessions)
                {
                    _sessions.Add(session);
                }

                await exchange.SendAsync(EventStreamFrames.SessionStart($"feed-{_started + 1}"));
                Interlocked.Increment(ref _started);
            }
            finally
            {
                _writing.Release();
            }
        }
    }

    private async Task HeartbeatAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                await SendAsync([]);
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Disposed.
        }
    }

    private sealed record FeedSession(LiveTailExchange Exchange, string Group, string[] Terms);
}
