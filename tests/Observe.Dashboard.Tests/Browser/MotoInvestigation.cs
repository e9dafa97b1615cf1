using System.Text.Json.Nodes;
using Observe.Collectors.Tests.Infrastructure;
using Observe.Store.Model;

namespace Observe.Dashboard.Tests.Browser;

/// <summary>
/// What the Errors and Traces pages read, seeded into moto for <see cref="MotoFleetFixture"/> in the shapes Lambda and
/// X-Ray write them: log events (PutLogEvents) with REPORT lines in Lambda's text and JSON formats, error lines in the
/// runtimes' formats the logs collector reads (Node.js "Invoke Error", Lambda's JSON format with a trace id, a Python
/// traceback in two functions of two regions, a Python logging line), one message holding <c>&lt;script&gt;</c>; and
/// segment documents (PutTraceSegments) for five invocations: a Java cold start with <c>Initialization</c>,
/// <c>Invocation</c> and <c>Overhead</c> whose DynamoDB call failed, warm ones, a fault and a throttle.
/// Timestamps lie a few minutes before seeding, inside the collectors' first look back.
/// </summary>
public sealed class MotoInvestigation
{
    /// <summary>The error message that must render as text (in the payments worker's ledger error).</summary>
    public const string HostileMessage = "ledger 7782 refused <script>alert('ledger')</script> for payment";

    private readonly MotoFleet _fleet;
    private readonly Dictionary<string, List<(DateTimeOffset At, string Message)>> _logs = new(StringComparer.Ordinal);
    private readonly List<(FunctionKey Function, int All, int Cold)> _reports = [];
    private readonly List<SeededError> _errors = [];
    private readonly List<SeededXRayTrace> _traces = [];

    public MotoInvestigation(MotoFleet fleet, DateTimeOffset now)
    {
        _fleet = fleet;
        Now = now;

        // The cold start and its warm neighbour sit in one five-minute service graph window (aligned to the epoch, as
        // the collector reads them) that has ended by the time the collectors start.
        GraphWindowStart = Floor(now.AddMinutes(-7), TimeSpan.FromMinutes(5));
        var payments = Function("payments-worker");
        var orders = Function("orders-api");
        var legacy = Function("legacy-report");
        ColdStart = Trace(payments, GraphWindowStart.AddSeconds(61), cold: true, TraceStatuses.Error);
        Trace(payments, GraphWindowStart.AddSeconds(122), cold: false, TraceStatuses.Ok);
        Trace(orders, now.AddMinutes(-6), cold: false, TraceStatuses.Fault);
        Trace(orders, now.AddMinutes(-5), cold: false, TraceStatuses.Ok);
        Trace(legacy, now.AddMinutes(-4), cold: false, TraceStatuses.Throttle);

        // Reports only in the development account: a function with reports but no CloudWatch metrics shows 0
        // invocations on the Functions grid (reported to the lead), which the production grid's test rightly refuses.
        SeedReports(Function("sandbox-01"), now.AddMinutes(-9), json: true);
        SeedReports(legacy, now.AddMinutes(-8), json: false);
        SeedNodeErrors(orders, now.AddMinutes(-8));
        SeedLedgerErrors(payments, now.AddMinutes(-7));
        SeedPythonTraceback(Function("checkout-01"), now.AddMinutes(-6));
        SeedPythonTraceback(Function("ledger-01"), now.AddMinutes(-5));
        SeedLoggedError(legacy, now.AddMinutes(-4));

        // Kept apart from Errors: a test resolves it and logs it again, so its count grows.
        var sandbox = Function("sandbox-02");
        Recurring = new SeededError(sandbox, "RetryableError", "sandbox queue drained too early", 1, null, null, null);
        Log(sandbox, now.AddMinutes(-3), RecurringLine(now.AddMinutes(-3)));
    }

    /// <summary>When the seeding was planned; every event and trace lies in the 10 minutes before it.</summary>
    public DateTimeOffset Now { get; }

    /// <summary>The service graph window (5 minutes) of the payments worker's traces.</summary>
    public DateTimeOffset GraphWindowStart { get; }

    /// <summary>The payments worker's cold start: its ledger error's latest occurrence carries this trace id.</summary>
    public SeededXRayTrace ColdStart { get; }

    public IReadOnlyList<SeededXRayTrace> Traces => _traces;

    /// <summary>Error groups as seeded: one per function and error, with its occurrences.</summary>
    public IReadOnlyList<SeededError> Errors => _errors;

    /// <summary>An error of the development account's sandbox that a test resolves, then logs again (<see cref="RecurAsync"/>).</summary>
    public SeededError Recurring { get; }

    /// <summary>Invocation reports seeded per function (all of them, and how many with an init duration).</summary>
    public IReadOnlyList<(FunctionKey Function, int All, int Cold)> Reports => _reports;

    /// <summary>Puts the log events and segment documents into moto.</summary>
    internal async Task SeedAsync()
    {
        foreach (var (group, events) in _logs)
        {
            var function = _fleet.Functions.Single(f => "/aws/lambda/" + f.Key.Name == group && events.Count > 0).Key;
            using var seed = new MotoSeeder(function.AccountId);
            await seed.PutLogEventsAsync(function.Region, group, "2026/12/04/[$LATEST]0f1e2d3c4b5a69788796a5b4c3d2e1f0", events);
        }

        foreach (var trace in _traces)
        {
            using var seed = new MotoSeeder(trace.Function.AccountId);
            await seed.PutTraceSegmentsAsync(trace.Function.Region, trace.Documents);
        }
    }

    /// <summary>Logs <see cref="Recurring"/> once more, now, in a new log stream of its group (as a new execution environment would).</summary>
    public async Task RecurAsync()
    {
        var function = Recurring.Function;
        var group = "/aws/lambda/" + function.Name;
        var stream = "2026/12/04/[$LATEST]" + Guid.NewGuid().ToString("N");
        var now = DateTimeOffset.UtcNow;
        using var seed = new MotoSeeder(function.AccountId);
        await seed.LogsAsync(function.Region, "CreateLogStream", new JsonObject { ["logGroupName"] = group, ["logStreamName"] = stream });
        await seed.LogsAsync(function.Region, "PutLogEvents", new JsonObject
        {
            ["logGroupName"] = group,
            ["logStreamName"] = stream,
            ["logEvents"] = new JsonArray(new JsonObject { ["timestamp"] = now.ToUnixTimeMilliseconds(), ["message"] = RecurringLine(now) }),
        });
    }

    /// <summary>
    /// GetServiceGraph's answer for the payments worker's window, written from the X-Ray API reference (moto answers
    /// every GetServiceGraph with no services): the Lambda service, the function and its DynamoDB table, with the
    /// requests, errors and response times of the two seeded invocations.
    /// </summary>
    public string RecordedServiceGraph()
    {
        var payments = Function("payments-worker");
        static JsonObject Stats(int ok, int errors, double seconds) => new()
        {
            ["OkCount"] = ok,
            ["ErrorStatistics"] = new JsonObject { ["ThrottleCount"] = 0, ["OtherCount"] = errors, ["TotalCount"] = errors },
            ["FaultStatistics"] = new JsonObject { ["OtherCount"] = 0, ["TotalCount"] = 0 },
            ["TotalCount"] = ok + errors,
            ["TotalResponseTime"] = seconds,
        };
        JsonObject Service(int id, string name, string type, bool root, JsonObject stats, params int[] edges) => new()
        {
            ["ReferenceId"] = id,
            ["Name"] = name,
            ["Names"] = new JsonArray(name),
            ["Root"] = root,
            ["AccountId"] = payments.AccountId,
            ["Type"] = type,
            ["State"] = "active",
            ["StartTime"] = GraphWindowStart.ToUnixTimeSeconds(),
            ["EndTime"] = GraphWindowStart.AddMinutes(5).ToUnixTimeSeconds(),
            ["Edges"] = new JsonArray([.. edges.Select(e => (JsonNode)new JsonObject
            {
                ["ReferenceId"] = e,
                ["StartTime"] = GraphWindowStart.ToUnixTimeSeconds(),
                ["EndTime"] = GraphWindowStart.AddMinutes(5).ToUnixTimeSeconds(),
                ["SummaryStatistics"] = stats.DeepClone(),
                ["Aliases"] = new JsonArray(),
            })]),
            ["SummaryStatistics"] = stats,
        };
        return new JsonObject
        {
            ["StartTime"] = GraphWindowStart.ToUnixTimeSeconds(),
            ["EndTime"] = GraphWindowStart.AddMinutes(5).ToUnixTimeSeconds(),
            ["Services"] = new JsonArray(
                Service(0, payments.Name, "AWS::Lambda", true, Stats(1, 1, 1.61), 1),
                Service(1, payments.Name, "AWS::Lambda::Function", false, Stats(1, 1, 1.42), 2),
                Service(2, "ledger", "AWS::DynamoDB::Table", false, Stats(1, 1, 0.07))),
            ["ContainsOldGroupVersions"] = false,
        }.ToJsonString();
    }

    private FunctionKey Function(string name) => _fleet.Functions.Single(f => f.Key.Name == name).Key;

    private void Log(FunctionKey function, DateTimeOffset at, string message)
    {
        var group = "/aws/lambda/" + function.Name;
        (_logs.TryGetValue(group, out var events) ? events : _logs[group] = []).Add((at, message));
    }

    private static string RequestId() => Guid.NewGuid().ToString();

    /// <summary>Three invocations, the first a cold start with its trace; text REPORT lines or JSON <c>platform.report</c> records.</summary>
    private void SeedReports(FunctionKey function, DateTimeOffset at, bool json)
    {
        for (var i = 0; i < 3; i++)
        {
            var cold = i == 0;
            var time = at.AddSeconds(i * 20);
            var id = RequestId();
            var trace = $"1-{time.ToUnixTimeSeconds():x8}-{Guid.NewGuid():N}"[..35];
            var metrics = new JsonObject { ["durationMs"] = 41.5 + i, ["billedDurationMs"] = 42 + i, ["memorySizeMB"] = 256, ["maxMemoryUsedMB"] = 88 };
            if (cold)
            {
                metrics["initDurationMs"] = 312.4;
            }

            var record = new JsonObject
            {
                ["time"] = BrowserTime.LogTimestamp(time),
                ["type"] = "platform.report",
                ["record"] = new JsonObject
                {
                    ["requestId"] = id,
                    ["metrics"] = metrics,
                    ["tracing"] = new JsonObject { ["spanId"] = "54565fb41ac79632", ["type"] = "X-Amzn-Trace-Id", ["value"] = $"Root={trace};Parent=0efbd19962d95b05;Sampled=1" },
                    ["status"] = "success",
                },
            };
            Log(function, time, json
                ? record.ToJsonString()
                : FormattableString.Invariant($"REPORT RequestId: {id}\tDuration: {120.25 + i} ms\tBilled Duration: {121 + i} ms\tMemory Size: 2048 MB\tMax Memory Used: 201 MB\t{(cold ? "Init Duration: 841.60 ms\t" : "")}\nXRAY TraceId: {trace}\tSegmentId: 0152c0ffee16310f\tSampled: true"));
        }

        _reports.Add((function, 3, 1));
    }

    /// <summary>Node.js: the runtime's "Invoke Error" line in Lambda's text format, three times with other values.</summary>
    private void SeedNodeErrors(FunctionKey function, DateTimeOffset at)
    {
        const string message = "Cannot read properties of undefined (reading 'lines')";
        string? request = null;
        for (var i = 0; i < 3; i++)
        {
            request = RequestId();
            Log(function, at.AddSeconds(i * 15),
                $$"""{{BrowserTime.LogTimestamp(at.AddSeconds(i * 15))}}	{{request}}	ERROR	Invoke Error 	{"errorType":"TypeError","errorMessage":"{{message}}","stack":["TypeError: {{message}}","    at total (/var/task/index.mjs:14:22)","    at Runtime.handler (/var/task/index.mjs:5:10)"]}""");
        }

        _errors.Add(new SeededError(function, "TypeError", message, 3, request, TraceId: null, StackFrame: "at total (/var/task/index.mjs:14:22)"));
    }

    /// <summary>Lambda's JSON log format (Java): errorType, errorMessage, stackTrace lines, the request and trace ids.</summary>
    private void SeedLedgerErrors(FunctionKey function, DateTimeOffset at)
    {
        string? request = null;
        foreach (var (offset, message, trace) in new[] { (0, HostileMessage.Replace("7782", "7781", StringComparison.Ordinal), (string?)null), (30, HostileMessage, ColdStart.TraceId) })
        {
            request = RequestId();
            var line = new JsonObject
            {
                ["timestamp"] = BrowserTime.LogTimestamp(at.AddSeconds(offset)),
                ["level"] = "ERROR",
                ["requestId"] = request,
                ["errorType"] = "com.acme.ledger.LedgerRefusedException",
                ["errorMessage"] = message,
                ["stackTrace"] = new JsonArray("at com.acme.ledger.Ledger.post(Ledger.java:88)", "at com.acme.payments.Handler.handleRequest(Handler.java:41)"),
            };
            if (trace is not null)
            {
                line["traceId"] = $"Root={trace};Parent=53995c3f42cd8ad8;Sampled=1";
            }

            Log(function, at.AddSeconds(offset), line.ToJsonString());
        }

        _errors.Add(new SeededError(function, "com.acme.ledger.LedgerRefusedException", HostileMessage, 2, request, ColdStart.TraceId, "at com.acme.ledger.Ledger.post(Ledger.java:88)"));
    }

    /// <summary>Python's unhandled exception: the same traceback in a function of each production region.</summary>
    private void SeedPythonTraceback(FunctionKey function, DateTimeOffset at)
    {
        Log(function, at, "[ERROR] KeyError: 'sku'\nTraceback (most recent call last):\n  File \"/var/task/app.py\", line 21, in handler\n    sku = event['sku']");
        _errors.Add(new SeededError(function, "KeyError", "'sku'", 1, null, null, "File \"/var/task/app.py\", line 21, in handler"));
    }

    /// <summary>Node.js's console.error of an error object, in Lambda's text format.</summary>
    private string RecurringLine(DateTimeOffset at) =>
        $"{BrowserTime.LogTimestamp(at)}\t{RequestId()}\tERROR\t{Recurring.ErrorType}: {Recurring.Message}\n    at drain (/var/task/queue.mjs:30:9)";

    /// <summary>Python's logging at error level, without an exception: a <c>LoggedError</c>.</summary>
    private void SeedLoggedError(FunctionKey function, DateTimeOffset at)
    {
        var request = RequestId();
        Log(function, at, $"[ERROR]\t{BrowserTime.LogTimestamp(at)}\t{request}\tnightly export failed: upstream answered 503");
        _errors.Add(new SeededError(function, "LoggedError", "nightly export failed: upstream answered 503", 1, request, null, null));
    }

    /// <summary>
    /// One invocation's documents as Lambda and the X-Ray SDK send them: the service segment (<c>AWS::Lambda</c>) and
    /// the function segment (<c>AWS::Lambda::Function</c>, its child) holding <c>Initialization</c> on a cold start,
    /// <c>Invocation</c> with a DynamoDB call and <c>Overhead</c>. An error is the DynamoDB call's 400; a fault the
    /// function's; a throttle is Lambda's 429 before the function ran (the service segment alone).
    /// </summary>
    private SeededXRayTrace Trace(FunctionKey function, DateTimeOffset start, bool cold, TraceStatuses status)
    {
        var traceId = $"1-{start.ToUnixTimeSeconds():x8}-{Guid.NewGuid():N}"[..35];
        var arn = $"arn:aws:lambda:{function.Region}:{function.AccountId}:function:{function.Name}";
        static double S(DateTimeOffset at) => at.ToUnixTimeMilliseconds() / 1000.0;
        static string Id() => Guid.NewGuid().ToString("N")[..16];
        var init = cold ? 1180 : 0;
        var service = new JsonObject
        {
            ["name"] = function.Name,
            ["id"] = Id(),
            ["trace_id"] = traceId,
            ["start_time"] = S(start),
            ["end_time"] = S(start.AddMilliseconds(status == TraceStatuses.Throttle ? 3 : init + 240)),
            ["origin"] = "AWS::Lambda",
            ["resource_arn"] = arn,
            ["http"] = new JsonObject { ["response"] = new JsonObject { ["status"] = status switch { TraceStatuses.Throttle => 429, TraceStatuses.Fault => 502, _ => 200 } } },
            ["aws"] = new JsonObject { ["request_id"] = RequestId() },
        };
        var documents = new List<JsonObject> { service };

        // moto marks a trace's error, fault and throttle by the presence of the key in a document, so each is set only when true.
        if (status == TraceStatuses.Throttle)
        {
            service["error"] = true;
            service["throttle"] = true;
            var throttled = new SeededXRayTrace(traceId, function, start, cold, status, documents, []);
            _traces.Add(throttled);
            return throttled;
        }

        var functionStart = start.AddMilliseconds(5 + init);
        var subsegments = new JsonArray();
        if (cold)
        {
            subsegments.Add(new JsonObject
            {
                ["name"] = "Initialization",
                ["id"] = Id(),
                ["start_time"] = S(start.AddMilliseconds(2)),
                ["end_time"] = S(start.AddMilliseconds(2 + init)),
                ["aws"] = new JsonObject { ["function_arn"] = arn },
            });
        }

        var dynamo = new JsonObject
        {
            ["name"] = "DynamoDB",
            ["id"] = Id(),
            ["start_time"] = S(functionStart.AddMilliseconds(20)),
            ["end_time"] = S(functionStart.AddMilliseconds(90)),
            ["namespace"] = "aws",
            ["http"] = new JsonObject { ["response"] = new JsonObject { ["status"] = status == TraceStatuses.Error ? 400 : 200 } },
            ["aws"] = new JsonObject { ["operation"] = "PutItem", ["table_name"] = "ledger", ["region"] = function.Region, ["request_id"] = Id() },
        };
        if (status == TraceStatuses.Error)
        {
            dynamo["error"] = true;
            dynamo["cause"] = new JsonObject
            {
                ["exceptions"] = new JsonArray(new JsonObject { ["id"] = Id(), ["type"] = "ConditionalCheckFailedException", ["message"] = "The conditional request failed", ["remote"] = true }),
            };
        }

        var invocation = new JsonObject
        {
            ["name"] = "Invocation",
            ["id"] = Id(),
            ["start_time"] = S(functionStart),
            ["end_time"] = S(functionStart.AddMilliseconds(200)),
            ["subsegments"] = new JsonArray(dynamo),
        };
        if (status == TraceStatuses.Fault)
        {
            invocation["fault"] = true;
            invocation["cause"] = new JsonObject
            {
                ["working_directory"] = "/var/task",
                ["exceptions"] = new JsonArray(new JsonObject { ["id"] = Id(), ["type"] = "Error", ["message"] = "order service unavailable" }),
            };
        }

        subsegments.Add(invocation);
        subsegments.Add(new JsonObject
        {
            ["name"] = "Overhead",
            ["id"] = Id(),
            ["start_time"] = S(functionStart.AddMilliseconds(201)),
            ["end_time"] = S(functionStart.AddMilliseconds(212)),
        });
        var functionSegment = new JsonObject
        {
            ["name"] = function.Name,
            ["id"] = Id(),
            ["parent_id"] = service["id"]!.GetValue<string>(),
            ["trace_id"] = traceId,
            ["start_time"] = S(start.AddMilliseconds(2)),
            ["end_time"] = S(functionStart.AddMilliseconds(212)),
            ["origin"] = "AWS::Lambda::Function",
            ["resource_arn"] = arn,
            ["aws"] = new JsonObject { ["account_id"] = function.AccountId, ["function_arn"] = arn, ["resource_names"] = new JsonArray(JsonValue.Create(function.Name)) },
            ["annotations"] = new JsonObject { ["tenant"] = "acme" },
            ["subsegments"] = subsegments,
        };
        if (status == TraceStatuses.Error)
        {
            functionSegment["error"] = true;
        }

        if (status == TraceStatuses.Fault)
        {
            functionSegment["fault"] = true;
        }

        documents.Add(functionSegment);
        string[] names = cold ? ["Initialization", "Invocation", "DynamoDB", "Overhead"] : ["Invocation", "DynamoDB", "Overhead"];
        var seeded = new SeededXRayTrace(traceId, function, start, cold, status, documents, names);
        _traces.Add(seeded);
        return seeded;
    }

    private static DateTimeOffset Floor(DateTimeOffset at, TimeSpan length) =>
        new(at.UtcTicks - ((at.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) % length.Ticks), TimeSpan.Zero);
}

/// <summary>An error seeded into one function's log group: its type, message (of the latest occurrence) and occurrences.</summary>
public sealed record SeededError(FunctionKey Function, string ErrorType, string Message, int Count, string? RequestId, string? TraceId, string? StackFrame);

/// <summary>One seeded invocation's X-Ray documents; <see cref="Subsegments"/> names the subsegments inside it.</summary>
public sealed record SeededXRayTrace(string TraceId, FunctionKey Function, DateTimeOffset Start, bool ColdStart, TraceStatuses Status, IReadOnlyList<JsonObject> Documents, IReadOnlyList<string> Subsegments);
