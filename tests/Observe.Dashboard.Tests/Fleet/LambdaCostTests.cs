using Observe.Dashboard.Fleet;
using Observe.Store.Model;

namespace Observe.Dashboard.Tests.Fleet;

/// <summary>The cost formula against sums worked out by hand, at the default (us-east-1) prices.</summary>
public class LambdaCostTests
{
    private static readonly LambdaPricing Prices = new();
    private static readonly FunctionKey Key = new("111122223333", "us-east-1", "orders");

    private static LambdaFunction Function(int memoryMb, string architecture, int provisioned = 0) => new()
    {
        Key = Key,
        Arn = "arn:aws:lambda:us-east-1:111122223333:function:orders",
        MemoryMb = memoryMb,
        Architecture = architecture,
        ProvisionedConcurrency = provisioned,
    };

    private static FunctionStats Stats(double invocations, double durationTotalMs, double? durationInvocations = null) => new()
    {
        Function = Key,
        SeriesRead = true,
        Invocations = invocations,
        DurationTotalMs = durationTotalMs,
        DurationInvocations = durationInvocations ?? invocations,
    };

    [Fact]
    public void Estimate_X86OverOneDay_RequestsPlusGbSecondsTimesThirty()
    {
        // 1,000,000 invocations of 200 ms at 512 MB in 1 day:
        //   requests: 1,000,000 / 1,000,000 x $0.20 = $0.20 a day; x 30 = $6.00
        //   compute: 200,000,000 ms = 200,000 s x 0.5 GB = 100,000 GB-s x $0.0000166667 = $1.66667 a day; x 30 = $50.0001
        //   total: $56.0001
        var cost = LambdaCost.Estimate(Function(512, "x86_64"), Stats(1_000_000, 200_000_000), TimeSpan.FromDays(1), Prices);

        Assert.Equal(6.00m, cost.RequestsPerMonth);
        Assert.Equal(50.0001m, cost.ComputePerMonth);
        Assert.Equal(0m, cost.ProvisionedPerMonth);
        Assert.Equal(56.0001m, cost.TotalPerMonth);
    }

    [Fact]
    public void Estimate_ArmOverSevenDays_ArmPriceScaledByThirtySevenths()
    {
        // 2,000,000 invocations of 50 ms at 1024 MB on arm64 in 7 days:
        //   requests: 2 x $0.20 = $0.40 a week; x 30/7 = $12/7 = $1.714285714...
        //   compute: 100,000,000 ms = 100,000 s x 1 GB = 100,000 GB-s x $0.0000133334 = $1.33334 a week;
        //            x 30/7 = $40.0002/7 = $5.714314285...
        //   total: $52.0002/7 = $7.428600
        var cost = LambdaCost.Estimate(Function(1024, "arm64"), Stats(2_000_000, 100_000_000), TimeSpan.FromDays(7), Prices);

        Assert.Equal(1.714286m, Math.Round(cost.RequestsPerMonth!.Value, 6));
        Assert.Equal(5.714314m, Math.Round(cost.ComputePerMonth!.Value, 6));
        Assert.Equal(7.428600m, Math.Round(cost.TotalPerMonth!.Value, 6));
    }

    [Fact]
    public void Estimate_SameFiguresOnBothArchitectures_ArmComputeIsTheArmPrice()
    {
        // 100,000 GB-s in 30 days: x86 100,000 x $0.0000166667 = $1.66667; arm 100,000 x $0.0000133334 = $1.33334.
        var stats = Stats(1_000, 100_000_000);
        var x86 = LambdaCost.Estimate(Function(1024, "x86_64"), stats, TimeSpan.FromDays(30), Prices);
        var arm = LambdaCost.Estimate(Function(1024, "arm64"), stats, TimeSpan.FromDays(30), Prices);

        Assert.Equal(1.66667m, x86.ComputePerMonth);
        Assert.Equal(1.33334m, arm.ComputePerMonth);
        Assert.Equal(x86.RequestsPerMonth, arm.RequestsPerMonth);
    }

    [Fact]
    public void Estimate_X86WithProvisionedConcurrency_WarmEnvironmentsPlusTheirDurationPrice()
    {
        // 5 provisioned environments at 2048 MB on x86_64; 100,000 invocations of 100 ms in 1 day:
        //   provisioned: 5 x 2 GB x 2,592,000 s (30 days) = 25,920,000 GB-s x $0.0000041667 = $108.000864
        //   compute (provisioned duration price): 10,000 s x 2 GB = 20,000 GB-s x $0.0000097222 = $0.194444 a day; x 30 = $5.83332
        //   requests: 0.1 x $0.20 = $0.02 a day; x 30 = $0.60
        //   total: $114.434184
        var cost = LambdaCost.Estimate(Function(2048, "x86_64", provisioned: 5), Stats(100_000, 10_000_000), TimeSpan.FromDays(1), Prices);

        Assert.Equal(108.000864m, cost.ProvisionedPerMonth);
        Assert.Equal(5.83332m, cost.ComputePerMonth);
        Assert.Equal(0.60m, cost.RequestsPerMonth);
        Assert.Equal(114.434184m, cost.TotalPerMonth);
        Assert.Contains("assuming every invocation ran on a provisioned environment", cost.Method, StringComparison.Ordinal);
    }

    [Fact]
    public void Estimate_ArmProvisionedWithoutFigures_ProvisionedKnownTheRestUnknown()
    {
        // 10 environments x 1 GB x 2,592,000 s = 25,920,000 GB-s x $0.0000033334 = $86.401728.
        var cost = LambdaCost.Estimate(Function(1024, "arm64", provisioned: 10), null, TimeSpan.FromHours(1), Prices);

        Assert.Equal(86.401728m, cost.ProvisionedPerMonth);
        Assert.Null(cost.RequestsPerMonth);
        Assert.Null(cost.ComputePerMonth);
        Assert.Null(cost.TotalPerMonth);
        Assert.StartsWith("No figures stored for the range, so requests and compute are unknown", cost.Method, StringComparison.Ordinal);
    }

    [Fact]
    public void Estimate_OnlyReportsStored_RequestsAndComputeUnknownNotFree()
    {
        var reportsOnly = new FunctionStats { Function = Key, Reports = 12 };

        var cost = LambdaCost.Estimate(Function(512, "x86_64"), reportsOnly, TimeSpan.FromHours(1), Prices);

        Assert.Null(cost.RequestsPerMonth);
        Assert.Null(cost.ComputePerMonth);
        Assert.Null(cost.TotalPerMonth);
        Assert.StartsWith("Only invocation reports stored for the range", cost.Method, StringComparison.Ordinal);
    }

    [Fact]
    public void Estimate_DurationKnownForHalfTheInvocations_PricesAllAtTheKnownAverage()
    {
        // 1,000 invocations, durations known for 500 summing 50,000 ms (100 ms each), 128 MB, over 30 days:
        //   compute: 1,000 x 100 ms = 100 s x 0.125 GB = 12.5 GB-s x $0.0000166667 = $0.00020833375
        //   requests: 0.001 x $0.20 = $0.0002
        var cost = LambdaCost.Estimate(Function(128, "x86_64"), Stats(1_000, 50_000, durationInvocations: 500), TimeSpan.FromDays(30), Prices);

        Assert.Equal(0.00020833375m, cost.ComputePerMonth);
        Assert.Equal(0.0002m, cost.RequestsPerMonth);
    }

    [Fact]
    public void Estimate_InvocationsWithoutAnyDuration_ComputeAndTotalUnknown()
    {
        var cost = LambdaCost.Estimate(Function(256, "x86_64"), Stats(5_000, 0, durationInvocations: 0), TimeSpan.FromDays(30), Prices);

        Assert.Equal(0.001m, cost.RequestsPerMonth);
        Assert.Null(cost.ComputePerMonth);
        Assert.Null(cost.TotalPerMonth);
    }

    [Fact]
    public void Estimate_FiguresWithNoInvocations_ZeroNotUnknown()
    {
        var cost = LambdaCost.Estimate(Function(256, "x86_64"), Stats(0, 0), TimeSpan.FromDays(1), Prices);

        Assert.Equal(0m, cost.RequestsPerMonth);
        Assert.Equal(0m, cost.ComputePerMonth);
        Assert.Equal(0m, cost.TotalPerMonth);
    }

    [Fact]
    public void Estimate_EmptyRange_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => LambdaCost.Estimate(Function(256, "x86_64"), null, TimeSpan.Zero, Prices));

    [Fact]
    public void Describe_StatesPricesDateRegionAndWhatIsIgnored()
    {
        var method = LambdaCost.Describe(Prices);

        Assert.StartsWith("Estimated from Lambda's public us-east-1 prices of 2026-07-31: requests at $0.20 per million", method, StringComparison.Ordinal);
        Assert.Contains("$0.0000166667 (x86_64) or $0.0000133334 (arm64)", method, StringComparison.Ordinal);
        Assert.Contains("rounded up to the next millisecond; this uses the reported duration", method, StringComparison.Ordinal);
        Assert.Contains("The free tier, volume tiers", method, StringComparison.Ordinal);
    }
}
