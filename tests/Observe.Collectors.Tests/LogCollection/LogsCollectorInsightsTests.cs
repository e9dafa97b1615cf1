using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Observe.Collectors.Collection;
using Observe.Collectors.LogCollection;
using Observe.Collectors.Tests.Clients;
using Observe.Collectors.Tests.Infrastructure;
using Observe.Store.Model;

namespace Observe.Collectors.Tests.LogCollection;

/// <summary>
/// The Logs Insights path. moto runs only fields/sort/limit queries (no <c>filter</c>, no <c>stats</c>), so AWS is
/// played by responses written from the CloudWatch Logs API reference (DescribeLogGroups, StartQuery,
/// GetQueryResults: <c>@log</c> as <c>{account}:{group}</c>, <c>bin(1m)</c> and <c>@timestamp</c> as
/// <c>yyyy-MM-dd HH:mm:ss.fff</c>, a query <c>Running</c> before it is <c>Complete</c>).
/// </summary>
public class LogsCollectorInsightsTests
{
    private const string Account = "123456789012";
    private const string Region = "eu-west-1";
    private static readonly DateTimeOffset T0 = UtcMinute.Floor(DateTimeOffset.UtcNow).AddMinutes(-20);

    [Fact]
    public async Task Collect_SixtyFunctions_AutoPicksInsights_ColdStartsFromStatsAndErrorsFromRows_OnceAcrossPasses()
    {
        var functions = Enumerable.Range(0, 60).Select(i => new FunctionKey(Account, Region, $"fn-{i:D2}")).ToList();
        var aws = new FakeInsights(functions.Take(59).Select(f => LogsCollector.LogGroupName(f.Name)));
        aws.Stats.Add(StatsRow("fn-00", T0.AddMinutes(1), reports: 5, text: 2, json: 0));
        aws.Stats.Add(StatsRow("fn-01", T0.AddMinutes(2), reports: 3, text: 0, json: 1));
        aws.Stats.Add(StatsRow("fn-02", T0.AddMinutes(1), reports: 4, text: 0, json: 0));
        aws.Stats.Add(StatsRow("fn-55", T0.AddMinutes(3), reports: 1, text: 1, json: 0));
        aws.Events.Add(EventRow("fn-00", T0.AddMinutes(1).AddSeconds(3), "REPORT RequestId: 0a0a0a0a-0000-4000-8000-000000000001\tDuration: 30.00 ms\tBilled Duration: 30 ms\tMemory Size: 256 MB\tMax Memory Used: 70 MB\tInit Duration: 390.20 ms\t"));
        aws.Events.Add(EventRow("fn-00", T0.AddMinutes(1).AddSeconds(9), $"{T0:yyyy-MM-ddTHH:mm:ss.fffZ}\tr-2\tfail\tSystem.InvalidOperationException: Order 7 failed\n   at Shop.Orders.Place(Order order)"));
        aws.Events.Add(EventRow("fn-01", T0.AddMinutes(2).AddSeconds(1), """{"time":"2026-11-29T10:00:00.000Z","type":"platform.report","record":{"requestId":"0b0b0b0b-0000-4000-8000-000000000002","status":"success","metrics":{"durationMs":12.5,"billedDurationMs":13,"memorySizeMB":512,"maxMemoryUsedMB":99,"initDurationMs":512.25}}}"""));
        aws.Events.Add(EventRow("fn-01", T0.AddMinutes(2).AddSeconds(2), """{"level":"Error","requestId":"r-3","errorType":"TimeoutError","errorMessage":"Upstream call timed out after 3000 ms","stackTrace":["at Shop.Http.Send (/var/task/http.js:10:11)"]}"""));
        aws.Events.Add(EventRow("fn-01", T0.AddMinutes(2).AddSeconds(3), "REPORT RequestId: \tDuration: cut"));

        // Inside the second pass's overlap: returned again, counted once.
        aws.Events.Add(EventRow("fn-55", T0.AddMinutes(5).AddSeconds(30), """{"level":"Error","message":"Something failed","function_request_id":"r-4","exception":{"type":"System.ArgumentNullException","message":"Value cannot be null. (Parameter 'customerId')"}}"""));
        aws.Events.Add(EventRow("fn-55", T0.AddMinutes(5).AddSeconds(40), """{"type":"platform.report","record":{"requestId":"""));

        using var host = new AwsTestHost(LambdaRecordedTests.DirectAccount(Account), transport: aws.Transport);
        await using var temp = await TestStore.CreateAsync();
        await LogsFleet.AddInventoryAsync(temp.Store, functions);
        var clock = new SettableClock(T0.AddMinutes(6));
        var collector = LogsFleet.Collector(host.Clients, temp.Store, clock, new LogsCollectorOptions { InsightsPollInterval = TimeSpan.FromMilliseconds(100) });
        var target = new CollectionTarget(host.Options.Accounts[0], Region);

        await collector.CollectAsync(target, CancellationToken.None);
        clock.Now = T0.AddMinutes(7);
        await collector.CollectAsync(target, CancellationToken.None);

        var status = await collector.GetStatusAsync(target, CancellationToken.None);
        Assert.Equal(LogsReadMode.Insights, status!.Mode);
        Assert.True(status.InsightsCalls < status.FilterLogEventsCalls, status.Reason);

        // Per pass: 50 groups and 9 (fn-59 has no log group yet, and naming it would fail the query).
        var starts = aws.Transport.Seen.Where(r => r.Target == "Logs_20140328.StartQuery").Select(r => JsonNode.Parse(r.Body)!).ToList();
        Assert.Equal([50, 50, 9, 9, 50, 50, 9, 9], starts.Select(s => s["logGroupNames"]!.AsArray().Count));
        Assert.DoesNotContain(starts, s => s["logGroupNames"]!.AsArray().Any(g => g!.GetValue<string>() == "/aws/lambda/fn-59"));
        var statsQueries = starts.Where(s => s["queryString"]!.GetValue<string>().Contains("| stats", StringComparison.Ordinal)).ToList();
        Assert.Equal(4, statsQueries.Count);
        Assert.All(statsQueries, s => Assert.StartsWith("filter @type = \"REPORT\"", s["queryString"]!.GetValue<string>(), StringComparison.Ordinal));
        Assert.All(statsQueries, s => Assert.Equal(0, s["startTime"]!.GetValue<long>() % 60));

        // Every query was polled until Complete: one Running answer, then the rows.
        Assert.Equal(2 * starts.Count, aws.Transport.Seen.Count(r => r.Target == "Logs_20140328.GetQueryResults"));

        var range = new TimeRange(T0.AddHours(-1), T0.AddHours(1));
        Assert.Equal(2, await ColdStartsAsync(temp, "fn-00", T0.AddMinutes(1), range));
        Assert.Equal(1, await ColdStartsAsync(temp, "fn-01", T0.AddMinutes(2), range));
        Assert.Equal(0, await ColdStartsAsync(temp, "fn-02", T0.AddMinutes(1), range));
        Assert.Equal(1, await ColdStartsAsync(temp, "fn-55", T0.AddMinutes(3), range));

        var reports = await temp.Store.GetInvocationReportsAsync(null, range, coldStartsOnly: true, 100, CancellationToken.None);
        Assert.Equal([("fn-01", 512.25), ("fn-00", 390.20)], reports.Select(r => (r.Function.Name, r.InitDurationMs!.Value)));

        var errors = await temp.Store.GetErrorGroupsAsync(new FleetFilter(Account, Region), range, 100, CancellationToken.None);
        Assert.Equal(
            [("fn-00", "System.InvalidOperationException", 1L), ("fn-01", "TimeoutError", 1L), ("fn-55", "System.ArgumentNullException", 1L)],
            errors.Select(e => (e.Function.Name, e.ErrorType, e.Count)).OrderBy(e => e.Name));
        foreach (var name in new[] { "fn-01", "fn-55" })
        {
            var checkpoint = await temp.Store.GetCheckpointAsync(LogsCollector.CheckpointKey(target, LogsCollector.LogGroupName(name)), CancellationToken.None);
            Assert.Equal(1, System.Text.Json.JsonDocument.Parse(checkpoint!).RootElement.GetProperty("skipped").GetInt64());
        }
    }

    [Fact]
    public async Task Collect_QueryEndsFailed_PassFailsAndCheckpointsStay()
    {
        var aws = new FakeInsights(["/aws/lambda/fn-00"]) { FinalStatus = "Failed" };
        using var host = new AwsTestHost(LambdaRecordedTests.DirectAccount(Account), transport: aws.Transport);
        await using var temp = await TestStore.CreateAsync();
        await LogsFleet.AddInventoryAsync(temp.Store, [new FunctionKey(Account, Region, "fn-00")]);
        var collector = LogsFleet.Collector(host.Clients, temp.Store, new SettableClock(T0), new LogsCollectorOptions { Mode = LogsReadMode.Insights, InsightsPollInterval = TimeSpan.FromMilliseconds(100) });
        var target = new CollectionTarget(host.Options.Accounts[0], Region);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => collector.CollectAsync(target, CancellationToken.None));

        Assert.Contains("ended Failed", error.Message, StringComparison.Ordinal);
        Assert.Null(await temp.Store.GetCheckpointAsync(LogsCollector.CheckpointKey(target, "/aws/lambda/fn-00"), CancellationToken.None));
    }

    [Fact]
    public async Task Collect_OneGroupFarBehind_OthersKeepTheirCheckpointUntilTheBatchCatchesUp()
    {
        var aws = new FakeInsights(["/aws/lambda/fn-00", "/aws/lambda/fn-01"]);
        aws.Events.Add(EventRow("fn-01", T0.AddMinutes(5), """{"type":"platform.report","record":{"requestId":"""));
        using var host = new AwsTestHost(LambdaRecordedTests.DirectAccount(Account), transport: aws.Transport);
        await using var temp = await TestStore.CreateAsync();
        await LogsFleet.AddInventoryAsync(temp.Store, [new FunctionKey(Account, Region, "fn-00"), new FunctionKey(Account, Region, "fn-01")]);
        var target = new CollectionTarget(host.Options.Accounts[0], Region);
        var behind = LogsCollector.CheckpointKey(target, "/aws/lambda/fn-00");
        var ahead = LogsCollector.CheckpointKey(target, "/aws/lambda/fn-01");
        await temp.Store.SetCheckpointAsync(behind, $$"""{"position":{{T0.AddHours(-3).ToUnixTimeMilliseconds()}}}""", CancellationToken.None);
        var aheadCheckpoint = $$"""{"position":{{T0.AddMinutes(6).ToUnixTimeMilliseconds()}},"seen":["h0011"],"skipped":4}""";
        await temp.Store.SetCheckpointAsync(ahead, aheadCheckpoint, CancellationToken.None);
        var collector = LogsFleet.Collector(host.Clients, temp.Store, new SettableClock(T0.AddMinutes(7)), new LogsCollectorOptions { Mode = LogsReadMode.Insights, InsightsPollInterval = TimeSpan.FromMilliseconds(100) });

        await collector.CollectAsync(target, CancellationToken.None);

        // The batch read one hour (MaxCatchUp) from fn-00's checkpoint; fn-01 is past that and is left as it was.
        Assert.Equal(T0.AddHours(-2).ToUnixTimeMilliseconds(), System.Text.Json.JsonDocument.Parse((await temp.Store.GetCheckpointAsync(behind, CancellationToken.None))!).RootElement.GetProperty("position").GetInt64());
        Assert.Equal(aheadCheckpoint, await temp.Store.GetCheckpointAsync(ahead, CancellationToken.None));
    }

    [Fact]
    public async Task Collect_EventQueryReturnsItsCeilingOfRows_CheckpointStopsAtTheLastRow()
    {
        var aws = new FakeInsights(["/aws/lambda/fn-00"]);
        for (var i = 0; i < LogsCollector.MaxQueryRows; i++)
        {
            aws.Events.Add(EventRow("fn-00", T0.AddMilliseconds(i * 10), $"{T0:yyyy-MM-ddTHH:mm:ss.fffZ}\tr-{i}\tinfo\tRetry {i} after an error upstream"));
        }

        using var host = new AwsTestHost(LambdaRecordedTests.DirectAccount(Account), transport: aws.Transport);
        await using var temp = await TestStore.CreateAsync();
        await LogsFleet.AddInventoryAsync(temp.Store, [new FunctionKey(Account, Region, "fn-00")]);
        var target = new CollectionTarget(host.Options.Accounts[0], Region);
        var collector = LogsFleet.Collector(host.Clients, temp.Store, new SettableClock(T0.AddMinutes(6)), new LogsCollectorOptions { Mode = LogsReadMode.Insights, InsightsPollInterval = TimeSpan.FromMilliseconds(100) });

        await collector.CollectAsync(target, CancellationToken.None);

        // Rows past the 10,000th may exist: the next pass must start from the last one returned, not from now.
        var checkpoint = System.Text.Json.JsonDocument.Parse((await temp.Store.GetCheckpointAsync(LogsCollector.CheckpointKey(target, "/aws/lambda/fn-00"), CancellationToken.None))!);
        Assert.Equal(T0.AddMilliseconds((LogsCollector.MaxQueryRows - 1) * 10).ToUnixTimeMilliseconds(), checkpoint.RootElement.GetProperty("position").GetInt64());
    }

    private static async Task<double?> ColdStartsAsync(TestStore temp, string function, DateTimeOffset minute, TimeRange range)
    {
        var series = await temp.Store.GetFunctionSeriesAsync(new FunctionKey(Account, Region, function), range, SeriesResolution.Minute, CancellationToken.None);
        return series.SingleOrDefault(b => b.Start == minute)?.ColdStarts;
    }

    private static JsonArray StatsRow(string function, DateTimeOffset minute, int reports, int text, int json) =>
    [
        Field("@log", $"{Account}:/aws/lambda/{function}"),
        Field("bin(1m)", minute.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture)),
        Field("reports", reports.ToString(CultureInfo.InvariantCulture)),
        Field("textColdStarts", text.ToString(CultureInfo.InvariantCulture)),
        Field("jsonColdStarts", json.ToString(CultureInfo.InvariantCulture)),
    ];

    private static JsonArray EventRow(string function, DateTimeOffset at, string message) =>
    [
        Field("@timestamp", at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture)),
        Field("@message", message),
        Field("@logStream", "2026/11/29/[$LATEST]aaaa"),
        Field("@log", $"{Account}:/aws/lambda/{function}"),
        Field("@ptr", "CmAKJgoiMTIzNDU2Nzg5MDEyOi9hd3MvbGFtYmRhL2ZuLTAwEAEQAA=="),
    ];

    private static JsonObject Field(string name, string value) => new() { ["field"] = name, ["value"] = value };

    /// <summary>Now is what the test says; delays still run on real time, so polling waits without a test driving it.</summary>
    private sealed class SettableClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    /// <summary>
    /// CloudWatch Logs as the API reference describes it: the stats and event queries each return their rows (only
    /// those of the groups the query names), after one <c>Running</c> poll.
    /// </summary>
    private sealed class FakeInsights
    {
        private readonly HashSet<string> _groups;
        private readonly Dictionary<string, (bool Stats, HashSet<string> Groups)> _queries = [];
        private readonly Dictionary<string, int> _polls = [];

        public FakeInsights(IEnumerable<string> groups)
        {
            _groups = [.. groups];
            Transport = new StubTransport((request, index) => Respond(request, index));
        }

        public List<JsonArray> Stats { get; } = [];
        public List<JsonArray> Events { get; } = [];
        public string FinalStatus { get; init; } = "Complete";
        public StubTransport Transport { get; }

        private (HttpStatusCode, string) Respond(SeenRequest request, int index)
        {
            var body = JsonNode.Parse(request.Body)!;
            lock (_queries)
            {
                switch (request.Target)
                {
                    case "Logs_20140328.DescribeLogGroups":
                        var prefix = body["logGroupNamePrefix"]!.GetValue<string>();
                        var page = new JsonArray([.. _groups.Where(g => g.StartsWith(prefix, StringComparison.Ordinal)).Select(g => (JsonNode)new JsonObject { ["logGroupName"] = g, ["arn"] = $"arn:aws:logs:{Region}:{Account}:log-group:{g}:*", ["storedBytes"] = 0 })]);
                        return (HttpStatusCode.OK, new JsonObject { ["logGroups"] = page }.ToJsonString());
                    case "Logs_20140328.StartQuery":
                        var id = $"q-{index}";
                        var named = body["logGroupNames"]!.AsArray().Select(g => g!.GetValue<string>()).ToHashSet();
                        _queries[id] = (body["queryString"]!.GetValue<string>().Contains("| stats", StringComparison.Ordinal), named);
                        return (HttpStatusCode.OK, new JsonObject { ["queryId"] = id }.ToJsonString());
                    case "Logs_20140328.GetQueryResults":
                        var queryId = body["queryId"]!.GetValue<string>();
                        var polls = _polls[queryId] = _polls.GetValueOrDefault(queryId) + 1;
                        if (polls == 1)
                        {
                            return (HttpStatusCode.OK, """{"results":[],"status":"Running"}""");
                        }

                        var (stats, groups) = _queries[queryId];
                        var rows = (stats ? Stats : Events).Where(r => groups.Contains(RowGroup(r))).Select(r => (JsonNode)r.DeepClone()).ToArray();
                        var response = new JsonObject
                        {
                            ["results"] = new JsonArray(rows),
                            ["statistics"] = new JsonObject { ["recordsMatched"] = rows.Length, ["recordsScanned"] = rows.Length * 10, ["bytesScanned"] = rows.Length * 3000 },
                            ["status"] = FinalStatus,
                        };
                        return (HttpStatusCode.OK, response.ToJsonString());
                    default:
                        return (HttpStatusCode.BadRequest, """{"__type":"InvalidOperationException","message":"not expected here"}""");
                }
            }
        }

        private static string RowGroup(JsonArray row)
        {
            var log = row.First(f => f!["field"]!.GetValue<string>() == "@log")!["value"]!.GetValue<string>();
            return log[(log.IndexOf(':', StringComparison.Ordinal) + 1)..];
        }
    }
}
