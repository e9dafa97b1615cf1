using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Observe.Instrumentation.Internal.Logging;

/// <summary>Resolved, immutable logger settings: options and environment combined once, at set-up.</summary>
internal sealed class LogSettings
{
    public LogSettings(ObserveLoggerOptions options, LambdaEnvironment environment, LineSink sink, TimeProvider timeProvider)
    {
        MinimumLevel = environment.ResolveMinimumLevel(options.MinimumLevel);
        SampleRate = environment.ResolveSampleRate(options.DebugSampleRate);
        // A copy, so later changes to the options do not apply; a HashSet rather than a FrozenSet, whose construction and
        // assembly (System.Collections.Immutable) cost the cold start more than its lookups save on these few names.
        Redacted = new HashSet<string>(options.RedactedProperties, StringComparer.OrdinalIgnoreCase);
        IncludeScopes = options.IncludeScopes;
        FunctionName = JsonEncodedText.Encode(environment.FunctionName, JsonLogWriter.Encoder);
        FunctionVersion = JsonEncodedText.Encode(environment.FunctionVersion, JsonLogWriter.Encoder);
        Sink = sink;
        TimeProvider = timeProvider;
    }

    public LogLevel MinimumLevel { get; }

    public double SampleRate { get; }

    public IReadOnlySet<string> Redacted { get; }

    public bool IncludeScopes { get; }

    public JsonEncodedText FunctionName { get; }

    public JsonEncodedText FunctionVersion { get; }

    public LineSink Sink { get; }

    public TimeProvider TimeProvider { get; }

    public bool IsEnabled(LogLevel level)
    {
        if (level == LogLevel.None)
        {
            return false;
        }

        if (level >= MinimumLevel)
        {
            return true;
        }

        return level >= LogLevel.Debug && SampleRate > 0 && InvocationState.Current is { } state && state.SamplingRoll < SampleRate;
    }
}
