using System.Text.Json.Nodes;
using Observe.Collectors.CloudWatch;
using Observe.Collectors.Tests.Infrastructure;

namespace Observe.Collectors.Tests.Clients;

/// <summary>Against moto, in account 310000000002 reached by AssumeRole.</summary>
public class CloudWatchClientTests
{
    private const string Account = "310000000002";
    private const string Region = "eu-west-1";

    [Fact]
    public async Task GetMetricData_AfterPutMetricData_ReturnsPerMinuteSums_AndMetersTheMetrics()
    {
        using var seed = new MotoSeeder(Account);
        var function = $"cw-{Guid.NewGuid():N}"[..12];
        var minute = new DateTimeOffset(DateTime.UtcNow.Ticks / TimeSpan.TicksPerMinute * TimeSpan.TicksPerMinute, TimeSpan.Zero).AddMinutes(-10);
        await seed.CloudWatchAsync(Region, "PutMetricData", new JsonObject
        {
            ["Namespace"] = "AWS/Lambda",
            ["MetricData"] = new JsonArray(
                Datum(function, "Invocations", minute.AddSeconds(5), 1),
                Datum(function, "Invocations", minute.AddSeconds(20), 2),
                Datum(function, "Invocations", minute.AddSeconds(40), 3),
                Datum(function, "Invocations", minute.AddMinutes(1).AddSeconds(10), 10),
                Datum(function, "Invocations", minute.AddMinutes(1).AddSeconds(50), 20),
                Datum(function, "Errors", minute.AddSeconds(30), 1)),
        });
        using var host = new AwsTestHost(AwsTestHost.OptionsFor(Moto.Url, (Account, [Region])));
        var request = new GetMetricDataRequest
        {
            StartTime = minute,
            EndTime = minute.AddMinutes(2),
            ScanBy = "TimestampAscending",
            MetricDataQueries =
            [
                Query("inv", function, "Invocations", "Sum"),
                Query("err", function, "Errors", "Sum"),
                Query("max", function, "Invocations", "Maximum"),
            ],
        };

        var results = await host.Clients.CloudWatch(Account, Region).GetMetricDataAsync(request, CancellationToken.None).ToListAsync();

        var invocations = results.Single(r => r.Id == "inv");
        Assert.Equal([6d, 30d], invocations.Values!);
        Assert.Equal([minute, minute.AddMinutes(1)], invocations.Timestamps!);
        Assert.Equal([1d], results.Single(r => r.Id == "err").Values!);
        Assert.Equal([3d, 20d], results.Single(r => r.Id == "max").Values!);

        var usage = host.Meter.GetUsage(DateOnly.FromDateTime(DateTime.UtcNow)).Single(u => u.Operation == "GetMetricData");
        Assert.Equal((1, 1, 3), (usage.Calls, usage.Attempts, usage.BilledUnits));
        Assert.Equal(0.00003m, usage.EstimatedCostUsd);
    }

    [Fact]
    public async Task ListMetrics_FindsTheFunctionsMetricsWithDimensions()
    {
        using var seed = new MotoSeeder(Account);
        var function = $"lm-{Guid.NewGuid():N}"[..12];
        await seed.CloudWatchAsync(Region, "PutMetricData", new JsonObject
        {
            ["Namespace"] = "AWS/Lambda",
            ["MetricData"] = new JsonArray(Datum(function, "Throttles", DateTimeOffset.UtcNow.AddMinutes(-1), 2)),
        });
        using var host = new AwsTestHost(AwsTestHost.OptionsFor(Moto.Url, (Account, [Region])));

        var metrics = await host.Clients.CloudWatch(Account, Region).ListMetricsAsync(
            new ListMetricsRequest { Namespace = "AWS/Lambda", RecentlyActive = "PT3H", Dimensions = [new() { Name = "FunctionName", Value = function }] },
            CancellationToken.None).ToListAsync();

        var metric = Assert.Single(metrics);
        Assert.Equal("Throttles", metric.MetricName);
        Assert.Equal(function, Assert.Single(metric.Dimensions!).Value);
    }

    [Fact]
    public async Task DescribeAlarms_ReturnsMetricAlarms_WithTheStateSetAlarmStateGave()
    {
        using var seed = new MotoSeeder(Account);
        var function = $"al-{Guid.NewGuid():N}"[..12];
        await seed.PutMetricAlarmAsync(Region, $"{function}-errors", "AWS/Lambda", "Errors", "FunctionName", function);
        await seed.CloudWatchAsync(Region, "SetAlarmState", new JsonObject
        {
            ["AlarmName"] = $"{function}-errors",
            ["StateValue"] = "ALARM",
            ["StateReason"] = "Threshold crossed: 3 errors",
        });
        using var host = new AwsTestHost(AwsTestHost.OptionsFor(Moto.Url, (Account, [Region])));

        var pages = await host.Clients.CloudWatch(Account, Region).DescribeAlarmsAsync(new DescribeAlarmsRequest { AlarmNamePrefix = function }, CancellationToken.None).ToListAsync();

        var metricAlarm = Assert.Single(pages.SelectMany(p => p.MetricAlarms ?? []));
        Assert.Equal(("ALARM", "Threshold crossed: 3 errors", "Errors"), (metricAlarm.StateValue, metricAlarm.StateReason, metricAlarm.MetricName));
        Assert.Equal(function, Assert.Single(metricAlarm.Dimensions!).Value);
        Assert.NotNull(metricAlarm.StateUpdatedTimestamp);

        // moto stores no composite alarms over JSON 1.0; CloudWatchRecordedTests covers them.
        Assert.Empty(pages.SelectMany(p => p.CompositeAlarms ?? []));
    }

    private static JsonObject Datum(string function, string metric, DateTimeOffset at, double value) => new()
    {
        ["MetricName"] = metric,
        ["Dimensions"] = new JsonArray(new JsonObject { ["Name"] = "FunctionName", ["Value"] = function }),
        ["Timestamp"] = at.ToUnixTimeSeconds(),
        ["Value"] = value,
        ["Unit"] = "Count",
    };

    internal static MetricDataQuery Query(string id, string function, string metric, string stat) => new()
    {
        Id = id,
        MetricStat = new MetricStat
        {
            Metric = new CloudWatchMetric { Namespace = "AWS/Lambda", MetricName = metric, Dimensions = [new() { Name = "FunctionName", Value = function }] },
            Period = 60,
            Stat = stat,
        },
    };
}
