namespace Observe.Instrumentation;

/// <summary>
/// The facts about one invocation the instrumentation needs. The package cannot reference Amazon.Lambda.Core, so a
/// managed-runtime handler builds this from its <c>ILambdaContext</c> in one line (see the package README); the
/// Runtime API host builds it from the Runtime API's headers.
/// </summary>
public sealed class LambdaInvocationContext
{
    /// <summary>Creates the context of one invocation.</summary>
    /// <param name="requestId">Lambda's request id (<c>ILambdaContext.AwsRequestId</c>); logged on every line as <c>requestId</c>.</param>
    /// <param name="invokedFunctionArn">The ARN the caller invoked, possibly with a version or alias; gives the account id and region on the span. May be null outside Lambda.</param>
    /// <param name="deadline">When Lambda stops the invocation. Telemetry flushes never run past it minus the safety margin.</param>
    /// <param name="traceHeader">The invocation's <c>X-Amzn-Trace-Id</c> value; when null the <c>_X_AMZN_TRACE_ID</c> variable is read, as the managed runtime sets it per invocation.</param>
    public LambdaInvocationContext(string requestId, string? invokedFunctionArn, DateTimeOffset deadline, string? traceHeader = null)
    {
        RequestId = requestId ?? string.Empty;
        InvokedFunctionArn = invokedFunctionArn;
        Deadline = deadline;
        TraceHeader = traceHeader;
    }

    /// <summary>Lambda's request id of the invocation.</summary>
    public string RequestId { get; }

    /// <summary>The ARN the function was invoked with, or null when unknown.</summary>
    public string? InvokedFunctionArn { get; }

    /// <summary>The moment Lambda ends the invocation.</summary>
    public DateTimeOffset Deadline { get; }

    /// <summary>The X-Ray trace header Lambda passed with the invocation, or null to read <c>_X_AMZN_TRACE_ID</c>.</summary>
    public string? TraceHeader { get; }

    /// <summary>
    /// Builds a context from a remaining time, as <c>ILambdaContext.RemainingTime</c> gives it: the deadline is now plus
    /// <paramref name="remainingTime"/>.
    /// </summary>
    /// <param name="requestId">Lambda's request id.</param>
    /// <param name="invokedFunctionArn">The invoked function ARN, or null.</param>
    /// <param name="remainingTime">Time left before Lambda ends the invocation.</param>
    /// <param name="traceHeader">The X-Ray trace header, or null to read <c>_X_AMZN_TRACE_ID</c>.</param>
    /// <param name="timeProvider">The clock; the system clock when null.</param>
    /// <returns>The invocation's context.</returns>
    public static LambdaInvocationContext FromRemainingTime(string requestId, string? invokedFunctionArn, TimeSpan remainingTime, string? traceHeader = null, TimeProvider? timeProvider = null) =>
        new(requestId, invokedFunctionArn, (timeProvider ?? TimeProvider.System).GetUtcNow() + remainingTime, traceHeader);
}
