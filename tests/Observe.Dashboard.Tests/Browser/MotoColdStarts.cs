using System.Text.Json.Nodes;
using Observe.Collectors.Tests.Infrastructure;
using Observe.Store.Model;

namespace Observe.Dashboard.Tests.Browser;

/// <summary>
/// What the Cold starts page reads, seeded into moto for <see cref="MotoColdStartsFixture"/> in the shapes Lambda writes
/// it: one fresh account, six functions in eu-west-1 and their log events (PutLogEvents). Text-format functions log
/// START, END and REPORT lines, with <c>Init Duration</c> on a cold start; JSON-format functions log
/// <c>platform.initStart</c>, <c>platform.initReport</c> (on-demand, provisioned-concurrency, snap-start) and
/// <c>platform.report</c> records, with <c>initDurationMs</c> on an on-demand cold start and <c>restoreDurationMs</c> on
/// a SnapStart restore. One Python function's init fails on an import whose name holds <c>&lt;script&gt;</c>: the
/// init report says error with that error type, and the runtime logs the error. Timestamps lie in the ten minutes
/// before seeding, inside the logs collector's first look back (15 minutes by default). No function name holds markup:
/// Lambda refuses such names (moto accepts one at CreateFunction but then answers its GetFunction with 404);
/// <see cref="ColdStartsBrowserTests.ColdStarts_HostileFunctionName_RendersAsText"/> writes one into a store of its own.
/// </summary>
/// <remarks>
/// Each function's figures (<see cref="SeededColdStartFunction.Reports"/>, <see cref="SeededColdStartFunction.Inits"/>)
/// are the facts its lines were written from, so tests compute the page's expected figures from them, not from the
/// store or the view models.
/// </remarks>
public sealed class MotoColdStarts
{
    /// <summary>The module a Python function fails to import at init: hostile markup that must never run.</summary>
    public const string HostileModule = "<script>window.__coldPwned=1</script>";

    /// <summary>The error message the Python runtime logs for the failed init.</summary>
    public const string HostileInitMessage = $"Unable to import module 'app': No module named '{HostileModule}'";

    /// <summary>The init report's error type of the failed init, as the page must never run it either.</summary>
    public const string HostileInitErrorType = "Runtime.ImportModuleError<img src=x onerror=\"window.__coldPwned=2\">";

    public const string Region = "eu-west-1";

    private readonly List<SeededColdStartFunction> _functions = [];

    public MotoColdStarts(DateTimeOffset now)
    {
        AccountId = "37" + Random.Shared.NextInt64(10_000_000_000).ToString("D10", System.Globalization.CultureInfo.InvariantCulture);
        Now = now;

        // On-demand cold starts in the text format: the type cannot be known (no init report), so "unknown".
        Text("checkout-node", "nodejs22.x", 1024, "arm64", now.AddMinutes(-9), [412.37, null, null, 655.1, null, 198.64, null]);

        // On-demand cold starts in the JSON format: each with its init report, so their type is known.
        Json("ledger-java", "java21", 2048, "x86_64", f =>
        {
            f.ColdStart(now.AddMinutes(-8), 1480.5);
            f.Warm(now.AddMinutes(-8).AddSeconds(20));
            f.Warm(now.AddMinutes(-8).AddSeconds(40));
            f.ColdStart(now.AddMinutes(-7), 2210.25);
            f.Warm(now.AddMinutes(-7).AddSeconds(30));
        });

        // A failed init (its report says error, the runtime logs the error, the invocation fails without an Init
        // Duration), then a good cold start and a warm invocation once the package was fixed.
        Json("importer-py", "python3.13", 512, "x86_64", f =>
        {
            f.FailedInit(now.AddMinutes(-6), 611.2);
            f.ColdStart(now.AddMinutes(-5), 350.8);
            f.Warm(now.AddMinutes(-5).AddSeconds(15));
        });

        // Provisioned concurrency: two environments initialised ahead of any call, then invoked warm.
        Json("quotes-dotnet", "dotnet8", 1024, "arm64", f =>
        {
            f.Init(now.AddMinutes(-9), InitializationType.ProvisionedConcurrency, 820.4);
            f.Init(now.AddMinutes(-9).AddSeconds(2), InitializationType.ProvisionedConcurrency, 905.75);
            for (var i = 0; i < 4; i++)
            {
                f.Warm(now.AddMinutes(-4).AddSeconds(10 * i));
            }
        });

        // SnapStart: the snapshot's init when the version was published, then two restores and two warm invocations.
        Json("pricing-snap", "java21", 2048, "x86_64", f =>
        {
            f.Init(now.AddMinutes(-10), InitializationType.SnapStart, 3120.6);
            f.Restore(now.AddMinutes(-3), 287.4);
            f.Warm(now.AddMinutes(-3).AddSeconds(10));
            f.Restore(now.AddMinutes(-2), 301.92);
            f.Warm(now.AddMinutes(-2).AddSeconds(10));
        });

        // Only warm invocations: they count in the rate's denominator.
        Text("healthcheck-py", "python3.12", 128, "x86_64", now.AddMinutes(-6), [null, null, null]);
    }

    /// <summary>The fresh account every function is in.</summary>
    public string AccountId { get; }

    /// <summary>When the seeding was planned; every event lies in the ten minutes before it.</summary>
    public DateTimeOffset Now { get; }

    public IReadOnlyList<SeededColdStartFunction> Functions => _functions;

    /// <summary>The function whose init failed on the hostile import.</summary>
    public SeededColdStartFunction FailedInit => _functions.Single(f => f.Inits.Any(i => i.Status != "success"));

    /// <summary>Creates the functions and puts their log events into moto.</summary>
    internal async Task SeedAsync()
    {
        using var seed = new MotoSeeder(AccountId);
        using var lambda = new MotoLambda(AccountId);
        foreach (var function in _functions)
        {
            await lambda.CreateFunctionAsync(
                new SeededFunction(function.Key, function.Runtime, new Dictionary<string, string>()) { MemoryMb = function.MemoryMb, Architecture = function.Architecture }, []);
            await seed.PutLogEventsAsync(Region, "/aws/lambda/" + function.Key.Name, "2026/12/04/[$LATEST]" + Guid.NewGuid().ToString("N"), function.Lines);
        }
    }

    /// <summary>A function logging in Lambda's text format: one invocation per entry, a cold start where it has an init duration.</summary>
    private void Text(string name, string runtime, int memoryMb, string architecture, DateTimeOffset start, double?[] inits)
    {
        var function = Add(name, runtime, memoryMb, architecture, json: false);
        for (var i = 0; i < inits.Length; i++)
        {
            var at = start.AddSeconds(15 * i);
            var id = Guid.NewGuid().ToString();
            var init = inits[i] is { } ms ? FormattableString.Invariant($"Init Duration: {ms:0.00} ms\t") : "";
            function.Log(at.AddMilliseconds(-40), $"START RequestId: {id} Version: $LATEST");
            function.Log(at.AddMilliseconds(-1), $"END RequestId: {id}");
            function.Log(at, FormattableString.Invariant(
                $"REPORT RequestId: {id}\tDuration: {23.5 + i:0.00} ms\tBilled Duration: {24 + i} ms\tMemory Size: {memoryMb} MB\tMax Memory Used: 71 MB\t{init}"));
            function.Report(inits[i], null, "success");
        }
    }

    private void Json(string name, string runtime, int memoryMb, string architecture, Action<SeededColdStartFunction> invocations) =>
        invocations(Add(name, runtime, memoryMb, architecture, json: true));

    private SeededColdStartFunction Add(string name, string runtime, int memoryMb, string architecture, bool json)
    {
        var function = new SeededColdStartFunction(new FunctionKey(AccountId, Region, name), runtime, memoryMb, architecture, json);
        _functions.Add(function);
        return function;
    }
}

/// <summary>
/// One seeded function: its configuration, its log lines, and the facts they were written from — every invocation
/// report's init and restore durations, and every init report.
/// </summary>
public sealed class SeededColdStartFunction(FunctionKey key, string runtime, int memoryMb, string architecture, bool json)
{
    private readonly List<(DateTimeOffset At, string Message)> _lines = [];
    private readonly List<(double? InitMs, double? RestoreMs, string Status)> _reports = [];
    private readonly List<(InitializationType Type, double DurationMs, string Status)> _inits = [];

    public FunctionKey Key { get; } = key;

    public string Runtime { get; } = runtime;

    public int MemoryMb { get; } = memoryMb;

    public string Architecture { get; } = architecture;

    /// <summary>Logs in Lambda's JSON format (platform records); otherwise the text format.</summary>
    public bool Json { get; } = json;

    public IReadOnlyList<(DateTimeOffset At, string Message)> Lines => _lines;

    /// <summary>Every invocation report: its Init Duration (a cold start) and Restore Duration (a SnapStart restore).</summary>
    public IReadOnlyList<(double? InitMs, double? RestoreMs, string Status)> Reports => _reports;

    /// <summary>Every <c>platform.initReport</c>: how the environment was initialised, how long it took and how it ended.</summary>
    public IReadOnlyList<(InitializationType Type, double DurationMs, string Status)> Inits => _inits;

    internal void Log(DateTimeOffset at, string message) => _lines.Add((at, message));

    internal void Report(double? initMs, double? restoreMs, string status) => _reports.Add((initMs, restoreMs, status));

    /// <summary>An on-demand cold start in the JSON format: the init records, then the invocation's report with its init duration.</summary>
    internal void ColdStart(DateTimeOffset at, double initMs)
    {
        Init(at.AddMilliseconds(-60), InitializationType.OnDemand, initMs);
        Invocation(at, initMs, null, "success");
    }

    internal void Warm(DateTimeOffset at) => Invocation(at, null, null, "success");

    internal void Restore(DateTimeOffset at, double restoreMs) => Invocation(at, null, restoreMs, "success");

    /// <summary>
    /// An init that failed importing <see cref="MotoColdStarts.HostileModule"/>: the init report says error with its
    /// type, the runtime logs the error in the JSON format, and the invocation's report says error, with no Init Duration.
    /// </summary>
    internal void FailedInit(DateTimeOffset at, double initMs)
    {
        Init(at.AddMilliseconds(-60), InitializationType.OnDemand, initMs, "error", MotoColdStarts.HostileInitErrorType);
        Log(at.AddMilliseconds(-20), new JsonObject
        {
            ["timestamp"] = BrowserTime.LogTimestamp(at.AddMilliseconds(-20)),
            ["level"] = "ERROR",
            ["errorType"] = "Runtime.ImportModuleError",
            ["errorMessage"] = MotoColdStarts.HostileInitMessage,
            ["stackTrace"] = new JsonArray(),
        }.ToJsonString());
        Invocation(at, null, null, "error");
    }

    /// <summary>An environment's initialisation in the JSON format: <c>platform.initStart</c>, then <c>platform.initReport</c> when it ends.</summary>
    internal void Init(DateTimeOffset end, InitializationType type, double durationMs, string status = "success", string? errorType = null)
    {
        var token = type switch
        {
            InitializationType.ProvisionedConcurrency => "provisioned-concurrency",
            InitializationType.SnapStart => "snap-start",
            _ => "on-demand",
        };
        var start = end.AddMilliseconds(-durationMs);
        Log(start, Platform(start, "platform.initStart", new JsonObject
        {
            ["initializationType"] = token,
            ["phase"] = "init",
            ["runtimeVersion"] = $"{Runtime}.v12",
            ["functionName"] = Key.Name,
            ["functionVersion"] = "$LATEST",
        }));
        var record = new JsonObject
        {
            ["initializationType"] = token,
            ["phase"] = "init",
            ["status"] = status,
            ["metrics"] = new JsonObject { ["durationMs"] = durationMs },
        };
        if (errorType is not null)
        {
            record["errorType"] = errorType;
        }

        Log(end, Platform(end, "platform.initReport", record));
        _inits.Add((type, durationMs, status));
    }

    private void Invocation(DateTimeOffset at, double? initMs, double? restoreMs, string status)
    {
        var metrics = new JsonObject { ["durationMs"] = 31.25, ["billedDurationMs"] = 32, ["memorySizeMB"] = MemoryMb, ["maxMemoryUsedMB"] = 96 };
        if (initMs is { } init)
        {
            metrics["initDurationMs"] = init;
        }

        if (restoreMs is { } restore)
        {
            metrics["restoreDurationMs"] = restore;
            metrics["billedRestoreDurationMs"] = Math.Ceiling(restore / 2);
        }

        var record = new JsonObject { ["requestId"] = Guid.NewGuid().ToString(), ["metrics"] = metrics, ["status"] = status };
        if (status != "success")
        {
            record["errorType"] = "Runtime.ImportModuleError";
        }

        Log(at, Platform(at, "platform.report", record));
        Report(initMs, restoreMs, status);
    }

    private static string Platform(DateTimeOffset at, string type, JsonObject record) =>
        new JsonObject { ["time"] = BrowserTime.LogTimestamp(at), ["type"] = type, ["record"] = record }.ToJsonString();
}
