namespace Observe.Dashboard.Fleet;

/// <summary>
/// The thresholds of the fleet flags and the prices of the cost estimate. Bound from <c>Observe:Fleet</c>, validated at
/// start; every flag names the setting it used, so a team that disagrees with a default knows what to change.
/// </summary>
public sealed class FleetOptions
{
    public const string SectionName = "Observe:Fleet";

    /// <summary>Tag keys that name a function's owner when <see cref="OwnerTagKeys"/> is not configured.</summary>
    public static IReadOnlyList<string> DefaultOwnerTagKeys { get; } = ["owner", "team"];

    /// <summary>
    /// Tag keys that name the owner, matched case-insensitively; the first key of this list that a function has wins
    /// and is the owner shown. Null (not configured) means <see cref="DefaultOwnerTagKeys"/>: the binder would append
    /// configured keys to a non-empty default list instead of replacing it.
    /// </summary>
    public IList<string>? OwnerTagKeys { get; set; }

    /// <summary>No invocation for this many days flags a function as unused. Default 30.</summary>
    public int UnusedDays { get; set; } = 30;

    /// <summary>A runtime deprecated within this many days is flagged as deprecating soon. Default 180.</summary>
    public int DeprecationNoticeDays { get; set; } = 180;

    /// <summary>Max memory used below this share of the configured memory flags over-provisioning. Default 0.30.</summary>
    public double OverProvisionedMemoryRatio { get; set; } = 0.30;

    /// <summary>Max memory used above this share of the configured memory flags the memory limit. Default 0.90.</summary>
    public double NearMemoryLimitRatio { get; set; } = 0.90;

    /// <summary>p99 duration above this share of the timeout flags the timeout. Default 0.80.</summary>
    public double NearTimeoutRatio { get; set; } = 0.80;

    /// <summary>Error rate above this is a warning. Default 0.01 (1%).</summary>
    public double ErrorRateWarning { get; set; } = 0.01;

    /// <summary>Error rate above this is critical. Default 0.10 (10%).</summary>
    public double ErrorRateCritical { get; set; } = 0.10;

    /// <summary>Cold starts per invocation above this flag the cold-start rate. Default 0.05 (5%).</summary>
    public double ColdStartRate { get; set; } = 0.05;

    /// <summary>
    /// Iterator age (how old the newest record of a stream batch was when Lambda read it) above this flags a stream
    /// consumer falling behind. Default 300,000 ms (5 minutes): the longest batching window Lambda allows, so a
    /// consumer configured to wait for full batches is not flagged, while one falling behind grows past it for good.
    /// </summary>
    public double IteratorAgeMs { get; set; } = 300_000;

    /// <summary>
    /// Fewest invocations in the range before the error and cold-start rates are flagged. Default 100: the smallest
    /// count at which one event is no more than the lowest rate threshold (1%); on 3 invocations one error is 33%.
    /// </summary>
    public int MinimumInvocations { get; set; } = 100;

    /// <summary>Lambda's prices for the cost estimate.</summary>
    public LambdaPricing Pricing { get; set; } = new();

    /// <summary>The owner tag keys in force: the configured ones, or <see cref="DefaultOwnerTagKeys"/>.</summary>
    public IReadOnlyList<string> EffectiveOwnerTagKeys => OwnerTagKeys is { Count: > 0 } keys ? keys.AsReadOnly() : DefaultOwnerTagKeys;

    /// <summary>
    /// The owner of a function: the value of the first of <see cref="EffectiveOwnerTagKeys"/> it has (keys compared
    /// case-insensitively), with the tag key found; null when it has none or only blank values.
    /// </summary>
    public FunctionOwner? FindOwner(IReadOnlyDictionary<string, string> tags)
    {
        ArgumentNullException.ThrowIfNull(tags);
        foreach (var key in EffectiveOwnerTagKeys)
        {
            foreach (var tag in tags)
            {
                if (string.Equals(tag.Key, key, StringComparison.OrdinalIgnoreCase) && !string.IsNullOrWhiteSpace(tag.Value))
                {
                    return new FunctionOwner(tag.Key, tag.Value);
                }
            }
        }

        return null;
    }
}

/// <summary>The tag that names a function's owner, with the key as the function spells it.</summary>
public sealed record FunctionOwner(string TagKey, string Owner);

/// <summary>
/// Lambda's public prices, in US dollars, for one region. Defaults: US East (N. Virginia), first tier, taken on
/// <see cref="PricesTakenOn"/> (source in docs/decisions.md, "Lambda prices"). Other regions: configure theirs.
/// </summary>
public sealed class LambdaPricing
{
    /// <summary>When the prices were read from AWS's pricing page; the page shows it next to every estimate.</summary>
    public DateOnly PricesTakenOn { get; set; } = new(2026, 7, 31);

    /// <summary>Which region's prices these are, for the method statement. Default <c>us-east-1</c>.</summary>
    public string Region { get; set; } = "us-east-1";

    public decimal RequestsPerMillion { get; set; } = 0.20m;

    /// <summary>On-demand duration, x86_64, first tier (first 6 billion GB-seconds a month).</summary>
    public decimal X86GbSecond { get; set; } = 0.0000166667m;

    /// <summary>On-demand duration, arm64, first tier (first 7.5 billion GB-seconds a month).</summary>
    public decimal ArmGbSecond { get; set; } = 0.0000133334m;

    /// <summary>Provisioned concurrency kept warm, x86_64, per GB-second configured.</summary>
    public decimal X86ProvisionedGbSecond { get; set; } = 0.0000041667m;

    /// <summary>Provisioned concurrency kept warm, arm64, per GB-second configured.</summary>
    public decimal ArmProvisionedGbSecond { get; set; } = 0.0000033334m;

    /// <summary>Duration of invocations served by provisioned concurrency, x86_64.</summary>
    public decimal X86ProvisionedDurationGbSecond { get; set; } = 0.0000097222m;

    /// <summary>Duration of invocations served by provisioned concurrency, arm64.</summary>
    public decimal ArmProvisionedDurationGbSecond { get; set; } = 0.0000077778m;
}
