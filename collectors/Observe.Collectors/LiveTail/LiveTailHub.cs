using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Observe.Collectors.Aws;

namespace Observe.Collectors.LiveTail;

/// <summary>
/// The <see cref="ILiveTail"/> service: one <see cref="LiveTailSession"/> per (account, region, log groups, filter),
/// shared by every viewer of it, opened by the first viewer and closed when the last one leaves. Also counts the Live
/// Tail sessions open per account against <see cref="LiveTailOptions.MaxSessionsPerAccount"/>.
/// </summary>
internal sealed class LiveTailHub : ILiveTail, IAsyncDisposable
{
    /// <summary>StartLiveTail's limit on log groups per session.</summary>
    public const int MaxLogGroups = 10;

    /// <summary>StartLiveTail's limit on the filter pattern's length.</summary>
    public const int MaxFilterPatternLength = 1024;

    private readonly object _gate = new();
    private readonly Dictionary<string, LiveTailSession> _sessions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _liveSessions = new(StringComparer.Ordinal);
    private readonly AwsOptions _aws;
    private bool _disposed;

    public LiveTailHub(IOptions<AwsOptions> aws, IOptions<LiveTailOptions> options, LiveTailStreamClient client, IAwsClientFactory clients, TimeProvider time, ILoggerFactory loggers)
    {
        _aws = aws.Value;
        Options = options.Value;
        Client = client;
        Clients = clients;
        Time = time;
        Logger = loggers.CreateLogger<LiveTailSession>();
    }

    internal LiveTailOptions Options { get; }
    internal LiveTailStreamClient Client { get; }
    internal IAwsClientFactory Clients { get; }
    internal TimeProvider Time { get; }
    internal ILogger Logger { get; }

    /// <summary>Sessions with at least one viewer (for tests and diagnostics).</summary>
    internal int SessionCount
    {
        get
        {
            lock (_gate)
            {
                return _sessions.Count;
            }
        }
    }

    public IAsyncEnumerable<LiveTailBatch> TailAsync(LiveTailRequest request, CancellationToken cancellationToken)
    {
        // Checked here, not at the first MoveNextAsync, so a bad request fails where it is made.
        var (account, key, arns) = Normalise(request);
        return ViewAsync(account, request.Region, key, arns, string.IsNullOrEmpty(request.FilterPattern) ? null : request.FilterPattern, cancellationToken);
    }

    public LiveTailSessionState? Describe(LiveTailRequest request)
    {
        var (_, key, _) = Normalise(request);
        lock (_gate)
        {
            return _sessions.TryGetValue(key, out var session) ? session.Describe() : null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        LiveTailSession[] sessions;
        lock (_gate)
        {
            _disposed = true;
            sessions = [.. _sessions.Values];
            _sessions.Clear();
        }

        foreach (var session in sessions)
        {
            await session.StopAsync(completeViewers: true).ConfigureAwait(false);
        }
    }

    internal bool TryTakeLiveSlot(string accountId)
    {
        lock (_gate)
        {
            var open = _liveSessions.GetValueOrDefault(accountId);
            if (open >= Options.MaxSessionsPerAccount)
            {
                return false;
            }

            _liveSessions[accountId] = open + 1;
            return true;
        }
    }

    internal void ReleaseLiveSlot(string accountId)
    {
        lock (_gate)
        {
            _liveSessions[accountId] = Math.Max(0, _liveSessions.GetValueOrDefault(accountId) - 1);
        }
    }

    /// <summary>A session that failed for good leaves the table, so the next viewer starts afresh.</summary>
    internal void Forget(LiveTailSession session)
    {
        lock (_gate)
        {
            if (_sessions.TryGetValue(session.Key, out var current) && ReferenceEquals(current, session))
            {
                _sessions.Remove(session.Key);
            }
        }
    }

    private async IAsyncEnumerable<LiveTailBatch> ViewAsync(AwsAccountOptions account, string region, string key, IReadOnlyList<string> arns, string? filter, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var viewer = new LiveTailViewer(Options.ViewerBufferBatches);
        LiveTailSession session;
        var created = false;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_sessions.TryGetValue(key, out session!))
            {
                session = new LiveTailSession(this, key, account, region, arns, filter);
                _sessions[key] = session;
                created = true;
            }

            session.Add(viewer);
        }

        if (created)
        {
            session.Start();
        }

        try
        {
            while (await viewer.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (viewer.Reader.TryRead(out var batch))
                {
                    var dropped = viewer.TakeDropped();
                    yield return dropped == 0 ? batch : batch with { DroppedBatches = dropped };
                }
            }
        }
        finally
        {
            await LeaveAsync(session, viewer).ConfigureAwait(false);
        }
    }

    private async Task LeaveAsync(LiveTailSession session, LiveTailViewer viewer)
    {
        bool last;
        lock (_gate)
        {
            last = session.Remove(viewer) == 0;
            if (last && _sessions.TryGetValue(session.Key, out var current) && ReferenceEquals(current, session))
            {
                _sessions.Remove(session.Key);
            }
        }

        if (last)
        {
            await session.StopAsync(completeViewers: false).ConfigureAwait(false);
        }
    }

    private (AwsAccountOptions Account, string Key, IReadOnlyList<string> Arns) Normalise(LiveTailRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var account = _aws.Accounts.FirstOrDefault(a => a.AccountId == request.AccountId)
            ?? throw new ArgumentException($"account {request.AccountId} is not in {AwsOptions.SectionName}:Accounts", nameof(request));
        if (!LogGroupArn.IsRegion(request.Region))
        {
            throw new ArgumentException($"'{request.Region}' is not a region name like eu-west-1", nameof(request));
        }

        if (request.LogGroups is null || request.LogGroups.Any(string.IsNullOrWhiteSpace))
        {
            throw new ArgumentException("log group names must not be empty", nameof(request));
        }

        // Order and repeats do not make a different session: viewers of {a, b} and {b, a} share one.
        var arns = request.LogGroups.Select(g => LogGroupArn.ToArn(g.Trim(), account.AccountId, request.Region)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (arns.Count is 0 or > MaxLogGroups)
        {
            throw new ArgumentException($"a Live Tail session takes 1 to {MaxLogGroups} log groups, not {arns.Count}", nameof(request));
        }

        if (request.FilterPattern is { Length: > MaxFilterPatternLength })
        {
            throw new ArgumentException($"the filter pattern has {request.FilterPattern.Length} characters; Live Tail takes at most {MaxFilterPatternLength}", nameof(request));
        }

        var key = string.Join('\n', [account.AccountId, request.Region, request.FilterPattern ?? "", .. arns]);
        return (account, key, arns);
    }
}

/// <summary>One viewer's bounded buffer: when full, the oldest batch is dropped and counted, never the session slowed.</summary>
internal sealed class LiveTailViewer
{
    private readonly Channel<LiveTailBatch> _channel;
    private int _dropped;

    public LiveTailViewer(int capacity) =>
        _channel = Channel.CreateBounded<LiveTailBatch>(
            new BoundedChannelOptions(capacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
            _ => Interlocked.Increment(ref _dropped));

    public ChannelReader<LiveTailBatch> Reader => _channel.Reader;

    public void Offer(LiveTailBatch batch) => _channel.Writer.TryWrite(batch);

    public void Complete(Exception? error) => _channel.Writer.TryComplete(error);

    public int TakeDropped() => Interlocked.Exchange(ref _dropped, 0);
}
