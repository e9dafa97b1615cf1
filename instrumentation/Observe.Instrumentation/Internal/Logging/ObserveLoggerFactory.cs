using Microsoft.Extensions.Logging;

namespace Observe.Instrumentation.Internal.Logging;

/// <summary>
/// The logger factory of <see cref="ObserveLambda"/>: its providers (and any added later) share one scope provider,
/// and each does its own level filtering. Microsoft's <c>LoggerFactory</c> adds configurable filter rules the package
/// does not use, and JIT-compiling it was a measurable part of a cold start. A provider that throws is reported through
/// the event source; the exception never reaches the function.
/// </summary>
internal sealed class ObserveLoggerFactory : ILoggerFactory
{
    private readonly LoggerExternalScopeProvider _scopes = new();
    private readonly Dictionary<string, CompositeLogger> _loggers = new(StringComparer.Ordinal);
    private readonly List<ILoggerProvider> _added = [];
    private readonly object _gate = new();
    private ILoggerProvider[] _providers;
    private bool _disposed;

    public ObserveLoggerFactory(params ILoggerProvider[] providers)
    {
        foreach (var provider in providers)
        {
            (provider as ISupportExternalScope)?.SetScopeProvider(_scopes);
        }

        _providers = providers;
    }

    public ILogger CreateLogger(string categoryName)
    {
        ArgumentNullException.ThrowIfNull(categoryName);
        lock (_gate)
        {
            if (!_loggers.TryGetValue(categoryName, out var logger))
            {
                var entries = new Entry[_providers.Length];
                for (var i = 0; i < entries.Length; i++)
                {
                    entries[i] = Entry.For(_providers[i], categoryName);
                }

                logger = new CompositeLogger(_scopes, entries);
                _loggers.Add(categoryName, logger);
            }

            return logger;
        }
    }

    public void AddProvider(ILoggerProvider provider)
    {
        ArgumentNullException.ThrowIfNull(provider);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            (provider as ISupportExternalScope)?.SetScopeProvider(_scopes);
            _providers = [.. _providers, provider];
            _added.Add(provider);
            foreach (var (category, logger) in _loggers)
            {
                logger.Add(Entry.For(provider, category));
            }
        }
    }

    /// <summary>Disposes the providers added with <see cref="AddProvider"/>; the ones given at construction belong to their creator.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        foreach (var provider in _added)
        {
            provider.Dispose();
        }
    }

    /// <summary>One provider's logger for a category, and whether it takes its scopes from the shared provider.</summary>
    private readonly record struct Entry(ILogger Logger, bool ExternalScopes)
    {
        public static Entry For(ILoggerProvider provider, string category) => new(provider.CreateLogger(category), provider is ISupportExternalScope);
    }

    private sealed class CompositeLogger(IExternalScopeProvider scopes, Entry[] entries) : ILogger
    {
        private volatile Entry[] _entries = entries;

        public void Add(Entry entry) => _entries = [.. _entries, entry];

        public bool IsEnabled(LogLevel logLevel)
        {
            foreach (var entry in _entries)
            {
                if (entry.Logger.IsEnabled(logLevel))
                {
                    return true;
                }
            }

            return false;
        }

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            foreach (var entry in _entries)
            {
                try
                {
                    entry.Logger.Log(logLevel, eventId, state, exception, formatter);
                }
                catch (Exception ex)
                {
                    InstrumentationEventSource.Log.LogWriteFailed(ex);
                }
            }
        }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull
        {
            var scope = scopes.Push(state);
            List<IDisposable>? own = null;
            foreach (var entry in _entries)
            {
                if (!entry.ExternalScopes && entry.Logger.BeginScope(state) is { } providerScope)
                {
                    own ??= [scope];
                    own.Add(providerScope);
                }
            }

            return own is null ? scope : new Scopes(own);
        }
    }

    private sealed class Scopes(List<IDisposable> scopes) : IDisposable
    {
        public void Dispose()
        {
            for (var i = scopes.Count - 1; i >= 0; i--)
            {
                scopes[i].Dispose();
            }
        }
    }
}
