using Microsoft.Extensions.Logging.Abstractions;
using Observe.Store.Internal;
using Observe.Store.Tests.Harness;

namespace Observe.Store.Tests;

public sealed class ChangeNotifierTests
{
    [Fact]
    public async Task Raise_BurstOfChanges_DeliveredAsOneCallbackWithEveryKind()
    {
        await using var notifier = new ChangeNotifier(TimeSpan.FromMilliseconds(200), NullLogger.Instance);
        var changes = new ChangeRecorder();
        using var subscription = notifier.Subscribe(changes.Add);

        notifier.Raise(StoreChangeKind.Metrics);
        notifier.Raise(StoreChangeKind.Errors);
        notifier.Raise(StoreChangeKind.Metrics);
        await changes.WaitForAsync(StoreChangeKind.Metrics, CancellationToken.None);

        Assert.Equal([StoreChangeKind.Metrics | StoreChangeKind.Errors], changes.Seen);
    }

    [Fact]
    public async Task Raise_SubscriberThrows_OthersStillCalledAndDisposedOnesNot()
    {
        await using var notifier = new ChangeNotifier(TimeSpan.FromMilliseconds(10), NullLogger.Instance);
        var changes = new ChangeRecorder();
        var removed = new ChangeRecorder();
        using var failing = notifier.Subscribe(_ => throw new InvalidOperationException("page is gone"));
        using var working = notifier.Subscribe(changes.Add);
        notifier.Subscribe(removed.Add).Dispose();

        notifier.Raise(StoreChangeKind.Traces);
        await changes.WaitForAsync(StoreChangeKind.Traces, CancellationToken.None);
        notifier.Raise(StoreChangeKind.Alarms);
        await changes.WaitForAsync(StoreChangeKind.Alarms, CancellationToken.None);

        Assert.Empty(removed.Seen);
    }
}
