using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Observe.Collectors.Alarms;
using Observe.Collectors.Aws;
using Observe.Collectors.CloudWatch;
using Observe.Collectors.Collection;
using Observe.Collectors.Tests.Infrastructure;
using Observe.Store.Model;

namespace Observe.Collectors.Tests.Alarms;

/// <summary>
/// The alarms collector against moto (PutMetricAlarm, SetAlarmState, DeleteAlarms) writing into a real SQLite store.
/// Each test reads a fresh account (35 and ten random digits): the collector lists whole regions. moto neither pages
/// DescribeAlarms nor keeps composite alarms, so those tests use recorded responses written from the CloudWatch API
/// reference (Recorded/cloudwatch-describe-alarms-page*.json).
/// </summary>
public sealed class AlarmsCollectorTests
{
    private const string Region = "eu-west-1";

    [Fact]
    public async Task CollectAsync_AlarmGoesIntoAlarm_StoredWithItsFunctionAndTheChangeInHistory()
    {
        var account = FreshAccount();
        using var seed = new MotoSeeder(account);
        await seed.PutMetricAlarmAsync(Region, "orders-errors", "AWS/Lambda", "Errors", "FunctionName", "orders");
        await seed.PutMetricAlarmAsync(Region, "queue-depth", "AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", "orders");
        await using var store = await TestStore.CreateAsync();
        using var host = new AwsTestHost(AwsTestHost.OptionsFor(Moto.Url, (account, [Region])));
        var collector = Collector(host, store);
        await collector.CollectAsync(Target(host), CancellationToken.None);

        var first = await Alarms(store, account);
        Assert.Equal(["orders-errors", "queue-depth"], first.Select(a => a.Name));
        var orders = first[0];

        // moto creates alarms in OK (AWS starts them in INSUFFICIENT_DATA until the first evaluation).
        Assert.Equal(($"arn:aws:cloudwatch:{Region}:{account}:alarm:orders-errors", "metric", AlarmState.Ok), (orders.Arn, orders.Kind, orders.State));
        Assert.Equal(("orders", "Errors", "AWS/Lambda"), (orders.FunctionName, orders.MetricName, orders.Namespace));
        Assert.Null(first[1].FunctionName);
        Assert.Empty(await store.Store.GetAlarmHistoryAsync(orders.Arn, 10, CancellationToken.None));

        await seed.CloudWatchAsync(Region, "SetAlarmState", new JsonObject { ["AlarmName"] = "orders-errors", ["StateValue"] = "ALARM", ["StateReason"] = "Threshold crossed: 3 errors" });
        await collector.CollectAsync(Target(host), CancellationToken.None);
        await collector.CollectAsync(Target(host), CancellationToken.None);

        var inAlarm = Assert.Single(await store.Store.GetAlarmsAsync(new FleetFilter(account), AlarmState.Alarm, CancellationToken.None));
        Assert.Equal(("orders-errors", "Threshold crossed: 3 errors"), (inAlarm.Name, inAlarm.StateReason));
        var change = Assert.Single(await store.Store.GetAlarmHistoryAsync(orders.Arn, 10, CancellationToken.None));
        Assert.Equal((AlarmState.Ok, AlarmState.Alarm, "Threshold crossed: 3 errors"), (change.From, change.To, change.Reason));
        Assert.Equal(inAlarm.StateUpdated, change.Timestamp);
    }

    [Fact]
    public async Task CollectAsync_AlarmDeletedInAws_RetiredOnceAndNoLongerInAlarm()
    {
        var account = FreshAccount();
        using var seed = new MotoSeeder(account);
        await seed.PutMetricAlarmAsync(Region, "billing-errors", "AWS/Lambda", "Errors", "FunctionName", "billing");
        await seed.PutMetricAlarmAsync(Region, "billing-throttles", "AWS/Lambda", "Throttles", "FunctionName", "billing");
        await seed.CloudWatchAsync(Region, "SetAlarmState", new JsonObject { ["AlarmName"] = "billing-errors", ["StateValue"] = "ALARM", ["StateReason"] = "errors" });
        await using var store = await TestStore.CreateAsync();
        var time = new ManualTimeProvider(new DateTimeOffset(2026, 11, 29, 12, 0, 0, TimeSpan.Zero));
        using var host = new AwsTestHost(AwsTestHost.OptionsFor(Moto.Url, (account, [Region])));
        var collector = Collector(host, store, time);
        await collector.CollectAsync(Target(host), CancellationToken.None);
        var arn = Assert.Single(await store.Store.GetAlarmsAsync(new FleetFilter(account), AlarmState.Alarm, CancellationToken.None)).Arn;

        await seed.CloudWatchAsync(Region, "DeleteAlarms", new JsonObject { ["AlarmNames"] = new JsonArray("billing-errors") });
        time.Advance(TimeSpan.FromMinutes(1));
        await collector.CollectAsync(Target(host), CancellationToken.None);
        time.Advance(TimeSpan.FromMinutes(1));
        await collector.CollectAsync(Target(host), CancellationToken.None);

        Assert.Empty(await store.Store.GetAlarmsAsync(new FleetFilter(account), AlarmState.Alarm, CancellationToken.None));
        var retired = (await Alarms(store, account)).Single(a => a.Arn == arn);
        Assert.Equal((AlarmState.InsufficientData, AlarmsCollector.DeletedReason), (retired.State, retired.StateReason));
        var change = Assert.Single(await store.Store.GetAlarmHistoryAsync(arn, 10, CancellationToken.None));
        Assert.Equal((AlarmState.Alarm, AlarmState.InsufficientData, time.GetUtcNow().AddMinutes(-1)), (change.From, change.To, change.Timestamp));
        Assert.Equal("billing-throttles", (await Alarms(store, account)).Single(a => a.Arn != arn).Name);

        // Created again under the same name: the same ARN takes its new state.
        await seed.PutMetricAlarmAsync(Region, "billing-errors", "AWS/Lambda", "Errors", "FunctionName", "billing");
        await collector.CollectAsync(Target(host), CancellationToken.None);
        Assert.NotEqual(AlarmsCollector.DeletedReason, (await Alarms(store, account)).Single(a => a.Arn == arn).StateReason);
    }

    [Fact]
    public async Task CollectAsync_RecordedPages_MetricAndCompositeAlarmsStored()
    {
        var transport = new StubTransport((_, i) => (HttpStatusCode.OK, StubTransport.Recorded(i == 0 ? "cloudwatch-describe-alarms-page1.json" : "cloudwatch-describe-alarms-page2.json")));
        await using var store = await TestStore.CreateAsync();
        using var host = new AwsTestHost(DirectAccount(), transport: transport);

        await Collector(host, store).CollectAsync(Target(host), CancellationToken.None);

        var alarms = await Alarms(store, "123456789012");
        Assert.Equal(["checkout-degraded", "orders-api-errors"], alarms.Select(a => a.Name));
        var composite = alarms[0];
        Assert.Equal(("composite", AlarmState.Alarm, (string?)null, DateTimeOffset.FromUnixTimeMilliseconds(1763805600100)), (composite.Kind, composite.State, composite.FunctionName, composite.StateUpdated));
        var metric = alarms[1];
        Assert.Equal(("metric", AlarmState.Alarm, "orders-api", DateTimeOffset.FromUnixTimeMilliseconds(1763805599512)), (metric.Kind, metric.State, metric.FunctionName, metric.StateUpdated));
        Assert.Equal(2, transport.Seen.Count);
    }

    [Fact]
    public async Task CollectAsync_ListingFailsOnSecondPage_ThrowsAndRetiresNothing()
    {
        var failSecondPage = false;
        var transport = new StubTransport((_, i) => i % 2 == 0
            ? (HttpStatusCode.OK, StubTransport.Recorded("cloudwatch-describe-alarms-page1.json"))
            : failSecondPage
                ? (HttpStatusCode.BadRequest, """{"__type":"com.amazonaws.cloudwatch#InvalidNextToken","message":"The service returned an invalid token"}""")
                : (HttpStatusCode.OK, StubTransport.Recorded("cloudwatch-describe-alarms-page2.json")));
        await using var store = await TestStore.CreateAsync();
        using var host = new AwsTestHost(DirectAccount(), transport: transport);
        var collector = Collector(host, store);
        await collector.CollectAsync(Target(host), CancellationToken.None);

        failSecondPage = true;
        var error = await Assert.ThrowsAsync<AwsServiceException>(() => collector.CollectAsync(Target(host), CancellationToken.None));

        Assert.Equal("InvalidNextToken", error.ErrorCode);
        Assert.Equal(2, (await store.Store.GetAlarmsAsync(FleetFilter.All, AlarmState.Alarm, CancellationToken.None)).Count);
    }

    [Fact]
    public void FromMetricAlarm_MetricMathOverOneFunction_NamesTheFunction()
    {
        var target = new CollectionTarget(new AwsAccountOptions { AccountId = "123456789012", Regions = [Region] }, Region);
        var alarm = new MetricAlarm
        {
            AlarmName = "orders-error-rate",
            AlarmArn = "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:orders-error-rate",
            StateValue = "OK",
            Metrics =
            [
                new MetricDataQuery { Id = "rate", Expression = "errors / invocations * 100" },
                LambdaQuery("errors", "Errors", "orders"),
                LambdaQuery("invocations", "Invocations", "orders"),
            ],
        };

        var mapped = AlarmsCollector.FromMetricAlarm(target, alarm, DateTimeOffset.UnixEpoch);
        var mixed = AlarmsCollector.FromMetricAlarm(target, new MetricAlarm
        {
            AlarmName = "two",
            AlarmArn = "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:two",
            StateValue = "SOMETHING_NEW",
            Metrics = [LambdaQuery("a", "Errors", "orders"), LambdaQuery("b", "Errors", "billing")],
        }, DateTimeOffset.UnixEpoch);

        Assert.Equal(("orders", (string?)null, AlarmState.Ok, DateTimeOffset.UnixEpoch), (mapped.FunctionName, mapped.MetricName, mapped.State, mapped.StateUpdated));
        Assert.Equal(((string?)null, AlarmState.InsufficientData), (mixed.FunctionName, mixed.State));
    }

    [Fact]
    public void Validator_IntervalTooShort_NamesTheSetting() =>
        Assert.Equal(
            ["Observe:Collectors:Alarms:Interval '00:00:01' must be at least 00:00:10"],
            new AlarmsCollectorOptionsValidator().Validate(null, new AlarmsCollectorOptions { Interval = TimeSpan.FromSeconds(1) }).Failures);

    private static MetricDataQuery LambdaQuery(string id, string metric, string function) => new()
    {
        Id = id,
        ReturnData = false,
        MetricStat = new MetricStat
        {
            Metric = new CloudWatchMetric { Namespace = "AWS/Lambda", MetricName = metric, Dimensions = [new MetricDimension { Name = "FunctionName", Value = function }] },
            Period = 60,
            Stat = "Sum",
        },
    };

    private static AwsOptions DirectAccount()
    {
        var options = AwsTestHost.OptionsFor("https://monitoring.test.invalid", ("123456789012", [Region]));
        options.Accounts[0].RoleArn = null;
        return options;
    }

    private static string FreshAccount() => "35" + Random.Shared.NextInt64(10_000_000_000).ToString("D10", CultureInfo.InvariantCulture);

    private static AlarmsCollector Collector(AwsTestHost host, TestStore store, TimeProvider? time = null) =>
        new(host.Clients, store.Store, Microsoft.Extensions.Options.Options.Create(new AlarmsCollectorOptions()), time ?? TimeProvider.System, NullLogger<AlarmsCollector>.Instance);

    private static CollectionTarget Target(AwsTestHost host) => new(host.Options.Accounts[0], Region);

    private static async Task<List<CloudWatchAlarm>> Alarms(TestStore store, string account) =>
        [.. await store.Store.GetAlarmsAsync(new FleetFilter(account), null, CancellationToken.None)];
}
