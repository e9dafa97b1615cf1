using Microsoft.Extensions.Options;
using Observe.Collectors.Aws;
using Observe.Collectors.Tests.Infrastructure;

namespace Observe.Collectors.Tests.Aws;

public class RateBudgetTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Reserve_WithinBurst_DoesNotWait()
    {
        var bucket = new TokenBucket(perSecond: 5, burst: 5, new ManualTimeProvider(Start));

        var waits = Enumerable.Range(0, 5).Select(_ => bucket.Reserve()).ToList();

        Assert.All(waits, w => Assert.Equal(TimeSpan.Zero, w));
    }

    [Fact]
    public void Reserve_BeyondBurst_QueuesCallersAtTheRate()
    {
        var bucket = new TokenBucket(perSecond: 5, burst: 5, new ManualTimeProvider(Start));
        for (var i = 0; i < 5; i++)
        {
            bucket.Reserve();
        }

        // The 6th, 7th and 8th callers wait 1, 2 and 3 refill intervals of 200 ms.
        Assert.Equal(TimeSpan.FromMilliseconds(200), bucket.Reserve());
        Assert.Equal(TimeSpan.FromMilliseconds(400), bucket.Reserve());
        Assert.Equal(TimeSpan.FromMilliseconds(600), bucket.Reserve());
    }

    [Fact]
    public void Reserve_AfterQuietSpell_RefillsUpToBurstOnly()
    {
        var clock = new ManualTimeProvider(Start);
        var bucket = new TokenBucket(perSecond: 10, burst: 3, clock);
        for (var i = 0; i < 3; i++)
        {
            bucket.Reserve();
        }

        clock.Advance(TimeSpan.FromMinutes(5));

        Assert.Equal(3, bucket.Available, precision: 6);
    }

    [Fact]
    public async Task AcquireAsync_OverBudget_CompletesOnlyWhenTheClockReachesItsTurn()
    {
        var clock = new ManualTimeProvider(Start);
        var bucket = new TokenBucket(perSecond: 2, burst: 1, clock);
        await bucket.AcquireAsync(CancellationToken.None);

        var second = bucket.AcquireAsync(CancellationToken.None).AsTask();
        clock.Advance(TimeSpan.FromMilliseconds(499));
        Assert.False(second.IsCompleted);

        clock.Advance(TimeSpan.FromMilliseconds(1));
        await second.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task AcquireAsync_Cancelled_GivesItsTokenBack()
    {
        var clock = new ManualTimeProvider(Start);
        var bucket = new TokenBucket(perSecond: 1, burst: 1, clock);
        await bucket.AcquireAsync(CancellationToken.None);
        using var cancel = new CancellationTokenSource();

        var waiting = bucket.AcquireAsync(cancel.Token).AsTask();
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);

        // Only the first caller's token is spent: one second later a token is there again.
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, bucket.Available, precision: 6);
    }

    [Fact]
    public void For_SameAccountRegionAndApi_SharesABucket_OthersDoNot()
    {
        var budgets = new RateBudgets(Options.Create(new AwsOptions()), new ManualTimeProvider(Start));

        var gmd = budgets.For("123456789012", "eu-west-1", AwsService.CloudWatch, "GetMetricData");

        Assert.Same(gmd, budgets.For("123456789012", "eu-west-1", AwsService.CloudWatch, "GetMetricData"));
        Assert.NotSame(gmd, budgets.For("123456789012", "us-east-1", AwsService.CloudWatch, "GetMetricData"));
        Assert.NotSame(gmd, budgets.For("210987654321", "eu-west-1", AwsService.CloudWatch, "GetMetricData"));
        Assert.NotSame(gmd, budgets.For("123456789012", "eu-west-1", AwsService.CloudWatch, "DescribeAlarms"));

        // Lambda's control-plane quota is one pool for its operations.
        Assert.Same(
            budgets.For("123456789012", "eu-west-1", AwsService.Lambda, "ListFunctions"),
            budgets.For("123456789012", "eu-west-1", AwsService.Lambda, "ListTags"));
    }

    [Fact]
    public void Resolve_PrefersConfiguredOverDefault_AndOperationOverService()
    {
        var options = new AwsOptions
        {
            RateBudgets = new(StringComparer.OrdinalIgnoreCase)
            {
                ["ListTags"] = new() { PerSecond = 2 },
                ["CloudWatch"] = new() { PerSecond = 7 },
            },
        };
        var budgets = new RateBudgets(Options.Create(options), TimeProvider.System);

        Assert.Equal(("ListTags", 2d), Figures(budgets.Resolve(AwsService.Lambda, "ListTags")));
        Assert.Equal(("Lambda", 15d), Figures(budgets.Resolve(AwsService.Lambda, "ListFunctions")));
        Assert.Equal(("CloudWatch", 7d), Figures(budgets.Resolve(AwsService.CloudWatch, "GetMetricData")));
        Assert.Equal(("FilterLogEvents", 5d), Figures(budgets.Resolve(AwsService.Logs, "FilterLogEvents")));

        static (string, double) Figures((string Key, RateBudgetOptions Budget) r) => (r.Key, r.Budget.PerSecond);
    }

    [Fact]
    public void Defaults_MatchTheDocumentedQuotas()
    {
        // shared/reference/aws-limits.md
        Assert.Equal(50, RateBudgetDefaults.Budgets["GetMetricData"].PerSecond);
        Assert.Equal(9, RateBudgetDefaults.Budgets["DescribeAlarms"].PerSecond);
        Assert.Equal(5, RateBudgetDefaults.Budgets["FilterLogEvents"].PerSecond);

        // The archived CloudWatch quotas page (not in aws-limits.md).
        Assert.Equal(3, RateBudgetDefaults.Budgets["DescribeAlarmHistory"].PerSecond);
    }
}
