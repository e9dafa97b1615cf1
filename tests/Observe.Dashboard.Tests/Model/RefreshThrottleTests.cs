using Microsoft.Extensions.Time.Testing;
using Observe.Dashboard.Model;

namespace Observe.Dashboard.Tests.Model;

/// <summary>
/// On a fake clock: with the system clock these tests asserted "nothing ran yet" after real time had passed, and a
/// thread descheduled for longer than the interval (a loaded CI machine) let the timer fire first.
/// </summary>
public class RefreshThrottleTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(300);

    [Fact]
    public void Request_Burst_RunsOnceAtOnceAndOnceAfterTheInterval()
    {
        var time = new FakeTimeProvider();
        var runs = 0;
        using var throttle = new RefreshThrottle(Interval, time, () =>
        {
            runs++;
            return Task.CompletedTask;
        });

        throttle.Request();
        time.Advance(TimeSpan.Zero);
        Assert.Equal(1, runs);

        for (var i = 0; i < 500; i++)
        {
            throttle.Request();
        }

        time.Advance(Interval - TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, runs);
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(2, runs);
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(2, runs);
    }

    [Fact]
    public void Request_AfterAQuietPeriod_RunsAtOnce()
    {
        var time = new FakeTimeProvider();
        var runs = 0;
        using var throttle = new RefreshThrottle(Interval, time, () =>
        {
            runs++;
            return Task.CompletedTask;
        });
        throttle.Request();
        time.Advance(TimeSpan.Zero);

        time.Advance(TimeSpan.FromSeconds(5));
        throttle.Request();
        time.Advance(TimeSpan.Zero);

        Assert.Equal(2, runs);
    }

    [Fact]
    public void Dispose_PendingRequest_DoesNotRun()
    {
        var time = new FakeTimeProvider();
        var runs = 0;
        var throttle = new RefreshThrottle(Interval, time, () =>
        {
            runs++;
            return Task.CompletedTask;
        });
        throttle.Request();
        time.Advance(TimeSpan.Zero);
        Assert.Equal(1, runs);

        throttle.Request();
        throttle.Dispose();
        time.Advance(TimeSpan.FromSeconds(10));
        throttle.Request();
        time.Advance(TimeSpan.FromSeconds(10));

        Assert.Equal(1, runs);
    }
}
