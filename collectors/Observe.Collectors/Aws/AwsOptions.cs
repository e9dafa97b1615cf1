namespace Observe.Collectors.Aws;

/// <summary>
/// How the collectors reach AWS: the accounts and regions to read, endpoint overrides, timeouts, retries, rate budgets
/// and the price used for cost estimates. Bound from <c>Observe:Aws</c> and validated at start by
/// <see cref="AwsOptionsValidator"/>.
/// </summary>
public sealed class AwsOptions
{
    public const string SectionName = "Observe:Aws";

    /// <summary>Accounts to collect. None means the dashboard shows its demo fleet.</summary>
    public List<AwsAccountOptions> Accounts { get; set; } = [];

    /// <summary>Per-service endpoint overrides (for example a local emulator); default is AWS's regional endpoint.</summary>
    public AwsEndpointOptions Endpoints { get; set; } = new();

    /// <summary>
    /// Lets an endpoint override use plain <c>http://</c> to a host other than loopback. Default false: the requests
    /// carry SigV4 signatures and the answers hold the fleet's logs and error texts, so in clear they would be readable
    /// and alterable on the way; an emulator on the same machine (moto) stays allowed on http.
    /// </summary>
    public bool AllowPlainHttpEndpoints { get; set; }

    /// <summary>Limit on one HTTP attempt, from sending the request to reading the whole response. Default 15 s.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Limit on one API call including every retry and every wait for the rate budget. Default 2 min.</summary>
    public TimeSpan CallTimeout { get; set; } = TimeSpan.FromMinutes(2);

    public AwsRetryOptions Retry { get; set; } = new();

    /// <summary>
    /// Largest response body read from AWS, counted after decompression (1 MiB to 1 GiB). A longer body fails the call
    /// with <c>ResponseTooLarge</c> instead of being buffered in the process. Default 64 MiB: AWS's largest documented
    /// answers (a 10,000-row Insights result, a 100,800-point GetMetricData page) stay well under it.
    /// </summary>
    public long MaxResponseBytes { get; set; } = DefaultMaxResponseBytes;

    public const long DefaultMaxResponseBytes = 64L * 1024 * 1024;

    /// <summary>
    /// Rate budget overrides, keyed by an operation name (<c>GetMetricData</c>) or a service name (<c>Lambda</c>, shared
    /// by that service's operations). Each budget applies per account and region. Defaults: <see cref="RateBudgetDefaults"/>.
    /// </summary>
    public Dictionary<string, RateBudgetOptions> RateBudgets { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Session name on assumed roles, visible in the target account's CloudTrail. Default <c>observe-collector</c>.</summary>
    public string RoleSessionName { get; set; } = "observe-collector";

    /// <summary>Lifetime requested for assumed-role credentials (15 min to 12 h). Default 1 h.</summary>
    public TimeSpan AssumeRoleDuration { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Assumed-role credentials are renewed this long before they expire. Default 5 min.</summary>
    public TimeSpan CredentialRefreshBefore { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The dated list prices behind the cost estimates (<c>Observe:Aws:Prices:*</c>).</summary>
    public AwsPriceOptions Prices { get; set; } = new();

    /// <summary>
    /// Replaced by <c>Observe:Aws:Prices:GetMetricDataPer1000Metrics</c>; kept only so a configuration that still sets
    /// it fails at start with a message naming the new setting, instead of its price being silently ignored.
    /// </summary>
    public decimal? GetMetricDataPricePer1000Metrics { get; set; }

    /// <summary>Times BatchGetTraces asks again for ids X-Ray reported as unprocessed. Default 3.</summary>
    public int UnprocessedTraceRetries { get; set; } = 3;

    /// <summary>Wait before asking again for unprocessed trace ids. Default 2 s.</summary>
    public TimeSpan UnprocessedTraceRetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Days of per-API call counts the meter keeps. Default 31.</summary>
    public int UsageRetentionDays { get; set; } = 31;
}

/// <summary>One account to collect.</summary>
public sealed class AwsAccountOptions
{
    /// <summary>The 12-digit account id.</summary>
    public string AccountId { get; set; } = "";

    /// <summary>Display name (for example <c>prod</c>), shown next to the id in the dashboard and in errors.</summary>
    public string? Name { get; set; }

    /// <summary>Role to assume in the account (cross-account collection); none means use the base credentials as they are.</summary>
    public string? RoleArn { get; set; }

    /// <summary>External id the role's trust policy requires; only with <see cref="RoleArn"/>.</summary>
    public string? ExternalId { get; set; }

    /// <summary>Named profile from the shared AWS config files for the base credentials; none means the standard chain.</summary>
    public string? Profile { get; set; }

    /// <summary>Regions to collect, for example <c>eu-west-1</c>.</summary>
    public List<string> Regions { get; set; } = [];

    /// <summary><c>123456789012 (prod)</c>, or the id alone when the account has no name.</summary>
    public string DisplayName => string.IsNullOrWhiteSpace(Name) ? AccountId : $"{AccountId} ({Name})";
}

/// <summary>Absolute URLs replacing AWS's regional endpoint for every account and region, per service.</summary>
public sealed class AwsEndpointOptions
{
    public string? Lambda { get; set; }
    public string? CloudWatch { get; set; }
    public string? Logs { get; set; }
    public string? XRay { get; set; }
    public string? Sts { get; set; }

    /// <summary>SNS, for the alert channels that publish to a topic.</summary>
    public string? Sns { get; set; }
}

/// <summary>
/// Retries with full jitter: attempt n waits a random time between 0 and min(max, base x 2^(n-1)). Throttling backs off
/// from a longer base than server errors and broken connections, because it says the account's quota is spent.
/// </summary>
public sealed class AwsRetryOptions
{
    /// <summary>Attempts per call including the first (1 turns retries off). Default 5.</summary>
    public int MaxAttempts { get; set; } = 5;

    public TimeSpan ThrottlingBaseDelay { get; set; } = TimeSpan.FromSeconds(1);
    public TimeSpan ThrottlingMaxDelay { get; set; } = TimeSpan.FromSeconds(20);
    public TimeSpan TransientBaseDelay { get; set; } = TimeSpan.FromMilliseconds(100);
    public TimeSpan TransientMaxDelay { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>A token bucket: <see cref="PerSecond"/> calls a second on average, up to <see cref="Burst"/> at once.</summary>
public sealed class RateBudgetOptions
{
    public double PerSecond { get; set; }

    /// <summary>Calls that may go at once after a quiet spell; default max(1, PerSecond).</summary>
    public int? Burst { get; set; }
}
