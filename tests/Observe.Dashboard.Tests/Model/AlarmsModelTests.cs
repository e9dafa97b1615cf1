using Observe.Dashboard.Model;
using Observe.Store.Model;

namespace Observe.Dashboard.Tests.Model;

public sealed class AlarmsModelTests
{
    private const string Arn = "arn:aws:cloudwatch:eu-west-1:111122223333:alarm:orders/errors";
    private static readonly DateTimeOffset Now = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeRange LastSixHours = new(Now.AddHours(-6), Now);

    [Fact]
    public void History_StateUnchangedSinceBeforeTheRange_IsOneSegmentOfTheCurrentState()
    {
        var model = AlarmHistoryViewModel.Create(Arn, Alarm(AlarmState.Ok, Now.AddDays(-3)), [], 100, LastSixHours, Now);

        Assert.Equal([new AlarmSegment(LastSixHours.From, Now, AlarmState.Ok)], model.Segments);
        Assert.Empty(model.Transitions);
    }

    [Fact]
    public void History_Transitions_SegmentsFollowThemAndTheStateBeforeTheFirstIsItsFromState()
    {
        AlarmStateChange[] newestFirst =
        [
            new(Arn, Now.AddHours(-1), AlarmState.Alarm, AlarmState.Ok, "recovered"),
            new(Arn, Now.AddHours(-2), AlarmState.InsufficientData, AlarmState.Alarm, "crossed"),
            new(Arn, Now.AddHours(-8), AlarmState.Ok, AlarmState.InsufficientData, "no data"),
        ];

        var model = AlarmHistoryViewModel.Create(Arn, Alarm(AlarmState.Ok, Now.AddHours(-1)), newestFirst, 100, LastSixHours, Now);

        Assert.Equal(
        [
            new AlarmSegment(LastSixHours.From, Now.AddHours(-2), AlarmState.InsufficientData),
            new AlarmSegment(Now.AddHours(-2), Now.AddHours(-1), AlarmState.Alarm),
            new AlarmSegment(Now.AddHours(-1), Now, AlarmState.Ok),
        ], model.Segments);
        Assert.Equal(newestFirst.Take(2), model.Transitions);
        Assert.False(model.HistoryCut);
    }

    [Fact]
    public void History_ReadCutAtItsLimitInsideTheRange_BeforeTheOldestChangeReadIsUnknown()
    {
        AlarmStateChange[] newestFirst = [new(Arn, Now.AddHours(-1), AlarmState.Alarm, AlarmState.Ok, "recovered")];

        var model = AlarmHistoryViewModel.Create(Arn, Alarm(AlarmState.Ok, Now.AddHours(-1)), newestFirst, limit: 1, LastSixHours, Now);

        Assert.Equal([null, AlarmState.Ok], model.Segments.Select(s => s.State));
        Assert.True(model.HistoryCut);
    }

    [Fact]
    public void History_FirstSeenInsideTheRangeWithoutHistory_BeforeIsUnknown()
    {
        var model = AlarmHistoryViewModel.Create(Arn, Alarm(AlarmState.Alarm, Now.AddHours(-2)), [], 100, LastSixHours, Now);

        Assert.Equal(
        [
            new AlarmSegment(LastSixHours.From, Now.AddHours(-2), null),
            new AlarmSegment(Now.AddHours(-2), Now, AlarmState.Alarm),
        ], model.Segments);
    }

    [Fact]
    public void History_PastRange_EndsAtTheRangesEndAndKeepsTheStateThen()
    {
        var range = new TimeRange(Now.AddHours(-10), Now.AddHours(-4));
        AlarmStateChange[] newestFirst = [new(Arn, Now.AddHours(-1), AlarmState.Alarm, AlarmState.Ok, "recovered")];

        var model = AlarmHistoryViewModel.Create(Arn, Alarm(AlarmState.Ok, Now.AddHours(-1)), newestFirst, 100, range, Now);

        Assert.Equal([new AlarmSegment(range.From, range.To, AlarmState.Alarm)], model.Segments);
        Assert.Empty(model.Transitions);
    }

    [Theory]
    [InlineData("alarm", AlarmState.Alarm)]
    [InlineData("ALARM", AlarmState.Alarm)]
    [InlineData("insufficient-data", AlarmState.InsufficientData)]
    [InlineData("INSUFFICIENT_DATA", AlarmState.InsufficientData)]
    [InlineData("ok", AlarmState.Ok)]
    [InlineData("firing", null)]
    public void ParseState_CloudWatchAndAddressSpellings(string value, AlarmState? expected) =>
        Assert.Equal(expected, AlarmsAddress.ParseState(value));

    [Fact]
    public void Address_RoundTrips_FiltersArnAndRange()
    {
        var address = AlarmsAddress.Parse(
            $"http://host/alarms/{Uri.EscapeDataString(Arn)}?state=ok&state=ALARM&account=1&region=eu-west-1&q=a%20b&range=6h", "http://host/");

        Assert.Equal(Arn, address.Arn);
        Assert.Equal(new HashSet<AlarmState> { AlarmState.Ok, AlarmState.Alarm }, address.States);
        Assert.Null(address.Error);
        Assert.Equal("alarms?state=ok&state=alarm&account=1&region=eu-west-1&q=a%20b&range=6h", address.ListUri());
        var again = AlarmsAddress.Parse("http://host/" + address.AlarmUri(Arn), "http://host/");
        Assert.Equal(Arn, again.Arn);
        Assert.Equal(address.ListUri(), again.ListUri());
    }

    [Fact]
    public void Address_UnknownState_NamesTheParameterAndTheValuesThatWork()
    {
        var address = AlarmsAddress.Parse("http://host/alarms?state=red", "http://host/");

        Assert.Equal("state: \"red\" is not an alarm state; use alarm, insufficient-data or ok.", address.Error);
    }

    [Fact]
    public void Ago_LargestTwoUnits()
    {
        Assert.Equal("45 s ago", AlarmRow.Ago(TimeSpan.FromSeconds(45)));
        Assert.Equal("3 min ago", AlarmRow.Ago(TimeSpan.FromMinutes(3.5)));
        Assert.Equal("2 h 5 min ago", AlarmRow.Ago(new TimeSpan(2, 5, 0)));
        Assert.Equal("4 d 1 h ago", AlarmRow.Ago(new TimeSpan(4, 1, 30, 0)));
        Assert.Equal("just now", AlarmRow.Ago(TimeSpan.FromSeconds(-2)));
    }

    private static CloudWatchAlarm Alarm(AlarmState state, DateTimeOffset since) => new()
    {
        AccountId = "111122223333",
        Region = "eu-west-1",
        Name = "orders/errors",
        Arn = Arn,
        State = state,
        StateUpdated = since,
    };
}
