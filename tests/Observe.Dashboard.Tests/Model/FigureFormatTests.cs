using Observe.Dashboard.Model;
using Observe.Store.Model;

namespace Observe.Dashboard.Tests.Model;

public class FigureFormatTests
{
    [Theory]
    [InlineData(0, "0")]
    [InlineData(7, "7")]
    [InlineData(9_999, "9,999")]
    [InlineData(12_345, "12.3K")]
    [InlineData(999_949, "999.9K")]
    [InlineData(4_560_000, "4.56M")]
    [InlineData(1_234_567_890, "1.23B")]
    public void Count_ShortensLargeNumbers(double value, string expected) => Assert.Equal(expected, FigureFormat.Count(value));

    [Theory]
    [InlineData(0.0, "0%")]
    [InlineData(0.00005, "<0.01%")]
    [InlineData(0.0042, "0.42%")]
    [InlineData(0.05, "5.00%")]
    [InlineData(0.123, "12.3%")]
    [InlineData(1.0, "100.0%")]
    public void Rate_ShowsPercent(double ratio, string expected) => Assert.Equal(expected, FigureFormat.Rate(ratio));

    [Fact]
    public void Rate_NoInvocations_ShowsNoDataNotZero() => Assert.Equal("–", FigureFormat.Rate(null));

    [Theory]
    [InlineData(15, 1)]
    [InlineData(60, 1)]
    [InlineData(120, 1)]
    [InlineData(360, 5)]
    [InlineData(1440, 15)]
    [InlineData(10080, 120)]
    [InlineData(129600, 1440)]
    public void SeriesBuckets_Choose_KeepsAtMost120Points(int rangeMinutes, int bucketMinutes)
    {
        var bucket = SeriesBuckets.Choose(TimeSpan.FromMinutes(rangeMinutes));

        Assert.Equal(TimeSpan.FromMinutes(bucketMinutes), bucket);
        Assert.True(rangeMinutes / bucket.TotalMinutes <= SeriesBuckets.MaxPoints);
    }

    [Fact]
    public void OverviewViewModel_NothingRan_RatesShowNoData()
    {
        var overview = new FleetOverview(12, 0, 0, 0, 0, 0, []);
        var range = TimeRange.Last(TimeSpan.FromHours(1), DateTimeOffset.UtcNow);

        var model = OverviewViewModel.Create(overview, range, TimeSpan.FromMinutes(1), deprecated: null);

        Assert.Equal("12", model.Figures.Single(f => f.Id == "functions").Display);
        Assert.Equal("–", model.Figures.Single(f => f.Id == "error-rate").Display);
        Assert.Null(model.Figures.Single(f => f.Id == "cold-start-rate").Value);
        Assert.DoesNotContain(model.Figures, f => f.Id == "deprecated-runtimes");
    }

    [Fact]
    public void OverviewViewModel_ErrorsNotRead_RateIsUnknownWithTheReason_NeverZero()
    {
        // The fleet: 10,800 invocations, every Errors query failed, so no error count was stored.
        var unread = new FleetOverview(60, 10_800, 0, 0, 0, 0, [], UnreadErrorInvocations: 10_800);
        var range = TimeRange.Last(TimeSpan.FromHours(1), DateTimeOffset.UtcNow);

        var figure = OverviewViewModel.Create(unread, range, TimeSpan.FromMinutes(1), deprecated: null).Figures.Single(f => f.Id == "error-rate");

        Assert.Equal(("unknown", (double?)null), (figure.Display, figure.Value));
        Assert.Equal("errors not read for 10,800 of 10,800 invocations", figure.Note);
        Assert.DoesNotContain("0%", figure.Exact, StringComparison.Ordinal);

        // Some read: the count read is a lower bound, and the rate stays unknown.
        var partly = new FleetOverview(60, 10_800, 40, 0, 0, 0, [], UnreadErrorInvocations: 900);
        figure = OverviewViewModel.Create(partly, range, TimeSpan.FromMinutes(1), deprecated: null).Figures.Single(f => f.Id == "error-rate");
        Assert.Equal(("unknown", "errors not read for 900 of 10,800 invocations; at least 40 errors"), (figure.Display, figure.Note));

        // The errors chart leaves a gap for the bucket whose count is not known instead of drawing it as 0.
        var start = new DateTimeOffset(2026, 11, 22, 4, 0, 0, TimeSpan.Zero);
        var series = new List<MetricBucket>
        {
            new(start, 100, 2, 0, null, null, null, null, null, null, 0),
            new(start.AddMinutes(1), 300, 0, 0, null, null, null, null, null, null, 0, UnreadErrorInvocations: 300),
        };
        var model = OverviewViewModel.Create(new FleetOverview(1, 400, 2, 0, 0, 0, series, UnreadErrorInvocations: 300), new TimeRange(start, start.AddMinutes(2)), TimeSpan.FromMinutes(1), null);
        Assert.Equal([(start.UtcDateTime, (double?)2), (start.AddMinutes(1).UtcDateTime, null)], model.Errors.Select(p => (p.Time, p.Value)));
        Assert.Equal(2, model.Invocations.Count);
    }

    [Fact]
    public void OverviewViewModel_Figures_ComeFromTheOverview()
    {
        var start = new DateTimeOffset(2026, 11, 22, 4, 0, 0, TimeSpan.Zero);
        var series = new List<MetricBucket>
        {
            new(start, 100, 2, 0, null, null, null, null, null, null, 5),
            new(start.AddMinutes(1), 300, 1, 4, null, null, null, null, null, null, 1),
        };
        var overview = new FleetOverview(300, 400, 3, 4, 6, 2, series);
        var deprecated = new DeprecatedRuntimes(5, [KeyValuePair.Create("nodejs16.x", 3), KeyValuePair.Create("dotnet6", 2)]);

        var model = OverviewViewModel.Create(overview, new TimeRange(start, start.AddMinutes(2)), TimeSpan.FromMinutes(1), deprecated);

        Assert.Equal(["functions", "invocations", "error-rate", "cold-start-rate", "throttles", "alarms", "deprecated-runtimes"], model.Figures.Select(f => f.Id));
        Assert.Equal("0.75%", model.Figures.Single(f => f.Id == "error-rate").Display);
        Assert.Equal("1.50%", model.Figures.Single(f => f.Id == "cold-start-rate").Display);
        Assert.Equal("now: nodejs16.x: 3, dotnet6: 2", model.Figures.Single(f => f.Id == "deprecated-runtimes").Note);
        Assert.Equal([100d, 300d], model.Invocations.Select(p => p.Value));
        Assert.Equal([5d, 1d], model.ColdStarts.Select(p => p.Value));
        Assert.Equal(DateTimeKind.Utc, model.Errors[0].Time.Kind);
        Assert.False(model.HasPartialBucket);
    }

    [Fact]
    public void OverviewViewModel_BucketsCutByTheRange_AreDrawnMarkedPartialAndCounted()
    {
        // A 6-hour range ending now, in 5-minute buckets: the first bucket starts before the range's first minute,
        // the last one is still filling up.
        var from = new DateTimeOffset(2026, 11, 22, 0, 1, 6, TimeSpan.Zero);
        var to = from.AddHours(6);
        var bucket = TimeSpan.FromMinutes(5);
        var series = new List<MetricBucket>
        {
            new(new DateTimeOffset(2026, 11, 22, 0, 0, 0, TimeSpan.Zero), 30, 0, 0, null, null, null, null, null, null, 0),
            new(new DateTimeOffset(2026, 11, 22, 0, 5, 0, TimeSpan.Zero), 50, 0, 0, null, null, null, null, null, null, 0),
            new(new DateTimeOffset(2026, 11, 22, 6, 0, 0, TimeSpan.Zero), 12, 0, 0, null, null, null, null, null, null, 0),
        };

        var model = OverviewViewModel.Create(new FleetOverview(1, 92, 0, 0, 0, 0, series, FirstData: series[0].Start), new TimeRange(from, to), bucket, null);

        Assert.Equal(73, model.Invocations.Count);
        Assert.Equal(new ChartPoint(from.UtcDateTime, 30, Partial: true), model.Invocations[0]);
        Assert.Equal(new ChartPoint(series[1].Start.UtcDateTime, 50), model.Invocations[1]);
        Assert.Equal(new ChartPoint(series[2].Start.UtcDateTime, 12, Partial: true), model.Invocations[^1]);
        Assert.All(model.Invocations.Skip(2).SkipLast(1), p => Assert.Equal(0, p.Value));
        Assert.True(model.HasPartialBucket);
        Assert.Equal("92", model.Figures.Single(f => f.Id == "invocations").Display);
    }
}
