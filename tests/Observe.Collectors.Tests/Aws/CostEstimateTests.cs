using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Observe.Collectors.Aws;
using Observe.Collectors.CloudWatch;
using Observe.Collectors.Logs;
using Observe.Collectors.Tests.Infrastructure;
using Observe.Collectors.XRay;
using Observe.Store.Model;

namespace Observe.Collectors.Tests.Aws;

/// <summary>
/// Issue 9 defect 8: every billed API is priced from what its calls returned. The answers are written from the AWS API
/// references (GetQueryResults <c>statistics.bytesScanned</c>, GetTraceSummaries <c>TracesProcessedCount</c>); moto
/// returns neither and has no Live Tail. Expected dollars are worked out by hand from the list prices.
/// </summary>
public class CostEstimateTests
{
    private const string Account = "123456789012";
    private const string Region = "eu-west-1";

    [Fact]
    public async Task CloudWatchRequests_EachPageIsOneBilledRequest()
    {
        var transport = new StubTransport((request, _) => request.Target switch
        {
            "GraniteServiceVersion20100801.ListMetrics" when !request.Body.Contains("NextToken", StringComparison.Ordinal) => (HttpStatusCode.OK, """{"Metrics":[],"NextToken":"p2"}"""),
            "GraniteServiceVersion20100801.ListMetrics" => (HttpStatusCode.OK, """{"Metrics":[]}"""),
            "GraniteServiceVersion20100801.DescribeAlarmHistory" => (HttpStatusCode.OK, """{"AlarmHistoryItems":[]}"""),
            var t => throw new InvalidOperationException(t),
        });
        using var host = Host(transport);
        var cloudWatch = host.Clients.CloudWatch(Account, Region);

        await foreach (var _ in cloudWatch.ListMetricsAsync(new ListMetricsRequest(), CancellationToken.None))
        {
        }

        await foreach (var _ in cloudWatch.DescribeAlarmHistoryAsync(new DescribeAlarmHistoryRequest(), CancellationToken.None))
        {
        }

        var list = Row(host, "ListMetrics");
        Assert.Equal((2L, 2L, 0.00002m), (list.Calls, list.BilledUnits, list.EstimatedCostUsd));
        Assert.Equal((1L, 0.00001m), (Row(host, "DescribeAlarmHistory").BilledUnits, Row(host, "DescribeAlarmHistory").EstimatedCostUsd));
    }

    [Fact]
    public async Task Insights_BytesScannedWhenTheQueryEnds_BilledOnStartQueryOnce_AndAnUnfinishedQueryIsUnpriced()
    {
        var polls = 0;
        var transport = new StubTransport((request, _) => request.Target switch
        {
            "Logs_20140328.StartQuery" when request.Body.Contains("finishes", StringComparison.Ordinal) => (HttpStatusCode.OK, """{"queryId":"q-finishes"}"""),
            "Logs_20140328.StartQuery" => (HttpStatusCode.OK, """{"queryId":"q-abandoned"}"""),

            // While running, bytesScanned is what was scanned so far; only the final value is billed.
            "Logs_20140328.GetQueryResults" when request.Body.Contains("q-finishes", StringComparison.Ordinal) => Interlocked.Increment(ref polls) == 1
                ? (HttpStatusCode.OK, """{"status":"Running","results":[],"statistics":{"recordsMatched":0.0,"recordsScanned":10.0,"bytesScanned":1000.0}}""")
                : (HttpStatusCode.OK, """{"status":"Complete","results":[],"statistics":{"recordsMatched":3.0,"recordsScanned":900000.0,"bytesScanned":2147483648.0}}"""),
            "Logs_20140328.GetQueryResults" => (HttpStatusCode.OK, """{"status":"Running","results":[],"statistics":{"recordsMatched":0.0,"recordsScanned":5.0,"bytesScanned":500.0}}"""),
            var t => throw new InvalidOperationException(t),
        });
        using var host = Host(transport);
        var logs = host.Clients.Logs(Account, Region);
        var window = (Start: DateTimeOffset.UnixEpoch, End: DateTimeOffset.UnixEpoch.AddHours(1));

        var finishes = await logs.StartQueryAsync(new InsightsQuery(["/aws/lambda/a"], window.Start, window.End, "fields @message | finishes"), CancellationToken.None);
        await logs.GetQueryResultsAsync(finishes, CancellationToken.None);
        await logs.GetQueryResultsAsync(finishes, CancellationToken.None);
        await logs.GetQueryResultsAsync(finishes, CancellationToken.None);
        var abandoned = await logs.StartQueryAsync(new InsightsQuery(["/aws/lambda/b"], window.Start, window.End, "fields @message"), CancellationToken.None);
        await logs.GetQueryResultsAsync(abandoned, CancellationToken.None);

        // 2 GiB at $0.005 per GB = $0.01; the abandoned query scanned something AWS bills, which nothing reported.
        var start = Row(host, "StartQuery");
        Assert.Equal((2L, 2_147_483_648L, 0.01m, 1L), (start.Calls, start.BilledUnits, start.EstimatedCostUsd, start.UnpricedCalls));
        Assert.Equal((0L, 0m), (Row(host, "GetQueryResults").BilledUnits, Row(host, "GetQueryResults").EstimatedCostUsd));
    }

    [Fact]
    public async Task XRay_TracesScannedFromTracesProcessedCount_RetrievedPerTrace_AndAPageWithoutACountIsUnpriced()
    {
        var transport = new StubTransport((request, _) => request.Uri.AbsolutePath switch
        {
            "/TraceSummaries" when !request.Body.Contains("NextToken", StringComparison.Ordinal) => (HttpStatusCode.OK, """{"TraceSummaries":[],"TracesProcessedCount":1200,"NextToken":"p2"}"""),
            "/TraceSummaries" => (HttpStatusCode.OK, """{"TraceSummaries":[]}"""),
            "/Traces" => (HttpStatusCode.OK, """{"Traces":[{"Id":"1-5f84c7a1-0000000000000000000000a1","Duration":0.1,"Segments":[]},{"Id":"1-5f84c7a1-0000000000000000000000a2","Duration":0.2,"Segments":[]}],"UnprocessedTraceIds":[]}"""),
            var p => throw new InvalidOperationException(p),
        });
        using var host = Host(transport);
        var xray = host.Clients.XRay(Account, Region);

        await foreach (var _ in xray.GetTraceSummariesAsync(new GetTraceSummariesRequest { StartTime = DateTimeOffset.UnixEpoch, EndTime = DateTimeOffset.UnixEpoch.AddMinutes(5) }, CancellationToken.None))
        {
        }

        await xray.BatchGetTracesAsync(["1-5f84c7a1-0000000000000000000000a1", "1-5f84c7a1-0000000000000000000000a2"], CancellationToken.None);

        // $0.50 per million: 1,200 scanned = $0.0006, 2 retrieved = $0.000001.
        var scanned = Row(host, "GetTraceSummaries");
        Assert.Equal((2L, 1200L, 0.0006m, 1L), (scanned.Calls, scanned.BilledUnits, scanned.EstimatedCostUsd, scanned.UnpricedCalls));
        var retrieved = Row(host, "BatchGetTraces");
        Assert.Equal((2L, 0.000001m, 0L), (retrieved.BilledUnits, retrieved.EstimatedCostUsd, retrieved.UnpricedCalls));
    }

    [Fact]
    public void LiveTail_SessionTimeBilledWhileItRunsAndItsLastPartSecondAtTheEnd()
    {
        var clock = new ManualTimeProvider(new DateTimeOffset(2026, 12, 3, 12, 0, 0, TimeSpan.Zero));
        var meter = new AwsUsageMeter(Options.Create(new AwsOptions()), clock);

        using (var session = meter.StartSession(Account, Region, AwsService.Logs, "StartLiveTail"))
        {
            clock.Advance(TimeSpan.FromSeconds(90.4));
            session.Update();
            Assert.Equal(90, meter.GetUsage(new DateOnly(2026, 12, 3)).Single().BilledUnits);
            clock.Advance(TimeSpan.FromSeconds(0.3));
        }

        // 91 s at $0.01 per session minute.
        var row = meter.GetUsage(new DateOnly(2026, 12, 3)).Single();
        Assert.Equal((91L, 91 * 0.01m / 60m), (row.BilledUnits, row.EstimatedCostUsd));
    }

    [Fact]
    public void GetUsage_PricesFromConfiguration_AndApisWithoutAChargeCostNothing()
    {
        var options = new AwsOptions
        {
            Prices = new AwsPriceOptions
            {
                GetMetricDataPer1000Metrics = 0.02m,
                CloudWatchRequestsPer1000 = 0.03m,
                InsightsPerGbScanned = 0.0076m,
                LiveTailPerSessionMinute = 0.012m,
                XRayPerMillionTracesScanned = 1m,
                XRayPerMillionTracesRetrieved = 2m,
            },
        };
        var clock = new ManualTimeProvider(new DateTimeOffset(2026, 12, 3, 12, 0, 0, TimeSpan.Zero));
        var meter = new AwsUsageMeter(Options.Create(options), clock);
        meter.RecordBilled(Account, Region, AwsService.CloudWatch, "GetMetricData", 1000);
        meter.RecordBilled(Account, Region, AwsService.CloudWatch, "DescribeAlarms", 1000);
        meter.RecordQueryStarted(Account, Region, "q");
        meter.RecordQueryEnded("q", 1024L * 1024 * 1024);
        meter.RecordBilled(Account, Region, AwsService.Logs, "StartLiveTail", 60);
        meter.RecordBilled(Account, Region, AwsService.XRay, "GetTraceSummaries", 1_000_000);
        meter.RecordBilled(Account, Region, AwsService.XRay, "BatchGetTraces", 1_000_000);
        meter.RecordCall(Account, Region, AwsService.Logs, "FilterLogEvents");
        meter.RecordCall(Account, Region, AwsService.Lambda, "ListFunctions");

        var cost = meter.GetUsage(new DateOnly(2026, 12, 3)).ToDictionary(u => u.Operation, u => u.EstimatedCostUsd);

        Assert.Equal(
            new Dictionary<string, decimal>
            {
                ["BatchGetTraces"] = 2m, ["DescribeAlarms"] = 0.03m, ["FilterLogEvents"] = 0m, ["GetMetricData"] = 0.02m,
                ["GetTraceSummaries"] = 1m, ["ListFunctions"] = 0m, ["StartLiveTail"] = 0.012m, ["StartQuery"] = 0.0076m,
            },
            cost);
    }

    [Fact]
    public void Validate_Prices_MessagesNameTheSetting()
    {
        var options = new AwsOptions
        {
            GetMetricDataPricePer1000Metrics = 0.01m,
            Prices = new AwsPriceOptions { AsOf = default, InsightsPerGbScanned = -0.005m, XRayPerMillionTracesRetrieved = 5000m },
        };

        var failures = new AwsOptionsValidator().Validate(null, options).Failures!.ToList();

        Assert.Contains(failures, f => f.StartsWith("Observe:Aws:GetMetricDataPricePer1000Metrics is replaced by Observe:Aws:Prices:GetMetricDataPer1000Metrics", StringComparison.Ordinal));
        Assert.Contains("Observe:Aws:Prices:AsOf is not set: give the date the prices were taken, for example 2026-12-03", failures);
        Assert.Contains("Observe:Aws:Prices:InsightsPerGbScanned -0.005 is outside 0 to 1000 US dollars", failures);
        Assert.Contains("Observe:Aws:Prices:XRayPerMillionTracesRetrieved 5000 is outside 0 to 1000 US dollars", failures);
        Assert.True(new AwsOptionsValidator().Validate(null, new AwsOptions()).Succeeded);
    }

    [Fact]
    public void Prices_BoundFromConfiguration()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Observe:Aws:Prices:AsOf"] = "2027-01-15",
            ["Observe:Aws:Prices:InsightsPerGbScanned"] = "0.0063",
        }).Build();
        var options = new AwsOptions();

        ConfigurationBinder.Bind(configuration.GetSection(AwsOptions.SectionName), options);

        Assert.Equal((new DateOnly(2027, 1, 15), 0.0063m, 0.01m), (options.Prices.AsOf, options.Prices.InsightsPerGbScanned, options.Prices.GetMetricDataPer1000Metrics));
    }

    private static ApiUsage Row(AwsTestHost host, string operation)
    {
        var today = DateOnly.FromDateTime(host.Time.GetUtcNow().UtcDateTime);
        return host.Meter.GetUsage(today).Single(u => u.Operation == operation);
    }

    private static AwsTestHost Host(StubTransport transport)
    {
        var options = AwsTestHost.OptionsFor("https://aws.test.invalid", (Account, [Region]));
        options.Accounts[0].RoleArn = null;
        options.UnprocessedTraceRetries = 0;
        return new AwsTestHost(options, transport: transport);
    }
}
