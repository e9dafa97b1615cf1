namespace Observe.Collectors.Aws;

/// <summary>What AWS bills a call for, and so what <see cref="Observe.Store.Model.ApiUsage.BilledUnits"/> counts.</summary>
public enum BilledAs
{
    /// <summary>No per-call charge (Lambda List*/Get*, FilterLogEvents, STS): rate-limited only.</summary>
    NotBilled,

    /// <summary>GetMetricData: metrics requested.</summary>
    CloudWatchMetrics,

    /// <summary>Every other CloudWatch API: requests (one per page).</summary>
    CloudWatchRequests,

    /// <summary>Logs Insights (StartQuery): bytes scanned, as GetQueryResults reports them when the query ends.</summary>
    InsightsBytesScanned,

    /// <summary>Live Tail (StartLiveTail): session seconds, from the session's start to its end.</summary>
    LiveTailSessionSeconds,

    /// <summary>X-Ray GetTraceSummaries: traces scanned (<c>TracesProcessedCount</c> of each page).</summary>
    XRayTracesScanned,

    /// <summary>X-Ray BatchGetTraces: traces retrieved.</summary>
    XRayTracesRetrieved,
}

/// <summary>
/// Which unit each API is billed in, and its price per unit from <see cref="AwsPriceOptions"/>. One table for the meter
/// (which prices what it counted) and the Collectors page (which splits the estimate by what is billed).
/// </summary>
public static class AwsBilling
{
    private const decimal BytesPerGb = 1024m * 1024m * 1024m;

    /// <summary>Every billed kind, in the order the Collectors page lists them.</summary>
    public static IReadOnlyList<BilledAs> Billed { get; } =
    [
        BilledAs.CloudWatchMetrics, BilledAs.CloudWatchRequests, BilledAs.InsightsBytesScanned,
        BilledAs.LiveTailSessionSeconds, BilledAs.XRayTracesScanned, BilledAs.XRayTracesRetrieved,
    ];

    /// <summary>What a call to <paramref name="operation"/> of <paramref name="service"/> (an <see cref="AwsService"/> name) is billed for.</summary>
    public static BilledAs For(string service, string operation) => (service, operation) switch
    {
        ("CloudWatch", "GetMetricData") => BilledAs.CloudWatchMetrics,
        ("CloudWatch", _) => BilledAs.CloudWatchRequests,
        ("Logs", "StartQuery") => BilledAs.InsightsBytesScanned,
        ("Logs", "StartLiveTail") => BilledAs.LiveTailSessionSeconds,
        ("XRay", "GetTraceSummaries") => BilledAs.XRayTracesScanned,
        ("XRay", "BatchGetTraces") => BilledAs.XRayTracesRetrieved,
        _ => BilledAs.NotBilled,
    };

    /// <summary>
    /// US dollars for <paramref name="units"/> (metrics, requests, bytes, seconds or traces), as the units times the
    /// price per block divided by the block: dividing the price first would leave decimal rounding in every estimate.
    /// </summary>
    public static decimal Cost(BilledAs billed, long units, AwsPriceOptions prices)
    {
        ArgumentNullException.ThrowIfNull(prices);
        var (price, block) = billed switch
        {
            BilledAs.CloudWatchMetrics => (prices.GetMetricDataPer1000Metrics, 1000m),
            BilledAs.CloudWatchRequests => (prices.CloudWatchRequestsPer1000, 1000m),
            BilledAs.InsightsBytesScanned => (prices.InsightsPerGbScanned, BytesPerGb),
            BilledAs.LiveTailSessionSeconds => (prices.LiveTailPerSessionMinute, 60m),
            BilledAs.XRayTracesScanned => (prices.XRayPerMillionTracesScanned, 1_000_000m),
            BilledAs.XRayTracesRetrieved => (prices.XRayPerMillionTracesRetrieved, 1_000_000m),
            _ => (0m, 1m),
        };
        return units * price / block;
    }

    /// <summary>What is billed, in words, for the Collectors page.</summary>
    public static string Describe(BilledAs billed) => billed switch
    {
        BilledAs.CloudWatchMetrics => "CloudWatch metrics requested (GetMetricData)",
        BilledAs.CloudWatchRequests => "CloudWatch API requests (ListMetrics, DescribeAlarms, DescribeAlarmHistory)",
        BilledAs.InsightsBytesScanned => "Logs Insights data scanned",
        BilledAs.LiveTailSessionSeconds => "Live Tail session time",
        BilledAs.XRayTracesScanned => "X-Ray traces scanned (GetTraceSummaries)",
        BilledAs.XRayTracesRetrieved => "X-Ray traces retrieved (BatchGetTraces)",
        _ => "not billed per call",
    };

    /// <summary>The price as AWS states it, for the Collectors page: "$0.01 per 1,000 metrics".</summary>
    public static string PriceText(BilledAs billed, AwsPriceOptions prices)
    {
        ArgumentNullException.ThrowIfNull(prices);
        var c = System.Globalization.CultureInfo.InvariantCulture;
        return billed switch
        {
            BilledAs.CloudWatchMetrics => $"${prices.GetMetricDataPer1000Metrics.ToString(c)} per 1,000 metrics",
            BilledAs.CloudWatchRequests => $"${prices.CloudWatchRequestsPer1000.ToString(c)} per 1,000 requests",
            BilledAs.InsightsBytesScanned => $"${prices.InsightsPerGbScanned.ToString(c)} per GB scanned",
            BilledAs.LiveTailSessionSeconds => $"${prices.LiveTailPerSessionMinute.ToString(c)} per session minute",
            BilledAs.XRayTracesScanned => $"${prices.XRayPerMillionTracesScanned.ToString(c)} per 1M traces scanned",
            BilledAs.XRayTracesRetrieved => $"${prices.XRayPerMillionTracesRetrieved.ToString(c)} per 1M traces retrieved",
            _ => "no charge",
        };
    }
}
