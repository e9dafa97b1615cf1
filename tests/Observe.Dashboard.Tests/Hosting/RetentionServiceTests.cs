using Microsoft.Extensions.DependencyInjection;
using Observe.Store;
using Observe.Store.Model;

namespace Observe.Dashboard.Tests.Hosting;

public class RetentionServiceTests
{
    [Fact]
    public async Task StartDashboardAsync_MinutePastRawRetention_IsRolledIntoAnHour()
    {
        using var directory = new TempDirectory();
        await using var app = DashboardHost.Build(directory.Path);
        var store = app.Services.GetRequiredService<IObserveStore>();
        await store.MigrateAsync(CancellationToken.None);
        var function = new FunctionKey("111111111111", "eu-west-1", "old");
        var hour = new DateTimeOffset(DateTimeOffset.UtcNow.AddDays(-8).Date, TimeSpan.Zero).AddHours(3);
        await store.WriteMetricsAsync(
            [
                new MetricPoint { Function = function, Minute = hour.AddMinutes(1), Invocations = 5 },
                new MetricPoint { Function = function, Minute = hour.AddMinutes(2), Invocations = 7 },
            ],
            CancellationToken.None);

        // The service's first pass runs as the host starts; once it has run, the raw minutes are gone.
        await app.StartDashboardAsync(CancellationToken.None);
        var range = new TimeRange(hour, hour.AddHours(1));
        var rawMinutesLeft = true;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (rawMinutesLeft && DateTime.UtcNow < deadline)
        {
            var minutes = await store.GetFunctionSeriesAsync(function, range, SeriesResolution.Minute, CancellationToken.None);
            rawMinutesLeft = minutes.Any(b => b.Start.Minute != 0);
            if (rawMinutesLeft)
            {
                await Task.Delay(100);
            }
        }

        Assert.False(rawMinutesLeft, "the retention service did not roll up minutes older than the raw retention");
        var bucket = Assert.Single(await store.GetFunctionSeriesAsync(function, range, SeriesResolution.Hour, CancellationToken.None));
        Assert.Equal(12, bucket.Invocations);
        await app.StopAsync();
    }
}
