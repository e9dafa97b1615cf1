using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Observe.Instrumentation.Internal;

/// <summary>
/// Every environment variable the package reads, in one place, read through a function so tests can supply their own
/// environment instead of changing the process's (tests run in parallel).
/// </summary>
internal sealed class LambdaEnvironment
{
    public const string FunctionNameVariable = "AWS_LAMBDA_FUNCTION_NAME";
    public const string FunctionVersionVariable = "AWS_LAMBDA_FUNCTION_VERSION";
    public const string MemorySizeVariable = "AWS_LAMBDA_FUNCTION_MEMORY_SIZE";
    public const string LogGroupVariable = "AWS_LAMBDA_LOG_GROUP_NAME";
    public const string LogStreamVariable = "AWS_LAMBDA_LOG_STREAM_NAME";
    public const string RegionVariable = "AWS_REGION";
    public const string InitializationTypeVariable = "AWS_LAMBDA_INITIALIZATION_TYPE";
    public const string LambdaLogLevelVariable = "AWS_LAMBDA_LOG_LEVEL";
    public const string TraceHeaderVariable = "_X_AMZN_TRACE_ID";
    public const string RuntimeApiVariable = "AWS_LAMBDA_RUNTIME_API";

    /// <summary>The package's own level, used when Lambda's advanced logging controls set none.</summary>
    public const string ObserveLogLevelVariable = "OBSERVE_LOG_LEVEL";

    /// <summary>Fraction (0 to 1) of invocations that log at Debug level.</summary>
    public const string ObserveLogSampleRateVariable = "OBSERVE_LOG_SAMPLE_RATE";

    private readonly Func<string, string?> _read;

    public LambdaEnvironment(Func<string, string?> read)
    {
        _read = read;
        FunctionName = read(FunctionNameVariable) ?? "unknown_function";
        FunctionVersion = read(FunctionVersionVariable) ?? "$LATEST";
        LogStreamName = read(LogStreamVariable);
        LogGroupName = read(LogGroupVariable);
        Region = read(RegionVariable);
        InitializationType = read(InitializationTypeVariable) ?? "on-demand";
        MemorySizeMb = int.TryParse(read(MemorySizeVariable), NumberStyles.Integer, CultureInfo.InvariantCulture, out var mb) ? mb : null;
    }

    public static LambdaEnvironment FromProcess() => new(Environment.GetEnvironmentVariable);

    public string FunctionName { get; }

    public string FunctionVersion { get; }

    public string? LogStreamName { get; }

    public string? LogGroupName { get; }

    public string? Region { get; }

    public string InitializationType { get; }

    public int? MemorySizeMb { get; }

    /// <summary>Read on each call: Lambda's managed runtime sets it per invocation.</summary>
    public string? CurrentTraceHeader => _read(TraceHeaderVariable);

    public string? Read(string name) => _read(name);

    /// <summary>Level precedence: Lambda's advanced logging controls, then code, then the package's variable, then Information.</summary>
    public LogLevel ResolveMinimumLevel(LogLevel? configured)
    {
        if (TryParseLambdaLevel(_read(LambdaLogLevelVariable), LambdaLogLevelVariable, out var lambda))
        {
            return lambda;
        }

        if (configured is { } code)
        {
            return code;
        }

        return TryParseLambdaLevel(_read(ObserveLogLevelVariable), ObserveLogLevelVariable, out var own) ? own : LogLevel.Information;
    }

    public double ResolveSampleRate(double? configured)
    {
        if (configured is { } code)
        {
            return ValidRate(code, "ObserveLoggerOptions.DebugSampleRate", code.ToString(CultureInfo.InvariantCulture));
        }

        var text = _read(ObserveLogSampleRateVariable);
        if (string.IsNullOrWhiteSpace(text))
        {
            return 0;
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var rate))
        {
            InstrumentationEventSource.Log.InvalidSetting(ObserveLogSampleRateVariable, text, "not a number");
            return 0;
        }

        return ValidRate(rate, ObserveLogSampleRateVariable, text);
    }

    private static double ValidRate(double rate, string name, string text)
    {
        if (rate is >= 0 and <= 1)
        {
            return rate;
        }

        InstrumentationEventSource.Log.InvalidSetting(name, text, "must be between 0 and 1");
        return 0;
    }

    private static bool TryParseLambdaLevel(string? text, string name, out LogLevel level)
    {
        level = LogLevel.Information;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        // Lambda's names first, then Microsoft.Extensions.Logging's, so either spelling works.
        switch (text.Trim().ToUpperInvariant())
        {
            case "TRACE": level = LogLevel.Trace; return true;
            case "DEBUG": level = LogLevel.Debug; return true;
            case "INFO" or "INFORMATION": level = LogLevel.Information; return true;
            case "WARN" or "WARNING": level = LogLevel.Warning; return true;
            case "ERROR": level = LogLevel.Error; return true;
            case "FATAL" or "CRITICAL": level = LogLevel.Critical; return true;
            case "NONE": level = LogLevel.None; return true;
            default:
                InstrumentationEventSource.Log.InvalidSetting(name, text, "expected TRACE, DEBUG, INFO, WARN, ERROR or FATAL");
                return false;
        }
    }
}
