using Microsoft.Extensions.Options;

namespace Observe.Collectors.Metrics;

/// <summary>
/// How the metrics collector spends the user's GetMetricData budget ($0.01 per 1,000 metrics requested): every active
/// function at 1-minute resolution, read in one request per <see cref="ColdInterval"/>, and watched functions every
/// <see cref="WatchedInterval"/>. Bound from <c>Observe:Collectors:Metrics</c> and validated at start.
/// </summary>
public sealed class MetricsCollectorOptions
{
    public const string SectionName = "Observe:Collectors:Metrics";

    /// <summary>
    /// Cadence of functions someone looks at or an enabled alert rule covers, and of the collector's passes. Whole
    /// minutes, 1 to 15. Default 1 min.
    /// </summary>
    public TimeSpan WatchedInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Longest time an active function goes without being read: one request per interval returns every minute since the
    /// last one, for the price of one. Whole minutes, at least <see cref="WatchedInterval"/>, at most 60. Default 15 min.
    /// </summary>
    public TimeSpan ColdInterval { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// Minutes before the last read that are read again, because CloudWatch still adds to them. Folded into the same
    /// queries, so it costs data points, not metrics. Whole minutes, 0 to 60. Default 5 min.
    /// </summary>
    public TimeSpan LateDataWindow { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How often the list of recently active functions (ListMetrics with <c>RecentlyActive=PT3H</c>) is refreshed;
    /// at least every <see cref="ColdInterval"/> whatever this says, so a newly active function is read at the next
    /// cold pass. 1 min to 2 h, so a function active for a moment between two refreshes is still inside the 3-hour
    /// window. Default 30 min.
    /// </summary>
    public TimeSpan ActivityRefreshInterval { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// How often the functions publishing Lambda Insights metrics are listed (ListMetrics of <c>LambdaInsights</c>),
    /// for container images, which carry the extension inside the image where no layer shows it. Only targets with
    /// an active image make the call. 1 min to 3 h, so the listing's three-hour window spans the time between two.
    /// Default 1 h.
    /// </summary>
    public TimeSpan InsightsListingInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How far back the first pass of a target reads when it has no checkpoint. 1 min to 15 days. Default 3 h.</summary>
    public TimeSpan InitialLookback { get; set; } = TimeSpan.FromHours(3);

    /// <summary>
    /// Longest stretch one pass catches up after an outage; older minutes are left out and a warning names the gap.
    /// At least <see cref="ColdInterval"/>, at most 15 days (CloudWatch keeps 1-minute data that long). Default 24 h.
    /// </summary>
    public TimeSpan MaxCatchUp { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// Functions per account and region read every <see cref="WatchedInterval"/>: dashboard watches first, then
    /// functions in the scope of enabled alert rules. Each costs about 8 metrics a minute ($0.115 a day), 13 with the Lambda
    /// Insights extension ($0.187 a day). Default 20.
    /// </summary>
    public int MaxWatchedFunctions { get; set; } = 20;

    /// <summary>Whether functions in the scope of enabled alert rules count as watched. Default true.</summary>
    public bool WatchAlertRuleScopes { get; set; } = true;

    /// <summary>
    /// Longest wait before a failing target, or a statistic that could not be read, is asked again. The first retry
    /// comes one <see cref="WatchedInterval"/> after the failure and the wait doubles up to this, so a failure that
    /// lasts is not billed every minute. Whole minutes, <see cref="WatchedInterval"/> to 60. Default 15 min.
    /// </summary>
    public TimeSpan MaxRetryBackoff { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Queries per GetMetricData call, 1 to 500 (AWS's limit). Default 500.</summary>
    public int QueriesPerCall { get; set; } = 500;
}

internal sealed class MetricsCollectorOptionsValidator : IValidateOptions<MetricsCollectorOptions>
{
    private const string Prefix = MetricsCollectorOptions.SectionName + ":";

    public ValidateOptionsResult Validate(string? name, MetricsCollectorOptions options)
    {
        var errors = new List<string>();
        WholeMinutes(errors, nameof(options.WatchedInterval), options.WatchedInterval, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(15));
        WholeMinutes(errors, nameof(options.ColdInterval), options.ColdInterval, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(60));
        WholeMinutes(errors, nameof(options.LateDataWindow), options.LateDataWindow, TimeSpan.Zero, TimeSpan.FromMinutes(60));
        Range(errors, nameof(options.ActivityRefreshInterval), options.ActivityRefreshInterval, TimeSpan.FromMinutes(1), TimeSpan.FromHours(2));
        Range(errors, nameof(options.InsightsListingInterval), options.InsightsListingInterval, TimeSpan.FromMinutes(1), TimeSpan.FromHours(3));
        Range(errors, nameof(options.InitialLookback), options.InitialLookback, TimeSpan.FromMinutes(1), TimeSpan.FromDays(15));
        Range(errors, nameof(options.MaxCatchUp), options.MaxCatchUp, options.ColdInterval, TimeSpan.FromDays(15));
        WholeMinutes(errors, nameof(options.MaxRetryBackoff), options.MaxRetryBackoff, options.WatchedInterval, TimeSpan.FromMinutes(60));
        if (options.ColdInterval < options.WatchedInterval)
        {
            errors.Add($"{Prefix}{nameof(options.ColdInterval)} ({options.ColdInterval}) must be at least {Prefix}{nameof(options.WatchedInterval)} ({options.WatchedInterval})");
        }

        if (options.MaxWatchedFunctions < 0)
        {
            errors.Add($"{Prefix}{nameof(options.MaxWatchedFunctions)} must be 0 or more, not {options.MaxWatchedFunctions}");
        }

        if (options.QueriesPerCall is < 1 or > 500)
        {
            errors.Add($"{Prefix}{nameof(options.QueriesPerCall)} must be 1 to 500 (AWS's GetMetricData limit), not {options.QueriesPerCall}");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void WholeMinutes(List<string> errors, string setting, TimeSpan value, TimeSpan min, TimeSpan max)
    {
        if (value.Ticks % TimeSpan.TicksPerMinute != 0)
        {
            errors.Add($"{Prefix}{setting} must be whole minutes (CloudWatch's 1-minute periods), not {value}");
            return;
        }

        Range(errors, setting, value, min, max);
    }

    private static void Range(List<string> errors, string setting, TimeSpan value, TimeSpan min, TimeSpan max)
    {
        if (value < min || value > max)
        {
            errors.Add($"{Prefix}{setting} must be between {min} and {max}, not {value}");
        }
    }
}
