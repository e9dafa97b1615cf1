using Observe.Dashboard.Model;

namespace Observe.Dashboard.Tests.Model;

public class RefreshThrottleTests
{
    [Fact]
    public async Task Request_Burst_RunsOnceAtOnceAndOnceAfterTheInterval()
    {
        var runs = 0;
        using var throttle = new RefreshThrottle(TimeSpan.FromMilliseconds(300), TimeProvider.System, () =>
        {
            Interlocked.Increment(ref runs);
            return Task.CompletedTask;
        });

        throttle.Request();
        await WaitForAsync(() => Volatile.Read(ref runs) == 1);
        for (var i = 0; i < 500; i++)
        {
            throttle.Request();
        }

        Assert.Equal(1, Volatile.Read(ref runs));
        await WaitForAsync(() => Volatile.Read(ref runs) == 2);
        await Task.Delay(500);
        Assert.Equal(2, Volatile.Read(ref runs));
    }

    [Fact]
    public async Task Dispose_PendingRequest_DoesNotRun()
    {
        var runs = 0;
        var throttle = new RefreshThrottle(TimeSpan.FromMilliseconds(200), TimeProvider.System, () =>
        {
            Interlocked.Increment(ref runs);
            return Task.CompletedTask;
        });
        throttle.Request();
        await WaitForAsync(() => Volatile.Read(ref runs) == 1);

        throttle.Request();
        throttle.Dispose();
        await Task.Delay(400);
        throttle.Request();

        Assert.Equal(1, Volatile.Read(ref runs));
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met within 5 seconds");
            await Task.Delay(10);
        }
    }
}
