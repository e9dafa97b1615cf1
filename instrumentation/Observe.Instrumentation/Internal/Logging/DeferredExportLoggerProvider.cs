using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Observe.Instrumentation.Internal.Logging;

/// <summary>
/// Stands in the logger factory for the OpenTelemetry logger provider while the SDK is built in the background: log
/// calls made before it is ready are kept (bounded) with their time and span, and replayed into it once it is attached;
/// after that every call is forwarded. Scopes of the kept calls are not replayed (their JSON lines carry them).
/// </summary>
internal sealed class DeferredExportLoggerProvider(LogSettings settings) : ILoggerProvider, ISupportExternalScope
{
    /// <summary>Log calls kept at most before the SDK is ready; later ones are dropped and reported.</summary>
    public const int MaxPending = 256;

    // The time of the record being replayed on this thread, applied by ReplayTimestampProcessor.
    [ThreadStatic]
    private static DateTime? replayTimestamp;

    private readonly ConcurrentDictionary<string, DeferredLogger> _loggers = new(StringComparer.Ordinal);
    private readonly Queue<PendingLog> _pending = new();
    private readonly object _gate = new();
    private IExternalScopeProvider? _scopeProvider;
    private volatile ILoggerProvider? _target;
    private int _dropped;

    private LogSettings Settings => settings;

    /// <summary>The original time of the record being replayed on the calling thread, or null.</summary>
    public static DateTime? ReplayTimestamp => replayTimestamp;

    public ILogger CreateLogger(string categoryName) => _loggers.GetOrAdd(categoryName, static (name, provider) => new DeferredLogger(name, provider), this);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopeProvider = scopeProvider;

    /// <summary>Replays the kept calls into <paramref name="target"/> (with their span current), then forwards every call to it.</summary>
    public void Attach(ILoggerProvider target)
    {
        if (target is ISupportExternalScope scoped && _scopeProvider is { } scopes)
        {
            scoped.SetScopeProvider(scopes);
        }

        lock (_gate)
        {
            var previous = Activity.Current;
            try
            {
                while (_pending.TryDequeue(out var log))
                {
                    Activity.Current = log.Activity is { IsStopped: false } activity ? activity : null;
                    replayTimestamp = log.Timestamp;
                    var message = log.FormatMessage();
                    target.CreateLogger(log.Category).Log(log.Level, log.EventId, log.State, log.Exception, (_, _) => message);
                }
            }
            finally
            {
                replayTimestamp = null;
                Activity.Current = previous;
            }

            _target = target;
        }

        if (_dropped > 0)
        {
            InstrumentationEventSource.Log.TelemetryDropped("log records", _dropped);
        }
    }

    public void Dispose()
    {
        // The target is owned by the service provider that built it.
    }

    /// <summary>
    /// Keeps a log call made before the SDK is ready (or counts it as dropped), and returns true; returns false once the
    /// SDK is attached, and the caller forwards the call itself.
    /// </summary>
    private bool TryKeep(DeferredLogger logger, LogLevel level, EventId eventId, object? state, Exception? exception, Func<string> message)
    {
        lock (_gate)
        {
            if (_target is not null)
            {
                return false;
            }

            if (_pending.Count < MaxPending)
            {
                _pending.Enqueue(new PendingLog(logger.Category, level, eventId, state, exception, message, DateTime.UtcNow, Activity.Current));
            }
            else
            {
                _dropped++;
            }

            return true;
        }
    }

    /// <summary>
    /// A kept call. Its message is formatted when it is replayed, on the set-up thread after the first response, not on
    /// the function's path: formatting JIT-compiles Microsoft.Extensions.Logging's formatter (IL only in its package)
    /// on the first invocation. The values are the ones captured at the call, as the SDK's batch export reads them later too.
    /// </summary>
    private sealed record PendingLog(string Category, LogLevel Level, EventId EventId, object? State, Exception? Exception, Func<string> Message, DateTime Timestamp, Activity? Activity)
    {
        public string FormatMessage()
        {
            try
            {
                return Message();
            }
            catch (Exception ex)
            {
                // A value's ToString that throws fails this record's message only, as it would have failed the call.
                InstrumentationEventSource.Log.LogWriteFailed(ex);
                return string.Empty;
            }
        }
    }

    private sealed class DeferredLogger(string category, DeferredExportLoggerProvider provider) : ILogger
    {
        private ILogger? _target;

        public string Category { get; } = category;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => provider._scopeProvider?.Push(state);

        public bool IsEnabled(LogLevel logLevel) => provider.Settings.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            // Generic over the state type, so JIT-compiled once per type: keeping a call is left to non-generic code.
            if (provider._target is null && provider.TryKeep(this, logLevel, eventId, state, exception, FormatLater(state, exception, formatter)))
            {
                return;
            }

            Target(provider._target!).Log(logLevel, eventId, state, exception, formatter);
        }

        // A helper, so the closure is allocated only for a kept call, not on every forwarded one.
        private static Func<string> FormatLater<TState>(TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            () => formatter(state, exception);

        public ILogger Target(ILoggerProvider target) => _target ??= target.CreateLogger(Category);
    }
}
