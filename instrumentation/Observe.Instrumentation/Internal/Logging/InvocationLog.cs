using Microsoft.Extensions.Logging;

namespace Observe.Instrumentation.Internal.Logging;

/// <summary>
/// The package's own log lines. In their own class because the generated callbacks are static fields whose templates
/// are parsed when the class is first used: on the first error, not on the way to the first invocation.
/// </summary>
internal static partial class InvocationLog
{
    [LoggerMessage(1, LogLevel.Error, "Invocation {RequestId} failed", EventName = "InvocationFailed")]
    public static partial void Failed(ILogger logger, string requestId, Exception exception);

    [LoggerMessage(2, LogLevel.Error, "Invocation {RequestId} reached its deadline", EventName = "InvocationTimedOut")]
    public static partial void TimedOut(ILogger logger, string requestId);
}
