using System.Globalization;
using System.Text.Json.Nodes;
using Observe.Collectors.Collection;
using Observe.Collectors.Tests.Infrastructure;
using Observe.Collectors.Tests.LogCollection;
using Observe.Store.Model;

namespace Observe.Collectors.Tests.EndToEnd;

/// <summary>
/// A fleet no other test has seen, seeded once into moto under a fresh account, with the truth it should become in the
/// store written down as it is seeded (never computed by the code under test): 300 functions over three regions with
/// four memory sizes; each function's log group holds REPORT lines in Lambda's text and JSON formats (cold, warm,
/// timeout, error, SnapStart restore, a provisioned-concurrency environment, a second cold start) and some malformed
/// lines (a REPORT whose fields are markup, one cut short, a JSON platform.report cut off); alarms in all three states;
/// and AWS/Lambda metrics (Invocations, Errors, Throttles, Duration) for every tenth function.
/// </summary>
public sealed class UnseenFleet : IAsyncLifetime
{
    public static readonly string[] Regions = ["eu-west-1", "us-east-1", "ap-southeast-2"];

    public const int FunctionsPerRegion = 100;

    private static readonly int[] MemorySizes = [128, 256, 512, 1024];

    private int _sequence;

    public string AccountId { get; } = "38" + Random.Shared.NextInt64(10_000_000_000).ToString("D10", CultureInfo.InvariantCulture);

    /// <summary>The minute the fleet was seeded in; every seeded event and datum is before it.</summary>
    public DateTimeOffset Now { get; } = UtcMinute.Floor(DateTimeOffset.UtcNow);

    public TimeRange Range => new(Now.AddMinutes(-30), Now.AddMinutes(5));

    public List<FunctionKey> Functions { get; } = [];

    /// <summary><c>region/alarm/State</c> for every alarm.</summary>
    public List<string> Alarms { get; } = [];

    /// <summary>Every well-formed REPORT line, as <see cref="Describe(InvocationReport)"/> writes a stored report.</summary>
    public List<string> Reports { get; } = [];

    /// <summary>Cold starts per function and minute.</summary>
    public Dictionary<(FunctionKey Function, DateTimeOffset Minute), int> ColdStarts { get; } = [];

    /// <summary>Lines that look like a REPORT and cannot be read, per region: each must be counted as skipped.</summary>
    public Dictionary<string, int> MalformedLines { get; } = Regions.ToDictionary(r => r, _ => 0, StringComparer.Ordinal);

    /// <summary>The AWS/Lambda metrics put per function and minute.</summary>
    public Dictionary<FunctionKey, Dictionary<DateTimeOffset, SeededMinute>> Metrics { get; } = [];

    /// <summary>How long seeding took, for the test's output: the run must stay short on 2 shared cores.</summary>
    public TimeSpan SeedingTime { get; private set; }

    public async Task InitializeAsync()
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        using var seed = new MotoSeeder(AccountId);

        // Functions and their logs in parallel: moto answers each call in a few milliseconds, and sequential seeding
        // would dominate the test's time.
        var plans = new List<(FunctionKey Key, int Index, int Memory, List<(DateTimeOffset At, string Message)> Events)>();
        foreach (var region in Regions)
        {
            for (var i = 0; i < FunctionsPerRegion; i++)
            {
                var key = new FunctionKey(AccountId, region, $"unseen-{region}-{i:D3}");
                var memory = MemorySizes[i % MemorySizes.Length];
                Functions.Add(key);
                plans.Add((key, i, memory, Lines(key, i, memory)));
            }
        }

        await Parallel.ForEachAsync(plans, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (plan, _) =>
        {
            await seed.CreateFunctionAsync(plan.Key.Region, plan.Key.Name, memoryMb: plan.Memory);
            await LogsFleet.PutEventsAsync(seed, plan.Key.Region, $"/aws/lambda/{plan.Key.Name}", "2026/12/03/[$LATEST]0123456789abcdef", plan.Events, createGroup: true);
        });

        await SeedAlarmsAsync(seed, plans.Select(p => (p.Key, p.Index)));
        await SeedMetricsAsync(seed, plans.Where(p => p.Index % 10 == 0).Select(p => p.Key));
        SeedingTime = started.Elapsed;
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private readonly Dictionary<string, object> _runs = new(StringComparer.Ordinal);

    /// <summary>
    /// The result of <paramref name="run"/>, run once per <paramref name="key"/> for the class: a test comparing two
    /// logs modes reuses the runs the per-mode tests made instead of collecting the fleet again.
    /// </summary>
    public Task<T> OnceAsync<T>(string key, Func<Task<T>> run)
    {
        lock (_runs)
        {
            if (!_runs.TryGetValue(key, out var task))
            {
                _runs[key] = task = run();
            }

            return (Task<T>)task;
        }
    }

    /// <summary>A stored report in the words <see cref="Reports"/> holds the seeded ones.</summary>
    public static string Describe(InvocationReport r) =>
        Describe(r.Function, r.RequestId, r.Timestamp, r.DurationMs, r.BilledDurationMs, r.MemorySizeMb, r.MaxMemoryUsedMb, r.InitDurationMs, r.RestoreDurationMs, r.Status, r.IsColdStart);

    private static string Describe(FunctionKey f, string id, DateTimeOffset at, double duration, double billed, int memory, int used, double? init, double? restore, string status, bool cold) =>
        string.Create(CultureInfo.InvariantCulture, $"{f} {id} at={at.ToUnixTimeMilliseconds()} duration={duration} billed={billed} memory={memory} used={used} init={init?.ToString(CultureInfo.InvariantCulture) ?? "-"} restore={restore?.ToString(CultureInfo.InvariantCulture) ?? "-"} status={status} cold={cold}");

    /// <summary>The log events of one function, each REPORT line's truth recorded as it is written.</summary>
    private List<(DateTimeOffset At, string Message)> Lines(FunctionKey f, int i, int memory)
    {
        var events = new List<(DateTimeOffset, string)>();
        var json = i % 2 == 1;
        var second = i % 60;

        events.AddRange(Invocation(f, Now.AddMinutes(-12).AddSeconds(second), json, memory, init: 300.25 + (i % 50)));
        events.AddRange(Invocation(f, Now.AddMinutes(-10).AddSeconds(second), json, memory));
        switch (i % 10)
        {
            case 1:
                events.AddRange(Invocation(f, Now.AddMinutes(-8).AddSeconds(second), json, memory, status: "timeout", duration: 3000));
                break;
            case 2:
                events.AddRange(Invocation(f, Now.AddMinutes(-8).AddSeconds(second), json, memory, restore: 250.5 + (i % 10)));
                break;
            case 3:
                // Provisioned concurrency: the environment was initialized ahead of the request, so the report carries
                // no init duration and the invocation is not a cold start users waited for. Only the JSON format says
                // so (platform.initStart's initializationType); the init records are not invocation reports.
                events.AddRange(ProvisionedInit(Now.AddMinutes(-9).AddSeconds(second)));
                events.AddRange(Invocation(f, Now.AddMinutes(-8).AddSeconds(second), json: true, memory));
                break;
            case 4:
                events.AddRange(Invocation(f, Now.AddMinutes(-8).AddSeconds(second), json, memory, status: "error"));
                break;
            case 5:
                // A second execution environment: another cold start, in another minute.
                events.AddRange(Invocation(f, Now.AddMinutes(-6).AddSeconds(second), json, memory, init: 512.75));
                break;
        }

        var malformed = (i % 25) switch
        {
            7 => $"REPORT RequestId: <script>alert('{f.Name}')</script>\tDuration: <b>12.5</b> ms\tBilled Duration: <i>13</i> ms\tMemory Size: <em>{memory}</em> MB\tMax Memory Used: <u>80</u> MB\t",
            8 => "REPORT RequestId: \tDuration: cut",
            9 => $$"""{"time":"{{Now.AddMinutes(-5):O}}","type":"platform.report","record":{"requestId":"cut-{{f.Name}}","metrics":{"durationMs":""",
            _ => null,
        };
        if (malformed is not null)
        {
            events.Add((Now.AddMinutes(-5).AddSeconds(second), malformed));
            lock (MalformedLines)
            {
                MalformedLines[f.Region]++;
            }
        }

        return events;
    }

    private IEnumerable<(DateTimeOffset At, string Message)> Invocation(
        FunctionKey f, DateTimeOffset at, bool json, int memory, double? init = null, double? restore = null, string status = "success", double duration = 41.25)
    {
        var id = $"{Interlocked.Increment(ref _sequence):D8}-aaaa-4bbb-8ccc-{Guid.NewGuid().ToString("N")[..12]}";
        var reportAt = at.AddMilliseconds(60);
        var billed = Math.Ceiling(duration);
        var used = 60 + (memory / 32);
        lock (Reports)
        {
            Reports.Add(Describe(f, id, reportAt, duration, billed, memory, used, init, restore, status, cold: init is not null));
            if (init is not null)
            {
                var minute = UtcMinute.Floor(reportAt);
                ColdStarts[(f, minute)] = ColdStarts.GetValueOrDefault((f, minute)) + 1;
            }
        }

        var d = duration.ToString(CultureInfo.InvariantCulture);
        if (json)
        {
            var extra = (init is { } i ? $",\"initDurationMs\":{i.ToString(CultureInfo.InvariantCulture)}" : "")
                + (restore is { } r ? $",\"restoreDurationMs\":{r.ToString(CultureInfo.InvariantCulture)}" : "");
            var error = status == "error" ? ",\"errorType\":\"Runtime.ExitError\"" : "";
            yield return (at, $$$"""{"time":"{{{at:O}}}","type":"platform.start","record":{"requestId":"{{{id}}}","version":"$LATEST"}}""");
            yield return (at.AddMilliseconds(10), $$$"""{"timestamp":"{{{at.AddMilliseconds(10):O}}}","level":"Information","requestId":"{{{id}}}","message":"Order processed"}""");
            yield return (reportAt, $$$$"""{"time":"{{{{reportAt:O}}}}","type":"platform.report","record":{"requestId":"{{{{id}}}}","status":"{{{{status}}}}"{{{{error}}}},"metrics":{"durationMs":{{{{d}}}},"billedDurationMs":{{{{billed}}}},"memorySizeMB":{{{{memory}}}},"maxMemoryUsedMB":{{{{used}}}}{{{{extra}}}}}}}""");
        }
        else
        {
            var tail = (init is { } i ? $"\tInit Duration: {i.ToString("0.00", CultureInfo.InvariantCulture)} ms" : "")
                + (restore is { } r ? $"\tRestore Duration: {r.ToString("0.00", CultureInfo.InvariantCulture)} ms\tBilled Restore Duration: {Math.Ceiling(r)} ms" : "")
                + (status == "timeout" ? "\tStatus: timeout" : status == "error" ? "\tStatus: error\tError Type: Runtime.ExitError" : "");
            yield return (at, $"START RequestId: {id} Version: $LATEST");
            yield return (at.AddMilliseconds(10), $"{at.AddMilliseconds(10):yyyy-MM-ddTHH:mm:ss.fffZ}\t{id}\tinfo\tOrder processed");
            yield return (at.AddMilliseconds(59), $"END RequestId: {id}");
            yield return (reportAt, $"REPORT RequestId: {id}\tDuration: {duration.ToString("0.00", CultureInfo.InvariantCulture)} ms\tBilled Duration: {billed} ms\tMemory Size: {memory} MB\tMax Memory Used: {used} MB{tail}\t");
        }
    }

    private static IEnumerable<(DateTimeOffset At, string Message)> ProvisionedInit(DateTimeOffset at)
    {
        yield return (at, $$$"""{"time":"{{{at:O}}}","type":"platform.initStart","record":{"initializationType":"provisioned-concurrency","phase":"init","runtimeVersion":"dotnet:8.v30","runtimeVersionArn":"arn:aws:lambda:eu-west-1::runtime:0123"}}""");
        yield return (at.AddMilliseconds(700), $$$"""{"time":"{{{at.AddMilliseconds(700):O}}}","type":"platform.initRuntimeDone","record":{"initializationType":"provisioned-concurrency","phase":"init","status":"success"}}""");
        yield return (at.AddMilliseconds(701), $$$$"""{"time":"{{{{at.AddMilliseconds(701):O}}}}","type":"platform.initReport","record":{"initializationType":"provisioned-concurrency","phase":"init","status":"success","metrics":{"durationMs":700.5}}}""");
    }

    /// <summary>An alarm on every seventh function's errors, in OK, ALARM and INSUFFICIENT_DATA in turn.</summary>
    private async Task SeedAlarmsAsync(MotoSeeder seed, IEnumerable<(FunctionKey Key, int Index)> functions)
    {
        string[] states = ["OK", "ALARM", "INSUFFICIENT_DATA"];
        var alarmed = functions.Where(f => f.Index % 7 == 0).ToList();
        await Parallel.ForEachAsync(alarmed, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (f, _) =>
        {
            var name = $"{f.Key.Name}-errors";
            var state = states[f.Index / 7 % states.Length];
            await seed.PutMetricAlarmAsync(f.Key.Region, name, "AWS/Lambda", "Errors", "FunctionName", f.Key.Name);
            await seed.CloudWatchAsync(f.Key.Region, "SetAlarmState", new JsonObject { ["AlarmName"] = name, ["StateValue"] = state, ["StateReason"] = "seeded " + state });
            var stored = state switch { "OK" => AlarmState.Ok, "ALARM" => AlarmState.Alarm, _ => AlarmState.InsufficientData };
            lock (Alarms)
            {
                Alarms.Add($"{f.Key.Region}/{name}/{stored}");
            }
        });
    }

    /// <summary>Ten minutes of Invocations, Errors, Throttles and Duration, the last one 6 minutes ago, for the given functions.</summary>
    private async Task SeedMetricsAsync(MotoSeeder seed, IEnumerable<FunctionKey> functions)
    {
        var data = new Dictionary<string, List<JsonObject>>(StringComparer.Ordinal);
        foreach (var f in functions)
        {
            var minutes = Metrics[f] = [];
            var n = int.Parse(f.Name[^3..], CultureInfo.InvariantCulture);
            for (var m = 15; m > 5; m--)
            {
                var minute = Now.AddMinutes(-m);
                var figures = new SeededMinute(Invocations: 20 + (n % 7) + m, Errors: m % 3 == 0 ? 2 + (n % 3) : 0, Throttles: m % 4 == 0 ? 1 : 0, DurationAvgMs: 100 + m + (n % 5));
                minutes[minute] = figures;
                var list = data.TryGetValue(f.Region, out var l) ? l : data[f.Region] = [];
                list.Add(Datum("Invocations", f.Name, minute, figures.Invocations, "Count"));
                list.Add(Datum("Errors", f.Name, minute, figures.Errors, "Count"));
                list.Add(Datum("Throttles", f.Name, minute, figures.Throttles, "Count"));
                list.Add(Datum("Duration", f.Name, minute, figures.DurationAvgMs, "Milliseconds"));
            }
        }

        // PutMetricData takes at most 1,000 data points per call.
        foreach (var (region, list) in data)
        {
            foreach (var chunk in list.Chunk(1000))
            {
                await seed.CloudWatchAsync(region, "PutMetricData", new JsonObject { ["Namespace"] = "AWS/Lambda", ["MetricData"] = new JsonArray([.. chunk]) });
            }
        }
    }

    private static JsonObject Datum(string metric, string function, DateTimeOffset at, double value, string unit) => new()
    {
        ["MetricName"] = metric,
        ["Dimensions"] = new JsonArray(new JsonObject { ["Name"] = "FunctionName", ["Value"] = function }),
        ["Timestamp"] = at.ToUnixTimeSeconds(),
        ["Value"] = value,
        ["Unit"] = unit,
    };
}

/// <summary>What was put into CloudWatch for one function and minute (one datum each, so the average is the value).</summary>
public sealed record SeededMinute(double Invocations, double Errors, double Throttles, double DurationAvgMs);
