namespace Observe.Store.Model;

/// <summary>What Lambda's REPORT line (or JSON <c>platform.report</c>) says about one invocation.</summary>
public sealed record InvocationReport
{
    public required FunctionKey Function { get; init; }
    public required string RequestId { get; init; }
    public required DateTimeOffset Timestamp { get; init; }
    public double DurationMs { get; init; }
    public double BilledDurationMs { get; init; }
    public int MemorySizeMb { get; init; }
    public int MaxMemoryUsedMb { get; init; }

    /// <summary>Present on a cold start only.</summary>
    public double? InitDurationMs { get; init; }

    /// <summary>Present on a SnapStart restore only (a restore is reported separately from a cold start).</summary>
    public double? RestoreDurationMs { get; init; }

    /// <summary><c>success</c>, <c>error</c> or <c>timeout</c>.</summary>
    public string Status { get; init; } = "success";

    /// <summary>X-Ray trace id when the invocation was traced.</summary>
    public string? TraceId { get; init; }

    public bool IsColdStart => InitDurationMs is not null;
}

/// <summary>
/// Errors that share a fingerprint (exception type + normalised message + top frames). Counts add up over passes
/// (a replayed pass is not counted again); the message and sample are the most recent occurrence's.
/// </summary>
public sealed record ErrorGroup
{
    public required FunctionKey Function { get; init; }
    public required string Fingerprint { get; init; }
    public required string ErrorType { get; init; }
    public required string Message { get; init; }
    public required DateTimeOffset FirstSeen { get; init; }
    public required DateTimeOffset LastSeen { get; init; }
    public long Count { get; init; }
    public string? SampleStackTrace { get; init; }
    public string? SampleRequestId { get; init; }
    public string? SampleTraceId { get; init; }
}

/// <summary>
/// New occurrences of an error group, as the logs collector found them in one pass. <see cref="FirstSeen"/> and
/// <see cref="LastSeen"/> (the pass's first and last occurrence) identify the pass: writing it again replaces it.
/// </summary>
public sealed record ErrorOccurrences(
    FunctionKey Function,
    string Fingerprint,
    string ErrorType,
    string Message,
    DateTimeOffset FirstSeen,
    DateTimeOffset LastSeen,
    long Count,
    string? SampleStackTrace,
    string? SampleRequestId,
    string? SampleTraceId);
