using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Observe.Store.Internal;

/// <summary>
/// Fans store changes out to subscribers. Changes are coalesced for a short delay so a burst of writes (a collector
/// pass is many small writes) reaches a page as one callback instead of re-rendering it for each.
/// </summary>
internal sealed class ChangeNotifier : IStoreChanges, IAsyncDisposable
{
    private readonly Channel<StoreChangeKind> _pending = Channel.CreateUnbounded<StoreChangeKind>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly object _gate = new();
    private readonly TimeSpan _coalesce;
    private readonly ILogger _logger;
    private readonly Task _loop;
    private Action<StoreChangeKind>[] _subscribers = [];

    public ChangeNotifier(TimeSpan coalesce, ILogger logger)
    {
        _coalesce = coalesce;
        _logger = logger;
        _loop = Task.Run(DeliverAsync);
    }

    public IDisposable Subscribe(Action<StoreChangeKind> onChange)
    {
        ArgumentNullException.ThrowIfNull(onChange);
        lock (_gate)
        {
            _subscribers = [.. _subscribers, onChange];
        }

        return new Subscription(this, onChange);
    }

    public void Raise(StoreChangeKind kind)
    {
        if (kind != StoreChangeKind.None)
        {
            _pending.Writer.TryWrite(kind);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _pending.Writer.TryComplete();
        await _stop.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
            // Stopping cancels the coalescing delay; nothing is left to deliver to a disposed store's readers.
        }

        _stop.Dispose();
    }

    private void Unsubscribe(Action<StoreChangeKind> onChange)
    {
        lock (_gate)
        {
            var index = Array.IndexOf(_subscribers, onChange);
            if (index >= 0)
            {
                _subscribers = [.. _subscribers[..index], .. _subscribers[(index + 1)..]];
            }
        }
    }

    private async Task DeliverAsync()
    {
        var reader = _pending.Reader;
        while (await reader.WaitToReadAsync(_stop.Token))
        {
            await Task.Delay(_coalesce, _stop.Token);
            var kind = StoreChangeKind.None;
            while (reader.TryRead(out var next))
            {
                kind |= next;
            }

            foreach (var subscriber in Volatile.Read(ref _subscribers))
            {
                try
                {
                    subscriber(kind);
                }
                catch (Exception e)
                {
                    // One broken page must not stop the others from hearing about changes.
                    _logger.LogError(e, "A store change subscriber failed on {Kind}", kind);
                }
            }
        }
    }

    private sealed class Subscription(ChangeNotifier owner, Action<StoreChangeKind> onChange) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                owner.Unsubscribe(onChange);
            }
        }
    }
}
