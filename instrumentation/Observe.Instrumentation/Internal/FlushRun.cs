using System.Diagnostics;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Observe.Instrumentation.Internal;

/// <summary>
/// One end-of-invocation flush of traces, metrics and exported logs, run on the thread pool while the invocation
/// waits for it with its own deadline. The SDK's timeouts alone do not bound the wait: a periodic metric reader exports
/// on the caller's thread and blocks for the exporter's own timeout (10 s by default) when the endpoint black-holes
/// requests. A run that outlives its invocation's wait finishes in the background; the next flush waits for it first.
/// </summary>
internal sealed class FlushRun
{
    private readonly TelemetryPipeline.Providers _providers;
    private readonly int _budgetMs;
    private readonly long _start = Stopwatch.GetTimestamp();
    private readonly ManualResetEventSlim _done = new(false);
    private volatile string _stage = "traces";

    private FlushRun(TelemetryPipeline.Providers providers, int budgetMs)
    {
        _providers = providers;
        _budgetMs = budgetMs;
    }

    /// <summary>The signal being flushed when the wait ended, or the one that failed.</summary>
    public string Stage => _stage;

    public bool IsDone => _done.IsSet;

    /// <summary>Whether every signal flushed in time; read once <see cref="Wait"/> returned true.</summary>
    public bool Succeeded { get; private set; }

    public static FlushRun Start(TelemetryPipeline.Providers providers, int budgetMs)
    {
        var run = new FlushRun(providers, budgetMs);

        // Non-generic and without a captured execution context: no instantiation to JIT-compile on the first flush.
        ThreadPool.UnsafeQueueUserWorkItem(static state => ((FlushRun)state!).Run(), run);
        return run;
    }

    public bool Wait(int milliseconds) => milliseconds > 0 && _done.Wait(milliseconds);

    private void Run()
    {
        try
        {
            if (!_providers.TracerProvider.ForceFlush(Left()))
            {
                return;
            }

            _stage = "metrics";
            if (!_providers.MeterProvider.ForceFlush(Left()))
            {
                return;
            }

            _stage = "logs";
            if (_providers.LogExport is { } logExport && !logExport.ForceFlush(Left()))
            {
                return;
            }

            Succeeded = true;
        }
        catch (Exception ex)
        {
            InstrumentationEventSource.Log.InstrumentationFailed("flush", ex);
        }
        finally
        {
            _done.Set();
        }
    }

    // At least 1 ms: a zero timeout would make the SDK return at once without having tried.
    private int Left() => Math.Max(1, _budgetMs - (int)Stopwatch.GetElapsedTime(_start).TotalMilliseconds);
}
