namespace Observe.Collectors.Aws;

/// <summary>
/// The list prices behind the cost estimates on the Collectors page, in US dollars, bound from
/// <c>Observe:Aws:Prices</c>. Defaults are us-east-1 list prices taken on <see cref="AsOf"/> (the project's
/// reference/aws-limits.md); AWS changes them and other regions differ, so each is a setting and the page shows the date.
/// Free tiers (the first 1M CloudWatch requests and 1M X-Ray traces a month) are not subtracted: they are shared with
/// everything else in the account, which Observe cannot see, so the estimate is the list price of what Observe asked.
/// </summary>
public sealed class AwsPriceOptions
{
    /// <summary>The date these prices were read from AWS's pricing pages; shown next to every estimate.</summary>
    public DateOnly AsOf { get; set; } = DefaultAsOf;

    /// <summary>GetMetricData, per 1,000 metrics requested. Default 0.01.</summary>
    public decimal GetMetricDataPer1000Metrics { get; set; } = 0.01m;

    /// <summary>Other CloudWatch API requests (ListMetrics, DescribeAlarms, DescribeAlarmHistory...), per 1,000. Default 0.01.</summary>
    public decimal CloudWatchRequestsPer1000 { get; set; } = 0.01m;

    /// <summary>CloudWatch Logs Insights queries, per GB (2^30 bytes) scanned. Default 0.005.</summary>
    public decimal InsightsPerGbScanned { get; set; } = 0.005m;

    /// <summary>CloudWatch Logs Live Tail, per session minute. Default 0.01.</summary>
    public decimal LiveTailPerSessionMinute { get; set; } = 0.01m;

    /// <summary>X-Ray GetTraceSummaries, per 1,000,000 traces scanned. Default 0.50.</summary>
    public decimal XRayPerMillionTracesScanned { get; set; } = 0.50m;

    /// <summary>X-Ray BatchGetTraces, per 1,000,000 traces retrieved. Default 0.50.</summary>
    public decimal XRayPerMillionTracesRetrieved { get; set; } = 0.50m;

    /// <summary>The date of the default prices (reference/aws-limits.md, checked 2026-12-03).</summary>
    public static readonly DateOnly DefaultAsOf = new(2026, 12, 3);
}
