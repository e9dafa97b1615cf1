using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Observe.Collectors.Aws;
using Observe.Collectors.Collection;
using Observe.Collectors.Tests.Infrastructure;
using Observe.Collectors.Tests.LogCollection;
using Observe.Collectors.Tests.Traces;
using Observe.Store;
using Observe.Store.Model;

namespace Observe.Collectors.Tests.EndToEnd;

/// <summary>
/// The whole collection, wired from configuration as the hosts wire it (<see cref="CollectorsServiceCollectionExtensions.AddObserveCollectors"/>),
/// over a fleet seeded into moto: 120 functions in two regions with tags, CloudWatch metrics, log events with REPORT
/// lines and errors, alarms and X-Ray segments. The store's figures must equal what was seeded; with throttling,
/// 5xx, resets and timeouts injected in front of moto, and after a process that dies mid-cycle and restarts, the store
/// must end identical to the fault-free run. One fleet (a fresh account) is seeded for the class.
/// </summary>
public sealed class FleetCollectionTests(FleetCollectionTests.Fleet fleet) : IClassFixture<FleetCollectionTests.Fleet>
{
    private static readonly string[] Regions = ["eu-west-1", "us-east-1"];
    private const int FunctionsPerRegion = 60;

    /// <summary>
    /// Runs straight to moto wait for it as long as a call may take (CallTimeout, 2 min): nothing in them hangs, and a
    /// short attempt timeout only fails them when moto is slow on a loaded machine (GetMetricData took more than 2 s
    /// six times in a row, and the baseline had nothing sound to compare with).
    /// </summary>
    private static readonly TimeSpan FaultFreeAttemptTimeout = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Behind the fault proxy the attempt timeout is what ends a <see cref="Fault.Hang"/>, so it is short enough to
    /// keep the run's length but also applies to every request passed on to moto: AWS's production default, far above
    /// what moto takes under load. Each hang costs this long, so the script holds few of them.
    /// </summary>
    private static readonly TimeSpan FaultyRunAttemptTimeout = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task FaultFreeRun_StoreEqualsSeeded()
    {
        await using var store = await TestStore.CreateAsync();

        var failures = await CollectAsync(store.Store, Moto.Url);
        Assert.True(failures.Count == 0, string.Join("\n", failures));

        AssertSeeded(await Snapshot.TakeAsync(store.Store, fleet.AccountId, fleet.Range), "the fault-free run");
    }

    [Fact]
    public async Task FaultsInFrontOfMoto_StoreEndsIdenticalToAFaultFreeRun()
    {
        await using var clean = await TestStore.CreateAsync();
        var baseline = await CollectBaselineAsync(clean.Store);
        await using var faulty = await TestStore.CreateAsync();
        await using var proxy = new FaultProxy(Moto.Url);

        // A fault every third request for the first 150 faults: every collector and both regions meet some. Four of
        // them hang, each until the client's attempt timeout ends it.
        var faults = new[] { Fault.Throttling400, Fault.TooManyRequests429, Fault.Unavailable503, Fault.ConnectionReset };
        proxy.Script([.. Enumerable.Range(0, 150).SelectMany(i => new[] { i % 40 == 20 ? Fault.Hang : faults[i % faults.Length], Fault.Pass, Fault.Pass })]);
        var failures = await CollectAsync(faulty.Store, proxy.Url, FaultyRunAttemptTimeout);

        Assert.True(proxy.Requests > 450, $"only {proxy.Requests} requests went through the proxy");
        var ended = await Snapshot.TakeAsync(faulty.Store, fleet.AccountId, fleet.Range);
        Assert.True(baseline.Equals(ended), $"with faults in front of moto the store ended as\n  {ended}\nnot as the fault-free run\n  {baseline}\nfailed passes: {Describe(failures)}");
    }

    [Theory]
    [InlineData(3)]
    [InlineData(40)]
    [InlineData(400)]
    public async Task ProcessDiesMidCycle_RestartEndsIdenticalToAnUninterruptedRun(int dieAtWrite)
    {
        await using var clean = await TestStore.CreateAsync();
        var baseline = await CollectBaselineAsync(clean.Store);
        await using var store = await TestStore.CreateAsync();

        // From its Nth write on, the first process writes nothing more: it died there, whatever was in flight.
        var dying = DyingStore.Wrap(store.Store, dieAtWrite);
        await CollectAsync(dying, Moto.Url);
        Assert.True(DyingStore.Died(dying), $"the first process never reached write {dieAtWrite}");

        var failures = await CollectAsync(store.Store, Moto.Url);
        Assert.True(failures.Count == 0, $"the restarted process failed passes over a healthy moto: {Describe(failures)}");

        var ended = await Snapshot.TakeAsync(store.Store, fleet.AccountId, fleet.Range);
        Assert.True(baseline.Equals(ended), $"after the restart the store ended as\n  {ended}\nnot as the uninterrupted run\n  {baseline}");
    }

    /// <summary>
    /// The fault-free run another run is compared with. It must itself be complete and equal to what was seeded:
    /// its failures are otherwise logged and skipped like any run's, and comparing with a baseline that lost a
    /// region's metrics (GetMetricData timing out on a loaded machine) blamed the complete run for "doubling" them,
    /// while two runs that both lost everything compared equal and passed.
    /// </summary>
    private async Task<Snapshot> CollectBaselineAsync(IObserveStore store)
    {
        var failures = await CollectAsync(store, Moto.Url);
        Assert.True(failures.Count == 0, $"the fault-free baseline run failed, so there is nothing sound to compare with: {Describe(failures)}");
        var snapshot = await Snapshot.TakeAsync(store, fleet.AccountId, fleet.Range);
        AssertSeeded(snapshot, "the fault-free baseline run");
        return snapshot;
    }

    /// <summary>The store holds exactly what the fleet seeded into moto, per function.</summary>
    private void AssertSeeded(Snapshot snapshot, string run)
    {
        var seeded = new Snapshot(
            [.. fleet.Functions.Select(f => f.ToString()).Order(StringComparer.Ordinal)],
            new SortedDictionary<string, double>(fleet.Invocations, StringComparer.Ordinal),
            new SortedDictionary<string, double>(fleet.Errors, StringComparer.Ordinal),
            fleet.Logs.Reports.Sum(r => r.Value),
            fleet.Logs.ColdStarts.Sum(c => c.Value),
            fleet.Logs.Errors.Sum(e => e.Value.Values.Sum()),
            snapshot.ErrorGroups,
            [.. fleet.Alarms.Order(StringComparer.Ordinal)],
            [.. fleet.Traces.Order(StringComparer.Ordinal)]);
        Assert.True(seeded.Equals(snapshot), $"{run} stored\n  {snapshot}\nnot what was seeded\n  {seeded}\n{snapshot.DifferencesFrom(seeded)}");
    }

    private static string Describe(IReadOnlyList<string> failures) => failures.Count == 0 ? "none" : "\n  " + string.Join("\n  ", failures);

    /// <summary>
    /// One "process": collectors built from configuration on a new service provider, one pass of each over every
    /// target in the order a fresh host reaches them (inventory first, since logs read the functions from the store).
    /// A failed pass is logged and skipped, as the host does.
    /// </summary>
    private async Task<List<string>> CollectAsync(IObserveStore store, string endpoint, TimeSpan? attemptTimeout = null)
    {
        var failures = new List<string>();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(fleet.Configuration(endpoint, attemptTimeout ?? FaultFreeAttemptTimeout)).Build();
        var services = MotoCollectorServices.Create(store, configuration);
        await using var provider = services.BuildServiceProvider();
        var options = provider.GetRequiredService<IOptions<AwsOptions>>().Value;
        var order = new[] { "inventory", "alarms", "metrics", "logs", "traces" };
        var collectors = provider.GetServices<ICollector>().ToDictionary(c => c.Name);
        Assert.Equal(order.Order(StringComparer.Ordinal), collectors.Keys.Where(order.Contains).Order(StringComparer.Ordinal));
        var logger = provider.GetRequiredService<ILogger<FleetCollectionTests>>();
        foreach (var name in order)
        {
            foreach (var region in Regions)
            {
                try
                {
                    await collectors[name].CollectAsync(new CollectionTarget(options.Accounts[0], region), CancellationToken.None);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogWarning(e, "{Collector} pass over {Region} failed", name, region);
                    failures.Add($"{name} {region}: {e.GetType().Name}: {e.Message}");
                }
            }
        }

        return failures;
    }

    /// <summary>The fleet seeded once into moto under a fresh account, and what the store should hold after collecting it.</summary>
    public sealed class Fleet : IAsyncLifetime
    {
        public string AccountId { get; } = "37" + Random.Shared.NextInt64(10_000_000_000).ToString("D10", CultureInfo.InvariantCulture);

        public DateTimeOffset Now { get; } = UtcMinute.Floor(DateTimeOffset.UtcNow);

        public TimeRange Range => new(Now.AddHours(-1), Now.AddMinutes(1));

        public List<FunctionKey> Functions { get; } = [];

        public Dictionary<string, double> Invocations { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, double> Errors { get; } = new(StringComparer.Ordinal);

        internal Expected Logs { get; } = new();

        public List<string> Alarms { get; } = [];

        public List<string> Traces { get; } = [];

        public Dictionary<string, string?> Configuration(string endpoint, TimeSpan attemptTimeout) => new()
        {
            ["Observe:Aws:Accounts:0:AccountId"] = AccountId,
            ["Observe:Aws:Accounts:0:Name"] = "fleet",
            ["Observe:Aws:Accounts:0:RoleArn"] = Moto.RoleArn(AccountId),
            ["Observe:Aws:Accounts:0:Regions:0"] = Regions[0],
            ["Observe:Aws:Accounts:0:Regions:1"] = Regions[1],
            ["Observe:Aws:Endpoints:Lambda"] = endpoint,
            ["Observe:Aws:Endpoints:CloudWatch"] = endpoint,
            ["Observe:Aws:Endpoints:Logs"] = endpoint,
            ["Observe:Aws:Endpoints:XRay"] = endpoint,

            // AssumeRole goes straight to moto: the faults are for the collectors' own calls.
            ["Observe:Aws:Endpoints:Sts"] = Moto.Url,
            ["Observe:Aws:AttemptTimeout"] = attemptTimeout.ToString("c", CultureInfo.InvariantCulture),
            ["Observe:Aws:Retry:MaxAttempts"] = "6",
            ["Observe:Aws:Retry:ThrottlingBaseDelay"] = "00:00:00.005",
            ["Observe:Aws:Retry:ThrottlingMaxDelay"] = "00:00:00.020",
            ["Observe:Aws:Retry:TransientBaseDelay"] = "00:00:00.002",
            ["Observe:Aws:Retry:TransientMaxDelay"] = "00:00:00.010",
            ["Observe:Aws:RateBudgets:Lambda:PerSecond"] = "1000",
            ["Observe:Aws:RateBudgets:CloudWatch:PerSecond"] = "1000",
            ["Observe:Aws:RateBudgets:Logs:PerSecond"] = "1000",
            ["Observe:Aws:RateBudgets:XRay:PerSecond"] = "1000",

            // The fleet is seeded once for the class and its tests run one after another, minutes later on a loaded
            // machine: with the default 15-minute first-pass lookbacks, a test starting 7 minutes after the seeding
            // lost the oldest traces.
            ["Observe:Collectors:Logs:InitialLookback"] = "00:45:00",
            ["Observe:Collectors:Traces:InitialLookback"] = "00:45:00",

            // moto answers X-Ray filter expressions with HTTP 500 and returns no service graph, and runs no Insights
            // queries: those paths have their own tests with responses written from the API reference.
            ["Observe:Collectors:Traces:SampleRate"] = "1",
            ["Observe:Collectors:Traces:ServiceGraph"] = "false",
            ["Observe:Collectors:Logs:Mode"] = "FilterLogEvents",
        };

        public async Task InitializeAsync()
        {
            using var seed = new MotoSeeder(AccountId);
            var lines = new LogLines(Logs);
            foreach (var region in Regions)
            {
                var metricData = new List<JsonObject>();
                for (var i = 0; i < FunctionsPerRegion; i++)
                {
                    var name = $"fleet-{region}-{i:D3}";
                    var key = new FunctionKey(AccountId, region, name);
                    Functions.Add(key);
                    await seed.CreateFunctionAsync(region, name, new Dictionary<string, string> { ["team"] = $"t{i % 4}" });

                    // Ten minutes of Invocations and Errors, the last one 5 minutes ago.
                    for (var m = 15; m > 5; m--)
                    {
                        var invocations = (i % 7) + m;
                        var errors = m % 3 == 0 ? i % 2 : 0;
                        metricData.Add(Datum("Invocations", name, Now.AddMinutes(-m), invocations));
                        metricData.Add(Datum("Errors", name, Now.AddMinutes(-m), errors));
                        Invocations[key.ToString()] = Invocations.GetValueOrDefault(key.ToString()) + invocations;
                        Errors[key.ToString()] = Errors.GetValueOrDefault(key.ToString()) + errors;
                    }

                    // Log events: a cold and a warm invocation, in text or JSON, and every fifth function an error.
                    var events = new List<(DateTimeOffset At, string Message)>();
                    events.AddRange(lines.Invocation(key, Now.AddMinutes(-9).AddSeconds(i), cold: true, json: i % 2 == 0));
                    events.AddRange(lines.Invocation(key, Now.AddMinutes(-7).AddSeconds(i), cold: false, json: i % 2 == 0));
                    if (i % 5 == 0)
                    {
                        events.Add(lines.DotNetTextError(key, Now.AddMinutes(-6).AddSeconds(i), i));
                    }

                    await LogsFleet.PutEventsAsync(seed, region, $"/aws/lambda/{name}", "2026/11/29/[$LATEST]0123456789abcdef", events, createGroup: true);

                    if (i % 10 == 0)
                    {
                        var alarm = $"{name}-errors";
                        await seed.PutMetricAlarmAsync(region, alarm, "AWS/Lambda", "Errors", "FunctionName", name);
                        var state = i % 20 == 0 ? "ALARM" : "OK";
                        await seed.CloudWatchAsync(region, "SetAlarmState", new JsonObject { ["AlarmName"] = alarm, ["StateValue"] = state, ["StateReason"] = "seeded" });
                        Alarms.Add($"{region}/{alarm}/{(state == "ALARM" ? AlarmState.Alarm : AlarmState.Ok)}");
                    }

                    if (i % 12 == 0)
                    {
                        var trace = LambdaTraces.Invocation(AccountId, region, name, Now.AddMinutes(-8).AddSeconds(i), coldStart: i % 24 == 0, fault: i % 36 == 0);
                        await seed.PutTraceSegmentsAsync(region, trace.Documents);
                        Traces.Add($"{trace.TraceId}/{trace.SegmentCount}/{trace.Fault}");
                    }
                }

                // PutMetricData takes at most 1,000 data points per call.
                foreach (var chunk in metricData.Chunk(1000))
                {
                    await seed.CloudWatchAsync(region, "PutMetricData", new JsonObject { ["Namespace"] = "AWS/Lambda", ["MetricData"] = new JsonArray([.. chunk]) });
                }
            }
        }

        public Task DisposeAsync() => Task.CompletedTask;

        private static JsonObject Datum(string metric, string function, DateTimeOffset at, double value) => new()
        {
            ["MetricName"] = metric,
            ["Dimensions"] = new JsonArray(new JsonObject { ["Name"] = "FunctionName", ["Value"] = function }),
            ["Timestamp"] = at.ToUnixTimeSeconds(),
            ["Value"] = value,
            ["Unit"] = "Count",
        };
    }

    /// <summary>What the dashboard would read about the fleet, in a form two stores can be compared by.</summary>
    private sealed record Snapshot(
        IReadOnlyList<string> Functions,
        IReadOnlyDictionary<string, double> Invocations,
        IReadOnlyDictionary<string, double> Errors,
        int Reports,
        double ColdStarts,
        long ErrorOccurrences,
        IReadOnlyList<string> ErrorGroups,
        IReadOnlyList<string> Alarms,
        IReadOnlyList<string> Traces)
    {
        public static async Task<Snapshot> TakeAsync(IObserveStore store, string accountId, TimeRange range)
        {
            var ct = CancellationToken.None;
            var filter = new FleetFilter(accountId);
            var functions = await store.GetFunctionsAsync(filter, ct);
            var invocations = new SortedDictionary<string, double>(StringComparer.Ordinal);
            var errors = new SortedDictionary<string, double>(StringComparer.Ordinal);
            double coldStarts = 0;
            foreach (var function in functions)
            {
                var series = await store.GetFunctionSeriesAsync(function.Key, range, SeriesResolution.Minute, ct);
                invocations[function.Key.ToString()] = series.Sum(b => b.Invocations);
                errors[function.Key.ToString()] = series.Sum(b => b.Errors);
                coldStarts += series.Sum(b => b.ColdStarts);
            }

            var reports = (await store.GetInvocationReportsAsync(null, range, coldStartsOnly: false, 100_000, ct)).Count(r => r.Function.AccountId == accountId);
            var groups = await store.GetErrorGroupsAsync(filter, range, 10_000, ct);
            var alarms = await store.GetAlarmsAsync(filter, null, ct);
            var traces = await store.GetTraceSummariesAsync(range, faultsOrErrorsOnly: false, 100_000, ct);
            var traceKeys = new List<string>();
            foreach (var summary in traces.Where(t => t.Functions.Any(f => f.AccountId == accountId)))
            {
                var tree = (await store.GetTraceAsync(summary.TraceId, ct))!;
                traceKeys.Add($"{summary.TraceId}/{tree.Segments.Count}/{summary.HasFault}");
            }

            return new Snapshot(
                [.. functions.Select(f => f.Key.ToString()).Order(StringComparer.Ordinal)],
                invocations,
                errors,
                reports,
                coldStarts,
                groups.Sum(g => g.Count),
                [.. groups.Select(g => $"{g.Function}/{g.Fingerprint}/{g.Count}").Order(StringComparer.Ordinal)],
                [.. alarms.Select(a => $"{a.Region}/{a.Name}/{a.State}").Order(StringComparer.Ordinal)],
                [.. traceKeys.Order(StringComparer.Ordinal)]);
        }

        // Records compare collections by reference; snapshots compare by content.
        public bool Equals(Snapshot? other) =>
            other is not null
            && Functions.SequenceEqual(other.Functions)
            && Invocations.SequenceEqual(other.Invocations)
            && Errors.SequenceEqual(other.Errors)
            && Reports == other.Reports
            && ColdStarts.Equals(other.ColdStarts)
            && ErrorOccurrences == other.ErrorOccurrences
            && ErrorGroups.SequenceEqual(other.ErrorGroups)
            && Alarms.SequenceEqual(other.Alarms)
            && Traces.SequenceEqual(other.Traces);

        public override int GetHashCode() => HashCode.Combine(Reports, ColdStarts, ErrorOccurrences);

        /// <summary>Invocations and errors per region and the first functions that differ, so a lost region shows as one.</summary>
        public string DifferencesFrom(Snapshot other)
        {
            static string Region(string function) => function.Split('/') is { Length: >= 3 } parts ? parts[1] : function;
            var regions = Invocations.Keys.Concat(other.Invocations.Keys).Select(Region).Distinct().Order(StringComparer.Ordinal).Select(r =>
                $"{r}: {Invocations.Where(i => Region(i.Key) == r).Sum(i => i.Value)} invocations, {Errors.Where(e => Region(e.Key) == r).Sum(e => e.Value)} errors " +
                $"(other: {other.Invocations.Where(i => Region(i.Key) == r).Sum(i => i.Value)}, {other.Errors.Where(e => Region(e.Key) == r).Sum(e => e.Value)})");
            var functions = Invocations.Keys.Union(other.Invocations.Keys).Order(StringComparer.Ordinal)
                .Where(f => Invocations.GetValueOrDefault(f) != other.Invocations.GetValueOrDefault(f) || Errors.GetValueOrDefault(f) != other.Errors.GetValueOrDefault(f))
                .Take(5)
                .Select(f => $"{f}: {Invocations.GetValueOrDefault(f)}/{Errors.GetValueOrDefault(f)} (other: {other.Invocations.GetValueOrDefault(f)}/{other.Errors.GetValueOrDefault(f)})");
            return string.Join("\n", regions.Concat(functions));
        }

        public override string ToString() =>
            $"{Functions.Count} functions, {Invocations.Values.Sum()} invocations, {Errors.Values.Sum()} errors, {Reports} reports, " +
            $"{ColdStarts} cold starts, {ErrorOccurrences} error occurrences in {ErrorGroups.Count} groups, {Alarms.Count} alarms, {Traces.Count} traces";
    }
}
