using System.Diagnostics;
using System.Globalization;
using Observe.Store;
using Observe.Store.Model;

namespace Observe.Benchmarks.Dashboard;

/// <summary>
/// The Errors and Traces pages' part of the <see cref="FleetSeed"/> fleet (issue 12), written through the store's own
/// writers as the logs and traces collectors would:
/// <list type="bullet">
/// <item>error groups over 30 days: every ninth function has errors, 1 to 4 fingerprints of its own (25 for one
/// function in ten of those), plus a dozen fingerprints shared by many functions (timeouts, throttling, access
/// denied); one occurrence window per logs-collector pass that saw the error (every hour for a chronic group, every
/// six hours for a frequent one, a few for a sporadic one, some first seen in the last day); samples with stack
/// traces; some groups resolved, ignored, and resolved then seen again (regressions);</item>
/// <item>traces over the 7-day trace retention: four a minute across a third of the busy and quarter-hourly
/// functions (about 40,000), each an API Gateway or Lambda entry with the Lambda service segment, the function's
/// segment with its Initialization (5%), Invocation and Overhead subsegments and 1 to 6 downstream calls, a fifth
/// calling a second function; 2% faults, 3% errors, 0.5% throttles; and one 500-span trace
/// (<see cref="LargeTraceId"/>);</item>
/// <item>the logs and traces collectors' statuses per account and region (a successful pass), as after a run.</item>
/// </list>
/// Deterministic (fixed seed) apart from where "now" falls.
/// </summary>
internal static class FleetSeedInvestigation
{
    /// <summary>The 500-span trace's id (a fixed id, so the benchmark can open it; X-Ray's form).</summary>
    public const string LargeTraceId = "1-5f5e1000-000000000000000000000500";

    /// <summary>Spans of the large trace.</summary>
    public const int LargeTraceSpans = 500;

    /// <summary>Traces written per minute of the 7 days.</summary>
    private const int TracesPerMinute = 4;

    private static readonly (string Type, string Message)[] SharedErrors =
    [
        ("Sandbox.Timedout", "Task timed out after {0}.00 seconds"),
        ("ThrottlingException", "Rate exceeded"),
        ("AccessDeniedException", "User: arn:aws:sts::{1}:assumed-role/svc-role/handler is not authorized to perform: dynamodb:PutItem"),
        ("ProvisionedThroughputExceededException", "The level of configured provisioned throughput for the table was exceeded."),
        ("Runtime.OutOfMemory", "Runtime exited with error: signal: killed"),
        ("Runtime.ImportModuleError", "Error: Cannot find module 'aws-sdk'"),
        ("System.Net.Http.HttpRequestException", "Connection refused (payments.internal:443)"),
        ("ResourceNotFoundException", "Requested resource not found: Table: orders-v2 not found"),
        ("ConditionalCheckFailedException", "The conditional request failed"),
        ("TaskCanceledException", "The request was canceled due to the configured HttpClient.Timeout of 10 seconds elapsing."),
        ("KMSAccessDeniedException", "The ciphertext refers to a customer master key that does not exist"),
        ("ValidationException", "One or more parameter values were invalid: An AttributeValue may not contain an empty string"),
    ];

    private static readonly string[] OwnErrorTypes =
    [
        "System.NullReferenceException", "System.InvalidOperationException", "System.Text.Json.JsonException", "TypeError",
        "KeyError", "ValueError", "java.lang.IllegalStateException", "System.ArgumentException", "SyntaxError", "RangeError",
    ];

    private static readonly (string Name, string Operation, string? Resource, string Namespace)[] Downstream =
    [
        ("DynamoDB", "GetItem", "orders", "aws"), ("DynamoDB", "PutItem", "orders", "aws"), ("DynamoDB", "Query", "sessions", "aws"),
        ("S3", "GetObject", "assets-prod", "aws"), ("S3", "PutObject", "exports-prod", "aws"), ("SQS", "SendMessage", "https://sqs/queue-events", "aws"),
        ("SNS", "Publish", "arn:aws:sns:topic/notify", "aws"), ("SecretsManager", "GetSecretValue", null, "aws"),
        ("api.stripe.com", "POST", "https://api.stripe.com/v1/charges", "remote"), ("payments.internal", "GET", "https://payments.internal/v2/status", "remote"),
    ];

    /// <summary>Writes the errors, traces and collector statuses for <paramref name="functions"/> ending at <paramref name="end"/>.</summary>
    public static async Task WriteAsync<TStore>(TStore store, IReadOnlyList<LambdaFunction> functions, DateTimeOffset end, CancellationToken cancellationToken)
        where TStore : IFleetWriter, IErrorStatusWriter, ICollectorStatusWriter
    {
        var watch = Stopwatch.StartNew();
        var random = new Random(12);
        var (groups, windows) = await WriteErrorsAsync(store, functions, end, random, cancellationToken);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"seed: {groups:N0} function error groups, {windows:N0} occurrence windows, {watch.Elapsed.TotalSeconds:N0} s"));
        var (traces, spans) = await WriteTracesAsync(store, functions, end, random, cancellationToken);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"seed: {traces:N0} traces with {spans:N0} spans (one of {LargeTraceSpans}: {LargeTraceId}), {watch.Elapsed.TotalSeconds:N0} s"));

        foreach (var collector in new[] { "logs", "traces" })
        {
            for (var a = 0; a < FleetSeed.Accounts; a++)
            {
                foreach (var region in FleetSeed.Regions)
                {
                    await store.UpsertCollectorStatusAsync(new CollectorStatus
                    {
                        Collector = collector,
                        AccountId = FleetSeed.AccountId(a),
                        Region = region,
                        LastStart = end.AddMinutes(-1),
                        LastSuccess = end,
                        LastDuration = TimeSpan.FromSeconds(4),
                    }, cancellationToken);
                }
            }
        }
    }

    private static async Task<(int Groups, int Windows)> WriteErrorsAsync(
        IFleetWriter store, IReadOnlyList<LambdaFunction> functions, DateTimeOffset end, Random random, CancellationToken cancellationToken)
    {
        var start = end.AddDays(-30);
        var batch = new List<ErrorOccurrences>(20_000);
        var fingerprints = new List<(string Fingerprint, DateTimeOffset Last)>();
        int groups = 0, windows = 0;
        for (var n = 0; n < functions.Count; n++)
        {
            var index = n % FleetSeed.FunctionsPerRegion;
            if (index % 9 != 0)
            {
                continue;
            }

            var function = functions[n].Key;
            var own = index % 90 == 0 ? 25 : 1 + index % 4;
            var kinds = new List<(string Fingerprint, string Type, string Message)>();
            for (var g = 0; g < own; g++)
            {
                var type = OwnErrorTypes[(index + g) % OwnErrorTypes.Length];
                kinds.Add(($"{function.Name}-{function.AccountId}-{function.Region}-{g:00}", type,
                    $"{type.Split('.')[^1]} in {function.Name} at step {g}: object reference for order {1000 + g * 7} was not set"));
            }

            // The shared fingerprints: the same error text in many functions, one group per function.
            for (var k = 0; k < 2; k++)
            {
                var (type, message) = SharedErrors[(index / 9 + k * 5 + n) % SharedErrors.Length];
                kinds.Add(($"shared-{type}", type, string.Format(CultureInfo.InvariantCulture, message, functions[n].TimeoutSeconds, function.AccountId)));
            }

            foreach (var (fingerprint, type, message) in kinds)
            {
                groups++;
                var roll = random.Next(100);
                // Chronic every hour, frequent every six, sporadic a handful; some new within the last day.
                var (from, step, count) = roll switch
                {
                    < 4 => (start, TimeSpan.FromHours(1), 720),
                    < 18 => (start.AddHours(random.Next(24)), TimeSpan.FromHours(6), 120),
                    < 28 => (end.AddHours(-20 + random.Next(12)), TimeSpan.FromHours(1), 1 + random.Next(8)),
                    _ => (start.AddHours(random.Next(700)), TimeSpan.FromHours(1 + random.Next(48)), 2 + random.Next(20)),
                };
                var stack = StackTrace(type, function.Name, random);
                DateTimeOffset last = default;
                for (var w = 0; w < count; w++)
                {
                    var first = from + step * w + TimeSpan.FromSeconds(random.Next(3_000));
                    if (first >= end)
                    {
                        break;
                    }

                    last = first.AddSeconds(random.Next(1, 60));
                    var sampled = w % 24 == 0 || w == count - 1;
                    batch.Add(new ErrorOccurrences(function, fingerprint, type, message, first, last, 1 + random.Next(roll < 4 ? 40 : 5),
                        sampled ? stack : null, sampled ? Guid.NewGuid().ToString() : null, sampled && random.Next(3) == 0 ? TraceId(first, random) : null));
                    windows++;
                }

                if (last != default && fingerprint.StartsWith("shared-", StringComparison.Ordinal) is false)
                {
                    fingerprints.Add((fingerprint, last));
                }

                if (batch.Count >= 10_000)
                {
                    await store.RecordErrorsAsync(batch, cancellationToken);
                    batch.Clear();
                }
            }
        }

        await store.RecordErrorsAsync(batch, cancellationToken);
        batch.Clear();

        // Triage: some resolved, some ignored, and some resolved that then occurred again (re-opened as regressions).
        var statuses = (IErrorStatusWriter)store;
        for (var i = 0; i < fingerprints.Count; i += 37)
        {
            var (fingerprint, last) = fingerprints[i];
            var status = (i / 37 % 3) switch { 0 => ErrorStatus.Resolved, 1 => ErrorStatus.Ignored, _ => ErrorStatus.Resolved };
            await statuses.SetErrorStatusAsync(fingerprint, status, "oncall@example.com", last.AddMinutes(5), cancellationToken);
            if (i / 37 % 3 == 2)
            {
                var function = functions.First(f => fingerprint.StartsWith(f.Key.Name + "-" + f.Key.AccountId + "-" + f.Key.Region + "-", StringComparison.Ordinal)).Key;
                var again = last.AddMinutes(30) < end ? last.AddMinutes(30) : end.AddMinutes(-1);
                batch.Add(new ErrorOccurrences(function, fingerprint, "System.InvalidOperationException", "It came back after the fix", again, again.AddSeconds(5), 2, null, null, null));
                windows++;
            }
        }

        await store.RecordErrorsAsync(batch, cancellationToken);
        return (groups, windows);
    }

    private static string StackTrace(string type, string function, Random random)
    {
        var lines = new List<string> { $"{type}: failed while handling the request" };
        var depth = 8 + random.Next(25);
        for (var i = 0; i < depth; i++)
        {
            lines.Add($"   at Company.{function.Replace('-', '_')}.Layer{i % 5}.Step{i}(Request request, CancellationToken cancellationToken) in /src/{function}/Layer{i % 5}.cs:line {20 + i * 13}");
        }

        return string.Join('\n', lines);
    }

    private static string TraceId(DateTimeOffset at, Random random) =>
        string.Create(CultureInfo.InvariantCulture, $"1-{at.ToUnixTimeSeconds():x8}-{random.NextInt64(0, long.MaxValue):x16}{random.Next():x8}");

    private static async Task<(int Traces, long Spans)> WriteTracesAsync(
        IFleetWriter store, IReadOnlyList<LambdaFunction> functions, DateTimeOffset end, Random random, CancellationToken cancellationToken)
    {
        var traced = functions.Where((_, n) => FleetSeed.Activity(n % FleetSeed.FunctionsPerRegion) <= 1 && n % 3 == 0).ToList();
        var start = end.AddDays(-7);
        var batch = new List<TraceTree>(2_000);
        int traces = 0;
        long spans = 0;
        for (var minute = start; minute < end; minute = minute.AddMinutes(1))
        {
            for (var k = 0; k < TracesPerMinute; k++)
            {
                var at = minute.AddMilliseconds(random.Next(60_000));
                var function = traced[random.Next(traced.Count)];
                var callee = random.Next(5) == 0 ? traced[random.Next(traced.Count)] : null;
                var trace = Trace(TraceId(at, random), at, function, callee, random);
                batch.Add(trace);
                spans += trace.Segments.Count;
                traces++;
            }

            if (batch.Count >= 2_000)
            {
                await store.WriteTracesAsync(batch, cancellationToken);
                batch.Clear();
            }
        }

        batch.Add(LargeTrace(end.AddHours(-2), traced[0], random));
        spans += LargeTraceSpans;
        traces++;
        await store.WriteTracesAsync(batch, cancellationToken);
        return (traces, spans);
    }

    /// <summary>One request: its entry, the Lambda service's segment, the function's, its phases and its calls.</summary>
    private static TraceTree Trace(string traceId, DateTimeOffset at, LambdaFunction function, LambdaFunction? callee, Random random)
    {
        var segments = new List<TraceSegment>();
        var outcome = random.Next(1000);
        var fault = outcome < 20;
        var error = outcome is >= 20 and < 50;
        var throttle = outcome is >= 50 and < 55;
        var api = random.Next(2) == 0;
        var cursor = at;
        string? parent = null;
        if (api)
        {
            parent = SpanId(random);
            segments.Add(new TraceSegment
            {
                Id = parent,
                Name = "orders-api/prod",
                Origin = "AWS::ApiGateway::Stage",
                Start = at,
                Attributes = new Dictionary<string, string> { ["http.method"] = "POST", ["http.url"] = "https://api.example.com/prod/orders", ["http.status"] = fault ? "502" : error ? "400" : throttle ? "429" : "200" },
                Fault = fault,
                Error = error,
                Throttle = throttle,
            });
            cursor = at.AddMilliseconds(2 + random.Next(5));
        }

        var end = Invoke(segments, parent, function, cursor, fault, error, throttle, callee, random);
        if (api)
        {
            segments[0] = segments[0] with { End = end.AddMilliseconds(1 + random.Next(4)) };
        }

        var root = segments[0];
        var summary = new TraceSummary
        {
            TraceId = traceId,
            Start = at,
            DurationMs = ((root.End ?? end) - at).TotalMilliseconds,
            HasError = error,
            HasFault = fault,
            HasThrottle = throttle,
            EntryPoint = root.Name,
            HttpStatus = root.Attributes.GetValueOrDefault("http.status"),
            Functions = callee is null || callee.Key == function.Key ? [function.Key] : [function.Key, callee.Key],
        };
        return new TraceTree(summary, segments);
    }

    /// <summary>The Lambda service's segment and the function's below it; returns when the service's segment ends.</summary>
    private static DateTimeOffset Invoke(
        List<TraceSegment> segments, string? parent, LambdaFunction function, DateTimeOffset at,
        bool fault, bool error, bool throttle, LambdaFunction? callee, Random random)
    {
        var service = SpanId(random);
        var body = SpanId(random);
        var cold = random.Next(100) < 5;
        var cursor = at.AddMilliseconds(1 + random.Next(3));
        var functionStart = cursor;
        var children = new List<TraceSegment>();
        if (cold)
        {
            var init = 150 + random.Next(900);
            children.Add(new TraceSegment { Id = SpanId(random), ParentId = body, Name = "Initialization", Start = cursor, End = cursor.AddMilliseconds(init) });
            cursor = cursor.AddMilliseconds(init);
        }

        var invocation = SpanId(random);
        var invocationStart = cursor;
        var calls = 1 + random.Next(6);
        for (var c = 0; c < calls; c++)
        {
            var (name, operation, resource, ns) = Downstream[random.Next(Downstream.Length)];
            var callStart = cursor.AddMilliseconds(random.Next(1, 8));
            var callEnd = callStart.AddMilliseconds(3 + random.Next(c == 0 && fault ? 3_000 : 120));
            var last = c == calls - 1;
            var attributes = new Dictionary<string, string> { ["namespace"] = ns };
            if (ns == "aws")
            {
                attributes["aws.operation"] = operation;
                attributes["http.status"] = last && throttle ? "400" : "200";
                if (resource is not null)
                {
                    attributes["aws.resource"] = resource;
                }
            }
            else
            {
                attributes["http.method"] = operation;
                attributes["http.url"] = resource!;
                attributes["http.status"] = last && fault ? "503" : "200";
            }

            children.Add(new TraceSegment
            {
                Id = SpanId(random), ParentId = invocation, Name = name, Start = callStart, End = callEnd,
                Fault = last && fault && ns == "remote", Throttle = last && throttle && ns == "aws", Attributes = attributes,
            });
            cursor = callEnd;
        }

        if (callee is not null && callee.Key != function.Key)
        {
            var callId = SpanId(random);
            var callStart = cursor.AddMilliseconds(1);
            children.Add(new TraceSegment
            {
                Id = callId, ParentId = invocation, Name = "Lambda", Start = callStart,
                Attributes = new Dictionary<string, string> { ["namespace"] = "aws", ["aws.operation"] = "Invoke", ["aws.function_name"] = callee.Key.Name, ["http.status"] = "200" },
            });
            var calleeEnd = Invoke(segments, callId, callee, callStart.AddMilliseconds(2), false, false, false, null, random);
            var index = children.FindIndex(s => s.Id == callId);
            children[index] = children[index] with { End = calleeEnd.AddMilliseconds(1) };
            cursor = calleeEnd.AddMilliseconds(1);
        }

        var invocationEnd = cursor.AddMilliseconds(1 + random.Next(10));
        children.Add(new TraceSegment
        {
            Id = invocation, ParentId = body, Name = "Invocation", Start = invocationStart, End = invocationEnd,
            Fault = fault, Error = error,
            Attributes = fault ? new Dictionary<string, string> { ["error.type"] = "HttpRequestException", ["error.message"] = "Response status code does not indicate success: 503" } : new Dictionary<string, string>(),
        });
        var overheadEnd = invocationEnd.AddMilliseconds(random.Next(1, 20));
        children.Add(new TraceSegment { Id = SpanId(random), ParentId = body, Name = "Overhead", Start = invocationEnd, End = overheadEnd });
        var serviceEnd = overheadEnd.AddMilliseconds(1);

        var arn = function.Arn;
        segments.Add(new TraceSegment
        {
            Id = service, ParentId = parent, Name = function.Key.Name, Origin = "AWS::Lambda", Start = at, End = serviceEnd,
            Fault = fault, Error = error, Throttle = throttle,
            Attributes = new Dictionary<string, string> { ["aws.request_id"] = Guid.NewGuid().ToString(), ["http.status"] = fault ? "502" : "200", ["aws.resource_arn"] = arn },
        });
        segments.Add(new TraceSegment
        {
            Id = body, ParentId = service, Name = function.Key.Name, Origin = "AWS::Lambda::Function", Start = functionStart, End = overheadEnd,
            Fault = fault, Error = error,
            Attributes = new Dictionary<string, string>
            {
                ["aws.resource_arn"] = arn, ["aws.account_id"] = function.Key.AccountId,
                ["annotation.cold_start"] = cold ? "true" : "false", ["annotation.tenant"] = $"tenant-{random.Next(40):00}",
            },
        });
        segments.AddRange(children);
        return serviceEnd;
    }

    /// <summary>
    /// A batch job's 500 spans: the API Gateway stage, the Lambda service and function segments, their phases, and
    /// 100 order items each read, priced, written and published (DynamoDB, HTTP, SQS), with a few faults and
    /// annotations, as a fan-out handler looks in X-Ray.
    /// </summary>
    private static TraceTree LargeTrace(DateTimeOffset at, LambdaFunction function, Random random)
    {
        var segments = new List<TraceSegment>();
        var stage = SpanId(random);
        var service = SpanId(random);
        var body = SpanId(random);
        var invocation = SpanId(random);
        var cursor = at.AddMilliseconds(5);
        var init = cursor.AddMilliseconds(640);
        segments.Add(new TraceSegment { Id = SpanId(random), ParentId = body, Name = "Initialization", Start = cursor, End = init });
        cursor = init;
        var invocationStart = cursor;
        var items = (LargeTraceSpans - 7) / 5;
        for (var i = 0; i < items; i++)
        {
            var item = SpanId(random);
            var itemStart = cursor;
            var c = itemStart.AddMilliseconds(1);
            var children = new List<TraceSegment>();
            foreach (var (name, operation, resource, ns) in new[] { Downstream[0], Downstream[8], Downstream[1], Downstream[5] })
            {
                var callEnd = c.AddMilliseconds(2 + random.Next(ns == "remote" ? 60 : 12));
                var failed = ns == "remote" && i % 37 == 5;
                var attributes = ns == "aws"
                    ? new Dictionary<string, string> { ["namespace"] = ns, ["aws.operation"] = operation, ["aws.resource"] = resource!, ["http.status"] = "200" }
                    : new Dictionary<string, string> { ["namespace"] = ns, ["http.method"] = operation, ["http.url"] = resource!, ["http.status"] = failed ? "503" : "200" };
                children.Add(new TraceSegment { Id = SpanId(random), ParentId = item, Name = name, Start = c, End = callEnd, Fault = failed, Attributes = attributes });
                c = callEnd;
            }

            segments.Add(new TraceSegment
            {
                Id = item, ParentId = invocation, Name = $"ProcessItem", Start = itemStart, End = c.AddMilliseconds(1),
                Fault = children.Any(s => s.Fault),
                Attributes = new Dictionary<string, string> { ["annotation.order_id"] = $"order-{4000 + i}", ["annotation.item"] = i.ToString(CultureInfo.InvariantCulture) },
            });
            segments.AddRange(children);
            cursor = c.AddMilliseconds(1);
        }

        var invocationEnd = cursor.AddMilliseconds(3);
        segments.Add(new TraceSegment { Id = invocation, ParentId = body, Name = "Invocation", Start = invocationStart, End = invocationEnd, Fault = true });
        segments.Add(new TraceSegment { Id = SpanId(random), ParentId = body, Name = "Overhead", Start = invocationEnd, End = invocationEnd.AddMilliseconds(4) });
        var end = invocationEnd.AddMilliseconds(6);
        segments.Add(new TraceSegment { Id = body, ParentId = service, Name = function.Key.Name, Origin = "AWS::Lambda::Function", Start = at.AddMilliseconds(4), End = invocationEnd.AddMilliseconds(4), Fault = true, Attributes = new Dictionary<string, string> { ["aws.resource_arn"] = function.Arn } });
        segments.Add(new TraceSegment { Id = service, ParentId = stage, Name = function.Key.Name, Origin = "AWS::Lambda", Start = at.AddMilliseconds(2), End = end, Fault = true, Attributes = new Dictionary<string, string> { ["http.status"] = "502" } });
        segments.Add(new TraceSegment
        {
            Id = stage, Name = "orders-api/prod", Origin = "AWS::ApiGateway::Stage", Start = at, End = end.AddMilliseconds(2), Fault = true,
            Attributes = new Dictionary<string, string> { ["http.method"] = "POST", ["http.url"] = "https://api.example.com/prod/orders/batch", ["http.status"] = "502" },
        });
        while (segments.Count < LargeTraceSpans)
        {
            segments.Add(new TraceSegment { Id = SpanId(random), ParentId = invocation, Name = "Flush", Start = invocationEnd.AddMilliseconds(-2), End = invocationEnd.AddMilliseconds(-1) });
        }

        return new TraceTree(new TraceSummary
        {
            TraceId = LargeTraceId,
            Start = at,
            DurationMs = (end.AddMilliseconds(2) - at).TotalMilliseconds,
            HasFault = true,
            EntryPoint = "orders-api/prod",
            HttpStatus = "502",
            Functions = [function.Key],
        }, segments);
    }

    private static string SpanId(Random random) => random.NextInt64(0, long.MaxValue).ToString("x16", CultureInfo.InvariantCulture);
}
