using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Observe.Instrumentation.Internal.Logging;

/// <summary>Creates the JSON loggers; owns the template cache and the scope provider they share.</summary>
[ProviderAlias("ObserveJson")]
internal sealed class ObserveJsonLoggerProvider : ILoggerProvider, ISupportExternalScope
{
    // Templates are a fixed set in a program; the bound only protects against code that logs interpolated strings.
    private const int MaxCachedTemplates = 2048;

    private readonly ConcurrentDictionary<string, ObserveJsonLogger> _loggers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, MessageTemplate> _templates = new(StringComparer.Ordinal);

    public ObserveJsonLoggerProvider(LogSettings settings) => Settings = settings;

    public LogSettings Settings { get; }

    public IExternalScopeProvider? ScopeProvider { get; private set; }

    public ILogger CreateLogger(string categoryName) => _loggers.GetOrAdd(categoryName, static (name, provider) => new ObserveJsonLogger(name, provider), this);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => ScopeProvider = scopeProvider;

    public MessageTemplate? GetTemplate(string format)
    {
        if (_templates.TryGetValue(format, out var template))
        {
            return template;
        }

        if (_templates.Count >= MaxCachedTemplates)
        {
            return null;
        }

        return _templates.GetOrAdd(format, MessageTemplate.Parse);
    }

    public void Dispose()
    {
        // Lines are written synchronously; there is nothing buffered to flush.
    }
}
