using System.Globalization;
using Observe.Store.Model;

namespace Observe.Dashboard.Fleet;

/// <summary>
/// One function's estimated monthly cost in US dollars. <see cref="RequestsPerMonth"/>, <see cref="ComputePerMonth"/>
/// and so <see cref="TotalPerMonth"/> are null when the store holds no figures for the function over the range
/// (unknown is never shown as $0); <see cref="ProvisionedPerMonth"/> depends on the configuration only.
/// </summary>
public sealed record FunctionCost(decimal? RequestsPerMonth, decimal? ComputePerMonth, decimal ProvisionedPerMonth, decimal? TotalPerMonth, string Method);

/// <summary>Lambda's bill for one function, estimated from its figures over a range and scaled to 30 days.</summary>
public static class LambdaCost
{
    /// <summary>The month every estimate is scaled to.</summary>
    public static readonly TimeSpan Month = TimeSpan.FromDays(30);

    private const decimal MbPerGb = 1024m;

    /// <summary>
    /// Requests (invocations x price per million) plus compute (GB-seconds: duration x configured memory, at the
    /// function's architecture's price) over the range, scaled by 30 days / range length, plus provisioned
    /// concurrency (configured environments x memory x the seconds of 30 days) where configured.
    /// </summary>
    /// <param name="function">The function, for its memory, architecture and provisioned concurrency.</param>
    /// <param name="stats">
    /// Its figures over the range; null when the store has none for it (the stats reader leaves such functions out).
    /// That can mean no invocations or figures not collected: the two cannot be told apart here, so requests and
    /// compute are unknown (null), not $0.
    /// </param>
    /// <param name="rangeLength">The length of the range <paramref name="stats"/> covers.</param>
    /// <param name="prices">Lambda's prices.</param>
    public static FunctionCost Estimate(LambdaFunction function, FunctionStats? stats, TimeSpan rangeLength, LambdaPricing prices)
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(prices);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(rangeLength, TimeSpan.Zero);

        var arm = IsArm(function.Architecture);
        var memoryGb = function.MemoryMb / MbPerGb;
        var provisioned = function.ProvisionedConcurrency > 0
            ? function.ProvisionedConcurrency * memoryGb * (decimal)Month.TotalSeconds * (arm ? prices.ArmProvisionedGbSecond : prices.X86ProvisionedGbSecond)
            : 0m;

        decimal? requests = null;
        decimal? compute = null;
        // Without per-minute figures (only invocation reports stored) the requests and duration are unknown, not free.
        if (stats is { SeriesRead: true })
        {
            var toMonth = (decimal)Month.Ticks / rangeLength.Ticks;
            requests = (decimal)stats.Invocations / 1_000_000m * prices.RequestsPerMillion * toMonth;
            compute = ComputeInRange(function, stats, memoryGb, arm, prices) * toMonth;
        }

        var total = requests + compute + provisioned;
        return new FunctionCost(requests, compute, provisioned, total, Describe(function, stats, prices));
    }

    /// <summary>The method as the Functions page states it, for these prices.</summary>
    public static string Describe(LambdaPricing prices)
    {
        ArgumentNullException.ThrowIfNull(prices);
        return Invariant($"Estimated from Lambda's public {prices.Region} prices of {prices.PricesTakenOn:yyyy-MM-dd}: requests at ${prices.RequestsPerMillion} per million, plus GB-seconds ")
            + Invariant($"(duration x configured memory) at ${prices.X86GbSecond} (x86_64) or ${prices.ArmGbSecond} (arm64), over the range and scaled to 30 days; ")
            + Invariant($"plus provisioned concurrency kept warm all month at ${prices.X86ProvisionedGbSecond} (x86_64) or ${prices.ArmProvisionedGbSecond} (arm64) per GB-second, ")
            + Invariant($"with the duration of a function that has it priced at ${prices.X86ProvisionedDurationGbSecond} (x86_64) or ${prices.ArmProvisionedDurationGbSecond} (arm64). ")
            + "Lambda bills each invocation's duration rounded up to the next millisecond; this uses the reported duration, so it is slightly low. "
            + "The free tier, volume tiers, Savings Plans, ephemeral storage and data transfer are ignored.";
    }

    /// <summary>GB-seconds of the range at the architecture's price; null when no invocation's duration is known.</summary>
    private static decimal? ComputeInRange(LambdaFunction function, FunctionStats stats, decimal memoryGb, bool arm, LambdaPricing prices)
    {
        if (stats.Invocations <= 0)
        {
            return 0m;
        }

        if (stats.DurationInvocations <= 0 || function.MemoryMb <= 0)
        {
            return null;
        }

        // Minutes whose duration could not be read still ran: their invocations are priced at the average duration of
        // those whose duration is known, rather than left out (which would read as a cheaper function).
        var seconds = (decimal)stats.DurationTotalMs / 1000m * ((decimal)stats.Invocations / (decimal)stats.DurationInvocations);

        // With provisioned concurrency, invocations are assumed to run on the provisioned environments (their cheaper
        // duration price); spill-over beyond them is billed on demand, so such a function may cost a little more.
        var price = function.ProvisionedConcurrency > 0
            ? (arm ? prices.ArmProvisionedDurationGbSecond : prices.X86ProvisionedDurationGbSecond)
            : (arm ? prices.ArmGbSecond : prices.X86GbSecond);
        return seconds * memoryGb * price;
    }

    private static string Describe(LambdaFunction function, FunctionStats? stats, LambdaPricing prices)
    {
        var arm = IsArm(function.Architecture);
        var architecture = arm ? "arm64" : "x86_64";
        var figures = stats switch
        {
            null => "No figures stored for the range, so requests and compute are unknown",
            { SeriesRead: false } => "Only invocation reports stored for the range, no per-minute figures, so requests and compute are unknown",
            { Invocations: > 0, DurationInvocations: <= 0 } => "No duration stored for the range, so compute is unknown",
            _ when function.ProvisionedConcurrency > 0 => Invariant($"Compute at the provisioned-concurrency duration price ${(arm ? prices.ArmProvisionedDurationGbSecond : prices.X86ProvisionedDurationGbSecond)} per GB-second ({architecture}), assuming every invocation ran on a provisioned environment"),
            _ => Invariant($"Compute at ${(arm ? prices.ArmGbSecond : prices.X86GbSecond)} per GB-second ({architecture})"),
        };
        var provisioned = function.ProvisionedConcurrency > 0
            ? Invariant($"; {function.ProvisionedConcurrency} provisioned environments x {function.MemoryMb} MB kept warm for 30 days at ${(arm ? prices.ArmProvisionedGbSecond : prices.X86ProvisionedGbSecond)} per GB-second")
            : "";
        return Invariant($"{figures}{provisioned}. {Describe(prices)}");
    }

    /// <summary>Lambda has two architectures; the store records <c>x86_64</c> when Lambda reports none.</summary>
    private static bool IsArm(string architecture) => string.Equals(architecture, "arm64", StringComparison.OrdinalIgnoreCase);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
