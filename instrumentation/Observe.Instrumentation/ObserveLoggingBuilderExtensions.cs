using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Observe.Instrumentation.Internal;
using Observe.Instrumentation.Internal.Logging;

namespace Observe.Instrumentation;

/// <summary>Adds Observe's JSON log lines to a Microsoft.Extensions.Logging set-up.</summary>
public static class ObserveLoggingBuilderExtensions
{
    /// <summary>
    /// Writes every log entry as one JSON line on standard output with the invocation's request id, trace id, cold-start
    /// flag and correlation id, in Lambda's JSON log key names. The provider does its own level filtering
    /// (<see cref="ObserveLoggerOptions.MinimumLevel"/>, <c>AWS_LAMBDA_LOG_LEVEL</c>, debug sampling), so the builder's
    /// minimum level is opened for it.
    /// </summary>
    /// <param name="builder">The logging builder.</param>
    /// <param name="configure">Changes to the default settings, or null.</param>
    /// <returns>The same builder.</returns>
    public static ILoggingBuilder AddObserveJsonConsole(this ILoggingBuilder builder, Action<ObserveLoggerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new ObserveLoggerOptions();
        configure?.Invoke(options);
        var provider = new ObserveJsonLoggerProvider(new LogSettings(options, LambdaEnvironment.FromProcess(), LineSink.StandardOutput, TimeProvider.System));
        builder.Services.AddSingleton<ILoggerProvider>(provider);
        builder.AddFilter<ObserveJsonLoggerProvider>(null, LogLevel.Trace);
        return builder;
    }
}
