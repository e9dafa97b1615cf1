using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Observe.Collectors.Collection;
using Observe.Collectors.LogCollection;
using Observe.Collectors.Tests.Clients;
using Observe.Collectors.Tests.Infrastructure;
using Observe.Store;
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
    public async Task Collect_SixtyFunctions_AutoPicksInsights_ReportsColdStartsAndErrorsFromRows_OnceAcrossPasses()
    {
        var functions = Enumerable.Range(0, 60).Select(i => new FunctionKey(Account, Region, $"fn-{i:D2}")).ToList();
        var aws = new FakeInsights(functions.Take(59).Select(f => LogsCollector.LogGroupName(f.Name)));
        aws.Events.Add(EventRow("fn-02", T0.AddMinutes(1).AddSeconds(1), "REPORT RequestId: 0c0c0c0c-0000-4000-8000-000000000003\tDuration: 3.00 ms\tBilled Duration: 3 ms\tMemory Size: 256 MB\tMax Memory Used: 70 MB\t"));
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

        var first = new PassReport();
        await collector.CollectAsync(target, first, CancellationToken.None);
        clock.Now = T0.AddMinutes(7);
        var second = new PassReport();
        await collector.CollectAsync(target, second, CancellationToken.None);
        Assert.False(first.IsDegraded, string.Join("; ", first.Problems));
        Assert.Equal("2 (malformed JSON log line 1, malformed REPORT line 1)", first.Skips.ToString());

        // The second pass re-reads fn-55's lines in its overlap: already counted, so not skipped again.
        Assert.Equal("none", second.Skips.ToString());

        var status = await collector.GetStatusAsync(target, CancellationToken.None);
        Assert.Equal(LogsReadMode.Insights, status!.Mode);
        Assert.True(status.InsightsCalls < status.FilterLogEventsCalls, status.Reason);

        // Per pass one query per 50 groups: 50 and 9 (fn-59 has no log group yet, and naming it would fail the query).
        var starts = aws.Transport.Seen.Where(r => r.Target == "Logs_20140328.StartQuery").Select(r => JsonNode.Parse(r.Body)!).ToList();
        Assert.Equal([50, 9, 50, 9], starts.Select(s => s["logGroupNames"]!.AsArray().Count));
        Assert.DoesNotContain(starts, s => s["logGroupNames"]!.AsArray().Any(g => g!.GetValue<string>() == "/aws/lambda/fn-59"));
        Assert.All(starts, s => Assert.Equal(LogsCollector.EventsQuery, s["queryString"]!.GetValue<string>()));

        // Every query was polled until Complete: one Running answer, then the rows.
        Assert.Equal(2 * starts.Count, aws.Transport.Seen.Count(r => r.Target == "Logs_20140328.GetQueryResults"));

        var range = new TimeRange(T0.AddHours(-1), T0.AddHours(1));
        Assert.Equal(1, await ColdStartsAsync(temp, "fn-00", T0.AddMinutes(1), range));
        Assert.Equal(1, await ColdStartsAsync(temp, "fn-01", T0.AddMinutes(2), range));
        Assert.Equal(0, await ColdStartsAsync(temp, "fn-02", T0.AddMinutes(1), range));

        // Every REPORT line is stored, warm ones too, as FilterLogEvents stores them.
        var reports = await temp.Store.GetInvocationReportsAsync(null, range, coldStartsOnly: false, 100, CancellationToken.None);
        Assert.Equal([("fn-01", 512.25), ("fn-00", 390.20), ("fn-02", null)], reports.Select(r => (r.Function.Name, r.InitDurationMs)));

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
    public async Task Collect_EventQueryReturnsItsCeilingOfRows_QueriesAgainFromTheLastRowAndReadsTheRest()
    {
        var aws = new FakeInsights(["/aws/lambda/fn-00"]);
        for (var i = 0; i < LogsCollector.MaxQueryRows + 500; i++)
        {
            aws.Events.Add(EventRow("fn-00", T0.AddMilliseconds(i * 10), $"{T0:yyyy-MM-ddTHH:mm:ss.fffZ}\tr-{i}\tinfo\tRetry {i} after an error upstream"));
        }

        using var host = new AwsTestHost(LambdaRecordedTests.DirectAccount(Account), transport: aws.Transport);
        await using var temp = await TestStore.CreateAsync();
        await LogsFleet.AddInventoryAsync(temp.Store, [new FunctionKey(Account, Region, "fn-00")]);
        var target = new CollectionTarget(host.Options.Accounts[0], Region);
        var collector = LogsFleet.Collector(host.Clients, temp.Store, new SettableClock(T0.AddMinutes(6)), new LogsCollectorOptions { Mode = LogsReadMode.Insights, InsightsPollInterval = TimeSpan.FromMilliseconds(100) });

        var report = new PassReport();
        await collector.CollectAsync(target, report, CancellationToken.None);

        // The first page held 10,000 rows: a second query from the last row's second read the 500 after it, and the
        // rows of that second returned twice were counted once.
        var starts = aws.Transport.Seen.Where(r => r.Target == "Logs_20140328.StartQuery").Select(r => JsonNode.Parse(r.Body)!).ToList();
        Assert.Equal(2, starts.Count);
        Assert.Equal(T0.AddMilliseconds((LogsCollector.MaxQueryRows - 1) * 10).ToUnixTimeSeconds(), starts[1]["startTime"]!.GetValue<long>());
        var status = await collector.GetStatusAsync(target, CancellationToken.None);
        Assert.Equal(LogsCollector.MaxQueryRows + 500, status!.LastPass!.Events);
        var checkpoint = System.Text.Json.JsonDocument.Parse((await temp.Store.GetCheckpointAsync(LogsCollector.CheckpointKey(target, "/aws/lambda/fn-00"), CancellationToken.None))!);
        Assert.Equal(T0.AddMinutes(6).ToUnixTimeMilliseconds(), checkpoint.RootElement.GetProperty("position").GetInt64());
        Assert.False(report.IsDegraded);
    }

    [Fact]
    public async Task Collect_ManyReportsInOneGroup_WrittenInBoundedChunksNotOneTransaction()
    {
        var aws = new FakeInsights(["/aws/lambda/fn-00"]);
        for (var i = 0; i < 2_500; i++)
        {
            var init = i % 100 == 0 ? "\tInit Duration: 200.00 ms" : "";
            aws.Events.Add(EventRow("fn-00", T0.AddMilliseconds(i * 100), $"REPORT RequestId: 0f0f0f0f-0000-4000-8000-{i:D12}\tDuration: 3.00 ms\tBilled Duration: 3 ms\tMemory Size: 256 MB\tMax Memory Used: 70 MB{init}\t"));
        }

        using var host = new AwsTestHost(LambdaRecordedTests.DirectAccount(Account), transport: aws.Transport);
        await using var temp = await TestStore.CreateAsync();
        await LogsFleet.AddInventoryAsync(temp.Store, [new FunctionKey(Account, Region, "fn-00")]);
        var store = ReportWriteRecorder.Wrap(temp.Store, out var recorder);
        var collector = LogsFleet.Collector(host.Clients, store, new SettableClock(T0.AddMinutes(6)), new LogsCollectorOptions { Mode = LogsReadMode.Insights, InsightsPollInterval = TimeSpan.FromMilliseconds(100) });

        await collector.CollectAsync(new CollectionTarget(host.Options.Accounts[0], Region), CancellationToken.None);

        // Each write is its own transaction of at most one chunk; together they are every report, and the cold starts
        // recounted per chunk add up to the 25 written.
        Assert.Equal([1_000, 1_000, 500], recorder.ReportWrites);
        var range = new TimeRange(T0.AddHours(-1), T0.AddHours(1));
        Assert.Equal(2_500, (await temp.Store.GetInvocationReportsAsync(null, range, false, 10_000, CancellationToken.None)).Count);
        var series = await temp.Store.GetFunctionSeriesAsync(new FunctionKey(Account, Region, "fn-00"), range, SeriesResolution.Minute, CancellationToken.None);
        Assert.Equal(25, series.Sum(b => b.ColdStarts));
    }

    [Theory]
    [InlineData("2026-11-22 10:05:00.123", "2026-11-22T10:05:00.1230000+00:00")]
    [InlineData("2026-11-22 10:05:00", "2026-11-22T10:05:00.0000000+00:00")]
    [InlineData("2026-11-22T10:05:00.123Z", "2026-11-22T10:05:00.1230000+00:00")]
    [InlineData("2026-11-22T11:05:00.123+01:00", "2026-11-22T10:05:00.1230000+00:00")]
    [InlineData("1795341900123", "2026-11-22T10:05:00.1230000+00:00")]
    [InlineData(" 1795341900123.0 ", "2026-11-22T10:05:00.1230000+00:00")]
    public void ParseInsightsTime_EveryFormatTheApiAndItsEmulatorsAnswer_ReadAsUtc(string value, string expected) =>
        Assert.Equal(expected, LogsCollector.ParseInsightsTime(value)!.Value.ToString("O", CultureInfo.InvariantCulture));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("yesterday")]
    [InlineData("1795341900")]
    [InlineData("22/11/2026 10:05")]
    public void ParseInsightsTime_NotATime_Null(string? value) => Assert.Null(LogsCollector.ParseInsightsTime(value));

    [Fact]
    public async Task Collect_RowsWithUnreadableTimeOrNoGroup_PassDegradedCountedAndNoCheckpointMovesPastThem()
    {
        var aws = new FakeInsights(["/aws/lambda/fn-00", "/aws/lambda/fn-01"]);
        aws.Events.Add(EventRow("fn-00", T0.AddMinutes(1), "REPORT RequestId: 0d0d0d0d-0000-4000-8000-000000000001\tDuration: 3.00 ms\tBilled Duration: 3 ms\tMemory Size: 256 MB\tMax Memory Used: 70 MB\t"));
        aws.Events.Add(EventRow("fn-00", T0.AddMinutes(2), "REPORT RequestId: 0d0d0d0d-0000-4000-8000-000000000002\tDuration: 3.00 ms\tBilled Duration: 3 ms\tMemory Size: 256 MB\tMax Memory Used: 70 MB\t", timestamp: "the 22nd at noon"));
        aws.Events.Add(EventRow("fn-01", T0.AddMinutes(1), "REPORT RequestId: 0e0e0e0e-0000-4000-8000-000000000001\tDuration: 3.00 ms\tBilled Duration: 3 ms\tMemory Size: 256 MB\tMax Memory Used: 70 MB\t"));
        using var host = new AwsTestHost(LambdaRecordedTests.DirectAccount(Account), transport: aws.Transport);
        await using var temp = await TestStore.CreateAsync();
        await LogsFleet.AddInventoryAsync(temp.Store, [new FunctionKey(Account, Region, "fn-00"), new FunctionKey(Account, Region, "fn-01")]);
        var target = new CollectionTarget(host.Options.Accounts[0], Region);
        var collector = LogsFleet.Collector(host.Clients, temp.Store, new SettableClock(T0.AddMinutes(6)), new LogsCollectorOptions { Mode = LogsReadMode.Insights, InsightsPollInterval = TimeSpan.FromMilliseconds(100) });

        var report = new PassReport();
        await collector.CollectAsync(target, report, CancellationToken.None);

        // fn-00 holds a row it could not place in time: degraded, counted, and its checkpoint stays unwritten (the
        // first-pass lookback is read again) while its readable report is stored. fn-01 moves on.
        Assert.True(report.IsDegraded);
        Assert.Contains("1 with an unreadable @timestamp, for example 'the 22nd at noon'", Assert.Single(report.Problems), StringComparison.Ordinal);
        Assert.Equal(1, report.Skips.ByReason["Insights row with an unreadable @timestamp"]);
        Assert.Null(await temp.Store.GetCheckpointAsync(LogsCollector.CheckpointKey(target, "/aws/lambda/fn-00"), CancellationToken.None));
        Assert.NotNull(await temp.Store.GetCheckpointAsync(LogsCollector.CheckpointKey(target, "/aws/lambda/fn-01"), CancellationToken.None));
        var range = new TimeRange(T0.AddHours(-1), T0.AddHours(1));
        Assert.Equal(["fn-00", "fn-01"], (await temp.Store.GetInvocationReportsAsync(null, range, false, 10, CancellationToken.None)).Select(r => r.Function.Name).Order());

        // A row of no known group cannot be attributed: no group of its batch moves.
        aws.Events.Clear();
        aws.Events.Add(EventRow("fn-01", T0.AddMinutes(3), "REPORT RequestId: 0e0e0e0e-0000-4000-8000-000000000002\tDuration: 3.00 ms\tBilled Duration: 3 ms\tMemory Size: 256 MB\tMax Memory Used: 70 MB\t", log: ""));
        var before = await temp.Store.GetCheckpointAsync(LogsCollector.CheckpointKey(target, "/aws/lambda/fn-01"), CancellationToken.None);
        var second = new PassReport();
        await LogsFleet.Collector(host.Clients, temp.Store, new SettableClock(T0.AddMinutes(8)), new LogsCollectorOptions { Mode = LogsReadMode.Insights, InsightsPollInterval = TimeSpan.FromMilliseconds(100) })
            .CollectAsync(target, second, CancellationToken.None);
        Assert.True(second.IsDegraded);
        Assert.Equal(1, second.Skips.ByReason["Insights row without a known log group"]);
        Assert.Equal(before, await temp.Store.GetCheckpointAsync(LogsCollector.CheckpointKey(target, "/aws/lambda/fn-01"), CancellationToken.None));
    }

    private static async Task<double?> ColdStartsAsync(TestStore temp, string function, DateTimeOffset minute, TimeRange range)
    {
        var series = await temp.Store.GetFunctionSeriesAsync(new FunctionKey(Account, Region, function), range, SeriesResolution.Minute, CancellationToken.None);
        return series.SingleOrDefault(b => b.Start == minute)?.ColdStarts;
    }

    private static JsonArray EventRow(string function, DateTimeOffset at, string message, string? timestamp = null, string? log = null) =>
    [
        Field("@timestamp", timestamp ?? at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture)),
        Field("@message", message),
        Field("@logStream", "2026/11/29/[$LATEST]aaaa"),
        Field("@log", log ?? $"{Account}:/aws/lambda/{function}"),
        Field("@ptr", "CmAKJgoiMTIzNDU2Nzg5MDEyOi9hd3MvbGFtYmRhL2ZuLTAwEAEQAA=="),
    ];

    private static JsonObject Field(string name, string value) => new() { ["field"] = name, ["value"] = value };

    /// <summary>A store that records how many reports each WriteInvocationReportsAsync call carried.</summary>
    private class ReportWriteRecorder : System.Reflection.DispatchProxy
    {
        private IObserveStore _inner = null!;

        public List<int> ReportWrites { get; } = [];

        public static IObserveStore Wrap(IObserveStore inner, out ReportWriteRecorder recorder)
        {
            var store = Create<IObserveStore, ReportWriteRecorder>();
            recorder = (ReportWriteRecorder)(object)store;
            recorder._inner = inner;
            return store;
        }

        protected override object? Invoke(System.Reflection.MethodInfo? targetMethod, object?[]? args)
        {
            if (targetMethod!.Name == nameof(IObserveStore.WriteInvocationReportsAsync))
            {
                lock (ReportWrites)
                {
                    ReportWrites.Add(((IReadOnlyCollection<InvocationReport>)args![0]!).Count);
                }
            }

            try
            {
                return targetMethod.Invoke(_inner, args);
            }
            catch (System.Reflection.TargetInvocationException e) when (e.InnerException is not null)
            {
                throw e.InnerException;
            }
        }
    }

    /// <summary>Now is what the test says; delays still run on real time, so polling waits without a test driving it.</summary>
    private sealed class SettableClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    /// <summary>
    /// CloudWatch Logs as the API reference describes it: a query returns the rows of the groups it names inside its
    /// window (start and end in whole seconds, both inclusive), oldest first, at most its limit, after one
    /// <c>Running</c> poll.
    /// </summary>
    private sealed class FakeInsights
    {
        private readonly HashSet<string> _groups;
        private readonly Dictionary<string, (HashSet<string> Groups, long From, long To, int Limit)> _queries = [];
        private readonly Dictionary<string, int> _polls = [];

        public FakeInsights(IEnumerable<string> groups)
        {
            _groups = [.. groups];
            Transport = new StubTransport((request, index) => Respond(request, index));
        }

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
                        _queries[id] = (named, body["startTime"]!.GetValue<long>() * 1000, (body["endTime"]!.GetValue<long>() * 1000) + 999, body["limit"]?.GetValue<int>() ?? 10_000);
                        return (HttpStatusCode.OK, new JsonObject { ["queryId"] = id }.ToJsonString());
                    case "Logs_20140328.GetQueryResults":
                        var queryId = body["queryId"]!.GetValue<string>();
                        var polls = _polls[queryId] = _polls.GetValueOrDefault(queryId) + 1;
                        if (polls == 1)
                        {
                            return (HttpStatusCode.OK, """{"results":[],"status":"Running"}""");
                        }

                        var (groups, from, to, limit) = _queries[queryId];
                        var rows = Events
                            .Where(r => (groups.Contains(RowGroup(r)) || RowGroup(r).Length == 0) && (RowTime(r) is not { } at || (at >= from && at <= to)))
                            .OrderBy(r => RowTime(r) ?? 0)
                            .Take(limit)
                            .Select(r => (JsonNode)r.DeepClone())
                            .ToArray();
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

        /// <summary>A row's time; null for the unreadable ones a test adds, which the fake returns whatever the window.</summary>
        private static long? RowTime(JsonArray row) =>
            DateTimeOffset.TryParseExact(Value(row, "@timestamp"), "yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
                ? at.ToUnixTimeMilliseconds()
                : null;

        private static string Value(JsonArray row, string field) => row.First(f => f!["field"]!.GetValue<string>() == field)!["value"]!.GetValue<string>();

        private static string RowGroup(JsonArray row)
        {
            var log = row.First(f => f!["field"]!.GetValue<string>() == "@log")!["value"]!.GetValue<string>();
            return log[(log.IndexOf(':', StringComparison.Ordinal) + 1)..];
        }
    }
}
