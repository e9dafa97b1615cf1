using Observe.Store;
using Observe.Store.Model;

namespace Observe.Dashboard.Model;

/// <summary>
/// Keeps one function watched while a page shows it: records a watch in the store that expires after
/// <see cref="Lifetime"/> and renews it every <see cref="Renewal"/>, so a collector in this process or in a worker reads
/// the function every minute. Disposing stops the renewals and the watch lapses on its own: a closed tab or a dropped
/// circuit needs no clean-up that could be missed. A failed write is logged and reported in <see cref="Problem"/>;
/// the next renewal tries again.
/// </summary>
public sealed partial class FunctionWatch(IFunctionWatchStore store, TimeProvider time, ILogger<FunctionWatch> logger) : IDisposable
{
    /// <summary>How long one recorded watch lasts: three renewals, so one failed write does not let it lapse.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(3);

    /// <summary>How often the watch is renewed: as often as the collectors' fastest pass reads watches.</summary>
    public static readonly TimeSpan Renewal = TimeSpan.FromMinutes(1);

    private readonly CancellationTokenSource _stopped = new();
    private ITimer? _timer;
    private FunctionKey _function;

    /// <summary>Raised (on a timer or store thread) after each attempt to record the watch.</summary>
    public event Action? Changed;

    /// <summary>Until when the last recorded watch lasts; null before one was recorded.</summary>
    public DateTimeOffset? WatchedUntil { get; private set; }

    /// <summary>Why the last attempt failed, for a quiet note on the page; null when it worked.</summary>
    public string? Problem { get; private set; }

    /// <summary>Records the watch now and renews it every <see cref="Renewal"/> until disposed. Called once.</summary>
    public void Start(FunctionKey function)
    {
        if (_timer is not null)
        {
            throw new InvalidOperationException("the watch is already started");
        }

        _function = function;
        _timer = time.CreateTimer(static state => _ = ((FunctionWatch)state!).RecordAsync(), this, TimeSpan.Zero, Renewal);
    }

    private async Task RecordAsync()
    {
        // Writes a minute apart do not overlap unless the store hangs; one that does is harmless (the later expiry is kept).
        try
        {
            var until = time.GetUtcNow() + Lifetime;
            await store.WatchFunctionAsync(_function, until, _stopped.Token);
            WatchedUntil = until;
            Problem = null;
        }
        catch (OperationCanceledException) when (_stopped.IsCancellationRequested)
        {
            return;
        }
        catch (Exception ex)
        {
            LogWatchFailed(logger, ex, _function.ToString());
            Problem = "This page could not record that it is watching the function, so its metrics may refresh only at the " +
                      "usual pace; it tries again every minute (the dashboard's log has the cause).";
        }

        Changed?.Invoke();
    }

    public void Dispose()
    {
        _timer?.Dispose();
        // Cancelled, not disposed: a write in flight still reads its token. It holds no timer, so nothing leaks.
        _stopped.Cancel();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not record the watch of {Function} in the store; its metrics are read at the usual pace until a renewal works")]
    private static partial void LogWatchFailed(ILogger logger, Exception exception, string function);
}
