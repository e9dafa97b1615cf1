using System.Text.Json.Nodes;
using Observe.Collectors.Collection;
using Observe.Collectors.Metrics;
using Observe.Collectors.Tests.Infrastructure;
using Observe.Store.Model;

namespace Observe.Collectors.Tests.Metrics;

/// <summary>
/// Lambda Insights for container images, against moto: an image carries the extension inside the image, so no layer
/// shows it; a listing of the <c>LambdaInsights</c> namespace (moto supports ListMetrics) says which images publish it.
/// Each test uses a fresh account, because moto ignores <c>RecentlyActive</c> and keeps every metric ever put.
/// </summary>
public class MetricsInsightsImageMotoTests
{
    private const string Region = "eu-west-1";

    [Fact]
    public async Task Collect_ImagePublishingInsights_ReadForIt_NotForTheImageOrZipWithout()
    {
        var account = FreshAccount();
        var now = DateTimeOffset.UtcNow;
        var end = UtcMinute.Floor(now);
        using var seed = new MotoSeeder(account);
        var seeded = await SeedAsync(seed, end, insights: "image-with", invoked: ["image-with", "image-without", "zip-plain"]);
        var transport = new FailNth(new SocketsHttpHandler { AllowAutoRedirect = false }, int.MaxValue);
        await using var rig = await MetricsRig.StartAsync(AwsTestHost.OptionsFor(Moto.Url, (account, [Region])), now, transport);
        await InventoryAsync(rig, ("image-with", "Image"), ("image-without", "Image"), ("zip-plain", "Zip"));

        await rig.CollectAsync();

        Assert.Single(InsightsListings(transport));
        var asked = Queries(transport).Where(q => q.Namespace == StatSet.InsightsNamespace).ToList();
        Assert.Equal(5, asked.Count);
        Assert.All(asked, q => Assert.Equal("image-with", q.Function));

        var series = await rig.SeriesAsync("image-with", end.AddHours(-3), end);
        Assert.Equal(seeded.Keys.Order(), series.Select(b => b.Start));
        Assert.All(series, b => Assert.Equal(seeded[b.Start], (b.InsightsMemoryUtilizationMax, b.InsightsUsedMemoryMaxMb, b.InsightsCpuTotalTimeMs, b.InsightsNetworkBytes)));
        foreach (var without in new[] { "image-without", "zip-plain" })
        {
            var other = await rig.SeriesAsync(without, end.AddHours(-3), end);
            Assert.NotEmpty(other);
            Assert.All(other, b => Assert.Null(b.InsightsUsedMemoryMaxMb));
        }
    }

    [Fact]
    public async Task Run_OnlyZipFunctions_NeverListsInsights_WithAnImageListsOncePerInterval()
    {
        var account = FreshAccount();
        var now = DateTimeOffset.UtcNow;
        var end = UtcMinute.Floor(now);
        using var seed = new MotoSeeder(account);
        await SeedAsync(seed, end, insights: "zip-layered", invoked: ["zip-layered", "zip-plain"]);
        var transport = new FailNth(new SocketsHttpHandler { AllowAutoRedirect = false }, int.MaxValue);
        await using var rig = await MetricsRig.StartAsync(
            AwsTestHost.OptionsFor(Moto.Url, (account, [Region])), now, transport, o => o.InsightsListingInterval = TimeSpan.FromMinutes(20));
        await InventoryAsync(rig, ("zip-layered", "Zip"), ("zip-plain", "Zip"));

        // Zip functions only: the layer list says which run the extension, so the namespace is never listed.
        await rig.CollectAsync();
        Assert.Empty(InsightsListings(transport));
        Assert.All(Queries(transport).Where(q => q.Namespace == StatSet.InsightsNamespace), q => Assert.Equal("zip-layered", q.Function));

        // An image appears: listed at the next activity refresh, then once per InsightsListingInterval, not per pass.
        await InventoryAsync(rig, ("zip-layered", "Zip"), ("zip-plain", "Zip"), ("image-new", "Image"));
        await seed.CloudWatchAsync(Region, "PutMetricData", new JsonObject
        {
            ["Namespace"] = "AWS/Lambda",
            ["MetricData"] = new JsonArray(Datum("FunctionName", "image-new", "Invocations", end.AddMinutes(-3), 4)),
        });
        await rig.RunAsync(TimeSpan.FromMinutes(60));

        Assert.Equal(2, InsightsListings(transport).Count);
    }

    /// <summary>
    /// AWS/Lambda invocations for <paramref name="invoked"/> over the last 10 minutes, and Lambda Insights figures for
    /// <paramref name="insights"/> under <c>function_name</c> as the extension publishes them; returns those per minute.
    /// </summary>
    private static async Task<Dictionary<DateTimeOffset, (double?, double?, double?, double?)>> SeedAsync(MotoSeeder seed, DateTimeOffset end, string insights, string[] invoked)
    {
        var lambda = new JsonArray();
        var extension = new JsonArray();
        var expected = new Dictionary<DateTimeOffset, (double?, double?, double?, double?)>();
        for (var ago = 10; ago >= 2; ago--)
        {
            var minute = end.AddMinutes(-ago);
            foreach (var name in invoked)
            {
                lambda.Add(Datum("FunctionName", name, "Invocations", minute.AddSeconds(5), 3));
            }

            var figures = (Memory: 20.0 + ago, Used: 100.0 + ago, Cpu: 40.0 * ago, Network: 1_000.0 * ago);
            extension.Add(Datum("function_name", insights, "memory_utilization", minute.AddSeconds(6), figures.Memory));
            extension.Add(Datum("function_name", insights, "used_memory_max", minute.AddSeconds(6), figures.Used));
            extension.Add(Datum("function_name", insights, "cpu_total_time", minute.AddSeconds(6), figures.Cpu));
            extension.Add(Datum("function_name", insights, "total_network", minute.AddSeconds(6), figures.Network));
            expected[minute] = figures;
        }

        await seed.CloudWatchAsync(Region, "PutMetricData", new JsonObject { ["Namespace"] = "AWS/Lambda", ["MetricData"] = lambda });
        await seed.CloudWatchAsync(Region, "PutMetricData", new JsonObject { ["Namespace"] = StatSet.InsightsNamespace, ["MetricData"] = extension });
        return expected;
    }

    private static async Task InventoryAsync(MetricsRig rig, params (string Name, string PackageType)[] functions) =>
        await rig.Store.UpsertFunctionsAsync(
            [.. functions.Select(f => new LambdaFunction
            {
                Key = rig.Fn(f.Name),
                Arn = $"arn:aws:lambda:{Region}:{rig.Target.AccountId}:function:{f.Name}",
                PackageType = f.PackageType,
                Runtime = f.PackageType == "Image" ? null : "nodejs22.x",
                Layers = f.Name == "zip-layered" ? [$"arn:aws:lambda:{Region}:580247275435:layer:LambdaInsightsExtension:53"] : [],
                LastSeen = rig.Time.GetUtcNow(),
            })],
            CancellationToken.None);

    private static List<string> InsightsListings(FailNth transport)
    {
        lock (transport.Bodies)
        {
            return transport.Bodies.Where(b => b.Contains("\"Namespace\":\"LambdaInsights\"", StringComparison.Ordinal) && !b.Contains("MetricDataQueries", StringComparison.Ordinal)).ToList();
        }
    }

    private static List<(string Namespace, string Function)> Queries(FailNth transport)
    {
        List<string> bodies;
        lock (transport.Bodies)
        {
            bodies = transport.Bodies.Where(b => b.Contains("MetricDataQueries", StringComparison.Ordinal)).ToList();
        }

        return bodies
            .SelectMany(b => JsonNode.Parse(b)!["MetricDataQueries"]!.AsArray())
            .Select(q => q!["MetricStat"]!["Metric"]!)
            .Select(m => (m["Namespace"]!.GetValue<string>(), m["Dimensions"]![0]!["Value"]!.GetValue<string>()))
            .ToList();
    }

    private static JsonObject Datum(string dimension, string function, string metric, DateTimeOffset at, double value) => new()
    {
        ["MetricName"] = metric,
        ["Dimensions"] = new JsonArray(new JsonObject { ["Name"] = dimension, ["Value"] = function }),
        ["Timestamp"] = at.ToUnixTimeSeconds(),
        ["Value"] = value,
    };

    private static string FreshAccount() => $"32{Random.Shared.NextInt64(10_000_000_000):0000000000}";
}
