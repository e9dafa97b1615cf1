using Observe.Dashboard.Model;
using Observe.Store.Model;

namespace Observe.Dashboard.Tests.Model;

/// <summary>Issue 9, defects 4 and 5: sparse data on the Overview's charts and the cold-start card.</summary>
public class OverviewChartsTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 30, 20, TimeSpan.Zero);

    [Fact]
    public void Create_OneNonZeroMinuteInAnHour_OnePointPerMinuteOfTheRangeWithZerosAround()
    {
        var range = TimeRange.Last(TimeSpan.FromHours(1), Now);
        var busy = new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);
        var overview = new FleetOverview(1, 1, 0, 0, 0, 0, [Bucket(busy, invocations: 1)], FirstData: Now.AddHours(-3));

        var model = OverviewViewModel.Create(overview, range, TimeSpan.FromMinutes(1), null, Now);

        // The store counts whole minutes from 11:31 (the first at or after the start) to 12:30 (still filling).
        Assert.Equal(60, model.Invocations.Count);
        Assert.Equal(new DateTime(2026, 11, 22, 11, 31, 0, DateTimeKind.Utc), model.Invocations[0].Time);
        Assert.Equal(new DateTime(2026, 11, 22, 12, 30, 0, DateTimeKind.Utc), model.Invocations[^1].Time);
        Assert.True(model.Invocations[^1].Partial);
        Assert.Equal(1, model.Invocations.Single(p => p.Time == busy.UtcDateTime).Value);
        Assert.Equal(59, model.Invocations.Count(p => p.Value == 0));
        Assert.All(model.Errors, p => Assert.Equal(0, p.Value));
        Assert.All(model.ColdStarts, p => Assert.Equal(0, p.Value));
    }

    [Fact]
    public void Create_OnlyThePartialBucketHasData_ItIsDrawnAndWhatCameBeforeTheStoreIsUnknown()
    {
        var range = TimeRange.Last(TimeSpan.FromHours(24), Now);
        var bucket = SeriesBuckets.Choose(range.Length);
        var first = new DateTimeOffset(2026, 11, 22, 12, 25, 0, TimeSpan.Zero);
        var overview = new FleetOverview(1, 3, 0, 0, 0, 0, [Bucket(new DateTimeOffset(2026, 11, 22, 12, 30, 0, TimeSpan.Zero), invocations: 3)], FirstData: first);

        var model = OverviewViewModel.Create(overview, range, bucket, null, Now);

        Assert.Equal(TimeSpan.FromMinutes(15), bucket);
        var last = model.Invocations[^1];
        Assert.Equal(new ChartPoint(new DateTime(2026, 11, 22, 12, 30, 0, DateTimeKind.Utc), 3, Partial: true), last);
        // 12:15 ends after the first stored minute (12:25): zero; everything earlier was never collected.
        Assert.Equal(0, model.Invocations[^2].Value);
        Assert.True(model.Invocations[^2].Partial, "the bucket the store's data starts in is only partly collected");
        Assert.All(model.Invocations.SkipLast(2), p => Assert.Null(p.Value));
        Assert.Equal(range.From.UtcDateTime, model.Invocations[0].Time);
    }

    [Fact]
    public void Create_NothingEverStored_EveryBucketIsUnknownNotZero()
    {
        var range = TimeRange.Last(TimeSpan.FromHours(1), Now);

        var model = OverviewViewModel.Create(new FleetOverview(0, 0, 0, 0, 0, 0, []), range, TimeSpan.FromMinutes(1), null, Now);

        Assert.Equal(60, model.Invocations.Count);
        Assert.All(model.Invocations, p => Assert.Null(p.Value));
    }

    [Fact]
    public void Create_RangeEndingInTheFuture_NoBucketAfterNow()
    {
        var range = new TimeRange(Now.AddMinutes(-30), Now.AddMinutes(30));

        var model = OverviewViewModel.Create(new FleetOverview(1, 0, 0, 0, 0, 0, [], FirstData: Now.AddDays(-1)), range, TimeSpan.FromMinutes(1), null, Now);

        Assert.Equal(new DateTime(2026, 11, 22, 12, 30, 0, DateTimeKind.Utc), model.Invocations[^1].Time);
        Assert.True(model.Invocations[^1].Partial);
        Assert.All(model.Invocations, p => Assert.Equal(0, p.Value));
    }

    [Fact]
    public void Create_ColdStartsWithInvocationsNotRead_ShowsTheCountAndWhatIsMissing()
    {
        // Three cold starts from REPORT lines; CloudWatch's invocation count was not read (0 in the store).
        var overview = new FleetOverview(1, 0, 0, 0, 3, 0, [Bucket(Now.AddMinutes(-10), invocations: 0, coldStarts: 3)], FirstData: Now.AddHours(-2));

        var model = OverviewViewModel.Create(overview, TimeRange.Last(TimeSpan.FromHours(1), Now), TimeSpan.FromMinutes(1), null, Now);

        var card = model.Figures.Single(f => f.Id == "cold-start-rate");
        Assert.Equal("3", card.Display);
        Assert.Equal(3, card.Value);
        Assert.Equal("Cold starts", card.Label);
        Assert.Equal("rate unknown: invocations not read", card.Note);
    }

    [Fact]
    public void Create_NoColdStartsAndNoInvocations_RateIsADash()
    {
        var model = OverviewViewModel.Create(new FleetOverview(1, 0, 0, 0, 0, 0, []), TimeRange.Last(TimeSpan.FromHours(1), Now), TimeSpan.FromMinutes(1), null, Now);

        var card = model.Figures.Single(f => f.Id == "cold-start-rate");
        Assert.Equal("–", card.Display);
        Assert.Null(card.Note);
    }

    [Theory]
    [InlineData(0, 1, 1)]
    [InlineData(1, 1, 1)]
    [InlineData(3, 3, 1)]
    [InlineData(7, 8, 2)]
    [InlineData(12, 15, 5)]
    [InlineData(999, 1000, 200)]
    [InlineData(12_345, 15_000, 5_000)]
    public void Counts_AnyLargest_WholeStepsUpToAtLeastTheLargest(double largest, double max, double step)
    {
        Assert.Equal((max, step), ChartAxes.Counts(largest));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    [InlineData(10_001)]
    [InlineData(1_234_567)]
    public void Counts_LabelsFormatted_AreDistinctIntegers(double largest)
    {
        var (max, step) = ChartAxes.Counts(largest);
        var labels = Enumerable.Range(0, (int)(max / step) + 1).Select(i => FigureFormat.Count(i * step)).ToList();

        Assert.Equal(labels.Count, labels.Distinct().Count());
        Assert.Equal(0, step % 1);
        Assert.True(labels.Count <= ChartAxes.MaxIntervals + 1, string.Join(", ", labels));
    }

    private static MetricBucket Bucket(DateTimeOffset start, double invocations, double coldStarts = 0) =>
        new(start, invocations, 0, 0, null, null, null, null, null, null, coldStarts);

    [Fact]
    public void Create_RangeThatEndedBeforeNow_InventoryAndAlarmsSayTheyAreAsOfNowAndNoMinuteIsFilling()
    {
        var from = new DateTimeOffset(2026, 11, 22, 4, 0, 0, TimeSpan.Zero);
        var overview = new FleetOverview(300, 400, 3, 4, 6, 2, []);
        var deprecated = new DeprecatedRuntimes(2, [KeyValuePair.Create("dotnet6", 2)]);

        var model = OverviewViewModel.Create(overview, new TimeRange(from, from.AddHours(1)), TimeSpan.FromMinutes(1), deprecated, now: from.AddDays(2));

        Assert.Equal("now, not at the range's end", model.Figures.Single(f => f.Id == "functions").Note);
        Assert.Equal("now, not at the range's end", model.Figures.Single(f => f.Id == "alarms").Note);
        Assert.Equal("now, not at the range's end: dotnet6: 2", model.Figures.Single(f => f.Id == "deprecated-runtimes").Note);
        Assert.Null(model.FillingMinute);
    }

    [Fact]
    public void Create_RangeEndingNowMidMinute_NamesTheMinuteStillFilling()
    {
        var now = new DateTimeOffset(2026, 11, 22, 5, 17, 42, TimeSpan.Zero);
        var overview = new FleetOverview(300, 400, 3, 4, 6, 2, []);

        var model = OverviewViewModel.Create(overview, TimeRange.Last(TimeSpan.FromMinutes(15), now), TimeSpan.FromMinutes(1), null, now);

        Assert.Equal(new DateTimeOffset(2026, 11, 22, 5, 17, 0, TimeSpan.Zero), model.FillingMinute);
        Assert.Equal("now", model.Figures.Single(f => f.Id == "functions").Note);
    }
}
