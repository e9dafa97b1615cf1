using System.Diagnostics;
using Observe.Collectors.Collection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Observe.Collectors.Tests.Collection;

/// <summary>
/// The collectors host's own traces and metrics, read through the OpenTelemetry SDK as an exporter would. The source
/// and meter are process-wide, so each test filters on an account no other test uses.
/// </summary>
public class CollectorsTelemetryTests
{
    [Fact]
    public async Task Run_Listened_ActivityPerPassAndDurationFailureAndSkipMetrics()
    {
        const string Account = "333333333333";
        var activities = new List<Activity>();
        var metrics = new List<Metric>();
        var tracer = Sdk.CreateTracerProviderBuilder().AddSource(CollectorsTelemetry.Name).AddInMemoryExporter(activities).Build();
        var meter = Sdk.CreateMeterProviderBuilder().AddMeter(CollectorsTelemetry.Name).AddInMemoryExporter(metrics).Build();
        var clean = new FakeCollector("inventory", TimeSpan.FromHours(1), (_, report, _) =>
        {
            report.Skipped("malformed REPORT line", 3);
            return Task.CompletedTask;
        });
        var failing = new FakeCollector("alarms", TimeSpan.FromHours(1), (_, _) => throw new InvalidOperationException("no alarms for you"));
        await using var harness = await HostHarness.CreateAsync(
            [HostHarness.Account(Account, "telemetry", "eu-west-1")], new CollectorsOptions { StartSpread = TimeSpan.Zero }, TimeProvider.System, clean, failing);

        await harness.Host.StartAsync(CancellationToken.None);
        await HostHarness.WaitUntilAsync(
            async () => (await harness.Store.GetCollectorStatusAsync(CancellationToken.None)).Count(s => s.LastDuration is not null) == 2, "both passes recorded");
        await harness.Host.StopAsync(CancellationToken.None);

        // Other tests' hosts run passes meanwhile: shut the providers down (the meter exporting a last time) before
        // reading, so nothing adds to the lists while they are read.
        tracer.Dispose();
        meter.Dispose();

        var passes = activities.Where(a => Equals(a.GetTagItem("cloud.account.id"), Account)).ToList();
        Assert.Equal(
            [("alarms", "eu-west-1", "failed", ActivityStatusCode.Error), ("inventory", "eu-west-1", "ok", ActivityStatusCode.Unset)],
            passes.Select(a => ((string)a.GetTagItem("observe.collector")!, (string)a.GetTagItem("cloud.region")!, (string)a.GetTagItem("observe.collector.outcome")!, a.Status))
                .OrderBy(p => p.Item1, StringComparer.Ordinal));
        Assert.All(passes, a => Assert.Equal("collector pass", a.DisplayName));

        Assert.Equal(
            [("alarms", "failed"), ("inventory", "ok")],
            Points(metrics, CollectorsTelemetry.PassDuration, Account)
                .Select(p => (Tag(p, "observe.collector"), Tag(p, "observe.collector.outcome")))
                .Order());
        Assert.Equal(
            [("alarms", 1L)],
            Points(metrics, CollectorsTelemetry.PassFailures, Account).Select(p => (Tag(p, "observe.collector"), p.GetSumLong())));
        Assert.Equal(
            [("inventory", "malformed REPORT line", 3L)],
            Points(metrics, CollectorsTelemetry.SkippedRows, Account).Select(p => (Tag(p, "observe.collector"), Tag(p, "observe.skip.reason"), p.GetSumLong())));
    }

    [Fact]
    public async Task Run_NobodyListens_PassesRunWithoutActivities()
    {
        var started = new List<Activity?>();
        var collector = new FakeCollector("inventory", TimeSpan.FromHours(1), (_, _) =>
        {
            started.Add(Activity.Current);
            return Task.CompletedTask;
        });
        await using var harness = await HostHarness.CreateAsync(
            [HostHarness.Account("444444444444", "quiet", "eu-west-1")], new CollectorsOptions { StartSpread = TimeSpan.Zero }, TimeProvider.System, collector);

        // Only this class listens to the source, and its tests run one at a time.
        Assert.False(CollectorsTelemetry.Source.HasListeners());
        await harness.Host.StartAsync(CancellationToken.None);
        await HostHarness.WaitUntilAsync(() => collector.Passes.Count == 1, "the first pass");
        await harness.Host.StopAsync(CancellationToken.None);

        Assert.Null(Assert.Single(started));
    }

    private static List<MetricPoint> Points(List<Metric> metrics, string name, string account)
    {
        var points = new List<MetricPoint>();
        // Each export adds the same Metric objects again; their points hold the running totals.
        foreach (var metric in metrics.Where(m => m.Name == name).Distinct())
        {
            foreach (ref readonly var point in metric.GetMetricPoints())
            {
                if (Tag(point, "cloud.account.id") == account)
                {
                    points.Add(point);
                }
            }
        }

        return points;
    }

    private static string? Tag(MetricPoint point, string key)
    {
        foreach (var tag in point.Tags)
        {
            if (tag.Key == key)
            {
                return tag.Value as string;
            }
        }

        return null;
    }
}
