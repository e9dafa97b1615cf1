using Observe.Dashboard.Demo;
using Observe.Dashboard.Tests.Hosting;
using Observe.Store.Model;

namespace Observe.Dashboard.Tests.Demo;

/// <summary>The demo fleet's Lambda Insights figures: who has the extension, what it reports, and that they reach the store.</summary>
public sealed class DemoInsightsTests : IAsyncLifetime
{
    private static readonly DemoFleet Fleet = DemoFleet.Create(seed: 7, count: 300);
    private static readonly DateTimeOffset From = new(2026, 11, 18, 12, 0, 0, TimeSpan.Zero);
    private TestStore _store = null!;

    public async Task InitializeAsync() => _store = await TestStore.CreateAsync();

    public async Task DisposeAsync() => await _store.DisposeAsync();

    [Fact]
    public void Create_SomeFunctionsRunTheExtension_ZipOnesThroughAwsLayerImagesInside()
    {
        var with = Fleet.Functions.Where(f => f.Insights is not null).ToList();

        Assert.InRange(with.Count, 40, 110);
        Assert.Contains(with, f => f.Function.PackageType == "Image");
        foreach (var f in with)
        {
            var expected = f.Function.PackageType == "Image"
                ? []
                : new[] { $"arn:aws:lambda:{f.Key.Region}:580247275435:layer:{(f.Function.Architecture == "arm64" ? "LambdaInsightsExtension-Arm64:20" : "LambdaInsightsExtension:53")}" };
            Assert.Equal(expected, f.Function.Layers);
        }

        Assert.All(Fleet.Functions.Where(f => f.Insights is null), f => Assert.Empty(f.Function.Layers));
    }

    [Fact]
    public void ToMetricPoint_ExtensionRan_FiguresWithinWhatTheFunctionCanDo()
    {
        var checkedMinutes = 0;
        foreach (var f in Fleet.Functions.Where(f => f.Insights is not null))
        {
            for (var m = 0; m < 60; m++)
            {
                var minute = Fleet.Minute(f, From.AddMinutes(m));
                var point = DemoFleet.ToMetricPoint(f, From.AddMinutes(m), minute);
                if (minute.Invocations == 0)
                {
                    // Nothing ran, so the extension reported nothing: unknown, not 0.
                    Assert.Null(point.InsightsMemoryUtilizationMax);
                    Assert.Null(point.InsightsCpuTotalTimeMs);
                    Assert.Null(point.InsightsNetworkBytes);
                    Assert.Null(point.InsightsInitDurationMaxMs);
                    continue;
                }

                checkedMinutes++;
                Assert.InRange(point.InsightsMemoryUtilizationMax!.Value, 1, 100);
                Assert.InRange(point.InsightsUsedMemoryMaxMb!.Value, 1, f.Function.MemoryMb);
                Assert.InRange(point.InsightsCpuTotalTimeMs!.Value, 0.1, (minute.Invocations * minute.DurationAvgMs) + 0.1);
                Assert.True(point.InsightsNetworkBytes > 0);
                Assert.Equal(minute.ColdStarts > 0, point.InsightsInitDurationMaxMs is not null);
            }
        }

        Assert.True(checkedMinutes > 100, $"only {checkedMinutes} minutes with invocations checked");
        Assert.All(Fleet.Functions.Where(f => f.Insights is null).Take(50), f =>
        {
            var point = DemoFleet.ToMetricPoint(f, From, Fleet.Minute(f, From));
            Assert.Null(point.InsightsMemoryUtilizationMax);
            Assert.Null(point.InsightsUsedMemoryMaxMb);
            Assert.Null(point.InsightsCpuTotalTimeMs);
            Assert.Null(point.InsightsNetworkBytes);
            Assert.Null(point.InsightsInitDurationMaxMs);
        });
    }

    [Fact]
    public async Task WriteMinutesAsync_FunctionWithTheExtension_StoreSeriesHoldsItsInsights()
    {
        var fleet = DemoFleet.Create(seed: 7, count: 60);
        var writer = new DemoWriter(fleet, _store.Store);
        await writer.WriteInventoryAsync(From, CancellationToken.None);
        var range = new TimeRange(From, From.AddMinutes(30));

        await writer.WriteMinutesAsync(range.From, range.To, CancellationToken.None);

        var with = fleet.Functions.Where(f => f.Insights is not null).ToList();
        Assert.NotEmpty(with);
        foreach (var f in with.Concat(fleet.Functions.Where(f => f.Insights is null).Take(3)))
        {
            var series = await _store.Store.GetFunctionSeriesAsync(f.Key, range, SeriesResolution.Minute, CancellationToken.None);
            var expected = Enumerable.Range(0, 30)
                .Select(m => DemoFleet.ToMetricPoint(f, From.AddMinutes(m), fleet.Minute(f, From.AddMinutes(m))))
                .Where(p => p.Invocations > 0)
                .Select(p => (p.Minute, p.InsightsUsedMemoryMaxMb, p.InsightsCpuTotalTimeMs))
                .ToList();
            Assert.Equal(expected, series.Where(b => b.Invocations > 0).Select(b => (b.Start, b.InsightsUsedMemoryMaxMb, b.InsightsCpuTotalTimeMs)));
        }
    }
}
