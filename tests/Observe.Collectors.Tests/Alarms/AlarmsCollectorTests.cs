using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Observe.Collectors.Alarms;
using Observe.Collectors.Aws;
using Observe.Collectors.CloudWatch;
using Observe.Collectors.Collection;
using Observe.Collectors.Tests.EndToEnd;
using Observe.Collectors.Tests.Infrastructure;
using Observe.Store.Model;

namespace Observe.Collectors.Tests.Alarms;

/// <summary>
/// The alarms collector against moto (PutMetricAlarm, SetAlarmState, DeleteAlarms) writing into a real SQLite store.
/// Each test reads a fresh account (35 and ten random digits): the collector lists whole regions. moto neither pages
/// DescribeAlarms nor keeps composite alarms, so those tests use recorded responses written from the CloudWatch API
/// reference (Recorded/cloudwatch-describe-alarms-page*.json). moto has no DescribeAlarmHistory at all (it answers HTTP
/// 500), so the moto tests also show the pass going on without it, and the history tests answer it from the API
/// reference (Recorded/cloudwatch-describe-alarm-history-page*.json).
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
        var transport = RecordedCloudWatch(history: _ => (HttpStatusCode.OK, """{"AlarmHistoryItems":[]}"""));
        await using var store = await TestStore.CreateAsync();
        using var host = new AwsTestHost(DirectAccount(), transport: transport);

        await Collector(host, store).CollectAsync(Target(host), CancellationToken.None);

        var alarms = await Alarms(store, "123456789012");
        Assert.Equal(["checkout-degraded", "orders-api-errors"], alarms.Select(a => a.Name));
        var composite = alarms[0];
        Assert.Equal(("composite", AlarmState.Alarm, (string?)null, DateTimeOffset.FromUnixTimeMilliseconds(1763805600100)), (composite.Kind, composite.State, composite.FunctionName, composite.StateUpdated));
        Assert.Equal("ALARM(\"orders-api-errors\") OR ALARM(\"payments-api-errors\")", composite.Rule);
        var metric = alarms[1];
        Assert.Equal(("metric", AlarmState.Alarm, "orders-api", DateTimeOffset.FromUnixTimeMilliseconds(1763805599512)), (metric.Kind, metric.State, metric.FunctionName, metric.StateUpdated));
        Assert.Null(metric.Rule);
        Assert.Equal(["DescribeAlarms", "DescribeAlarms", "DescribeAlarmHistory"], transport.Seen.Select(r => r.Target!.Split('.')[1]));
    }

    [Fact]
    public async Task CollectAsync_ListingFailsOnSecondPage_ThrowsAndRetiresNothing()
    {
        var failSecondPage = false;
        var transport = RecordedCloudWatch(
            history: _ => (HttpStatusCode.OK, """{"AlarmHistoryItems":[]}"""),
            listing: token => token is not null && failSecondPage
                ? (HttpStatusCode.BadRequest, """{"__type":"com.amazonaws.cloudwatch#InvalidNextToken","message":"The service returned an invalid token"}""")
                : ListingPage(token));
        await using var store = await TestStore.CreateAsync();
        using var host = new AwsTestHost(DirectAccount(), transport: transport);
        var collector = Collector(host, store);
        await collector.CollectAsync(Target(host), CancellationToken.None);

        failSecondPage = true;
        var error = await Assert.ThrowsAsync<AwsServiceException>(() => collector.CollectAsync(Target(host), CancellationToken.None));

        Assert.Equal("InvalidNextToken", error.ErrorCode);
        Assert.Equal(2, (await store.Store.GetAlarmsAsync(FleetFilter.All, AlarmState.Alarm, CancellationToken.None)).Count);
    }

    // DescribeAlarmHistory from the API reference: moto does not implement it.
    [Fact]
    public async Task CollectAsync_FlapBetweenTwoPasses_BothTransitionsInHistoryOnce()
    {
        var time = new ManualTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1763805600));
        var flap = false;
        var transport = RecordedCloudWatch(
            history: token => !flap ? (HttpStatusCode.OK, """{"AlarmHistoryItems":[]}""")
                : (HttpStatusCode.OK, StubTransport.Recorded(token is null ? "cloudwatch-describe-alarm-history-page1.json" : "cloudwatch-describe-alarm-history-page2.json")),
            listing: _ => (HttpStatusCode.OK, OkListing));
        await using var store = await TestStore.CreateAsync();
        using var host = new AwsTestHost(DirectAccount(), transport: transport);
        var logger = new ListLogger();
        var collector = Collector(host, store, time, logger);
        await collector.CollectAsync(Target(host), CancellationToken.None);
        var first = JsonNode.Parse(transport.Seen.First(r => r.Target!.EndsWith("History", StringComparison.Ordinal)).Body)!;
        Assert.Equal(1763805600 - 3600, first["StartDate"]!.GetValue<double>());

        // OK -> ALARM -> OK within the minute: both listings say OK, the history has the flap (and an item of an
        // alarm deleted since, and one whose HistoryData is cut off).
        flap = true;
        time.Advance(TimeSpan.FromMinutes(1));
        var flapPass = new PassReport();
        await collector.CollectAsync(Target(host), flapPass, CancellationToken.None);
        await collector.CollectAsync(Target(host), CancellationToken.None);

        // The cut-off item is counted as skipped; the deleted alarm's item is not a loss (nothing to attach it to).
        Assert.Equal(1, flapPass.Skips.ByReason[AlarmsCollector.UnreadableHistorySkip]);
        Assert.Equal(1, flapPass.Skips.Total);
        Assert.False(flapPass.IsDegraded);

        var orders = (await Alarms(store, "123456789012")).Single(a => a.Name == "orders-api-errors");
        Assert.Equal(AlarmState.Ok, orders.State);
        var history = await store.Store.GetAlarmHistoryAsync(orders.Arn, 10, CancellationToken.None);
        Assert.Equal(
            [
                (DateTimeOffset.FromUnixTimeMilliseconds(1763805640500), AlarmState.Alarm, AlarmState.Ok),
                (DateTimeOffset.FromUnixTimeMilliseconds(1763805610250), AlarmState.Ok, AlarmState.Alarm),
            ],
            history.Select(h => (h.Timestamp, h.From, h.To)));
        Assert.StartsWith("Threshold Crossed: 1 datapoint [4.0", history[1].Reason, StringComparison.Ordinal);
        Assert.Empty(await store.Store.GetAlarmHistoryAsync("arn:aws:cloudwatch:eu-west-1:123456789012:alarm:payments-api-errors", 10, CancellationToken.None));
        Assert.Equal(time.GetUtcNow(), DateTimeOffset.Parse((await store.Store.GetCheckpointAsync("alarms-history/123456789012/eu-west-1", CancellationToken.None))!, CultureInfo.InvariantCulture));

        // Later passes read from the previous one's end, less the 5-minute overlap; each pass logged the cut-off item once.
        var windows = transport.Seen.Where(r => r.Target!.EndsWith("History", StringComparison.Ordinal) && !r.Body.Contains("NextToken", StringComparison.Ordinal))
            .Select(r => JsonNode.Parse(r.Body)!).Select(b => (b["StartDate"]!.GetValue<double>(), b["EndDate"]!.GetValue<double>())).ToList();
        Assert.Equal([(1763805600.0 - 3600, 1763805600.0), (1763805600.0 - 300, 1763805660.0), (1763805660.0 - 300, 1763805660.0)], windows);
        Assert.Equal(2, logger.Entries.Count(e => e.Level == LogLevel.Warning && e.Message.Contains("1 state updates with unreadable HistoryData", StringComparison.Ordinal)));
    }

    // DescribeAlarmHistory from the API reference: moto does not implement it.
    [Fact]
    public async Task CollectAsync_StoreFailsAfterTheHistoryWrite_CheckpointStaysAndTheRetryAddsNothingTwice()
    {
        var time = new ManualTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1763805660));
        var transport = RecordedCloudWatch(
            history: token => (HttpStatusCode.OK, StubTransport.Recorded(token is null ? "cloudwatch-describe-alarm-history-page1.json" : "cloudwatch-describe-alarm-history-page2.json")),
            listing: _ => (HttpStatusCode.OK, OkListing));
        await using var store = await TestStore.CreateAsync();
        using var host = new AwsTestHost(DirectAccount(), transport: transport);

        // Write 1 records the history, write 2 (the alarms) fails: the process died between them.
        var dying = DyingStore.Wrap(store.Store, dieAtWrite: 2);
        await Assert.ThrowsAsync<IOException>(() => new AlarmsCollector(host.Clients, dying, dying, dying, Microsoft.Extensions.Options.Options.Create(new AlarmsCollectorOptions()), time, NullLogger<AlarmsCollector>.Instance)
            .CollectAsync(Target(host), CancellationToken.None));
        Assert.Null(await store.Store.GetCheckpointAsync("alarms-history/123456789012/eu-west-1", CancellationToken.None));

        await Collector(host, store, time).CollectAsync(Target(host), CancellationToken.None);

        var arn = "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:orders-api-errors";
        Assert.Equal([AlarmState.Ok, AlarmState.Alarm], (await store.Store.GetAlarmHistoryAsync(arn, 10, CancellationToken.None)).Select(h => h.To));
        Assert.NotNull(await store.Store.GetCheckpointAsync("alarms-history/123456789012/eu-west-1", CancellationToken.None));
    }

    [Fact]
    public async Task CollectAsync_CheckpointOlderThanMaxCatchUp_ReadsOnlyTheLastDayAndLogsTheGap()
    {
        var time = new ManualTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1763805600));
        var transport = RecordedCloudWatch(history: _ => (HttpStatusCode.OK, """{"AlarmHistoryItems":[]}"""));
        await using var store = await TestStore.CreateAsync();
        await store.Store.SetCheckpointAsync("alarms-history/123456789012/eu-west-1", time.GetUtcNow().AddDays(-3).ToString("O", CultureInfo.InvariantCulture), CancellationToken.None);
        using var host = new AwsTestHost(DirectAccount(), transport: transport);
        var logger = new ListLogger();

        var report = new PassReport();
        await Collector(host, store, time, logger).CollectAsync(Target(host), report, CancellationToken.None);

        var body = JsonNode.Parse(transport.Seen.Single(r => r.Target!.EndsWith("History", StringComparison.Ordinal)).Body)!;
        Assert.Equal(1763805600 - 86400, body["StartDate"]!.GetValue<double>());
        Assert.Equal(
            "alarm state changes from 2025-11-19T09:55:00.0000000+00:00 to 2025-11-21T10:00:00.0000000+00:00 are older than Observe:Collectors:Alarms:HistoryMaxCatchUp allows to catch up and were left out",
            Assert.Single(report.Problems));
        Assert.Contains("Observe:Collectors:Alarms:HistoryMaxCatchUp", Assert.Single(logger.Entries, e => e.Level == LogLevel.Warning).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CollectAsync_DescribeAlarmHistoryDenied_AlarmsStillStoredEveryPassDegradedNamingThePermission()
    {
        var transport = RecordedCloudWatch(history: _ => (HttpStatusCode.BadRequest, """{"__type":"com.amazon.coral.service#AccessDeniedException","message":"User is not authorized to perform: cloudwatch:DescribeAlarmHistory"}"""));
        await using var store = await TestStore.CreateAsync();
        using var host = new AwsTestHost(DirectAccount(), transport: transport);
        var logger = new ListLogger();
        var collector = Collector(host, store, logger: logger);

        var first = new PassReport();
        var second = new PassReport();
        await collector.CollectAsync(Target(host), first, CancellationToken.None);
        await collector.CollectAsync(Target(host), second, CancellationToken.None);

        Assert.Equal(2, (await Alarms(store, "123456789012")).Count);
        Assert.Null(await store.Store.GetCheckpointAsync("alarms-history/123456789012/eu-west-1", CancellationToken.None));

        // Degraded on every pass, not only the first: the Collectors page must keep showing it while it lasts.
        foreach (var report in new[] { first, second })
        {
            var problem = Assert.Single(report.Problems);
            Assert.StartsWith("DescribeAlarmHistory was denied (HTTP 400 AccessDeniedException: User is not authorized", problem, StringComparison.Ordinal);
            Assert.Contains("allow cloudwatch:DescribeAlarmHistory to the role", problem, StringComparison.Ordinal);
        }

        // The log says it once per run of failures.
        var warning = Assert.Single(logger.Entries, e => e.Level == LogLevel.Warning);
        Assert.Contains("HTTP 400 AccessDeniedException", warning.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(HttpStatusCode.InternalServerError, """{"__type":"InternalFailure","message":"The request processing has failed because of an unknown error"}""", "DescribeAlarmHistory failed (HTTP 500 InternalFailure: The request processing has failed because of an unknown error)")]
    [InlineData(HttpStatusCode.NotFound, """{"__type":"com.amazon.coral.service#UnknownOperationException"}""", "DescribeAlarmHistory failed (HTTP 404 UnknownOperationException)")]
    [InlineData(HttpStatusCode.ServiceUnavailable, "<html><body>upstream unavailable</body></html>", "DescribeAlarmHistory failed (HTTP 503 ServiceUnavailable)")]
    public async Task CollectAsync_DescribeAlarmHistoryFailsOtherwise_DegradedWithWhatAwsAnsweredAndNoPermissionHint(HttpStatusCode status, string body, string expected)
    {
        var transport = RecordedCloudWatch(history: _ => (status, body));
        await using var store = await TestStore.CreateAsync();
        using var host = new AwsTestHost(DirectAccount(), transport: transport);
        var logger = new ListLogger();
        var report = new PassReport();

        await Collector(host, store, logger: logger).CollectAsync(Target(host), report, CancellationToken.None);

        Assert.Equal(2, (await Alarms(store, "123456789012")).Count);
        var problem = Assert.Single(report.Problems);
        Assert.StartsWith(expected, problem, StringComparison.Ordinal);
        Assert.Contains("alarms are still listed", problem, StringComparison.Ordinal);
        Assert.DoesNotContain("cloudwatch:", problem, StringComparison.Ordinal);
        Assert.DoesNotContain("permission", problem, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("cloudwatch:", Assert.Single(logger.Entries, e => e.Level == LogLevel.Warning).Message, StringComparison.Ordinal);
    }

    // moto has no DescribeAlarmHistory: it answers HTTP 500 with an HTML page, which is what AWS answered, not a permission.
    [Fact]
    public async Task CollectAsync_MotoLacksDescribeAlarmHistory_AlarmsStoredAndPassDegradedWithoutPermissionHint()
    {
        var account = FreshAccount();
        using var seed = new MotoSeeder(account);
        await seed.PutMetricAlarmAsync(Region, "orders-errors", "AWS/Lambda", "Errors", "FunctionName", "orders");
        await using var store = await TestStore.CreateAsync();
        using var host = new AwsTestHost(AwsTestHost.OptionsFor(Moto.Url, (account, [Region])));
        var report = new PassReport();

        await Collector(host, store).CollectAsync(Target(host), report, CancellationToken.None);

        Assert.Equal(["orders-errors"], (await Alarms(store, account)).Select(a => a.Name));
        var problem = Assert.Single(report.Problems);
        Assert.StartsWith("DescribeAlarmHistory failed (HTTP 500 ", problem, StringComparison.Ordinal);
        Assert.DoesNotContain("cloudwatch:", problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CollectAsync_HistoryReadAfterFailures_PassNoLongerDegraded()
    {
        var failing = true;
        var transport = RecordedCloudWatch(history: _ => failing
            ? (HttpStatusCode.InternalServerError, """{"__type":"InternalFailure"}""")
            : (HttpStatusCode.OK, """{"AlarmHistoryItems":[]}"""));
        await using var store = await TestStore.CreateAsync();
        using var host = new AwsTestHost(DirectAccount(), transport: transport);
        var collector = Collector(host, store);
        var failed = new PassReport();
        await collector.CollectAsync(Target(host), failed, CancellationToken.None);

        failing = false;
        var recovered = new PassReport();
        await collector.CollectAsync(Target(host), recovered, CancellationToken.None);

        Assert.True(failed.IsDegraded);
        Assert.False(recovered.IsDegraded);
        Assert.NotNull(await store.Store.GetCheckpointAsync("alarms-history/123456789012/eu-west-1", CancellationToken.None));
    }

    [Fact]
    public void ToChange_HistoryDataWithoutStates_IsNull_ReasonFallsBackToTheSummary()
    {
        const string arn = "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:a";
        var at = DateTimeOffset.FromUnixTimeSeconds(1763805600);
        AlarmHistoryItem Item(string? data) => new() { AlarmName = "a", Timestamp = at, HistorySummary = "Alarm updated from OK to ALARM", HistoryData = data };

        Assert.Equal(
            new AlarmStateChange(arn, at, AlarmState.Ok, AlarmState.Alarm, "Alarm updated from OK to ALARM"),
            AlarmsCollector.ToChange(arn, Item("""{"version":"1.0","oldState":{"stateValue":"OK"},"newState":{"stateValue":"ALARM"}}""")));
        Assert.Null(AlarmsCollector.ToChange(arn, Item("""{"version":"1.0","newState":{"stateValue":"ALARM"}}""")));
        Assert.Null(AlarmsCollector.ToChange(arn, Item("not json")));
        Assert.Null(AlarmsCollector.ToChange(arn, Item(null)));
        Assert.Null(AlarmsCollector.ToChange(arn, new AlarmHistoryItem { AlarmName = "a", HistoryData = """{"oldState":{"stateValue":"OK"},"newState":{"stateValue":"ALARM"}}""" }));
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
    public void Validator_IntervalAndLookbackTooShort_NamesTheSettings() =>
        Assert.Equal(
            ["Observe:Collectors:Alarms:Interval '00:00:01' must be at least 00:00:10", "Observe:Collectors:Alarms:HistoryLookback '00:00:00' must be at least 00:01:00"],
            new AlarmsCollectorOptionsValidator().Validate(null, new AlarmsCollectorOptions { Interval = TimeSpan.FromSeconds(1), HistoryLookback = TimeSpan.Zero }).Failures);

    [Fact]
    public void Validator_MaxCatchUpShorterThanLookback_NamesTheSetting() =>
        Assert.Equal(
            ["Observe:Collectors:Alarms:HistoryMaxCatchUp '01:00:00' must be at least HistoryLookback '02:00:00'"],
            new AlarmsCollectorOptionsValidator().Validate(null, new AlarmsCollectorOptions { HistoryLookback = TimeSpan.FromHours(2), HistoryMaxCatchUp = TimeSpan.FromHours(1) }).Failures);

    /// <summary>Two OK metric alarms, as DescribeAlarms returns them (one page).</summary>
    private const string OkListing = """
        {"MetricAlarms":[
          {"AlarmName":"orders-api-errors","AlarmArn":"arn:aws:cloudwatch:eu-west-1:123456789012:alarm:orders-api-errors","StateValue":"OK","StateReason":"quiet","StateUpdatedTimestamp":1763798400.0,"StateTransitionedTimestamp":1763798400.0,"MetricName":"Errors","Namespace":"AWS/Lambda","Dimensions":[{"Name":"FunctionName","Value":"orders-api"}]},
          {"AlarmName":"payments-api-errors","AlarmArn":"arn:aws:cloudwatch:eu-west-1:123456789012:alarm:payments-api-errors","StateValue":"OK","StateReason":"quiet","StateUpdatedTimestamp":1763798400.0,"StateTransitionedTimestamp":1763798400.0,"MetricName":"Errors","Namespace":"AWS/Lambda","Dimensions":[{"Name":"FunctionName","Value":"payments-api"}]}],
         "CompositeAlarms":[]}
        """;

    /// <summary>CloudWatch answering by operation: the listing by its NextToken (the recorded pages by default), the history by its NextToken.</summary>
    private static StubTransport RecordedCloudWatch(Func<string?, (HttpStatusCode, string)> history, Func<string?, (HttpStatusCode, string)>? listing = null) =>
        new((request, _) =>
        {
            var token = JsonNode.Parse(request.Body)!["NextToken"]?.GetValue<string>();
            return request.Target == "GraniteServiceVersion20100801.DescribeAlarmHistory" ? history(token) : (listing ?? ListingPage)(token);
        });

    private static (HttpStatusCode, string) ListingPage(string? token) =>
        (HttpStatusCode.OK, StubTransport.Recorded(token is null ? "cloudwatch-describe-alarms-page1.json" : "cloudwatch-describe-alarms-page2.json"));

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

    private static AlarmsCollector Collector(AwsTestHost host, TestStore store, TimeProvider? time = null, ILogger<AlarmsCollector>? logger = null) =>
        new(host.Clients, store.Store, store.Store, store.Store, Microsoft.Extensions.Options.Options.Create(new AlarmsCollectorOptions()), time ?? TimeProvider.System, logger ?? NullLogger<AlarmsCollector>.Instance);

    private static CollectionTarget Target(AwsTestHost host) => new(host.Options.Accounts[0], Region);

    private static async Task<List<CloudWatchAlarm>> Alarms(TestStore store, string account) =>
        [.. await store.Store.GetAlarmsAsync(new FleetFilter(account), null, CancellationToken.None)];

    private sealed class ListLogger : ILogger<AlarmsCollector>
    {
        public List<(LogLevel Level, string Message)> Entries { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Add((logLevel, formatter(state, exception)));
    }
}
