using Observe.Dashboard.Demo;
using Observe.Dashboard.Tests.Hosting;
using Observe.Store.Model;

namespace Observe.Dashboard.Tests.Demo;

public sealed class DemoWriterTests : IAsyncLifetime
{
    private static readonly DateTimeOffset From = new(2026, 11, 21, 13, 0, 0, TimeSpan.Zero);
    private TestStore _store = null!;

    public async Task InitializeAsync() => _store = await TestStore.CreateAsync();

    public async Task DisposeAsync() => await _store.DisposeAsync();

    [Theory]
    [InlineData(2, 7)]
    [InlineData(4, 7)]
    [InlineData(9, 14)]
    [InlineData(16, 7)]
    public async Task WriteMinutesAsync_AnyTwoHours_SomeFunctionPublishesItsDailyVersion(int endHour, int seed)
    {
        // The detail page's browser test reads the changes in the demo's two-hour backfill, whatever the time of day.
        var writer = new DemoWriter(DemoFleet.Create(seed, count: 60), _store.Store);
        var to = From.Date.AddHours(endHour).AddMinutes(10);
        var range = new TimeRange(new DateTimeOffset(to.AddHours(-2), TimeSpan.Zero), new DateTimeOffset(to, TimeSpan.Zero));
        await writer.WriteInventoryAsync(range.From, CancellationToken.None);

        await writer.WriteMinutesAsync(range.From, range.To, CancellationToken.None);

        var changes = await _store.Store.GetFunctionChangesAsync(FleetFilter.All, null, range, 1000, CancellationToken.None);
        Assert.Contains(changes, c => c.Kind == "version");
    }

    [Fact]
    public async Task WriteMinutesAsync_SameMinutesTwice_StoreHoldsTheSameFigures()
    {
        var writer = new DemoWriter(DemoFleet.Create(seed: 7, count: 60), _store.Store);
        await writer.WriteInventoryAsync(From, CancellationToken.None);
        var range = new TimeRange(From, From.AddMinutes(30));

        await writer.WriteMinutesAsync(range.From, range.To, CancellationToken.None);
        var first = await SnapshotAsync(range);
        await writer.WriteMinutesAsync(range.From, range.To, CancellationToken.None);
        var second = await SnapshotAsync(range);

        Assert.Equal(first, second);
        Assert.True(first.Invocations > 0);
        Assert.True(first.Reports > 0);
        Assert.True(first.ErrorGroups > 0);
    }

    [Fact]
    public async Task WriteMinutesAsync_OtherWriterSameSeed_WritesTheSameFigures()
    {
        var range = new TimeRange(From, From.AddMinutes(20));
        var fleet = DemoFleet.Create(seed: 7, count: 60);
        await new DemoWriter(fleet, _store.Store).WriteMinutesAsync(range.From, range.To, CancellationToken.None);
        var written = await _store.Store.GetOverviewAsync(FleetFilter.All, range, TimeSpan.FromMinutes(1), CancellationToken.None);

        var expected = fleet.Functions.Sum(f => Enumerable.Range(0, 20).Sum(m => DemoFleet.Create(7, 60).Minute(f, From.AddMinutes(m)).Invocations));

        Assert.Equal(expected, written.Invocations);
    }

    [Fact]
    public async Task WritePartialMinuteAsync_LaterInTheMinute_OnlyGrowsTowardsTheWholeMinute()
    {
        var fleet = DemoFleet.Create(seed: 7, count: 60);
        var writer = new DemoWriter(fleet, _store.Store);
        var range = new TimeRange(From, From.AddMinutes(1));

        await writer.WritePartialMinuteAsync(From, 0.25, CancellationToken.None);
        var quarter = (await _store.Store.GetOverviewAsync(FleetFilter.All, range, TimeSpan.FromMinutes(1), CancellationToken.None)).Invocations;
        await writer.WritePartialMinuteAsync(From, 0.75, CancellationToken.None);
        var threeQuarters = (await _store.Store.GetOverviewAsync(FleetFilter.All, range, TimeSpan.FromMinutes(1), CancellationToken.None)).Invocations;
        await writer.WriteMinutesAsync(From, From.AddMinutes(1), CancellationToken.None);
        var whole = (await _store.Store.GetOverviewAsync(FleetFilter.All, range, TimeSpan.FromMinutes(1), CancellationToken.None)).Invocations;

        Assert.True(quarter < threeQuarters && threeQuarters <= whole, $"{quarter} < {threeQuarters} <= {whole}");
        Assert.Equal(fleet.Functions.Sum(f => fleet.Minute(f, From).Invocations), whole);
    }

    private async Task<(double Invocations, double Errors, double ColdStarts, int Reports, int ErrorGroups, long ErrorCount, int Traces)> SnapshotAsync(TimeRange range)
    {
        var overview = await _store.Store.GetOverviewAsync(FleetFilter.All, range, TimeSpan.FromMinutes(5), CancellationToken.None);
        var reports = await _store.Store.GetInvocationReportsAsync(null, range, coldStartsOnly: false, limit: 100_000, CancellationToken.None);
        var groups = await _store.Store.GetErrorGroupsAsync(FleetFilter.All, range, 10_000, CancellationToken.None);
        var traces = await _store.Store.GetTraceSummariesAsync(range, faultsOrErrorsOnly: false, limit: 100_000, CancellationToken.None);
        return (overview.Invocations, overview.Errors, overview.ColdStarts, reports.Count, groups.Count, groups.Sum(g => g.Count), traces.Count);
    }
}
