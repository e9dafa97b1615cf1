using System.Net;
using System.Text.Json.Nodes;
using Observe.Collectors.CloudWatch;
using Observe.Collectors.Tests.Infrastructure;

namespace Observe.Collectors.Tests.Clients;

/// <summary>
/// What moto cannot show: percentile statistics (it answers HTTP 500 or nothing), NextToken paging of GetMetricData and
/// DescribeAlarms, composite alarms over JSON 1.0 and CloudWatch's Query-compatible throttling code. Responses written
/// from the CloudWatch API reference (GetMetricData, DescribeAlarms, Common Errors).
/// </summary>
public class CloudWatchRecordedTests
{
    [Fact]
    public async Task GetMetricData_Percentiles_FollowNextToken_AndSendJson10()
    {
        var transport = new StubTransport((_, i) => (HttpStatusCode.OK, StubTransport.Recorded(i == 0 ? "cloudwatch-get-metric-data-page1.json" : "cloudwatch-get-metric-data-page2.json")));
        using var host = new AwsTestHost(LambdaRecordedTests.DirectAccount(), transport: transport);
        var start = DateTimeOffset.FromUnixTimeSeconds(1763805600);
        var request = new GetMetricDataRequest
        {
            StartTime = start,
            EndTime = start.AddMinutes(3),
            MetricDataQueries = [CloudWatchClientTests.Query("p50", "orders-api", "Duration", "p50"), CloudWatchClientTests.Query("p99", "orders-api", "Duration", "p99")],
        };

        var results = await host.Clients.CloudWatch("123456789012", "eu-west-1").GetMetricDataAsync(request, CancellationToken.None).ToListAsync();

        var p99 = results.Where(r => r.Id == "p99").ToList();
        Assert.Equal([812.0, 1404.75, 799.5], p99.SelectMany(r => r.Values!));
        Assert.Equal([start, start.AddMinutes(1), start.AddMinutes(2)], p99.SelectMany(r => r.Timestamps!));
        Assert.Equal(["PartialData", "Complete"], p99.Select(r => r.StatusCode!));

        Assert.Equal(2, transport.Seen.Count);
        Assert.All(transport.Seen, r =>
        {
            Assert.Equal("https://monitoring.eu-west-1.amazonaws.com/", r.Uri.ToString());
            Assert.Equal("GraniteServiceVersion20100801.GetMetricData", r.Target);
            Assert.Contains("/eu-west-1/monitoring/aws4_request", r.Authorization, StringComparison.Ordinal);
        });
        var first = JsonNode.Parse(transport.Seen[0].Body)!;
        Assert.Equal(1763805600, first["StartTime"]!.GetValue<double>());
        Assert.Null(first["NextToken"]);
        Assert.Equal("p99", first["MetricDataQueries"]![1]!["MetricStat"]!["Stat"]!.GetValue<string>());
        Assert.Equal("token-page-2", JsonNode.Parse(transport.Seen[1].Body)!["NextToken"]!.GetValue<string>());

        // Two metrics on each of two pages: 4 metrics requested, the unit AWS bills.
        Assert.Equal(4, host.Meter.GetUsage(DateOnly.FromDateTime(DateTime.UtcNow)).Single().BilledUnits);
    }

    [Fact]
    public async Task GetMetricData_MoreThan500Queries_IsRefusedBeforeCallingAws()
    {
        var transport = new StubTransport((_, _) => (HttpStatusCode.OK, "{}"));
        using var host = new AwsTestHost(LambdaRecordedTests.DirectAccount(), transport: transport);
        var request = new GetMetricDataRequest
        {
            MetricDataQueries = Enumerable.Range(0, 501).Select(i => CloudWatchClientTests.Query($"q{i}", "f", "Invocations", "Sum")).ToList(),
        };

        await Assert.ThrowsAsync<ArgumentException>(() => host.Clients.CloudWatch("123456789012", "eu-west-1").GetMetricDataAsync(request, CancellationToken.None).ToListAsync().AsTask());
        Assert.Empty(transport.Seen);
    }

    [Fact]
    public async Task DescribeAlarms_AsksForBothTypes_AndPagesToCompositeAlarms()
    {
        var transport = new StubTransport((_, i) => (HttpStatusCode.OK, StubTransport.Recorded(i == 0 ? "cloudwatch-describe-alarms-page1.json" : "cloudwatch-describe-alarms-page2.json")));
        using var host = new AwsTestHost(LambdaRecordedTests.DirectAccount(), transport: transport);

        var pages = await host.Clients.CloudWatch("123456789012", "eu-west-1").DescribeAlarmsAsync(new DescribeAlarmsRequest(), CancellationToken.None).ToListAsync();

        var metric = Assert.Single(pages.SelectMany(p => p.MetricAlarms!));
        Assert.Equal(("ALARM", 1.0, "orders-api"), (metric.StateValue, metric.Threshold, metric.Dimensions![0].Value));
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1763805599512), metric.StateUpdatedTimestamp);
        var composite = Assert.Single(pages.SelectMany(p => p.CompositeAlarms!));
        Assert.Equal("ALARM(\"orders-api-errors\") OR ALARM(\"payments-api-errors\")", composite.AlarmRule);

        var body = JsonNode.Parse(transport.Seen[0].Body)!;
        Assert.Equal(["MetricAlarm", "CompositeAlarm"], body["AlarmTypes"]!.AsArray().Select(t => t!.GetValue<string>()));
        Assert.Equal(100, body["MaxRecords"]!.GetValue<int>());
        Assert.Equal("alarms-page-2", JsonNode.Parse(transport.Seen[1].Body)!["NextToken"]!.GetValue<string>());
    }

    // moto has no DescribeAlarmHistory (it answers HTTP 500): the pages are written from the CloudWatch API reference.
    [Fact]
    public async Task DescribeAlarmHistory_AsksForStateUpdatesOldestFirst_AndFollowsNextToken()
    {
        var transport = new StubTransport((_, i) => (HttpStatusCode.OK, StubTransport.Recorded(i == 0 ? "cloudwatch-describe-alarm-history-page1.json" : "cloudwatch-describe-alarm-history-page2.json")));
        using var host = new AwsTestHost(LambdaRecordedTests.DirectAccount(), transport: transport);
        var start = DateTimeOffset.FromUnixTimeSeconds(1763805600);
        var request = new DescribeAlarmHistoryRequest { StartDate = start, EndDate = start.AddMinutes(1).AddMilliseconds(500) };

        var items = await host.Clients.CloudWatch("123456789012", "eu-west-1").DescribeAlarmHistoryAsync(request, CancellationToken.None).ToListAsync();

        Assert.Equal(["orders-api-errors", "billing-api-errors", "payments-api-errors", "orders-api-errors"], items.Select(i => i.AlarmName));
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1763805610250), items[0].Timestamp);
        Assert.Equal(("MetricAlarm", "StateUpdate", "Alarm updated from OK to ALARM"), (items[0].AlarmType, items[0].HistoryItemType, items[0].HistorySummary));
        Assert.StartsWith("{\"version\":\"1.0\",\"oldState\":{\"stateValue\":\"OK\"", items[0].HistoryData, StringComparison.Ordinal);

        Assert.Equal(2, transport.Seen.Count);
        Assert.All(transport.Seen, r => Assert.Equal("GraniteServiceVersion20100801.DescribeAlarmHistory", r.Target));
        var first = JsonNode.Parse(transport.Seen[0].Body)!;
        Assert.Equal(("StateUpdate", "TimestampAscending", 100), (first["HistoryItemType"]!.GetValue<string>(), first["ScanBy"]!.GetValue<string>(), first["MaxRecords"]!.GetValue<int>()));
        Assert.Equal((1763805600.0, 1763805660.5), (first["StartDate"]!.GetValue<double>(), first["EndDate"]!.GetValue<double>()));
        Assert.Equal(["MetricAlarm", "CompositeAlarm"], first["AlarmTypes"]!.AsArray().Select(t => t!.GetValue<string>()));
        Assert.Null(first["AlarmName"]);
        Assert.Null(first["NextToken"]);
        Assert.Equal("history-page-2", JsonNode.Parse(transport.Seen[1].Body)!["NextToken"]!.GetValue<string>());

        // Metered per page like every call, under its own operation.
        var usage = host.Meter.GetUsage(DateOnly.FromDateTime(DateTime.UtcNow)).Single();
        Assert.Equal(("CloudWatch", "DescribeAlarmHistory", 2L), (usage.Service, usage.Operation, usage.Calls));
    }

    [Fact]
    public async Task QueryCompatibleThrottling_IsRetried_AndCountedAsThrottled()
    {
        var transport = new StubTransport((_, i) => i == 0
            ? (HttpStatusCode.BadRequest, """{"__type":"com.amazonaws.cloudwatch#ThrottlingException","message":"Rate exceeded"}""")
            : (HttpStatusCode.OK, """{"MetricAlarms":[],"CompositeAlarms":[]}"""));
        using var host = new AwsTestHost(LambdaRecordedTests.DirectAccount(), transport: transport);

        var pages = await host.Clients.CloudWatch("123456789012", "eu-west-1").DescribeAlarmsAsync(new DescribeAlarmsRequest(), CancellationToken.None).ToListAsync();

        Assert.Single(pages);
        var usage = host.Meter.GetUsage(DateOnly.FromDateTime(DateTime.UtcNow)).Single();
        Assert.Equal((1, 2, 1, 0), (usage.Calls, usage.Attempts, usage.ThrottledAttempts, usage.FailedCalls));
    }
}
