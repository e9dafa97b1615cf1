using Observe.Alerting.Evaluation;
using Observe.Alerting.Rules;
using Observe.Alerting.Tests.Rules;
using Observe.Store;
using Observe.Store.Model;

namespace Observe.Alerting.Tests.Evaluation;

/// <summary>
/// The evaluator over a real SQLite store (and once PostgreSQL) holding what the collectors write: inventory,
/// per-minute figures, invocation reports, error groups, alarms and collector statuses.
/// </summary>
public sealed class RuleEvaluatorTests : IAsyncLifetime
{
    private const string Account = "111111111111";
    private const string OtherAccount = "222222222222";
    private const string Region = "eu-west-1";
    private static readonly DateTimeOffset Now = new(2026, 11, 20, 12, 0, 0, TimeSpan.Zero);

    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromMinutes(2));
    private EvaluationStore _store = null!;

    private CancellationToken Ct => _timeout.Token;

    private IObserveStore Store => _store.Store;

    public async Task InitializeAsync() => _store = await EvaluationStore.OpenSqliteAsync(Ct);

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        _timeout.Dispose();
    }

    private static FunctionKey Fn(string name, string account = Account) => new(account, Region, name);

    private static RuleEvaluator Evaluator(IObserveStore store) => new(store, store, store, store, store, store);

    private static Dictionary<string, Dictionary<string, SignalState>> ByRule(IReadOnlyList<RuleResult> results) =>
        results.ToDictionary(r => r.Rule.Id, r => r.States.ToDictionary(s => s.LabelsKey));

    private static Observation Seen(Dictionary<string, Dictionary<string, SignalState>> byRule, string rule, string key) => byRule[rule][key].Observation;

    [Fact]
    public async Task EvaluateAsync_DefaultRules_FunctionFigures()
    {
        await SeedFleetAsync(Store, Ct);

        var byRule = ByRule(await Evaluator(Store).EvaluateAsync(DefaultRules.All, Now, Ct));

        var api = Fn("orders-api").ToString();
        var worker = Fn("orders-worker").ToString();
        Assert.Equal(Observation.Active, Seen(byRule, "default-error-rate", api));
        Assert.Equal(0.2, byRule["default-error-rate"][api].Value!.Value, 12);
        Assert.Equal("error rate 20% (100 of 500 invocations) in the last 5m", byRule["default-error-rate"][api].Summary);
        Assert.Equal(Observation.Inactive, Seen(byRule, "default-error-rate", worker));
        Assert.Equal(Observation.Active, Seen(byRule, "default-p99-near-timeout", api));
        Assert.Equal(0.95, byRule["default-p99-near-timeout"][api].Value!.Value, 12);
        Assert.Equal(Observation.Inactive, Seen(byRule, "default-p99-near-timeout", worker));
        Assert.Equal(Observation.Active, Seen(byRule, "default-timeouts", api));
        Assert.Equal(Observation.Active, Seen(byRule, "default-memory-near-limit", api));
        Assert.Equal(Observation.Unknown, Seen(byRule, "default-memory-near-limit", worker));
        Assert.Equal(Observation.Active, Seen(byRule, "default-throttles", worker));
        Assert.Equal(Observation.Inactive, Seen(byRule, "default-throttles", api));
        Assert.Equal(Observation.Active, Seen(byRule, "default-iterator-age", Fn("stream").ToString()));

        // Iterator age applies to stream-fed functions only; a function with no figures in the window is quiet when
        // its account's metrics were collected over the window.
        Assert.DoesNotContain(api, byRule["default-iterator-age"].Keys);
        Assert.Equal(Observation.Inactive, Seen(byRule, "default-error-rate", Fn("idle").ToString()));
        Assert.Equal("no invocations in the last 5m", byRule["default-error-rate"][Fn("idle").ToString()].Summary);

        var labels = byRule["default-error-rate"][api].Labels;
        Assert.Equal(
            [("account", Account), ("function", "orders-api"), ("region", Region), ("rule", "default-error-rate"), ("runtime", "dotnet8"), ("severity", "critical")],
            labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => (l.Key, l.Value)));
    }

    [Fact]
    public async Task EvaluateAsync_FiguresNotRead_UnknownNeverInactive()
    {
        await SeedFleetAsync(Store, Ct);

        var byRule = ByRule(await Evaluator(Store).EvaluateAsync(DefaultRules.All, Now, Ct));

        // Errors not read (the metrics collector's Errors query failed), below the threshold as far as read.
        var billing = byRule["default-error-rate"][Fn("billing").ToString()];
        Assert.Equal((Observation.Unknown, (double?)null), (billing.Observation, billing.Value));
        Assert.Equal("unknown: errors of 40 invocations in the last 5m could not be read", billing.Summary);

        // Only invocation reports, no per-minute series: every series figure is unknown.
        Assert.Equal(Observation.Unknown, Seen(byRule, "default-error-rate", Fn("reports-only").ToString()));
        Assert.Equal(Observation.Unknown, Seen(byRule, "default-throttles", Fn("reports-only").ToString()));

        // A function whose account's metrics collector is failing: no figures is not no errors.
        var ghost = byRule["default-error-rate"][Fn("ghost", OtherAccount).ToString()];
        Assert.Equal(Observation.Unknown, ghost.Observation);
        Assert.StartsWith("unknown: metrics not collected since ", ghost.Summary, StringComparison.Ordinal);

        // No timeout known for a function missing from the inventory; no reports read means no timeouts counted.
        Assert.Equal(Observation.Unknown, Seen(byRule, "default-p99-near-timeout", Fn("uninventoried").ToString()));
        Assert.Equal(Observation.Unknown, Seen(byRule, "default-timeouts", Fn("orders-worker").ToString()));
    }

    [Fact]
    public async Task EvaluateAsync_UnreadErrorsButEnoughRead_Active()
    {
        await Store.UpsertFunctionsAsync([Function(Fn("f"))], Ct);
        await Store.WriteMetricsAsync([Minute(Fn("f"), 1, invocations: 10, errors: 5), Minute(Fn("f"), 2, invocations: 10, errors: null)], Ct);

        var result = Assert.Single(await Evaluator(Store).EvaluateAsync([DefaultRules.All[0]], Now, Ct));

        var state = Assert.Single(result.States);
        Assert.Equal((Observation.Active, 0.25), (state.Observation, state.Value!.Value));
    }

    [Fact]
    public async Task EvaluateAsync_CollectorFailing_ActivePerCollectorAccountAndRegion()
    {
        await SeedFleetAsync(Store, Ct);

        var result = Assert.Single(await Evaluator(Store).EvaluateAsync([Rule("default-collector-failing")], Now, Ct));

        var states = result.States.ToDictionary(s => s.LabelsKey);
        Assert.Equal(Observation.Active, states[$"{OtherAccount}/{Region}/collector=metrics"].Observation);
        Assert.Equal(Observation.Inactive, states[$"{Account}/{Region}/collector=metrics"].Observation);
        Assert.Equal("metrics", states[$"{OtherAccount}/{Region}/collector=metrics"].Labels["collector"]);
    }

    [Fact]
    public async Task EvaluateAsync_Alarms_StateMapsToObservation()
    {
        await SeedFleetAsync(Store, Ct);
        await Store.UpsertAlarmsAsync(
        [
            Alarm("api-errors", AlarmState.Alarm, "orders-api"),
            Alarm("worker-errors", AlarmState.Ok, "orders-worker"),
            Alarm("queue-depth", AlarmState.InsufficientData, null),
        ], Ct);

        var states = Assert.Single(await Evaluator(Store).EvaluateAsync([Rule("default-cloudwatch-alarm")], Now, Ct)).States.ToDictionary(s => s.Labels["alarm"]);

        Assert.Equal(Observation.Active, states["api-errors"].Observation);
        Assert.Equal("orders-api", states["api-errors"].Labels["function"]);
        Assert.Equal(Observation.Inactive, states["worker-errors"].Observation);
        Assert.Equal(Observation.Unknown, states["queue-depth"].Observation);

        // A scope naming functions leaves out the alarm on none, and alarms on other functions.
        var scoped = Rule("default-cloudwatch-alarm") with { Scope = new RuleScope { Functions = ["orders-a*"] } };
        var only = Assert.Single(Assert.Single(await Evaluator(Store).EvaluateAsync([scoped], Now, Ct)).States);
        Assert.Equal("api-errors", only.Labels["alarm"]);
    }

    [Fact]
    public async Task EvaluateAsync_ErrorGroups_NewAndRegression()
    {
        await SeedFleetAsync(Store, Ct);
        var api = Fn("orders-api");
        await Store.RecordErrorsAsync(
        [
            new ErrorOccurrences(api, "fp-old", "TimeoutException", "db slow", Now.AddDays(-2), Now.AddDays(-2), 3, null, null, null),
            new ErrorOccurrences(api, "fp-old", "TimeoutException", "db slow", Now.AddMinutes(-2), Now.AddMinutes(-2), 1, null, null, null),
            new ErrorOccurrences(api, "fp-new", "NullReferenceException", "order is null", Now.AddMinutes(-3), Now.AddMinutes(-1), 4, null, null, null),
            new ErrorOccurrences(api, "fp-back", "KeyError", "customer", Now.AddDays(-1), Now.AddDays(-1), 1, null, null, null),
        ], Ct);
        await Store.SetErrorStatusAsync("fp-back", ErrorStatus.Resolved, "dev@example.com", Now.AddHours(-20), Ct);
        await Store.RecordErrorsAsync([new ErrorOccurrences(api, "fp-back", "KeyError", "customer", Now.AddMinutes(-1), Now.AddMinutes(-1), 2, null, null, null)], Ct);

        var byRule = ByRule(await Evaluator(Store).EvaluateAsync([Rule("default-new-error-group"), Rule("default-error-regression")], Now, Ct));

        Assert.Equal(Observation.Active, Seen(byRule, "default-new-error-group", "fingerprint=fp-new"));
        Assert.Equal(Observation.Inactive, Seen(byRule, "default-new-error-group", "fingerprint=fp-old"));
        Assert.Equal(Observation.Active, Seen(byRule, "default-error-regression", "fingerprint=fp-back"));
        Assert.Equal(Observation.Inactive, Seen(byRule, "default-error-regression", "fingerprint=fp-new"));
        Assert.Equal("fp-new", byRule["default-new-error-group"]["fingerprint=fp-new"].Labels["fingerprint"]);
    }

    [Fact]
    public async Task EvaluateAsync_Anomalies_AgainstTheFunctionsOwnLast48Hours()
    {
        // steady: 30 h of 100 ms and 40 invocations per 5 minutes, now 300 ms and 60 (over 2x and 1.25x);
        // calm: the same history, now 150 ms and 45 (under both); young: 10 h of history.
        var points = new List<MetricPoint>();
        for (var minute = 6; minute <= 30 * 60; minute++)
        {
            foreach (var name in new[] { "steady", "calm" })
            {
                points.Add(Minute(Fn(name), minute, invocations: 8, errors: 0, duration: 100));
            }

            if (minute <= 10 * 60)
            {
                points.Add(Minute(Fn("young"), minute, invocations: 8, errors: 0, duration: 100));
            }
        }

        points.AddRange(Enumerable.Range(1, 5).Select(m => Minute(Fn("steady"), m, invocations: 12, errors: 0, duration: 300)));
        points.AddRange(Enumerable.Range(1, 5).Select(m => Minute(Fn("calm"), m, invocations: 9, errors: 0, duration: 150)));
        points.AddRange(Enumerable.Range(1, 5).Select(m => Minute(Fn("young"), m, invocations: 100, errors: 0, duration: 900)));
        await Store.WriteMetricsAsync(points, Ct);

        var byRule = ByRule(await Evaluator(Store).EvaluateAsync([Rule("default-duration-anomaly"), Rule("default-invocations-anomaly")], Now, Ct));

        Assert.Equal(Observation.Active, Seen(byRule, "default-duration-anomaly", Fn("steady").ToString()));
        Assert.Equal(3d, byRule["default-duration-anomaly"][Fn("steady").ToString()].Value!.Value, 9);
        Assert.Equal(Observation.Inactive, Seen(byRule, "default-duration-anomaly", Fn("calm").ToString()));
        Assert.Equal(Observation.Unknown, Seen(byRule, "default-duration-anomaly", Fn("young").ToString()));
        Assert.Equal(Observation.Active, Seen(byRule, "default-invocations-anomaly", Fn("steady").ToString()));
        Assert.Equal(1.5, byRule["default-invocations-anomaly"][Fn("steady").ToString()].Value!.Value, 9);
        Assert.Equal(Observation.Inactive, Seen(byRule, "default-invocations-anomaly", Fn("calm").ToString()));
        Assert.Equal(Observation.Unknown, Seen(byRule, "default-invocations-anomaly", Fn("young").ToString()));
    }

    [Fact]
    public async Task EvaluateAsync_Scope_FunctionsRuntimesTagsAndAccounts()
    {
        await SeedFleetAsync(Store, Ct);
        var rule = new RuleParser([]).ParseRule("""
            id: payments-dotnet
            name: Payments .NET errors
            condition: errors >= 0
            scope: {accounts: ["111111111111"], functions: ["orders-*"], runtimes: [dotnet], tags: {team: payments}}
            """).Rules.Single();

        var result = Assert.Single(await Evaluator(Store).EvaluateAsync([rule], Now, Ct));

        Assert.Equal([Fn("orders-api").ToString()], result.States.Select(s => s.LabelsKey));
    }

    [Fact]
    public async Task EvaluateAsync_SameRuleFromFileAndDashboard_SameStates()
    {
        await SeedFleetAsync(Store, Ct);
        var parser = new RuleParser(["slack-oncall"]);
        var text = "id: r\nname: Orders errors\ncondition: error_rate > 5%\nwindow: 5m\nscope: {functions: [\"orders-*\"]}\nchannels: [slack-oncall]\n";
        var fromDashboard = parser.ParseRule(text).Rules.Single();
        var fromFile = parser.ParseFile("rules:\n" + string.Concat(text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select((l, i) => (i == 0 ? "  - " : "    ") + l + "\n")), "rules.yaml").Rules.Single();

        var results = await Evaluator(Store).EvaluateAsync([fromDashboard, fromFile], Now, Ct);

        Assert.True(RuleWriterTests.Same(fromDashboard, fromFile));
        Assert.Equal((RuleSource.Dashboard, RuleSource.File), (fromDashboard.Source, fromFile.Source));
        Assert.Equal(
            results[0].States.Select(s => (s.LabelsKey, s.Observation, s.Value, s.Summary)),
            results[1].States.Select(s => (s.LabelsKey, s.Observation, s.Value, s.Summary)));
        Assert.Equal(2, results[0].States.Count);
    }

    [Fact]
    public async Task EvaluateAsync_ManyRules_OneStoreReadPerWindowAndFilter_BaselinesOncePerHour()
    {
        await SeedFleetAsync(Store, Ct);
        var counting = new CountingReads(Store);
        var evaluator = new RuleEvaluator(counting, Store, Store, Store, Store, counting);
        var tenMinutes = DefaultRules.All[0] with { Id = "ten", Condition = DefaultRules.All[0].Condition with { Window = TimeSpan.FromMinutes(10) } };
        var oneAccount = DefaultRules.All[1] with { Id = "one-account", Scope = new RuleScope { Accounts = [Account] } };
        var rules = DefaultRules.All.Append(tenMinutes).Append(oneAccount).ToList();

        await evaluator.EvaluateAsync(rules, Now, Ct);

        // 5 minutes over all accounts (the one-account rule reads from it) and 10 minutes; baselines for 5 minutes.
        Assert.Equal([(TimeSpan.FromMinutes(5), FleetFilter.All), (TimeSpan.FromMinutes(10), FleetFilter.All)], counting.StatsReads.OrderBy(r => r.Item1));
        Assert.Equal(1, counting.BaselineReads);

        await evaluator.EvaluateAsync(rules, Now.AddMinutes(59), Ct);
        Assert.Equal(1, counting.BaselineReads);
        await evaluator.EvaluateAsync(rules, Now.AddMinutes(60), Ct);
        Assert.Equal(2, counting.BaselineReads);
    }

    [Fact]
    public async Task EvaluateAsync_DisabledRule_NotEvaluated()
    {
        var results = await Evaluator(Store).EvaluateAsync([DefaultRules.All[0] with { Enabled = false }], Now, Ct);

        Assert.Empty(results);
    }

    [Fact]
    public async Task EvaluateAsync_OnPostgres_SameAsSqlite()
    {
        await using var postgres = await EvaluationStore.OpenPostgresAsync(Ct);
        await SeedFleetAsync(postgres.Store, Ct);
        await SeedFleetAsync(Store, Ct);

        var onPostgres = await Evaluator(postgres.Store).EvaluateAsync(DefaultRules.All, Now, Ct);
        var onSqlite = await Evaluator(Store).EvaluateAsync(DefaultRules.All, Now, Ct);

        static IEnumerable<(string, string, Observation, double?)> Flat(IReadOnlyList<RuleResult> results) =>
            results.SelectMany(r => r.States.Select(s => (r.Rule.Id, s.LabelsKey, s.Observation, s.Value))).Order();
        Assert.Equal(Flat(onSqlite), Flat(onPostgres));
        Assert.Contains(Flat(onPostgres), s => s.Item3 == Observation.Active);
    }

    private static RuleDefinition Rule(string id) => DefaultRules.All.Single(r => r.Id == id);

    /// <summary>Minutes before <see cref="Now"/>: minute 1 is the last full minute.</summary>
    private static MetricPoint Minute(FunctionKey function, int minutesAgo, double invocations, double? errors, double? duration = null, double? p99 = null, double? throttles = 0, double? iteratorAge = null, double? coldStarts = null) => new()
    {
        Function = function,
        Minute = Now.AddMinutes(-minutesAgo),
        Invocations = invocations,
        Errors = errors,
        Throttles = throttles,
        DurationAvgMs = duration,
        DurationP99Ms = p99,
        IteratorAgeMs = iteratorAge,
        ColdStarts = coldStarts,
    };

    private static LambdaFunction Function(FunctionKey key, string runtime = "dotnet8", int timeoutSeconds = 10, int memoryMb = 512, string team = "payments", bool stream = false) => new()
    {
        Key = key,
        Arn = $"arn:aws:lambda:{key.Region}:{key.AccountId}:function:{key.Name}",
        Runtime = runtime,
        MemoryMb = memoryMb,
        TimeoutSeconds = timeoutSeconds,
        Tags = new Dictionary<string, string> { ["team"] = team },
        EventSources = stream ? [new EventSourceMapping("uuid", $"arn:aws:kinesis:{key.Region}:{key.AccountId}:stream/orders", "Enabled", 100)] : [],
        LastSeen = Now.AddMinutes(-10),
    };

    private static CloudWatchAlarm Alarm(string name, AlarmState state, string? function) => new()
    {
        AccountId = Account,
        Region = Region,
        Name = name,
        Arn = $"arn:aws:cloudwatch:{Region}:{Account}:alarm:{name}",
        State = state,
        StateReason = "Threshold Crossed",
        StateUpdated = Now.AddMinutes(-7),
        FunctionName = function,
        MetricName = "Errors",
        Namespace = "AWS/Lambda",
    };

    private static InvocationReport Report(FunctionKey function, int minutesAgo, string id, int memoryUsed, string status = "success") => new()
    {
        Function = function,
        RequestId = id,
        Timestamp = Now.AddMinutes(-minutesAgo).AddSeconds(5),
        DurationMs = 120,
        BilledDurationMs = 120,
        MemorySizeMb = 512,
        MaxMemoryUsedMb = memoryUsed,
        Status = status,
    };

    /// <summary>A small fleet shaped like the collectors write it, over the five minutes before <see cref="Now"/>.</summary>
    private static async Task SeedFleetAsync(IObserveStore store, CancellationToken cancellationToken)
    {
        await store.UpsertFunctionsAsync(
        [
            Function(Fn("orders-api")),
            Function(Fn("orders-worker"), runtime: "python3.12"),
            Function(Fn("billing"), team: "finance"),
            Function(Fn("idle")),
            Function(Fn("reports-only")),
            Function(Fn("stream"), stream: true),
            Function(Fn("ghost", OtherAccount)),
        ], cancellationToken);

        var points = new List<MetricPoint>();
        for (var minute = 1; minute <= 5; minute++)
        {
            // orders-api: 20% errors, p99 at 95% of its 10 s timeout.
            points.Add(Minute(Fn("orders-api"), minute, invocations: 100, errors: 20, duration: 800, p99: 9500));
            points.Add(Minute(Fn("orders-worker"), minute, invocations: 100, errors: 1, duration: 200, p99: 400, throttles: minute == 3 ? 2 : 0));
            points.Add(Minute(Fn("stream"), minute, invocations: 10, errors: 0, duration: 50, p99: 80, iteratorAge: minute == 2 ? 3 * 3_600_000 : 1000));
            points.Add(Minute(Fn("uninventoried"), minute, invocations: 1, errors: 0, duration: 10, p99: 10));
        }

        // billing: the Errors query failed for the last two minutes; 1 error of 60 read.
        points.Add(Minute(Fn("billing"), 5, invocations: 30, errors: 0));
        points.Add(Minute(Fn("billing"), 4, invocations: 30, errors: 1));
        points.Add(Minute(Fn("billing"), 2, invocations: 20, errors: null));
        points.Add(Minute(Fn("billing"), 1, invocations: 20, errors: null));
        await store.WriteMetricsAsync(points, cancellationToken);

        await store.WriteInvocationReportsAsync(
        [
            Report(Fn("orders-api"), 2, "r1", 300),
            Report(Fn("orders-api"), 2, "r2", 500),
            Report(Fn("orders-api"), 1, "r3", 200, "timeout"),
            Report(Fn("reports-only"), 1, "r4", 100),
        ], cancellationToken);

        foreach (var (account, failing) in new[] { (Account, false), (OtherAccount, true) })
        {
            await store.UpsertCollectorStatusAsync(new CollectorStatus
            {
                Collector = "metrics",
                AccountId = account,
                Region = Region,
                LastStart = Now.AddMinutes(-1),
                LastSuccess = failing ? Now.AddHours(-1) : Now.AddSeconds(-30),
                LastFailure = failing ? Now.AddSeconds(-30) : null,
                ConsecutiveFailures = failing ? 12 : 0,
                LastError = failing ? "AccessDenied on GetMetricData in 222222222222" : null,
                UpdatedAt = Now.AddSeconds(-30),
            }, cancellationToken);
        }
    }

    /// <summary>Counts the figures and baseline reads the evaluator makes, passing them to the real store.</summary>
    private sealed class CountingReads(IObserveStore store) : IFunctionStatsReader, IFunctionBaselineReader
    {
        public List<(TimeSpan, FleetFilter)> StatsReads { get; } = [];

        public int BaselineReads { get; private set; }

        public Task<IReadOnlyList<FunctionStats>> GetFunctionStatsAsync(FleetFilter filter, TimeRange range, CancellationToken cancellationToken)
        {
            StatsReads.Add((range.To - range.From, filter));
            return store.GetFunctionStatsAsync(filter, range, cancellationToken);
        }

        public Task<IReadOnlyDictionary<FunctionKey, DateTimeOffset>> GetLastInvocationsAsync(FleetFilter filter, CancellationToken cancellationToken) =>
            store.GetLastInvocationsAsync(filter, cancellationToken);

        public Task<IReadOnlyList<FunctionBaseline>> GetFunctionBaselinesAsync(FleetFilter filter, TimeRange range, TimeSpan window, CancellationToken cancellationToken)
        {
            BaselineReads++;
            return store.GetFunctionBaselinesAsync(filter, range, window, cancellationToken);
        }
    }
}
