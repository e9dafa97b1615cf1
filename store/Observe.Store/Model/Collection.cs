namespace Observe.Store.Model;

/// <summary>
/// How one collector fares on one account and region, as the collectors host last recorded it. One row per
/// (collector, account, region), replaced on every pass, so the dashboard shows a failing target next to healthy ones.
/// </summary>
public sealed record CollectorStatus
{
    /// <summary>The collector's name: <c>inventory</c>, <c>metrics</c>, <c>logs</c>, <c>traces</c>, <c>alarms</c>.</summary>
    public required string Collector { get; init; }

    public required string AccountId { get; init; }
    public required string Region { get; init; }

    /// <summary>When the latest pass started; null before the first one.</summary>
    public DateTimeOffset? LastStart { get; init; }

    /// <summary>When the latest successful pass ended; null while none has succeeded.</summary>
    public DateTimeOffset? LastSuccess { get; init; }

    /// <summary>How long the latest finished pass took, successful or not.</summary>
    public TimeSpan? LastDuration { get; init; }

    /// <summary>Passes that failed in a row since the last success; 0 when the latest pass succeeded.</summary>
    public int ConsecutiveFailures { get; init; }

    /// <summary>Why the latest failed pass failed, in words naming the account; kept after a success for reference.</summary>
    public string? LastError { get; init; }

    /// <summary>When the latest failed pass ended.</summary>
    public DateTimeOffset? LastFailure { get; init; }

    /// <summary>
    /// Why the latest pass, which ran to its end, is degraded: a sub-step that failed or rows it read and could not
    /// store, in words naming the account; null when the latest pass was clean or failed.
    /// </summary>
    public string? LastWarning { get; init; }

    /// <summary>Degraded passes in a row; 0 when the latest pass was clean or failed.</summary>
    public int ConsecutiveDegraded { get; init; }

    /// <summary>What the latest pass read and could not store, by reason (including lines that are malformed at the source).</summary>
    public SkipCounts LastSkipped { get; init; } = SkipCounts.None;

    /// <summary>What every pass recorded in this row skipped, by reason.</summary>
    public SkipCounts TotalSkipped { get; init; } = SkipCounts.None;

    /// <summary>The process that ran the pass (the dashboard or a worker), as <c>host/pid/random</c>.</summary>
    public string Instance { get; init; } = "";

    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>
    /// The pass timeout the collecting process ran with (<c>Observe:Collectors:PassTimeout</c> in its configuration):
    /// a pass started longer ago than this, with no end, was interrupted. Null when unknown (a row written before the
    /// store recorded it).
    /// </summary>
    public TimeSpan? PassTimeout { get; init; }

    /// <summary>The account's display name in the collecting process's configuration; null when it has none or is unknown.</summary>
    public string? AccountName { get; init; }

    /// <summary>Running and failing: the latest pass failed.</summary>
    public bool IsFailing => ConsecutiveFailures > 0;

    /// <summary>The latest pass ran to its end but could not do all of its work (<see cref="LastWarning"/> says what).</summary>
    public bool IsDegraded => !IsFailing && LastWarning is not null;
}

/// <summary>
/// What the collectors asked of one AWS API in one account and region on one UTC day. Each process writes its own
/// running totals (absolute values, so a rewrite changes nothing); reads sum over processes.
/// </summary>
/// <param name="Day">The UTC day.</param>
/// <param name="AccountId">The 12-digit account id.</param>
/// <param name="Region">The region called.</param>
/// <param name="Service">Lambda, CloudWatch, Logs, XRay or Sts.</param>
/// <param name="Operation">The API, for example GetMetricData.</param>
/// <param name="Calls">Calls made (one per request, however many attempts it took).</param>
/// <param name="Attempts">HTTP requests sent, retries included.</param>
/// <param name="ThrottledAttempts">Attempts AWS answered with throttling.</param>
/// <param name="FailedCalls">Calls that ended in an error after their retries.</param>
/// <param name="BilledUnits">
/// What AWS bills the operation for, in its own unit: metrics requested (GetMetricData), requests (other CloudWatch
/// APIs), bytes scanned (Logs Insights StartQuery), session seconds (Live Tail), traces scanned (X-Ray
/// GetTraceSummaries) or retrieved (BatchGetTraces); 0 for APIs with no per-call charge. Stored in the
/// <c>metrics</c> column, which held GetMetricData's metrics alone before other APIs were priced.
/// </param>
/// <param name="EstimatedCostUsd">The writer's estimate of what the billed units cost, in US dollars, at its configured prices.</param>
/// <param name="UnpricedCalls">
/// Billed calls whose quantity AWS did not report (an Insights query abandoned before it ended, an X-Ray page without
/// TracesProcessedCount): the estimate leaves them out, and says how many there are, rather than counting them as free.
/// </param>
public sealed record ApiUsage(
    DateOnly Day,
    string AccountId,
    string Region,
    string Service,
    string Operation,
    long Calls,
    long Attempts,
    long ThrottledAttempts,
    long FailedCalls,
    long BilledUnits,
    decimal EstimatedCostUsd,
    long UnpricedCalls = 0);
