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
                    target.CreateLogger(log.Category).Log(log.Level, log.EventId, log.State, log.Exception, (_, _) => log.Message);
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
    private bool TryKeep(DeferredLogger logger, LogLevel level, EventId eventId, object? state, Exception? exception, string message)
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

    private sealed record PendingLog(string Category, LogLevel Level, EventId EventId, object? State, Exception? Exception, string Message, DateTime Timestamp, Activity? Activity);

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
            if (provider._target is null && provider.TryKeep(this, logLevel, eventId, state, exception, formatter(state, exception)))
            {
                return;
            }

            Target(provider._target!).Log(logLevel, eventId, state, exception, formatter);
        }

        public ILogger Target(ILoggerProvider target) => _target ??= target.CreateLogger(Category);
    }
}
