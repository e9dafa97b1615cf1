using System.Net;
using Observe.Collectors.Collection;
using Observe.Collectors.Metrics;
using Observe.Collectors.Tests.Clients;
using Observe.Collectors.Tests.Infrastructure;
using Observe.Store.Model;

namespace Observe.Collectors.Tests.Metrics;

/// <summary>
/// Lambda Insights metrics for functions whose layers include the extension, against <see cref="FakeCloudWatch"/>
/// (which publishes them under <c>LambdaInsights</c> / <c>function_name</c> as AWS does): read in the same
/// GetMetricData calls as the Lambda statistics, only where the probe saw the function run, and never for a function
/// without the layer.
/// </summary>
public class MetricsInsightsTests
{
    private const string Account = "123456789012";
    private const string InsightsLayer = "arn:aws:lambda:eu-west-1:580247275435:layer:LambdaInsightsExtension:53";
    private static readonly DateTimeOffset Start = new(2026, 11, 29, 12, 0, 30, TimeSpan.Zero);
    private static readonly DateTimeOffset FirstEnd = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);
    private static readonly string[] Core = ["Invocations", "Errors", "Throttles", "Duration", "ConcurrentExecutions"];
    private static readonly string[] WithInsights = [.. Core, .. FakeCloudWatch.InsightsMetrics];

    [Fact]
    public async Task Collect_FunctionWithTheExtension_InsightsReadInTheSameCallsAsLambdas_StoredPerMinute()
    {
        var (rig, fake) = await StartAsync();
        await using var _ = rig;
        fake.Add("orders", WithInsights, Value);
        fake.Add("billing", Core, Value);
        await InventoryAsync(rig, ("orders", [InsightsLayer]), ("billing", ["arn:aws:lambda:eu-west-1:123456789012:layer:otel:3"]));

        await rig.CollectAsync();

        var insights = fake.Calls.SelectMany(c => c.Queries).Where(q => q.Namespace == "LambdaInsights").ToList();
        Assert.Equal(
            ["cpu_total_time Sum", "init_duration Maximum", "memory_utilization Maximum", "total_network Sum", "used_memory_max Maximum"],
            insights.Select(q => $"{q.Metric} {q.Stat}").Order(StringComparer.Ordinal));
        Assert.All(insights, q => Assert.Equal(("orders", "function_name"), (q.Function, q.Dimension)));

        // One detail call carries the Lambda statistics of both functions and the Insights ones: no call of their own.
        var detail = Assert.Single(fake.Calls, c => c.Queries.Any(q => q.Namespace == "LambdaInsights"));
        Assert.Contains(detail.Queries, q => q is { Namespace: "AWS/Lambda", Function: "billing" });
        Assert.Equal(2, fake.Calls.Count);

        var series = await rig.SeriesAsync("orders", FirstEnd.AddHours(-3), FirstEnd);
        Assert.Equal(180, series.Count);
        Assert.All(series, b => Assert.Equal(
            (Value("memory_utilization", "Maximum", b.Start), Value("used_memory_max", "Maximum", b.Start), Value("cpu_total_time", "Sum", b.Start),
             Value("total_network", "Sum", b.Start), Value("init_duration", "Maximum", b.Start), Value("Invocations", "Sum", b.Start)),
            (b.InsightsMemoryUtilizationMax, b.InsightsUsedMemoryMaxMb, b.InsightsCpuTotalTimeMs, b.InsightsNetworkBytes, b.InsightsInitDurationMaxMs, (double?)b.Invocations)));
        Assert.All(await rig.SeriesAsync("billing", FirstEnd.AddHours(-3), FirstEnd), b => Assert.Null(b.InsightsMemoryUtilizationMax));

        var stats = (await rig.Store.GetFunctionStatsAsync(FleetFilter.All, new TimeRange(FirstEnd.AddHours(-3), FirstEnd), CancellationToken.None)).Single(s => s.Function.Name == "orders");
        Assert.Equal(
            (series.Max(b => b.InsightsMemoryUtilizationMax), series.Max(b => b.InsightsUsedMemoryMaxMb)),
            (stats.InsightsMemoryUtilizationMax, stats.InsightsUsedMemoryMaxMb));
    }

    [Fact]
    public async Task Collect_WithoutTheExtension_NotOneExtraQuery_WithItFivePerFunction()
    {
        var without = await QueriesAsync(layers: _ => []);
        var withOne = await QueriesAsync(layers: name => name == "fn-07" ? ["arn:aws-cn:lambda:cn-north-1:488211338238:layer:LambdaInsightsExtension-Arm64:14"] : []);

        Assert.DoesNotContain(without, q => q.Namespace != "AWS/Lambda");
        Assert.Equal(without.Count + 5, withOne.Count);
        Assert.Equal(without.Select(Key).Order(StringComparer.Ordinal), withOne.Where(q => q.Namespace == "AWS/Lambda").Select(Key).Order(StringComparer.Ordinal));
        Assert.All(withOne.Where(q => q.Namespace == "LambdaInsights"), q => Assert.Equal("fn-07", q.Function));

        static string Key(AskedQuery q) => $"{q.Function} {q.Metric} {q.Stat}";

        static async Task<List<AskedQuery>> QueriesAsync(Func<string, string[]> layers)
        {
            var (rig, fake) = await StartAsync();
            await using var _ = rig;
            var names = Enumerable.Range(0, 10).Select(i => $"fn-{i:00}").ToArray();
            foreach (var name in names)
            {
                fake.Add(name, WithInsights, Value);
            }

            await InventoryAsync(rig, [.. names.Select(n => (n, layers(n)))]);
            await rig.CollectAsync();
            return [.. fake.Calls.SelectMany(c => c.Queries)];
        }
    }

    [Fact]
    public async Task Collect_ExtensionButIdleInTheWindow_InsightsNotRequested()
    {
        var (rig, fake) = await StartAsync();
        await using var _ = rig;

        // Invoked once an hour, at minute 50: active in the last 3 hours, idle in most 20-minute windows.
        fake.Add("hourly", WithInsights, (m, s, t) => t.Minute == 50 ? Value(m, s, t) : m is "Invocations" or "Throttles" ? 0 : null);
        await InventoryAsync(rig, ("hourly", [InsightsLayer]));
        await rig.CollectAsync();
        Assert.Contains(fake.Calls.SelectMany(c => c.Queries), q => q.Namespace == "LambdaInsights");
        fake.ClearCalls();

        await rig.RunAsync(TimeSpan.FromMinutes(15));

        Assert.Equal(["Invocations Sum", "Throttles Sum"], fake.Calls.SelectMany(c => c.Queries).Select(q => $"{q.Metric} {q.Stat}").Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Run_WatchedFunctionWithTheExtension_InsightsCurrentEveryMinute_LikeItsOtherFigures()
    {
        var (rig, fake) = await StartAsync();
        await using var _ = rig;
        fake.Add("orders", WithInsights, Value);
        fake.Add("billing", WithInsights, Value);
        await InventoryAsync(rig, ("orders", [InsightsLayer]), ("billing", []));
        await rig.CollectAsync();
        await rig.Store.WatchFunctionAsync(rig.Fn("orders"), rig.Time.GetUtcNow().AddMinutes(30), CancellationToken.None);
        fake.ClearCalls();

        await rig.RunAsync(TimeSpan.FromMinutes(3));

        // Three watched passes between cold passes: the detail page's Insights charts are as fresh as the rest.
        Assert.Equal(3, fake.Calls.Count);
        Assert.All(fake.Calls, c => Assert.Equal(5, c.Queries.Count(q => q is { Namespace: "LambdaInsights", Function: "orders" })));
        Assert.DoesNotContain(fake.Calls.SelectMany(c => c.Queries), q => q.Function == "billing");
        var end = UtcMinute.Floor(rig.Time.GetUtcNow());
        Assert.Equal(Value("used_memory_max", "Maximum", end.AddMinutes(-1)), (await rig.SeriesAsync("orders", end.AddMinutes(-1), end)).Single().InsightsUsedMemoryMaxMb);
    }

    [Fact]
    public async Task Collect_InsightsRejected_PassDegradedNamingThem_LambdaFiguresStored_InsightsUnknown()
    {
        ManualTimeProvider? clock = null;
        var fake = new FakeCloudWatch(new DeferredClock(() => clock!));
        await using var rig = await MetricsRig.StartAsync(LambdaRecordedTests.DirectAccount(Account), Start, new RejectInsights(fake));
        clock = rig.Time;
        fake.Add("orders", WithInsights, Value);
        await InventoryAsync(rig, ("orders", [InsightsLayer]));

        var report = await rig.CollectReportAsync();

        var problem = Assert.Single(report.Problems);
        Assert.Contains("memory_utilization Maximum of 1 function (e.g. orders)", problem, StringComparison.Ordinal);
        Assert.Contains("init_duration Maximum of 1 function", problem, StringComparison.Ordinal);
        Assert.DoesNotContain("Invocations", problem, StringComparison.Ordinal);
        var series = await rig.SeriesAsync("orders", FirstEnd.AddHours(-3), FirstEnd);
        Assert.Equal(180, series.Count);
        Assert.All(series, b => Assert.Equal((Value("Errors", "Sum", b.Start), (double?)null), (b.Errors, b.InsightsMemoryUtilizationMax)));
    }

    [Theory]
    [InlineData("arn:aws:lambda:us-east-1:580247275435:layer:LambdaInsightsExtension:53", true)]
    [InlineData("arn:aws:lambda:us-east-1:580247275435:layer:LambdaInsightsExtension-Arm64:20", true)]
    [InlineData("arn:aws:lambda:af-south-1:012438385374:layer:LambdaInsightsExtension:25", true)]
    [InlineData("arn:aws-cn:lambda:cn-north-1:488211338238:layer:LambdaInsightsExtension:14", true)]
    [InlineData("arn:aws:lambda:us-east-1:580247275435:layer:LambdaInsightsExtension", true)]
    [InlineData("arn:aws:lambda:us-east-1:901920570463:layer:aws-otel-collector-amd64-ver-0-102-1:1", false)]
    [InlineData("arn:aws:lambda:us-east-1:123456789012:function:LambdaInsightsExtension", false)]
    [InlineData("arn:aws:lambda:us-east-1:123456789012:layer:MyLambdaInsightsExtension:1", false)]
    [InlineData("LambdaInsightsExtension", false)]
    [InlineData("", false)]
    public void IsExtension_MatchesTheLayerNameInAnyAccountAndPartition(string arn, bool expected) =>
        Assert.Equal(expected, LambdaInsightsLayer.IsExtension(arn));

    /// <summary>Lambda figures as <see cref="MetricsCollectorTests.Value"/>, and whole-number Insights figures per minute.</summary>
    private static double? Value(string metric, string stat, DateTimeOffset minute)
    {
        var m = minute.ToUnixTimeSeconds() / 60 % 89;
        return metric switch
        {
            "memory_utilization" => 10 + (m % 80),
            "used_memory_max" => 60 + m,
            "cpu_total_time" => 500 + (7 * m),
            "total_network" => 10_000 + (100 * m),
            "init_duration" => m % 10 == 0 ? 300 + m : null,
            _ => MetricsCollectorTests.Value(metric, stat, minute),
        };
    }

    private static async Task InventoryAsync(MetricsRig rig, params (string Name, string[] Layers)[] functions) =>
        await rig.Store.UpsertFunctionsAsync(
            [.. functions.Select(f => new LambdaFunction
            {
                Key = rig.Fn(f.Name),
                Arn = $"arn:aws:lambda:{rig.Target.Region}:{Account}:function:{f.Name}",
                Layers = f.Layers,
                LastSeen = FirstEnd,
            })],
            CancellationToken.None);

    private static async Task<(MetricsRig Rig, FakeCloudWatch Fake)> StartAsync()
    {
        ManualTimeProvider? clock = null;
        var fake = new FakeCloudWatch(new DeferredClock(() => clock!));
        var rig = await MetricsRig.StartAsync(LambdaRecordedTests.DirectAccount(Account), Start, fake);
        clock = rig.Time;
        return (rig, fake);
    }

    /// <summary>
    /// Rejects every GetMetricData call that names the <c>LambdaInsights</c> namespace with a client error, as AWS rejects a
    /// whole call for one query it will not answer; the rest goes to <paramref name="inner"/>.
    /// </summary>
    private sealed class RejectInsights(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
            if (body.Contains("\"Namespace\":\"LambdaInsights\"", StringComparison.Ordinal))
            {
                return new HttpResponseMessage(HttpStatusCode.BadRequest)
                {
                    Content = new StringContent("""{"__type":"InvalidParameterCombination","message":"injected: LambdaInsights is not answered"}"""),
                };
            }

            return await base.SendAsync(request, cancellationToken);
        }
    }

    /// <summary>The rig's clock, known only once the rig exists.</summary>
    private sealed class DeferredClock(Func<TimeProvider> clock) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => clock().GetUtcNow();
    }
}
