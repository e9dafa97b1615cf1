using System.Net;

namespace Observe.Collectors.LiveTail;

/// <summary>
/// Live log events for dashboard viewers. Viewers of the same account, region, log groups and filter share one
/// CloudWatch Logs Live Tail session; where Live Tail is not allowed the same stream is fed by polling FilterLogEvents.
/// </summary>
internal interface ILiveTail
{
    /// <summary>
    /// Batches of new log events until <paramref name="cancellationToken"/> is cancelled (leaving; the shared session
    /// ends with its last viewer). Reconnects at the 3-hour session limit and after a dropped stream without ending the
    /// enumeration; a batch with <see cref="LiveTailBatch.Gap"/> marks where events may be missing.
    /// </summary>
    /// <exception cref="ArgumentException">The request names no log group, more than 10, an unknown account or a bad region.</exception>
    /// <exception cref="LiveTailException">The session failed for good (access denied with polling turned off, a log group that does not exist, repeated failures).</exception>
    IAsyncEnumerable<LiveTailBatch> TailAsync(LiveTailRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// The shared session serving <paramref name="request"/> now (its source, viewers and billed time), or null when no
    /// viewer has it open. Lets a page say whether it is Live Tail or polling before any event arrives, and what it costs.
    /// </summary>
    /// <exception cref="ArgumentException">As <see cref="TailAsync"/>.</exception>
    LiveTailSessionState? Describe(LiveTailRequest request);
}

/// <summary>What a shared session is doing.</summary>
/// <param name="Source">Live Tail or polling; null while the first stream is still starting.</param>
/// <param name="Viewers">Viewers attached to it (each open page).</param>
/// <param name="LiveTailTime">
/// Time Live Tail streams of this session have been open, summed over its reconnects: what AWS bills per session
/// minute. Zero while polling (FilterLogEvents has no per-request charge).
/// </param>
internal sealed record LiveTailSessionState(LiveTailSource? Source, int Viewers, TimeSpan LiveTailTime);

/// <summary>What to tail: 1 to 10 log groups (names or ARNs) of one account and region, optionally filtered.</summary>
/// <param name="AccountId">A configured account (<c>Observe:Aws:Accounts</c>).</param>
/// <param name="Region">The log groups' region, for example <c>eu-west-1</c>.</param>
/// <param name="LogGroups">Log group names (<c>/aws/lambda/orders</c>) or ARNs.</param>
internal sealed record LiveTailRequest(string AccountId, string Region, IReadOnlyList<string> LogGroups)
{
    /// <summary>A CloudWatch Logs filter pattern (at most 1,024 characters); all events when null.</summary>
    public string? FilterPattern { get; init; }
}

/// <summary>Where a batch came from.</summary>
internal enum LiveTailSource
{
    /// <summary>A CloudWatch Logs Live Tail session (StartLiveTail).</summary>
    LiveTail,

    /// <summary>FilterLogEvents polled at <c>Observe:Collectors:LiveTail:PollInterval</c>, because Live Tail is not allowed or turned off.</summary>
    Polling,
}

/// <summary>One update for a viewer.</summary>
/// <param name="Events">New events, oldest first within the batch; empty on a marker batch.</param>
/// <param name="Sampled">
/// Not every matching event is here: AWS sampled the update down to 500 events (more than 500 a second matched), or a
/// poll hit <c>PollMaxEvents</c>.
/// </param>
/// <param name="Source">Live Tail or the polling fallback.</param>
internal sealed record LiveTailBatch(IReadOnlyList<LiveTailEvent> Events, bool Sampled, LiveTailSource Source)
{
    /// <summary>
    /// Batches this viewer lost since the one before because it read more slowly than they came (its buffer of
    /// <c>ViewerBufferBatches</c> drops the oldest). Other viewers of the session are not slowed down.
    /// </summary>
    public int DroppedBatches { get; init; }

    /// <summary>
    /// Non-null on a marker batch: why events before it may be missing (the session was restarted at its time limit or
    /// after the stream dropped, or switched to polling).
    /// </summary>
    public string? Gap { get; init; }
}

/// <summary>A log event as Live Tail or FilterLogEvents reports it.</summary>
/// <param name="LogGroup">The log group name (an ARN from AWS is reduced to the name).</param>
/// <param name="LogStream">The log stream.</param>
/// <param name="Timestamp">When the event happened.</param>
/// <param name="IngestionTime">When CloudWatch Logs received it.</param>
/// <param name="Message">The event text.</param>
internal sealed record LiveTailEvent(string LogGroup, string LogStream, DateTimeOffset Timestamp, DateTimeOffset IngestionTime, string Message);

/// <summary>
/// A Live Tail session failed: AWS refused it (with its error code), sent an exception in the stream, or the stream
/// was not a valid event stream. The message names the account, region and log groups.
/// </summary>
internal sealed class LiveTailException : Exception
{
    public LiveTailException(string message, string errorCode, HttpStatusCode? statusCode = null, Exception? innerException = null)
        : base(message, innerException)
    {
        ErrorCode = errorCode;
        StatusCode = statusCode;
    }

    /// <summary>AWS's code (<c>AccessDeniedException</c>, <c>SessionStreamingException</c>, ...) or Observe's own
    /// (<c>MalformedStream</c>, <c>NetworkError</c>, <c>IdleTimeout</c>, <c>StreamEnded</c>).</summary>
    public string ErrorCode { get; }

    /// <summary>The HTTP status when StartLiveTail itself was refused; null for failures inside the stream.</summary>
    public HttpStatusCode? StatusCode { get; }

    /// <summary>AWS will not give this caller a Live Tail session here: the case for the polling fallback.</summary>
    public bool IsNotAllowed => ErrorCode is "AccessDeniedException" or "AccessDenied" or "UnauthorizedOperation"
        or "InvalidOperationException" or "UnknownOperationException" or "LimitExceededException" || StatusCode is HttpStatusCode.NotImplemented;

    /// <summary>Worth a reconnect: the server broke the stream, a 5xx, throttling, a broken connection or a silent stream.</summary>
    public bool IsTransient => ErrorCode is "SessionStreamingException" or "NetworkError" or "IdleTimeout" or "StreamEnded" or "MalformedStream"
        or "ThrottlingException" or "ServiceUnavailableException" or "InternalFailure" || (int?)StatusCode >= 500 || StatusCode is HttpStatusCode.TooManyRequests;

    /// <summary>AWS ended the session at its 3-hour limit.</summary>
    public bool IsSessionTimeout => ErrorCode == "SessionTimeoutException";
}
