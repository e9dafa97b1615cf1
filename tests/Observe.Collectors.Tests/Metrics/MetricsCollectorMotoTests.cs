using System.Text.Json.Nodes;
using Observe.Collectors.Aws;
using Observe.Collectors.Collection;
using Observe.Collectors.Tests.Infrastructure;
using Observe.Store.Model;

namespace Observe.Collectors.Tests.Metrics;

/// <summary>
/// Against moto, in account 310000000071 reached by AssumeRole. moto answers Sum, Average, Minimum and Maximum but not
/// percentiles (HTTP 500), so these functions publish no Duration and the collector never asks for p50/p90/p99 here;
/// <see cref="MetricsCollectorTests"/> covers percentiles with responses written from the API reference.
/// </summary>
public class MetricsCollectorMotoTests
{
    private const string Account = "310000000071";
    private const string Region = "eu-west-1";

    [Fact]
    public async Task Collect_AfterPutMetricData_StoreEqualsSeeded_AndFunctionsWithoutMetricsAreNotAsked()
    {
        var now = DateTimeOffset.UtcNow;
        var end = UtcMinute.Floor(now);
        var (busy, quiet, idle) = (Name("busy"), Name("quiet"), Name("idle"));
        using var seed = new MotoSeeder(Account);
        var seeded = await SeedAsync(seed, busy, quiet, end);
        var transport = new FailNth(new SocketsHttpHandler { AllowAutoRedirect = false }, int.MaxValue);
        await using var rig = await MetricsRig.StartAsync(AwsTestHost.OptionsFor(Moto.Url, (Account, [Region])), now, transport);
        await rig.Store.UpsertFunctionsAsync([new LambdaFunction { Key = rig.Fn(idle), Arn = $"arn:aws:lambda:{Region}:{Account}:function:{idle}" }], CancellationToken.None);

        await rig.CollectAsync();

        await AssertEqualsSeededAsync(rig, seeded, end);
        Assert.DoesNotContain(transport.Bodies, b => b.Contains(idle, StringComparison.Ordinal));
        var usage = rig.Aws.Meter.GetUsage(DateOnly.FromDateTime(DateTime.UtcNow)).Single(u => u.Operation == "GetMetricData");
        var asked = transport.Bodies.Where(b => b.Contains("MetricDataQueries", StringComparison.Ordinal)).Sum(b => JsonNode.Parse(b)!["MetricDataQueries"]!.AsArray().Count);
        Assert.Equal(asked, usage.BilledUnits);
    }

    [Fact]
    public async Task Collect_PassCutShortThenRestarted_StoreEqualsSeeded_NothingCountedTwice()
    {
        var now = DateTimeOffset.UtcNow;
        var end = UtcMinute.Floor(now);
        var (busy, quiet) = (Name("busy"), Name("quiet"));
        using var seed = new MotoSeeder(Account);
        var seeded = await SeedAsync(seed, busy, quiet, end);
        var transport = new FailNth(new SocketsHttpHandler { AllowAutoRedirect = false }, 2);
        await using var rig = await MetricsRig.StartAsync(AwsTestHost.OptionsFor(Moto.Url, (Account, [Region])), now, transport, o => o.QueriesPerCall = 2);

        transport.Arm();
        await Assert.ThrowsAsync<AwsServiceException>(rig.CollectAsync);
        Assert.Null(await rig.Store.GetCheckpointAsync($"metrics/{Account}/{Region}", CancellationToken.None));

        rig.Restart();
        await rig.CollectAsync();

        // Replayed after the restart, the minutes the first pass wrote are merged, not added.
        await AssertEqualsSeededAsync(rig, seeded, end);
        Assert.NotNull(await rig.Store.GetCheckpointAsync($"metrics/{Account}/{Region}", CancellationToken.None));
    }

    [Fact]
    public async Task Collect_PercentilesAnswer500_ErrorsAndDurationStoredExactly_OverviewErrorRateIsTheSeededOne()
    {
        // The fleet: AWS/Lambda metrics for 12 functions over 30 minutes (Invocations, Errors, Throttles,
        // Duration). moto answers the p50/p90/p99 queries with HTTP 500: the rest must be stored, the percentiles
        // left unknown, and the pass must say which statistics it could not read. A separate account keeps other
        // tests' (and earlier runs') metrics out of the listing: moto ignores RecentlyActive.
        var account = $"31{Random.Shared.NextInt64(10_000_000_000):0000000000}";
        var now = DateTimeOffset.UtcNow;
        var end = UtcMinute.Floor(now);
        var names = Enumerable.Range(0, 12).Select(i => Name($"fleet{i:00}")).ToList();
        using var seed = new MotoSeeder(account);
        var expected = new Dictionary<(string Function, DateTimeOffset Minute), (double Invocations, double Errors, double Throttles, double Duration)>();
        foreach (var (name, i) in names.Select((n, i) => (n, i)))
        {
            var data = new JsonArray();
            for (var ago = 31; ago >= 2; ago--)
            {
                var minute = end.AddMinutes(-ago);
                var figures = (Invocations: 30d, Errors: ago % 3 == 0 ? 1d : 0d, Throttles: (double)(i % 2), Duration: 100d + i + ago);
                data.Add(Datum(name, "Invocations", minute.AddSeconds(5), figures.Invocations));
                data.Add(Datum(name, "Errors", minute.AddSeconds(6), figures.Errors));
                data.Add(Datum(name, "Throttles", minute.AddSeconds(7), figures.Throttles));
                data.Add(Datum(name, "Duration", minute.AddSeconds(8), figures.Duration));
                expected[(name, minute)] = figures;
            }

            await seed.CloudWatchAsync(Region, "PutMetricData", new JsonObject { ["Namespace"] = "AWS/Lambda", ["MetricData"] = data });
        }

        var aws = AwsTestHost.OptionsFor(Moto.Url, (account, [Region]));

        // moto's 500 is retried as transient with delays on the rig's manual clock; one attempt keeps the test on
        // what it checks (the collector's own split and retry).
        aws.Retry.MaxAttempts = 1;
        await using var rig = await MetricsRig.StartAsync(aws, now);

        var report = await rig.CollectReportAsync();

        var problem = Assert.Single(report.Problems);
        Assert.Contains("Duration p50", problem, StringComparison.Ordinal);
        Assert.Contains("Duration p99", problem, StringComparison.Ordinal);
        foreach (var name in names)
        {
            var series = await rig.SeriesAsync(name, end.AddHours(-3), end);
            var seeded = expected.Where(e => e.Key.Function == name).OrderBy(e => e.Key.Minute).ToList();
            Assert.Equal(seeded.Select(e => e.Key.Minute), series.Select(b => b.Start));
            foreach (var (e, b) in seeded.Zip(series))
            {
                Assert.Equal((e.Value.Invocations, e.Value.Errors, e.Value.Throttles, (double?)e.Value.Duration), (b.Invocations, b.Errors, b.Throttles, b.DurationAvgMs));
                Assert.Equal(((double?)null, (double?)null, (double?)null), (b.DurationP50Ms, b.DurationP90Ms, b.DurationP99Ms));
            }
        }

        // The issue saw "0% (0 errors)" here: 120 errors in 10,800 invocations is 1.11%.
        var overview = await rig.Store.GetOverviewAsync(FleetFilter.All, new TimeRange(end.AddHours(-3), end), TimeSpan.FromHours(1), CancellationToken.None);
        Assert.Equal((10_800d, 120d, 0d), (overview.Invocations, overview.Errors, overview.UnreadErrorInvocations));
        Assert.Equal(120d / 10_800, overview.ErrorRate);
    }

    /// <summary>Seeds several data points per minute; returns what CloudWatch must report per function and minute.</summary>
    private static async Task<Dictionary<(string Function, DateTimeOffset Minute), MetricPoint>> SeedAsync(MotoSeeder seed, string busy, string quiet, DateTimeOffset end)
    {
        var data = new JsonArray();
        var expected = new Dictionary<(string, DateTimeOffset), MetricPoint>();
        for (var ago = 10; ago >= 2; ago--)
        {
            var minute = end.AddMinutes(-ago);
            data.Add(Datum(busy, "Invocations", minute.AddSeconds(5), ago));
            data.Add(Datum(busy, "Invocations", minute.AddSeconds(35), 100));
            data.Add(Datum(busy, "Errors", minute.AddSeconds(10), ago % 3));
            data.Add(Datum(busy, "Throttles", minute.AddSeconds(20), 1));
            data.Add(Datum(busy, "ConcurrentExecutions", minute.AddSeconds(15), ago));
            data.Add(Datum(busy, "ConcurrentExecutions", minute.AddSeconds(45), 4));
            data.Add(Datum(busy, "IteratorAge", minute.AddSeconds(50), 1000 * ago));
            data.Add(Datum(busy, "DeadLetterErrors", minute.AddSeconds(25), ago % 2));
            data.Add(Datum(busy, "AsyncEventsDropped", minute.AddSeconds(30), 2));
            expected[(busy, minute)] = new MetricPoint
            {
                Function = default,
                Minute = minute,
                Invocations = ago + 100,
                Errors = ago % 3,
                Throttles = 1,
                ConcurrentExecutions = Math.Max(ago, 4),
                IteratorAgeMs = 1000 * ago,
                DeadLetterErrors = ago % 2,
                AsyncEventsDropped = 2,
            };
            if (ago % 2 == 0)
            {
                data.Add(Datum(quiet, "Invocations", minute.AddSeconds(1), 1));
                data.Add(Datum(quiet, "Errors", minute.AddSeconds(1), 0));
                expected[(quiet, minute)] = new MetricPoint { Function = default, Minute = minute, Invocations = 1, Errors = 0 };
            }
        }

        // PutMetricData takes at most 1,000 data points per call; 68 here.
        await seed.CloudWatchAsync(Region, "PutMetricData", new JsonObject { ["Namespace"] = "AWS/Lambda", ["MetricData"] = data });
        return expected;
    }

    private static async Task AssertEqualsSeededAsync(MetricsRig rig, Dictionary<(string Function, DateTimeOffset Minute), MetricPoint> seeded, DateTimeOffset end)
    {
        foreach (var function in seeded.Keys.Select(k => k.Function).Distinct())
        {
            var series = await rig.SeriesAsync(function, end.AddHours(-3), end);
            var expected = seeded.Where(s => s.Key.Function == function).OrderBy(s => s.Key.Minute).Select(s => s.Value).ToList();
            Assert.Equal(expected.Select(p => p.Minute), series.Select(b => b.Start));
            foreach (var (p, b) in expected.Zip(series))
            {
                Assert.Equal((p.Invocations ?? 0, p.Errors ?? 0, p.Throttles ?? 0), (b.Invocations, b.Errors, b.Throttles));
                Assert.Equal((p.ConcurrentExecutions, p.IteratorAgeMs, p.DeadLetterErrors, p.AsyncEventsDropped), (b.ConcurrentExecutions, b.IteratorAgeMs, b.DeadLetterErrors, b.AsyncEventsDropped));
                Assert.Null(b.DurationP99Ms);
            }
        }
    }

    private static JsonObject Datum(string function, string metric, DateTimeOffset at, double value) => new()
    {
        ["MetricName"] = metric,
        ["Dimensions"] = new JsonArray(new JsonObject { ["Name"] = "FunctionName", ["Value"] = function }),
        ["Timestamp"] = at.ToUnixTimeSeconds(),
        ["Value"] = value,
    };

    private static string Name(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..20];

}
