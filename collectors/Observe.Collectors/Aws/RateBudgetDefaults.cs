namespace Observe.Collectors.Aws;

/// <summary>
/// Default rate budgets, per account and region. Figures from AWS's published quotas (shared/reference/aws-limits.md
/// where it lists them); AWS raises or lowers quotas per account, so every one can be overridden in
/// <c>Observe:Aws:RateBudgets</c>.
/// </summary>
internal static class RateBudgetDefaults
{
    /// <summary>Budget for any operation or service missing from <see cref="Budgets"/>.</summary>
    public static RateBudgetOptions Fallback { get; } = new() { PerSecond = 5 };

    public static IReadOnlyDictionary<string, RateBudgetOptions> Budgets { get; } = new Dictionary<string, RateBudgetOptions>(StringComparer.OrdinalIgnoreCase)
    {
        // Lambda's control-plane quota (15 requests/s) is shared by every control-plane operation except GetFunction
        // and GetPolicy, so the operations draw from one service-wide bucket.
        ["Lambda"] = new() { PerSecond = 15 },

        // aws-limits.md: GetMetricData 50 calls/s per Region; DescribeAlarms 9 calls/s (archived).
        ["GetMetricData"] = new() { PerSecond = 50 },
        ["DescribeAlarms"] = new() { PerSecond = 9 },

        // Archived CloudWatch quotas page: DescribeAlarmHistory 3 calls/s, not adjustable.
        ["DescribeAlarmHistory"] = new() { PerSecond = 3 },
        ["ListMetrics"] = new() { PerSecond = 25 },

        // aws-limits.md: FilterLogEvents 5 calls/s per account per Region (archived). The Insights calls have the same
        // published rate; concurrency of queries (30) is the collector's concern, not a rate.
        ["FilterLogEvents"] = new() { PerSecond = 5 },
        ["StartQuery"] = new() { PerSecond = 5 },
        ["GetQueryResults"] = new() { PerSecond = 5 },
        ["DescribeLogGroups"] = new() { PerSecond = 10 },

        ["GetTraceSummaries"] = new() { PerSecond = 5 },
        ["BatchGetTraces"] = new() { PerSecond = 5 },
        ["GetServiceGraph"] = new() { PerSecond = 5 },
    };

    /// <summary>True when <paramref name="key"/> names an operation or service a budget can be set for.</summary>
    public static bool IsKnownKey(string key) =>
        AwsService.Budgeted.Any(s => string.Equals(s.Name, key, StringComparison.OrdinalIgnoreCase)
                                || s.Operations.Contains(key, StringComparer.OrdinalIgnoreCase));
}
