using Observe.Dashboard.Model;
using Observe.Store.Model;

namespace Observe.Dashboard.Tests.Model;

/// <summary>Issue 11 item 6: a deploy marker compares the function's figures in equal windows before and after it.</summary>
public class FunctionDetailChangesTests
{
    private static readonly FunctionKey Fn = new("111122223333", "eu-west-1", "orders-api");
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 0, 30, TimeSpan.Zero);
    private static readonly TimeRange Day = TimeRange.Last(TimeSpan.FromHours(24), Now);
    private static readonly DateTimeOffset LongAgo = Now.AddDays(-3);

    [Fact]
    public void Compare_BusyMinutesAround_OneHourEachWithRatesAndTheHighestP99()
    {
        var at = At(9, 0);
        var minutes = Minutes(at.AddHours(-2), at, invocations: 100, errors: 1, p99: 200, coldStarts: 2)
            .Concat(Minutes(at, at.AddHours(2), invocations: 100, errors: 5, p99: 450, coldStarts: 10))
            .ToList();

        var compared = Assert.Single(FunctionDetailChanges.Compare([Change(at.AddSeconds(20))], minutes, LongAgo, Day, Now, null));

        Assert.Equal(at, compared.At);
        Assert.Equal(TimeSpan.FromHours(1), compared.Window);
        Assert.Equal("1 hour each", compared.WindowText);
        Assert.Equal(at.AddHours(-1), compared.Before!.From);
        Assert.Equal(at.AddHours(1), compared.After!.To);
        Assert.Equal(6_000, compared.Before.Invocations);
        Assert.Equal(0.01, compared.Before.ErrorRate!.Value, 9);
        Assert.Equal(0.05, compared.After.ErrorRate!.Value, 9);
        Assert.Equal(200, compared.Before.DurationP99Ms);
        Assert.Equal(450, compared.After.DurationP99Ms);
        Assert.Equal(0.02, compared.Before.ColdStartRate!.Value, 9);
        Assert.Equal(0.1, compared.After.ColdStartRate!.Value, 9);
        Assert.Null(compared.Before.Unknown);
        Assert.Null(compared.After.Unknown);
        Assert.Contains("error rate 1% → 5%", compared.Describe(), StringComparison.Ordinal);
        Assert.Contains("p99 duration 200 ms → 450 ms", compared.Describe(), StringComparison.Ordinal);
    }

    [Fact]
    public void Compare_ChangesCloseTogether_WindowsStopAtTheNeighboursAndSameMinuteChangesAreOne()
    {
        var first = At(9, 0);
        var second = At(9, 20);
        var minutes = Minutes(first.AddHours(-1), second.AddHours(1), invocations: 10).ToList();

        var compared = FunctionDetailChanges.Compare(
        [
            Change(second, "configuration", "memory 512 → 1024 MB"),
            Change(first.AddSeconds(5), "code"),
            Change(first.AddSeconds(40), "version", "version 8 published"),
        ], minutes, LongAgo, Day, Now, null);

        Assert.Equal(2, compared.Count);
        Assert.Equal(["code", "version"], compared[0].Changes.Select(c => c.Kind));
        Assert.Equal(TimeSpan.FromMinutes(20), compared[0].Window);
        Assert.Equal("the next change", compared[0].Limit);
        Assert.Equal(200, compared[0].Before!.Invocations);
        Assert.Equal(200, compared[0].After!.Invocations);
        Assert.Equal(TimeSpan.FromMinutes(20), compared[1].Window);
        Assert.Equal("20 minutes each, limited by the previous change", compared[1].WindowText);
    }

    [Fact]
    public void Compare_UnreadErrorCounts_ErrorRateUnknownNotZeroAndSaysWhy()
    {
        var at = At(9, 0);
        var minutes = Minutes(at.AddHours(-1), at.AddHours(1), invocations: 10).ToList();
        minutes[70] = minutes[70] with { UnreadErrorInvocations = 10 };

        var compared = Assert.Single(FunctionDetailChanges.Compare([Change(at)], minutes, LongAgo, Day, Now, null));

        Assert.Equal(0, compared.Before!.ErrorRate);
        Assert.Null(compared.After!.ErrorRate);
        Assert.Contains("error counts of 10 invocations could not be read", compared.After.Unknown, StringComparison.Ordinal);
        Assert.NotNull(compared.After.ColdStartRate);
        Assert.Contains("error rate 0% → unknown", compared.Describe(), StringComparison.Ordinal);
    }

    [Fact]
    public void Compare_NoInvocationsAfter_RatesUnknownAndNoP99()
    {
        var at = At(9, 0);
        var minutes = Minutes(at.AddHours(-1), at, invocations: 10).ToList();

        var compared = Assert.Single(FunctionDetailChanges.Compare([Change(at)], minutes, LongAgo, Day, Now, null));

        Assert.Equal(0, compared.After!.Invocations);
        Assert.Null(compared.After.ErrorRate);
        Assert.Null(compared.After.ColdStartRate);
        Assert.Null(compared.After.DurationP99Ms);
        Assert.Equal("no invocations, so no rates", compared.After.Unknown);
    }

    [Fact]
    public void Compare_NothingCollectedBefore_BeforeUnknownAfterKnown()
    {
        var at = At(9, 0);
        var collectedFrom = at.AddMinutes(-30);
        var minutes = Minutes(collectedFrom, at.AddHours(1), invocations: 10).ToList();

        var compared = Assert.Single(FunctionDetailChanges.Compare([Change(at)], minutes, collectedFrom, Day, Now, null));

        Assert.Equal(TimeSpan.FromHours(1), compared.Window);
        Assert.Null(compared.Before!.Invocations);
        Assert.Null(compared.Before.ErrorRate);
        Assert.Contains("nothing was collected for this function before 2026-11-22 08:30 UTC", compared.Before.Unknown, StringComparison.Ordinal);
        Assert.Equal(600, compared.After!.Invocations);

        var never = Assert.Single(FunctionDetailChanges.Compare([Change(at)], [], null, Day, Now, null));
        Assert.Null(never.Before!.Invocations);
        Assert.Null(never.After!.Invocations);
    }

    [Fact]
    public void Compare_OnlyHourlyRollupsKept_Unknown()
    {
        var at = At(9, 0);
        var compared = Assert.Single(FunctionDetailChanges.Compare(
            [Change(at)], Minutes(at.AddHours(-1), at.AddHours(1), invocations: 10).ToList(), LongAgo, Day, Now, minutesFrom: at));

        Assert.Null(compared.Before!.ErrorRate);
        Assert.Contains("hourly rollups", compared.Before.Unknown, StringComparison.Ordinal);
        Assert.NotNull(compared.After!.ErrorRate);
    }

    [Fact]
    public void Compare_ChangeAtTheRangesEdges_WindowsShrinkToTheEdgeOrThereIsNone()
    {
        var range = new TimeRange(At(8, 0), At(10, 0));
        var minutes = Minutes(At(7, 0), At(11, 0), invocations: 10).ToList();

        var nearStart = Assert.Single(FunctionDetailChanges.Compare([Change(At(8, 10))], minutes, LongAgo, range, Now, null));
        Assert.Equal(TimeSpan.FromMinutes(10), nearStart.Window);
        Assert.Equal("the range's start", nearStart.Limit);
        Assert.Equal(100, nearStart.Before!.Invocations);

        var nearEnd = Assert.Single(FunctionDetailChanges.Compare([Change(At(9, 55))], minutes, LongAgo, range, Now, null));
        Assert.Equal(TimeSpan.FromMinutes(5), nearEnd.Window);
        Assert.Equal("the range's end", nearEnd.Limit);

        // A change in the range's first minute leaves no room before it: no figures, never zeros.
        var atStart = Assert.Single(FunctionDetailChanges.Compare([Change(At(8, 0).AddSeconds(30))], minutes, LongAgo, range, Now, null));
        Assert.Equal(TimeSpan.Zero, atStart.Window);
        Assert.Null(atStart.Before);
        Assert.Null(atStart.After);
        Assert.Contains("No comparison", atStart.Describe(), StringComparison.Ordinal);

        // A live range ends now: the minute still filling is left out.
        var live = Assert.Single(FunctionDetailChanges.Compare([Change(Now.AddMinutes(-7))], minutes, LongAgo, Day, Now, null));
        Assert.Equal(TimeSpan.FromMinutes(7), live.Window);
        Assert.Equal("now", live.Limit);
    }

    private static DateTimeOffset At(int hour, int minute) => new(2026, 11, 22, hour, minute, 0, TimeSpan.Zero);

    private static FunctionChange Change(DateTimeOffset at, string kind = "code", string description = "code changed") => new(Fn, at, kind, description);

    private static IEnumerable<MetricBucket> Minutes(DateTimeOffset from, DateTimeOffset to, double invocations, double errors = 0, double? p99 = 100, double coldStarts = 0)
    {
        for (var m = from; m < to; m = m.AddMinutes(1))
        {
            yield return new MetricBucket(m, invocations, errors, 0, 50, 40, 80, p99, 1, null, coldStarts);
        }
    }
}
