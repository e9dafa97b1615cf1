using Observe.Store;

namespace Observe.Dashboard.Tests.Hosting;

/// <summary>Passes subscriptions through to the real store's notifier and counts the live ones.</summary>
internal sealed class CountingStoreChanges(IStoreChanges inner) : IStoreChanges
{
    private int _active;

    public int Active => Volatile.Read(ref _active);

    public IDisposable Subscribe(Action<StoreChangeKind> onChange)
    {
        var subscription = inner.Subscribe(onChange);
        Interlocked.Increment(ref _active);
        return new Counted(this, subscription);
    }

    private sealed class Counted(CountingStoreChanges owner, IDisposable inner) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                inner.Dispose();
                Interlocked.Decrement(ref owner._active);
            }
        }
    }
}
