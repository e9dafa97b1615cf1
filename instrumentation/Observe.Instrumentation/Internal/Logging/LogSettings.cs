using System.Collections.Frozen;
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
        Redacted = options.RedactedProperties.ToFrozenSet(StringComparer.OrdinalIgnoreCase);
        IncludeScopes = options.IncludeScopes;
        FunctionName = JsonEncodedText.Encode(environment.FunctionName, JsonLogWriter.Encoder);
        FunctionVersion = JsonEncodedText.Encode(environment.FunctionVersion, JsonLogWriter.Encoder);
        Sink = sink;
        TimeProvider = timeProvider;
    }

    public LogLevel MinimumLevel { get; }

    public double SampleRate { get; }

    public FrozenSet<string> Redacted { get; }

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
