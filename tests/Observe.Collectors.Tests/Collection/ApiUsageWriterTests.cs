using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Observe.Collectors.Aws;
using Observe.Collectors.Collection;
using Observe.Collectors.Tests.Infrastructure;
using Observe.Store.Model;

namespace Observe.Collectors.Tests.Collection;

public class ApiUsageWriterTests
{
    private const string Account = "111111111111";
    private static readonly DateOnly Day = new(2026, 11, 22);

    [Fact]
    public async Task FlushAsync_AcrossMidnightAndAtStop_StoreHoldsTheMetersFinalTotalsPerDay()
    {
        var time = new ManualTimeProvider(new DateTimeOffset(2026, 11, 22, 23, 59, 0, TimeSpan.Zero));
        var meter = new AwsUsageMeter(Options.Create(new AwsOptions { Prices = new AwsPriceOptions { GetMetricDataPer1000Metrics = 0.01m } }), time);
        await using var harness = await HostHarness.CreateAsync([], new CollectorsOptions(), time);
        var writer = new ApiUsageWriter(meter, harness.Store, harness.Instance, Options.Create(new CollectorsOptions()), time, NullLogger<ApiUsageWriter>.Instance);

        GetMetricData(meter, metrics: 500);
        await writer.FlushAsync(CancellationToken.None);
        await writer.FlushAsync(CancellationToken.None);
        Assert.Equal([Usage(Day, 1, 500, 0.005m)], await harness.Store.GetApiUsageAsync(Day, Day.AddDays(1), CancellationToken.None));

        // Counted in the last seconds of the day, written only by the first flush after midnight.
        time.Advance(TimeSpan.FromSeconds(50));
        GetMetricData(meter, metrics: 500);
        time.Advance(TimeSpan.FromSeconds(20));
        GetMetricData(meter, metrics: 1000);
        await writer.FlushAsync(CancellationToken.None);
        GetMetricData(meter, metrics: 1000);
        await writer.StopAsync(CancellationToken.None);

        Assert.Equal(
            [Usage(Day, 2, 1000, 0.01m), Usage(Day.AddDays(1), 2, 2000, 0.02m)],
            await harness.Store.GetApiUsageAsync(Day, Day.AddDays(1), CancellationToken.None));
    }

    [Fact]
    public async Task FlushAsync_TwoProcessesCounting_StoreSumsBoth()
    {
        var time = new ManualTimeProvider(new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero));
        await using var harness = await HostHarness.CreateAsync([], new CollectorsOptions(), time);
        foreach (var metrics in new[] { 300, 700 })
        {
            var meter = new AwsUsageMeter(Options.Create(new AwsOptions()), time);
            GetMetricData(meter, metrics);
            var writer = new ApiUsageWriter(meter, harness.Store, new CollectorsInstance(), Options.Create(new CollectorsOptions()), time, NullLogger<ApiUsageWriter>.Instance);
            await writer.FlushAsync(CancellationToken.None);
        }

        Assert.Equal([Usage(Day, 2, 1000, 0.01m)], await harness.Store.GetApiUsageAsync(Day, Day, CancellationToken.None));
    }

    private static void GetMetricData(AwsUsageMeter meter, int metrics)
    {
        meter.RecordCall(Account, "eu-west-1", AwsService.CloudWatch, "GetMetricData");
        meter.RecordAttempt(Account, "eu-west-1", AwsService.CloudWatch, "GetMetricData");
        meter.RecordBilled(Account, "eu-west-1", AwsService.CloudWatch, "GetMetricData", metrics);
    }

    private static ApiUsage Usage(DateOnly day, long calls, long metrics, decimal cost) =>
        new(day, Account, "eu-west-1", "CloudWatch", "GetMetricData", calls, calls, 0, 0, metrics, cost);
}
