using Microsoft.Extensions.Logging;
using Observe.Collectors.Aws;
using Observe.Collectors.Logs;

namespace Observe.Collectors.LiveTail;

/// <summary>
/// One shared tail of (account, region, log groups, filter): a loop that keeps a Live Tail stream open (or polls
/// FilterLogEvents) while viewers are attached and fans each batch out to them. Restarts the stream at the session
/// limit and after failures, telling viewers with a gap marker when events may have been missed in between.
/// </summary>
internal sealed class LiveTailSession
{
    /// <summary>Most events AWS puts in one update; polled events are batched the same way.</summary>
    private const int EventsPerBatch = 500;

    private readonly LiveTailHub _hub;
    private readonly AwsAccountOptions _account;
    private readonly string _region;
    private readonly IReadOnlyList<string> _arns;
    private readonly string? _filter;
    private readonly string _where;
    private readonly List<LiveTailViewer> _viewers = [];
    private readonly object _state = new();
    private readonly CancellationTokenSource _stop = new();
    private Task _run = Task.CompletedTask;
    private int _stopped;
    private bool _holdsLiveSlot;
    private bool _everStarted;
    private string? _gap;
    private int _failures;
    private LiveTailSource? _source;
    private DateTimeOffset? _liveSince;
    private TimeSpan _liveBefore;

    public LiveTailSession(LiveTailHub hub, string key, AwsAccountOptions account, string region, IReadOnlyList<string> arns, string? filter)
    {
        _hub = hub;
        Key = key;
        _account = account;
        _region = region;
        _arns = arns;
        _filter = filter;
        _where = $"account {account.DisplayName}, {region}, {string.Join(", ", arns.Select(LogGroupArn.ToName))}{(filter is null ? "" : $" filtered by '{filter}'")}";
    }

    public string Key { get; }

    private LiveTailOptions Options => _hub.Options;

    private ILogger Logger => _hub.Logger;

    public void Add(LiveTailViewer viewer)
    {
        lock (_viewers)
        {
            _viewers.Add(viewer);
        }
    }

    /// <summary>Detaches a viewer and returns how many remain.</summary>
    public int Remove(LiveTailViewer viewer)
    {
        lock (_viewers)
        {
            _viewers.Remove(viewer);
            return _viewers.Count;
        }
    }

    /// <summary>Source, viewers and Live Tail time so far (the open stream's included).</summary>
    public LiveTailSessionState Describe()
    {
        int viewers;
        lock (_viewers)
        {
            viewers = _viewers.Count;
        }

        lock (_state)
        {
            var open = _liveSince is { } since ? _hub.Time.GetUtcNow() - since : TimeSpan.Zero;
            return new LiveTailSessionState(_source, viewers, _liveBefore + open);
        }
    }

    public void Start() => _run = Task.Run(() => RunAsync(_stop.Token));

    public async Task StopAsync(bool completeViewers)
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        await _run.ConfigureAwait(false);
        _stop.Dispose();
        if (completeViewers)
        {
            CompleteViewers(null);
        }
    }

    private async Task RunAsync(CancellationToken stop)
    {
        var polling = Options.Mode == LiveTailMode.Polling;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                if (!polling && !_holdsLiveSlot)
                {
                    _holdsLiveSlot = _hub.TryTakeLiveSlot(_account.AccountId);
                    if (!_holdsLiveSlot)
                    {
                        var quota = $"{_where}: {Options.MaxSessionsPerAccount} Live Tail sessions are already open for this account ({LiveTailOptions.SectionName}:MaxSessionsPerAccount)";
                        if (Options.Mode == LiveTailMode.LiveTail)
                        {
                            Fail(new LiveTailException(quota, "SessionQuotaReached"));
                            return;
                        }

                        Logger.LogWarning("{Quota}; polling FilterLogEvents instead", quota);
                        polling = true;
                    }
                }

                try
                {
                    if (polling)
                    {
                        await PollAsync(stop).ConfigureAwait(false);
                    }
                    else
                    {
                        await TailOnceAsync(stop).ConfigureAwait(false);
                    }
                }
                catch (LiveTailException e) when (!polling && e.IsNotAllowed && Options.Mode == LiveTailMode.Auto)
                {
                    Logger.LogWarning("{Where}: Live Tail is not allowed ({Code}); polling FilterLogEvents every {Interval} instead", _where, e.ErrorCode, Options.PollInterval);
                    polling = true;
                    ReleaseLiveSlot();
                    if (_everStarted)
                    {
                        _gap = $"Live Tail was refused ({e.ErrorCode}); switched to polling";
                    }
                }
                catch (Exception e) when (IsTransient(e) && ++_failures < Options.MaxConsecutiveFailures)
                {
                    Logger.LogWarning(e, "{Where}: the stream failed ({Failures} in a row); reconnecting", _where, _failures);
                    if (_everStarted)
                    {
                        _gap ??= $"the stream failed ({(e as LiveTailException)?.ErrorCode ?? (e as AwsServiceException)?.ErrorCode}) and was reconnected";
                    }

                    // The first reconnect is immediate (a dropped connection is usually a one-off); later ones back off.
                    if (_failures > 1)
                    {
                        var delay = TimeSpan.FromTicks(Math.Min(Options.ReconnectMaxDelay.Ticks, Options.ReconnectDelay.Ticks * (1L << Math.Min(_failures - 2, 20))));
                        await Task.Delay(delay, _hub.Time, stop).ConfigureAwait(false);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The last viewer left.
        }
        catch (Exception e)
        {
            Fail(e);
        }
        finally
        {
            ReleaseLiveSlot();
        }
    }

    /// <summary>One Live Tail session, start to end. Returns when it ended normally (time limit), ready for the next.</summary>
    private async Task TailOnceAsync(CancellationToken stop)
    {
        using var maxSession = new CancellationTokenSource(Options.MaxSessionDuration, _hub.Time);
        using var idle = new CancellationTokenSource(Options.IdleTimeout, _hub.Time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stop, maxSession.Token, idle.Token);
        try
        {
            await foreach (var item in _hub.Client.StartAsync(_account, _region, _arns, _filter, linked.Token, IsFallbackAnswer).ConfigureAwait(false))
            {
                idle.CancelAfter(Options.IdleTimeout);
                switch (item)
                {
                    case LiveTailSessionStarted started:
                        Logger.LogInformation("{Where}: Live Tail session {SessionId} started", _where, started.SessionId);
                        Started(LiveTailSource.LiveTail);
                        break;
                    case LiveTailSessionUpdated update:
                        // Counted as healthy only once data flows, so a stream that starts and drops at once still backs off.
                        _failures = 0;
                        if (update.Events.Count > 0 || update.Sampled)
                        {
                            Broadcast(new LiveTailBatch(update.Events, update.Sampled, LiveTailSource.LiveTail));
                        }

                        break;
                }
            }

            _gap = "the Live Tail session reached AWS's 3-hour limit and was restarted";
        }
        catch (OperationCanceledException) when (maxSession.IsCancellationRequested && !stop.IsCancellationRequested)
        {
            _gap = $"the Live Tail session reached {LiveTailOptions.SectionName}:MaxSessionDuration ({Options.MaxSessionDuration}) and was restarted";
        }
        catch (OperationCanceledException) when (idle.IsCancellationRequested && !stop.IsCancellationRequested)
        {
            throw new LiveTailException($"{_where}: no update for {Options.IdleTimeout} (AWS sends one every second)", "IdleTimeout");
        }
        finally
        {
            lock (_state)
            {
                if (_liveSince is { } since)
                {
                    _liveBefore += _hub.Time.GetUtcNow() - since;
                    _liveSince = null;
                }
            }
        }
    }

    /// <summary>
    /// The fallback: FilterLogEvents on each group every <see cref="LiveTailOptions.PollInterval"/>, re-reading
    /// <see cref="LiveTailOptions.PollOverlap"/> back for late events and dropping those already seen by event id.
    /// Like Live Tail, it shows events from the moment it starts, not history.
    /// </summary>
    private async Task PollAsync(CancellationToken stop)
    {
        var logs = _hub.Clients.Logs(_account.AccountId, _region);
        var floor = _hub.Time.GetUtcNow();
        var seen = new Dictionary<string, long>(StringComparer.Ordinal);
        while (true)
        {
            var now = _hub.Time.GetUtcNow();
            var from = now - Options.PollOverlap > floor ? now - Options.PollOverlap : floor;

            // A little past now: producers' clocks run slightly ahead of ours.
            var to = now.AddMinutes(5);
            var fresh = new List<LiveTailEvent>();
            var truncated = false;
            foreach (var arn in _arns)
            {
                var name = LogGroupArn.ToName(arn);
                await foreach (var e in logs.FilterLogEventsAsync(new LogEventFilter(name, from, to) { FilterPattern = _filter }, stop).ConfigureAwait(false))
                {
                    var id = e.EventId ?? $"{name}\n{e.LogStreamName}\n{e.Timestamp}\n{e.Message}";
                    if (seen.ContainsKey(id))
                    {
                        continue;
                    }

                    if (fresh.Count >= Options.PollMaxEvents)
                    {
                        // Left unseen: the next pass delivers it if it is still inside the overlap window.
                        truncated = true;
                        break;
                    }

                    seen[id] = e.Timestamp;
                    fresh.Add(new LiveTailEvent(name, e.LogStreamName ?? "", e.Time, DateTimeOffset.FromUnixTimeMilliseconds(e.IngestionTime), e.Message));
                }

                if (truncated)
                {
                    break;
                }
            }

            _failures = 0;
            Started(LiveTailSource.Polling);
            fresh.Sort(static (a, b) => a.Timestamp.CompareTo(b.Timestamp));
            foreach (var chunk in fresh.Chunk(EventsPerBatch))
            {
                Broadcast(new LiveTailBatch(chunk, truncated, LiveTailSource.Polling));
            }

            // Events older than the window cannot come back, so their ids need not be remembered.
            var oldest = from.ToUnixTimeMilliseconds();
            foreach (var old in seen.Where(s => s.Value < oldest).Select(s => s.Key).ToList())
            {
                seen.Remove(old);
            }

            await Task.Delay(Options.PollInterval, _hub.Time, stop).ConfigureAwait(false);
        }
    }

    /// <summary>A stream is up again: viewers learn where events may be missing.</summary>
    private void Started(LiveTailSource source)
    {
        lock (_state)
        {
            _source = source;
            if (source == LiveTailSource.LiveTail)
            {
                _liveSince ??= _hub.Time.GetUtcNow();
            }
        }

        if (_gap is { } gap)
        {
            Broadcast(new LiveTailBatch([], false, source) { Gap = gap });
            _gap = null;
        }

        _everStarted = true;
    }

    private void Broadcast(LiveTailBatch batch)
    {
        lock (_viewers)
        {
            foreach (var viewer in _viewers)
            {
                viewer.Offer(batch);
            }
        }
    }

    private void Fail(Exception e)
    {
        var error = e switch
        {
            LiveTailException l => l,
            AwsServiceException a => new LiveTailException($"{_where}: {a.Message}", a.ErrorCode, a.StatusCode, a),
            _ => new LiveTailException($"{_where}: the session failed unexpectedly ({e.GetType().Name}: {e.Message})", "InternalError", null, e),
        };
        Logger.LogError(error, "{Where}: the session failed and its viewers were told", _where);
        _hub.Forget(this);
        CompleteViewers(error);
    }

    private void CompleteViewers(Exception? error)
    {
        lock (_viewers)
        {
            foreach (var viewer in _viewers)
            {
                viewer.Complete(error);
            }
        }
    }

    private void ReleaseLiveSlot()
    {
        if (_holdsLiveSlot)
        {
            _holdsLiveSlot = false;
            _hub.ReleaseLiveSlot(_account.AccountId);
        }
    }

    // In Auto mode a refusal of Live Tail is answered by polling FilterLogEvents (see RunAsync): not a failed call.
    private bool IsFallbackAnswer(LiveTailException e) => e.IsNotAllowed && Options.Mode == LiveTailMode.Auto;

    private static bool IsTransient(Exception e) => e switch
    {
        LiveTailException l => l.IsTransient,
        AwsServiceException a => !a.IsCredentialError && !a.IsNotFound && (a.StatusCode is null || (int)a.StatusCode >= 500 || a.IsThrottling),
        _ => false,
    };
}
