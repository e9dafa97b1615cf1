using System.Globalization;
using Observe.Store;
using Observe.Store.Model;

namespace Observe.Dashboard.Demo;

/// <summary>
/// Writes the demo fleet through <see cref="IFleetWriter"/>, the same API the collectors use: inventory, per-minute
/// metrics, a sample of invocation reports, init events, error groups, traces, the service graph and CloudWatch alarms.
/// </summary>
internal sealed class DemoWriter(DemoFleet fleet, IFleetWriter store)
{
    /// <summary>Share of warm invocation-minutes that leave a sampled REPORT.</summary>
    private const double WarmReportSample = 0.02;

    /// <summary>Share of minutes with cold starts that leave a cold-start REPORT (with its init duration).</summary>
    private const double ColdReportSample = 0.25;

    /// <summary>Share of traced API function-minutes that leave an X-Ray trace.</summary>
    private const double TraceSample = 0.04;

    /// <summary>The service graph's window, as the traces collector's: 5 minutes, cut at the batch's ends.</summary>
    private static readonly TimeSpan GraphWindow = TimeSpan.FromMinutes(5);

    public DemoFleet Fleet => fleet;

    public Task WriteInventoryAsync(DateTimeOffset seenAt, CancellationToken cancellationToken) =>
        store.UpsertFunctionsAsync(fleet.Functions.Select(f => f.Function with { LastSeen = seenAt }).ToList(), cancellationToken);

    /// <summary>
    /// Writes the whole minutes of [<paramref name="from"/>, <paramref name="to"/>). Metrics, reports and traces are
    /// idempotent; error occurrences add up, so the caller writes each whole minute once (it keeps a checkpoint).
    /// </summary>
    public async Task WriteMinutesAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var points = new List<MetricPoint>();
        var reports = new List<InvocationReport>();
        var inits = new List<InitEvent>();
        var traces = new List<TraceTree>();
        var errors = new Dictionary<(int Function, int Kind), ErrorAccumulator>();
        var changes = new List<FunctionChange>();
        var graph = new Dictionary<(string Account, string Region, DateTimeOffset Start), DemoGraphWindow>();

        for (var minute = from; minute < to; minute = minute.AddMinutes(1))
        {
            var minuteNumber = minute.ToUnixTimeSeconds() / 60;
            foreach (var f in fleet.Functions)
            {
                var figures = fleet.Minute(f, minute);
                points.Add(DemoFleet.ToMetricPoint(f, minute, figures));
                if (Deploy(f, minute, minuteNumber) is { } change)
                {
                    changes.Add(change);
                }

                inits.AddRange(AheadOfTimeInits(f, minute, minuteNumber));

                if (figures.Invocations == 0)
                {
                    continue;
                }

                var sampled = SampleReports(f, minute, minuteNumber, figures);
                reports.AddRange(sampled);
                if (JsonLogs(f))
                {
                    inits.AddRange(sampled.Where(r => r.InitDurationMs is not null).Select(r =>
                        new InitEvent(f.Key, r.Timestamp.AddMilliseconds(-1), InitializationType.OnDemand, r.InitDurationMs!.Value, "success")));
                }

                if (figures.Errors > 0)
                {
                    CountErrors(errors, f, minute, minuteNumber, figures, sampled);
                }

                if (f.Traced && DemoRandom.For(fleet.Seed, f.Index, minuteNumber, DemoPurpose.Traces).NextDouble() < TraceSample)
                {
                    traces.Add(Trace(f, minute, minuteNumber, figures));
                }

                if (f.Traced)
                {
                    var aligned = DateTimeOffset.FromUnixTimeSeconds(minute.ToUnixTimeSeconds() / (long)GraphWindow.TotalSeconds * (long)GraphWindow.TotalSeconds);
                    var start = aligned < from ? from : aligned;
                    var end = aligned + GraphWindow > to ? to : aligned + GraphWindow;
                    var key = (f.Key.AccountId, f.Key.Region, start);
                    if (!graph.TryGetValue(key, out var window))
                    {
                        graph[key] = window = new DemoGraphWindow(f.Key.AccountId, f.Key.Region, start, end);
                    }

                    window.Add(f, figures);
                }
            }
        }

        await store.WriteMetricsAsync(points, cancellationToken);
        if (reports.Count > 0)
        {
            await store.WriteInvocationReportsAsync(reports, cancellationToken);
        }

        if (inits.Count > 0)
        {
            await store.WriteInitEventsAsync(inits, cancellationToken);
        }

        if (traces.Count > 0)
        {
            await store.WriteTracesAsync(traces, cancellationToken);
        }

        if (graph.Count > 0)
        {
            await store.WriteServiceGraphAsync(graph.Values.Select(w => w.ToWindow()).ToList(), cancellationToken);
        }

        if (errors.Count > 0)
        {
            await store.RecordErrorsAsync(errors.Values.Select(e => e.ToOccurrences()).ToList(), cancellationToken);
        }

        if (changes.Count > 0)
        {
            await store.RecordFunctionChangesAsync(changes, cancellationToken);
        }
    }

    /// <summary>
    /// The minute of the day a function publishes its daily version. 889 is prime to 1440 and near 1440 over the golden
    /// ratio, so consecutive functions land far apart and any two hours of the day hold a share of the fleet's publishes
    /// (7919, the multiplier before, is 719 mod 1440 and packed them into two five-hour bands).
    /// </summary>
    private long PublishMinute(DemoFunction f) => (f.Index * 889L + fleet.Seed * 104_729L) % 1440;

    /// <summary>
    /// The changes the inventory collector would record: every other error burst is a bad deploy and its rollback (the
    /// rest stand for a failing dependency), a code change where the burst starts and another where it ends; and every
    /// function publishes a version once a day at its own minute, changing nothing. So the detail page's markers
    /// compare something true, a regression or a deploy without effect.
    /// </summary>
    private FunctionChange? Deploy(DemoFunction f, DateTimeOffset minute, long minuteNumber)
    {
        static bool ByDeploy(long startMinute) => Math.Floor(startMinute / 180d) % 2 == 0;

        var day = Math.DivRem(minuteNumber, 1440, out var minuteOfDay);
        if (minuteOfDay == PublishMinute(f))
        {
            return new FunctionChange(f.Key, minute, "version", string.Create(CultureInfo.InvariantCulture, $"Published version {day - 20_400}"));
        }

        if (!f.Bursty)
        {
            return null;
        }

        if (fleet.Burst(f, minuteNumber) is { } burst && burst.StartMinute == minuteNumber && ByDeploy(burst.StartMinute))
        {
            return new FunctionChange(f.Key, minute, "code", "Code deployed (demo fleet: the error burst that follows is this deploy's)");
        }

        if (fleet.Burst(f, minuteNumber) is null && fleet.Burst(f, minuteNumber - 1) is { } ended && ByDeploy(ended.StartMinute))
        {
            return new FunctionChange(f.Key, minute, "code", "Code rolled back (demo fleet: the error burst ends)");
        }

        return null;
    }

    /// <summary>Writes the minute in progress: counts so far, growing with each call as CloudWatch's do.</summary>
    public Task WritePartialMinuteAsync(DateTimeOffset minute, double fraction, CancellationToken cancellationToken)
    {
        var points = fleet.Functions
            .Select(f => DemoFleet.ToMetricPoint(f, minute, DemoFleet.Partial(fleet.Minute(f, minute), fraction)))
            .ToList();
        return store.WriteMetricsAsync(points, cancellationToken);
    }

    /// <summary>Writes every alarm's state as of <paramref name="now"/>; the store records the transitions.</summary>
    public Task WriteAlarmsAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        store.UpsertAlarmsAsync(DemoAlarms.Evaluate(fleet, now), cancellationToken);

    /// <summary>
    /// Two functions in three log in Lambda's JSON format, which names each init's type; the others in the text
    /// format, whose cold starts the page must show as of unknown type.
    /// </summary>
    internal static bool JsonLogs(DemoFunction f) => f.Index % 3 != 2;

    /// <summary>
    /// Inits no caller waits for, as a JSON-format function logs them: a function with provisioned concurrency
    /// re-initialises its environments every few hours (Lambda recycles them), and a Java function (SnapStart on its
    /// published versions) runs the snapshot's init when it publishes its daily version.
    /// </summary>
    private IEnumerable<InitEvent> AheadOfTimeInits(DemoFunction f, DateTimeOffset minute, long minuteNumber)
    {
        if (!JsonLogs(f))
        {
            yield break;
        }

        var rng = DemoRandom.For(fleet.Seed, f.Index, minuteNumber, DemoPurpose.Inits);
        if (f.Function.ProvisionedConcurrency > 0 && (minuteNumber + f.Index) % 240 == 0)
        {
            for (var i = 0; i < Math.Min(f.Function.ProvisionedConcurrency, 5); i++)
            {
                yield return new InitEvent(f.Key, minute.AddSeconds(i * 7 + rng.Next(5)), InitializationType.ProvisionedConcurrency,
                    Math.Round(f.InitMs * Math.Exp(0.2 * rng.NextGaussian()), 2), "success");
            }
        }

        // The minute Deploy publishes the function's daily version.
        if (f.Function.Runtime?.StartsWith("java", StringComparison.Ordinal) == true
            && minuteNumber % 1440 == PublishMinute(f))
        {
            yield return new InitEvent(f.Key, minute.AddSeconds(rng.Next(50)), InitializationType.SnapStart,
                Math.Round(f.InitMs * Math.Exp(0.2 * rng.NextGaussian()), 2), "success");
        }
    }

    private List<InvocationReport> SampleReports(DemoFunction f, DateTimeOffset minute, long minuteNumber, DemoMinute figures)
    {
        var rng = DemoRandom.For(fleet.Seed, f.Index, minuteNumber, DemoPurpose.Reports);
        var result = new List<InvocationReport>(2);
        var errorShare = figures.Errors / figures.Invocations;

        if (figures.ColdStarts > 0 && rng.NextDouble() < ColdReportSample)
        {
            result.Add(Report(f, minute, ref rng, cold: true, errorShare));
        }

        if (figures.Invocations > figures.ColdStarts && rng.NextDouble() < WarmReportSample)
        {
            result.Add(Report(f, minute, ref rng, cold: false, errorShare));
        }

        // An erroring minute always leaves one report, so error groups can point at a request id.
        if (figures.Errors > 0 && !result.Any(r => r.Status != "success"))
        {
            result.Add(Report(f, minute, ref rng, cold: false, errorShare: 1));
        }

        return result;
    }

    private InvocationReport Report(DemoFunction f, DateTimeOffset minute, ref DemoRandom rng, bool cold, double errorShare)
    {
        var duration = Math.Max(1, f.DurationMs * Math.Exp(0.35 * rng.NextGaussian()));
        var status = rng.NextDouble() < errorShare ? "error" : "success";
        if (status == "error" && f.ErrorKinds[0].ErrorType == "Sandbox.Timedout")
        {
            status = "timeout";
            duration = f.Function.TimeoutSeconds * 1000.0;
        }

        var memory = f.Function.MemoryMb;
        return new InvocationReport
        {
            Function = f.Key,
            RequestId = rng.NextGuid().ToString(),
            Timestamp = minute.AddMilliseconds(rng.Next(60_000)),
            DurationMs = Math.Round(duration, 2),
            BilledDurationMs = Math.Ceiling(duration),
            MemorySizeMb = memory,
            MaxMemoryUsedMb = (int)Math.Clamp(memory * rng.Between(f.MemoryUseLow, f.MemoryUseHigh), 40, memory),
            InitDurationMs = cold ? Math.Round(f.InitMs * Math.Exp(0.2 * rng.NextGaussian()), 2) : null,
            Status = status,
            TraceId = f.Traced ? TraceId(minute, ref rng) : null,
        };
    }

    private void CountErrors(Dictionary<(int, int), ErrorAccumulator> errors, DemoFunction f, DateTimeOffset minute, long minuteNumber, DemoMinute figures, List<InvocationReport> reports)
    {
        var rng = DemoRandom.For(fleet.Seed, f.Index, minuteNumber, DemoPurpose.ErrorKinds);
        var sample = reports.FirstOrDefault(r => r.Status != "success");
        var remaining = figures.Errors;

        // A burst is one failure mode dominating (the last kind: a timeout or a failing dependency); otherwise the
        // first kind is the most common.
        var dominant = figures.InBurst ? f.ErrorKinds.Count - 1 : 0;
        for (var k = 0; k < f.ErrorKinds.Count && remaining > 0; k++)
        {
            var index = (dominant + k) % f.ErrorKinds.Count;
            var count = k == f.ErrorKinds.Count - 1 ? remaining : Math.Ceiling(remaining * rng.Between(0.6, 0.9));
            remaining -= count;

            if (!errors.TryGetValue((f.Index, index), out var accumulator))
            {
                accumulator = new ErrorAccumulator(f, f.ErrorKinds[index]);
                errors[(f.Index, index)] = accumulator;
            }

            accumulator.Add(minute.AddSeconds(rng.Next(60)), count, sample);
        }
    }

    private TraceTree Trace(DemoFunction f, DateTimeOffset minute, long minuteNumber, DemoMinute figures)
    {
        var rng = DemoRandom.For(fleet.Seed, f.Index, minuteNumber, DemoPurpose.Traces);
        rng.NextDouble(); // the draw that decided this minute is traced
        var start = minute.AddMilliseconds(rng.Next(59_000));
        var cold = rng.NextDouble() < figures.ColdStarts / figures.Invocations;
        var failed = rng.NextDouble() < figures.Errors / figures.Invocations;
        var init = cold ? f.InitMs * Math.Exp(0.2 * rng.NextGaussian()) : 0;
        var invoke = Math.Max(2, f.DurationMs * Math.Exp(0.35 * rng.NextGaussian()));
        var total = init + invoke + 12;
        var traceId = TraceId(start, ref rng);
        var route = Route(f);

        string Id(ref DemoRandom r) => r.Hex(16);
        var gatewayId = Id(ref rng);
        var lambdaId = Id(ref rng);
        var functionId = Id(ref rng);
        var invocationId = Id(ref rng);
        var segments = new List<TraceSegment>
        {
            new()
            {
                Id = gatewayId, Name = $"{f.Service}-api/{f.Function.Tags["env"]}", Origin = "AWS::ApiGateway::Stage",
                Start = start, End = start.AddMilliseconds(total), Fault = failed,
                Attributes = new Dictionary<string, string> { ["http.method"] = route.Method, ["http.url"] = route.Path, ["http.status"] = failed ? "502" : "200" },
            },
            new()
            {
                Id = lambdaId, ParentId = gatewayId, Name = f.Key.Name, Origin = "AWS::Lambda",
                Start = start.AddMilliseconds(3), End = start.AddMilliseconds(total - 2), Error = failed,
            },
            new()
            {
                Id = functionId, ParentId = lambdaId, Name = f.Key.Name, Origin = "AWS::Lambda::Function",
                Start = start.AddMilliseconds(5), End = start.AddMilliseconds(total - 4), Fault = failed,
            },
        };

        if (cold)
        {
            segments.Add(new TraceSegment { Id = Id(ref rng), ParentId = functionId, Name = "Initialization", Start = start.AddMilliseconds(5), End = start.AddMilliseconds(5 + init) });
        }

        var invokeStart = start.AddMilliseconds(5 + init);
        segments.Add(new TraceSegment { Id = invocationId, ParentId = functionId, Name = "Invocation", Start = invokeStart, End = invokeStart.AddMilliseconds(invoke), Fault = failed });
        segments.Add(new TraceSegment
        {
            Id = Id(ref rng), ParentId = invocationId, Name = "DynamoDB", Start = invokeStart.AddMilliseconds(invoke * 0.2), End = invokeStart.AddMilliseconds(invoke * 0.6),
            Attributes = new Dictionary<string, string> { ["aws.operation"] = route.Method == "GET" ? "GetItem" : "PutItem", ["aws.table_name"] = f.Service },
        });

        return new TraceTree(
            new TraceSummary
            {
                TraceId = traceId,
                Start = start,
                DurationMs = Math.Round(total, 2),
                HasFault = failed,
                EntryPoint = $"{route.Method} {route.Path}",
                HttpStatus = failed ? "502" : "200",
                Functions = [f.Key],
            },
            segments);
    }

    private static (string Method, string Path) Route(DemoFunction f)
    {
        var name = f.Key.Name;
        return name switch
        {
            _ when name.Contains("api-get", StringComparison.Ordinal) => ("GET", $"/{f.Service}/{{id}}"),
            _ when name.Contains("api-list", StringComparison.Ordinal) => ("GET", $"/{f.Service}"),
            _ when name.Contains("api-create", StringComparison.Ordinal) => ("POST", $"/{f.Service}"),
            _ when name.Contains("api-update", StringComparison.Ordinal) => ("PUT", $"/{f.Service}/{{id}}"),
            _ when name.Contains("api-delete", StringComparison.Ordinal) => ("DELETE", $"/{f.Service}/{{id}}"),
            _ when name.Contains("graphql", StringComparison.Ordinal) => ("POST", "/graphql"),
            _ => ("GET", "/authorize"),
        };
    }

    /// <summary>X-Ray's form: 1-{epoch seconds, 8 hex}-{24 hex}.</summary>
    private static string TraceId(DateTimeOffset at, ref DemoRandom rng) =>
        string.Create(CultureInfo.InvariantCulture, $"1-{at.ToUnixTimeSeconds():x8}-{rng.Hex(24)}");

    /// <summary>One error group's occurrences within a batch, merged into a single write.</summary>
    private sealed class ErrorAccumulator(DemoFunction function, DemoErrorKind kind)
    {
        private DateTimeOffset _first = DateTimeOffset.MaxValue;
        private DateTimeOffset _last = DateTimeOffset.MinValue;
        private long _count;
        private InvocationReport? _sample;

        public void Add(DateTimeOffset at, double count, InvocationReport? sample)
        {
            _first = at < _first ? at : _first;
            if (at >= _last)
            {
                _last = at;
                _sample = sample ?? _sample;
            }

            _count += (long)count;
        }

        public ErrorOccurrences ToOccurrences() => new(
            function.Key,
            Fingerprint(function, kind),
            kind.ErrorType,
            kind.Message,
            _first,
            _last,
            _count,
            kind.StackTrace,
            _sample?.RequestId,
            _sample?.TraceId);

        private static string Fingerprint(DemoFunction f, DemoErrorKind kind) =>
            DemoRandom.HashString($"{f.Key}|{kind.ErrorType}|{kind.Message}").ToString("x16", CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// One account and region's service graph over a window, from the same minute figures as the metrics: each traced
    /// API function behind its API stage, calling its service's DynamoDB table (as the demo's traces show).
    /// </summary>
    private sealed class DemoGraphWindow(string accountId, string region, DateTimeOffset start, DateTimeOffset end)
    {
        private readonly Dictionary<string, ServiceGraphNode> _nodes = new(StringComparer.Ordinal);
        private readonly Dictionary<(string, string), ServiceGraphStats> _edges = [];

        public void Add(DemoFunction f, DemoMinute m)
        {
            var calls = new ServiceGraphStats
            {
                Requests = (long)(m.Invocations + m.Throttles),
                Faults = (long)m.Errors,
                Throttles = (long)m.Throttles,
                Ok = (long)(m.Invocations - m.Errors),
                ResponseTimeSumMs = m.Invocations * m.DurationAvgMs,
            };
            var table = new ServiceGraphStats
            {
                Requests = (long)(m.Invocations - m.Errors),
                Ok = (long)(m.Invocations - m.Errors),
                ResponseTimeSumMs = (m.Invocations - m.Errors) * m.DurationAvgMs * 0.4,
            };
            var stage = Node($"{f.Service}-api/{f.Function.Tags["env"]}", "AWS::ApiGateway::Stage", root: true, calls);
            var function = Node(f.Key.Name, "AWS::Lambda::Function", root: false, calls);
            var dynamo = Node(f.Service, "AWS::DynamoDB::Table", root: false, table);
            Edge(stage, function, calls);
            Edge(function, dynamo, table);
        }

        public ServiceGraphWindow ToWindow() => new()
        {
            AccountId = accountId,
            Region = region,
            Start = start,
            End = end,
            Nodes = [.. _nodes.Values],
            Edges = [.. _edges.Select(e => new ServiceGraphEdge { SourceKey = e.Key.Item1, TargetKey = e.Key.Item2, Stats = e.Value })],
        };

        private string Node(string name, string type, bool root, ServiceGraphStats stats)
        {
            var key = ServiceGraphNode.KeyFor(accountId, type, name);
            _nodes[key] = _nodes.TryGetValue(key, out var node)
                ? node with { Stats = node.Stats + stats }
                : new ServiceGraphNode { Key = key, Name = name, Type = type, AccountId = accountId, Root = root, Stats = stats };
            return key;
        }

        private void Edge(string source, string target, ServiceGraphStats stats) =>
            _edges[(source, target)] = _edges.TryGetValue((source, target), out var existing) ? existing + stats : stats;
    }
}
