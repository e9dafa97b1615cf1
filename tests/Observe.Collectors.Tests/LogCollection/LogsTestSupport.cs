using System.Reflection;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Observe.Collectors.Aws;
using Observe.Collectors.Collection;
using Observe.Collectors.LogCollection;
using Observe.Collectors.Tests.Infrastructure;
using Observe.Store;
using Observe.Store.Model;

namespace Observe.Collectors.Tests.LogCollection;

/// <summary>
/// A store that fails its n-th write (any Write*, Record*, Upsert* or SetCheckpoint call), like a process killed
/// between two writes: everything before it is stored, nothing after.
/// </summary>
internal class CrashingStore : DispatchProxy
{
    private IObserveStore _inner = null!;
    private int _crashAt;
    private int _writes;

    public int Writes => _writes;

    public static IObserveStore Wrap(IObserveStore inner, int crashAtWrite, out CrashingStore proxy)
    {
        var store = Create<IObserveStore, CrashingStore>();
        proxy = (CrashingStore)(object)store;
        proxy._inner = inner;
        proxy._crashAt = crashAtWrite;
        return store;
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        var name = targetMethod!.Name;
        if ((name.StartsWith("Write", StringComparison.Ordinal) || name.StartsWith("Record", StringComparison.Ordinal) || name == "SetCheckpointAsync")
            && Interlocked.Increment(ref _writes) == _crashAt)
        {
            return Task.FromException(new IOException($"simulated crash at write {_crashAt} ({name})"));
        }

        try
        {
            return targetMethod.Invoke(_inner, args);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            throw e.InnerException;
        }
    }
}

/// <summary>What a seeded fleet should end up as in the store.</summary>
internal sealed class Expected
{
    public Dictionary<FunctionKey, int> Reports { get; } = [];
    public Dictionary<(FunctionKey Function, DateTimeOffset Minute), int> ColdStarts { get; } = [];

    /// <summary>Per function: error type to occurrences.</summary>
    public Dictionary<FunctionKey, Dictionary<string, long>> Errors { get; } = [];

    public Dictionary<FunctionKey, long> Skipped { get; } = [];

    public void Report(FunctionKey f, DateTimeOffset at, bool cold)
    {
        Reports[f] = Reports.GetValueOrDefault(f) + 1;
        if (cold)
        {
            var minute = UtcMinute.Floor(at);
            ColdStarts[(f, minute)] = ColdStarts.GetValueOrDefault((f, minute)) + 1;
        }
    }

    public void Error(FunctionKey f, string type)
    {
        var errors = Errors.TryGetValue(f, out var e) ? e : Errors[f] = [];
        errors[type] = errors.GetValueOrDefault(type) + 1;
    }

    public void Skip(FunctionKey f) => Skipped[f] = Skipped.GetValueOrDefault(f) + 1;

    /// <summary>Per function: the init reports (JSON format only) by type.</summary>
    public Dictionary<FunctionKey, Dictionary<InitializationType, int>> Inits { get; } = [];

    public void Init(FunctionKey f, InitializationType type)
    {
        var inits = Inits.TryGetValue(f, out var i) ? i : Inits[f] = [];
        inits[type] = inits.GetValueOrDefault(type) + 1;
    }
}

/// <summary>Writes Lambda log lines in every format the collector reads, and records what they should add up to.</summary>
internal sealed class LogLines(Expected expected)
{
    private int _sequence;

    public string RequestId() => $"{Interlocked.Increment(ref _sequence):D8}-aaaa-4bbb-8ccc-{Guid.NewGuid().ToString("N")[..12]}";

    public IEnumerable<(DateTimeOffset At, string Message)> Invocation(FunctionKey f, DateTimeOffset at, bool cold, bool json)
    {
        var id = RequestId();
        expected.Report(f, at.AddMilliseconds(50), cold);
        if (json)
        {
            if (cold)
            {
                foreach (var line in InitRecords(f, at.AddMilliseconds(-420), "on-demand", 412.5))
                {
                    yield return line;
                }

                expected.Init(f, InitializationType.OnDemand);
            }

            yield return (at, $$$"""{"time":"{{{at:O}}}","type":"platform.start","record":{"requestId":"{{{id}}}","version":"$LATEST"}}""");
            var init = cold ? ",\"initDurationMs\":412.5" : "";
            yield return (at.AddMilliseconds(50), $$$$"""{"time":"{{{{at:O}}}}","type":"platform.report","record":{"requestId":"{{{{id}}}}","status":"success","metrics":{"durationMs":41.2,"billedDurationMs":42,"memorySizeMB":256,"maxMemoryUsedMB":80{{{{init}}}}},"tracing":{"spanId":"0152aa5560163101","type":"X-Amzn-Trace-Id","value":"Root=1-5e7e8131-7ff0aa5532bfb31045d0a3bb;Parent=0152aa5560163101;Sampled=1"}}}""");
        }
        else
        {
            yield return (at, $"START RequestId: {id} Version: $LATEST");
            yield return (at.AddMilliseconds(10), $"{at:yyyy-MM-ddTHH:mm:ss.fffZ}\t{id}\tinfo\tOrder processed");
            yield return (at.AddMilliseconds(49), $"END RequestId: {id}");
            var init = cold ? "\tInit Duration: 401.10 ms" : "";
            yield return (at.AddMilliseconds(50), $"REPORT RequestId: {id}\tDuration: 38.12 ms\tBilled Duration: 39 ms\tMemory Size: 256 MB\tMax Memory Used: 81 MB{init}\t");
        }
    }

    /// <summary>Lambda's .NET text format with an exception; the number differs, the fingerprint does not.</summary>
    public (DateTimeOffset, string) DotNetTextError(FunctionKey f, DateTimeOffset at, int order)
    {
        expected.Error(f, "System.InvalidOperationException");
        return (at, $"{at:yyyy-MM-ddTHH:mm:ss.fffZ}\t{RequestId()}\tfail\tSystem.InvalidOperationException: Order {order} failed\n   at Shop.Orders.Place(Order order) in /src/Orders.cs:line 42\n   at Shop.Function.Handler(Request r) in /src/Function.cs:line 17");
    }

    /// <summary>Lambda's JSON format record for an unhandled error.</summary>
    public (DateTimeOffset, string) LambdaJsonError(FunctionKey f, DateTimeOffset at)
    {
        expected.Error(f, "TimeoutError");
        return (at, $$"""{"timestamp":"{{at:O}}","level":"Error","requestId":"{{RequestId()}}","errorType":"TimeoutError","errorMessage":"Upstream call timed out after 3000 ms","stackTrace":["at Shop.Http.Send (/var/task/http.js:10:11)","at Shop.Handler (/var/task/index.js:5:3)"]}""");
    }

    /// <summary>An Observe.Instrumentation JSON log line: the exception's text under <c>exception</c>.</summary>
    public (DateTimeOffset, string) ObserveJsonError(FunctionKey f, DateTimeOffset at)
    {
        expected.Error(f, "Shop.PaymentDeclinedException");
        return (at, $$"""{"timestamp":"{{at:O}}","level":"Error","message":"Payment failed for {OrderId}","category":"Shop.Payments","requestId":"{{RequestId()}}","traceId":"Root=1-5e7e8131-7ff0aa5532bfb31045d0a3bb","exception":"Shop.PaymentDeclinedException: Card 4111 declined\n   at Shop.Payments.Charge(Card c) in /src/Payments.cs:line 88"}""");
    }

    /// <summary>Powertools for AWS Lambda (.NET) style: the exception as an object.</summary>
    public (DateTimeOffset, string) PowertoolsJsonError(FunctionKey f, DateTimeOffset at)
    {
        expected.Error(f, "System.ArgumentNullException");
        return (at, $$$"""{"cold_start":false,"function_name":"{{{f.Name}}}","function_request_id":"{{{RequestId()}}}","level":"Error","service":"orders","message":"Something failed","exception":{"type":"System.ArgumentNullException","message":"Value cannot be null. (Parameter 'customerId')","stackTrace":"   at Shop.Customers.Find(String customerId)"}}""");
    }

    /// <summary>
    /// A provisioned-concurrency environment's init, as Lambda logs it in the JSON format ahead of any invocation:
    /// its first REPORT then carries no init duration.
    /// </summary>
    public IEnumerable<(DateTimeOffset At, string Message)> ProvisionedInit(FunctionKey f, DateTimeOffset at)
    {
        expected.Init(f, InitializationType.ProvisionedConcurrency);
        return InitRecords(f, at, "provisioned-concurrency", 1890.25);
    }

    /// <summary>An init report cut short (no metrics): counted as skipped, never stored as a guess.</summary>
    public (DateTimeOffset, string) MalformedInitReport(FunctionKey f, DateTimeOffset at)
    {
        expected.Skip(f);
        return (at, $$$"""{"time":"{{{at:O}}}","type":"platform.initReport","record":{"initializationType":"on-demand","phase":"init","status":"success"}}""");
    }

    private static IEnumerable<(DateTimeOffset At, string Message)> InitRecords(FunctionKey f, DateTimeOffset start, string type, double durationMs)
    {
        var end = start.AddMilliseconds(durationMs);
        yield return (start, $$$"""{"time":"{{{start:O}}}","type":"platform.initStart","record":{"initializationType":"{{{type}}}","phase":"init","runtimeVersion":"dotnet:8.v32","runtimeVersionArn":"arn:aws:lambda:{{{f.Region}}}::runtime:6f3c7a2e","functionName":"{{{f.Name}}}","functionVersion":"$LATEST"}}""");
        yield return (end, $$$$"""{"time":"{{{{end:O}}}}","type":"platform.initReport","record":{"initializationType":"{{{{type}}}}","phase":"init","status":"success","metrics":{"durationMs":{{{{durationMs.ToString(System.Globalization.CultureInfo.InvariantCulture)}}}}}}}""");
    }

    public (DateTimeOffset, string) MalformedReport(FunctionKey f, DateTimeOffset at)
    {
        expected.Skip(f);
        return (at, "REPORT RequestId: \tDuration: cut");
    }

    public (DateTimeOffset, string) TruncatedJsonReport(FunctionKey f, DateTimeOffset at)
    {
        expected.Skip(f);
        return (at, """{"time":"2026-11-22T10:00:00.000Z","type":"platform.report","record":{"requestId":"r-1","metrics":{"durationMs":""");
    }
}

/// <summary>Seeds moto's CloudWatch Logs and the store's inventory, then runs the collector against them.</summary>
internal static class LogsFleet
{
    public static async Task PutEventsAsync(MotoSeeder seed, string region, string group, string stream, IEnumerable<(DateTimeOffset At, string Message)> events, bool createGroup)
    {
        if (createGroup)
        {
            await seed.LogsAsync(region, "CreateLogGroup", new JsonObject { ["logGroupName"] = group });
        }

        await seed.LogsAsync(region, "CreateLogStream", new JsonObject { ["logGroupName"] = group, ["logStreamName"] = stream });
        var list = new JsonArray();
        foreach (var (at, message) in events.OrderBy(e => e.At))
        {
            list.Add(new JsonObject { ["timestamp"] = at.ToUnixTimeMilliseconds(), ["message"] = message });
        }

        await seed.LogsAsync(region, "PutLogEvents", new JsonObject { ["logGroupName"] = group, ["logStreamName"] = stream, ["logEvents"] = list });
    }

    public static Task AddInventoryAsync(IObserveStore store, IEnumerable<FunctionKey> functions) =>
        store.UpsertFunctionsAsync(functions.Select(f => new LambdaFunction
        {
            Key = f,
            Arn = $"arn:aws:lambda:{f.Region}:{f.AccountId}:function:{f.Name}",
            Runtime = "dotnet8",
            MemoryMb = 256,
            LastSeen = DateTimeOffset.UtcNow,
        }).ToList(), CancellationToken.None);

    public static LogsCollector Collector(IAwsClientFactory clients, IObserveStore store, TimeProvider time, LogsCollectorOptions? options = null) =>
        new(clients, store, store, store, store, store, Options.Create(options ?? new LogsCollectorOptions()), time, NullLogger<LogsCollector>.Instance);

    /// <summary>Asserts the store holds exactly what was seeded for these functions.</summary>
    public static async Task AssertStoreEqualsSeededAsync(IObserveStore store, Expected expected, IReadOnlyCollection<FunctionKey> functions, TimeRange range)
    {
        foreach (var f in functions)
        {
            var reports = await store.GetInvocationReportsAsync(f, range, coldStartsOnly: false, 100_000, CancellationToken.None);
            Assert.Equal(expected.Reports.GetValueOrDefault(f), reports.Count);

            var series = await store.GetFunctionSeriesAsync(f, range, SeriesResolution.Minute, CancellationToken.None);
            var seededCold = expected.ColdStarts.Where(c => c.Key.Function == f).ToDictionary(c => c.Key.Minute, c => (double)c.Value);
            var storedCold = series.Where(b => b.ColdStarts > 0).ToDictionary(b => b.Start, b => b.ColdStarts);
            Assert.Equal(seededCold.OrderBy(c => c.Key), storedCold.OrderBy(c => c.Key));

            var groups = (await store.GetErrorGroupsAsync(new FleetFilter(f.AccountId, f.Region), range, 1000, CancellationToken.None)).Where(g => g.Function == f);
            var seededErrors = expected.Errors.GetValueOrDefault(f) ?? [];
            Assert.Equal(seededErrors.OrderBy(e => e.Key), groups.ToDictionary(g => g.ErrorType, g => g.Count).OrderBy(e => e.Key));

            // Init reports by type, each stored once however often the passes read it; none for the text format.
            var coldStarts = (await store.GetColdStartsAsync(new FleetFilter(f.AccountId, f.Region), range, CancellationToken.None)).SingleOrDefault(c => c.Function == f);
            var storedInits = coldStarts?.InitEventsMs.ToDictionary(e => e.Key, e => e.Value.Count) ?? [];
            Assert.Equal((expected.Inits.GetValueOrDefault(f) ?? []).OrderBy(e => e.Key), storedInits.OrderBy(e => e.Key));
        }
    }
}
