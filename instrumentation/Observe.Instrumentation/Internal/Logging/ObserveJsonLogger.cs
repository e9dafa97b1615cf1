using Microsoft.Extensions.Logging;

namespace Observe.Instrumentation.Internal.Logging;

/// <summary>Writes one JSON object per log call to standard output, stamped with the current invocation and span.</summary>
internal sealed class ObserveJsonLogger : ILogger
{
    private readonly ObserveJsonLoggerProvider _provider;

    public ObserveJsonLogger(string category, ObserveJsonLoggerProvider provider)
    {
        Category = category;
        _provider = provider;
    }

    public string Category { get; }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => _provider.ScopeProvider?.Push(state);

    public bool IsEnabled(LogLevel logLevel) => _provider.Settings.IsEnabled(logLevel);

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel))
        {
            return;
        }

        try
        {
            // Only what needs TState is done here: this method is JIT-compiled once per state type (for a struct state,
            // as LoggerMessage's are), so the writing itself is in non-generic code compiled once, keeping first calls cheap.
            var properties = state as IReadOnlyList<KeyValuePair<string, object?>>;
            var template = JsonLogWriter.TemplateOf(_provider, properties);
            JsonLogWriter.Write(_provider, Category, logLevel, eventId, properties, template, template is null ? formatter(state, exception) : null, exception);
        }
        catch (Exception ex)
        {
            // A log call must never fail the function (a value's ToString may throw, stdout may be closed).
            InstrumentationEventSource.Log.LogWriteFailed(ex);
        }
    }
}
