using Microsoft.Extensions.Logging;

namespace Observe.Instrumentation;

/// <summary>Settings of the JSON log lines written to standard output.</summary>
public sealed class ObserveLoggerOptions
{
    /// <summary>
    /// Lowest level written. <c>AWS_LAMBDA_LOG_LEVEL</c> (Lambda's advanced logging controls) wins over this value, and
    /// this value wins over the <c>OBSERVE_LOG_LEVEL</c> variable; Information when none is set.
    /// </summary>
    public LogLevel? MinimumLevel { get; set; }

    /// <summary>
    /// Fraction of invocations (0 to 1) that log at Debug level whatever the minimum level, to see details of a sample
    /// of production traffic. Overrides the <c>OBSERVE_LOG_SAMPLE_RATE</c> variable; 0 when neither is set. Values
    /// outside 0 to 1 are reported through the self-diagnostics event source and ignored.
    /// </summary>
    public double? DebugSampleRate { get; set; }

    /// <summary>
    /// Property names (template, scope or <c>correlationId</c>, case-insensitive) whose values are written as
    /// <c>"***"</c>, in the JSON properties and in the rendered message.
    /// </summary>
    public ISet<string> RedactedProperties { get; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Whether properties of <c>ILogger.BeginScope</c> scopes are written on each line; true by default.</summary>
    public bool IncludeScopes { get; set; } = true;
}
