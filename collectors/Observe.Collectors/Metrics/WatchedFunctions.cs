using Observe.Store.Model;

namespace Observe.Collectors.Metrics;

/// <summary>
/// Functions someone is looking at right now. A dashboard page calls <see cref="Watch"/> when it shows a function and
/// disposes the result when it stops; while any watch is open the metrics collector reads that function every
/// <see cref="MetricsCollectorOptions.WatchedInterval"/> instead of every <see cref="MetricsCollectorOptions.ColdInterval"/>.
/// </summary>
internal interface IWatchedFunctions
{
    /// <summary>Starts watching; several watches of one function count once and end with the last disposal.</summary>
    IDisposable Watch(FunctionKey function);

    /// <summary>The functions with at least one open watch.</summary>
    IReadOnlyCollection<FunctionKey> Snapshot();
}

/// <summary>Reference counts per function under one lock: watches open and close at page speed, not metric speed.</summary>
internal sealed class WatchedFunctions : IWatchedFunctions
{
    private readonly Dictionary<FunctionKey, int> _watches = [];

    public IDisposable Watch(FunctionKey function)
    {
        lock (_watches)
        {
            _watches[function] = _watches.GetValueOrDefault(function) + 1;
        }

        return new Lease(this, function);
    }

    public IReadOnlyCollection<FunctionKey> Snapshot()
    {
        lock (_watches)
        {
            return [.. _watches.Keys];
        }
    }

    private void Release(FunctionKey function)
    {
        lock (_watches)
        {
            if (_watches[function] == 1)
            {
                _watches.Remove(function);
            }
            else
            {
                _watches[function]--;
            }
        }
    }

    private sealed class Lease(WatchedFunctions owner, FunctionKey function) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                owner.Release(function);
            }
        }
    }
}
