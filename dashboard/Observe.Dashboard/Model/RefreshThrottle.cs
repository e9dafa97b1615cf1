namespace Observe.Dashboard.Model;

/// <summary>
/// Turns bursts of change notifications into at most one refresh per interval (a collector writing 300 functions
/// raises hundreds of changes; the page should re-query once). The first request after a quiet period runs at once;
/// requests during the interval coalesce into one run at its end. Thread-safe; callbacks run on timer threads.
/// </summary>
public sealed class RefreshThrottle : IDisposable
{
    private readonly TimeSpan _interval;
    private readonly TimeProvider _time;
    private readonly Func<Task> _refresh;
    private readonly object _gate = new();
    private ITimer? _timer;
    private bool _pending;
    private bool _disposed;
    private long _lastRunTimestamp;
    private bool _hasRun;

    public RefreshThrottle(TimeSpan interval, TimeProvider time, Func<Task> refresh)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(refresh);
        _interval = interval;
        _time = time;
        _refresh = refresh;
    }

    /// <summary>Asks for a refresh; returns at once.</summary>
    public void Request()
    {
        lock (_gate)
        {
            if (_disposed || _pending)
            {
                return;
            }

            _pending = true;
            var due = TimeSpan.Zero;
            if (_hasRun)
            {
                var sinceLast = _time.GetElapsedTime(_lastRunTimestamp);
                due = sinceLast >= _interval ? TimeSpan.Zero : _interval - sinceLast;
            }

            _timer?.Dispose();
            _timer = _time.CreateTimer(static state => ((RefreshThrottle)state!).Fire(), this, due, Timeout.InfiniteTimeSpan);
        }
    }

    private void Fire()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _pending = false;
            _hasRun = true;
            _lastRunTimestamp = _time.GetTimestamp();
        }

        // The refresh handles its own failures (the page shows them); nothing here can observe the task.
        _ = _refresh();
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _timer?.Dispose();
            _timer = null;
        }
    }
}
