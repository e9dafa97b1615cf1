namespace Observe.Dashboard.Tests.Hosting;

/// <summary>The system clock, counting the timers created on it that are not disposed yet.</summary>
internal sealed class CountingTimeProvider : TimeProvider
{
    private int _active;

    public int Active => Volatile.Read(ref _active);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = System.CreateTimer(callback, state, dueTime, period);
        Interlocked.Increment(ref _active);
        return new Counted(this, timer);
    }

    private sealed class Counted(CountingTimeProvider owner, ITimer inner) : ITimer
    {
        private int _disposed;

        public bool Change(TimeSpan dueTime, TimeSpan period) => inner.Change(dueTime, period);

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                Interlocked.Decrement(ref owner._active);
            }

            inner.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
