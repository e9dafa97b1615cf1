using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Observe.Collectors.Tests.Infrastructure;
using Observe.Collectors.Tests.Inventory;
using Observe.Store;
using Observe.Store.Model;

namespace Observe.Dashboard.Tests.Browser;

/// <summary>
/// A dashboard over a store filled by its own collectors from moto, for browser tests of what real collection
/// produces (as opposed to <see cref="DashboardFixture"/>'s demo fleet).
/// </summary>
/// <remarks>
/// <para>
/// On start it seeds <see cref="MotoFleet"/> into moto (two fresh accounts, three targets, 34 functions with their
/// whole configuration: owner tags, some hostile, layers, a secret environment variable, one unowned on a deprecated
/// runtime; CloudWatch alarms in ALARM with a <c>&lt;script&gt;</c>
/// reason, INSUFFICIENT_DATA and OK; Lambda log events and X-Ray segments, <see cref="MotoInvestigation"/>), starts
/// the dashboard in-process on a free port over a temp SQLite store with the collectors in-process pointed at moto
/// (fixed base credentials, roles assumed into each account, as in production config; the logs and traces collectors
/// with their default settings but a 10 s cadence; <see cref="MotoXRayGaps"/> answering the two X-Ray calls moto
/// lacks), then waits, by the store's change notifications, until the collectors have written every seeded function
/// (with its tags and layers), alarm, invocation report, error group, trace and the service graph. Only then do tests
/// run, so a test never races the first pass.
/// </para>
/// <para>
/// API for tests: <see cref="BaseUrl"/> (the dashboard), <see cref="Browser"/> (headless Chromium),
/// <see cref="NewPageAsync"/> (a 1440x900 page that accepts downloads), <see cref="Store"/> (read the store to compute expected figures
/// independently of the view models), <see cref="Fleet"/> (what was seeded: accounts, regions, functions and alarms by
/// name, so tests assert on names rather than on counts they restate). moto is shared by the whole test run: the
/// accounts are fresh per fixture and nothing is ever reset. Use it with <c>IClassFixture&lt;MotoFleetFixture&gt;</c>.
/// </para>
/// </remarks>
public sealed class MotoFleetFixture : IAsyncLifetime
{
    // Long enough for a loaded machine's first two metrics passes (a minute apart); a failure says what was missing,
    // not only "timed out".
    private static readonly TimeSpan FirstPassesTimeout = TimeSpan.FromSeconds(150);

    private readonly BrowserDashboard _host = new();

    public Uri BaseUrl => _host.BaseUrl;

    public IBrowser Browser => _host.Browser;

    /// <summary>The dashboard's store, as its collectors filled it.</summary>
    public IObserveStore Store => _host.App.Services.GetRequiredService<IObserveStore>();

    /// <summary>What was seeded into moto.</summary>
    public MotoFleet Fleet { get; } = new();

    /// <summary>The X-Ray answers moto lacks, given in its place (filtered trace summaries, the recorded service graph).</summary>
    internal MotoXRayGaps XRayGaps { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Fleet.SeedAsync();

        var app = _host.Build(Settings(), builder =>
        {
            var investigation = Fleet.Investigation;
            XRayGaps = new MotoXRayGaps(new ProvisionedConcurrencyTransport(), "eu-west-1", investigation.GraphWindowStart, investigation.RecordedServiceGraph());
            MotoDashboard.UseMoto(builder, XRayGaps);
        });

        var firstPasses = new FirstPasses(app.Services.GetRequiredService<IObserveStore>(), Fleet);
        var collected = new StoreWait(
            StoreChangeKind.Functions | StoreChangeKind.Alarms | StoreChangeKind.Metrics | StoreChangeKind.Invocations | StoreChangeKind.Errors | StoreChangeKind.Traces,
            firstPasses.MissingAsync);
        await MotoDashboard.StartAndWaitAsync(_host, collected, FirstPassesTimeout, "the moto fleet");

        await _host.LaunchChromiumAsync();
    }

    /// <summary>A new 1440x900 page in a fresh context that accepts downloads; closed with the browser.</summary>
    public async Task<IPage> NewPageAsync()
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1440, Height = 900 }, AcceptDownloads = true });
        return await context.NewPageAsync();
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        Fleet.Dispose();
    }

    private Dictionary<string, string?> Settings()
    {
        var settings = new Dictionary<string, string?>(MotoDashboard.Settings())
        {
            ["Observe:Aws:Retry:MaxAttempts"] = "3",
            ["Observe:Aws:Retry:TransientBaseDelay"] = "00:00:00.010",
            ["Observe:Aws:Retry:TransientMaxDelay"] = "00:00:00.100",

            // The metrics collector's first pass may run before the inventory's has written the image whose Insights
            // it must learn about; starting at once and listing and reading every minute, with a window over the
            // seeded minutes, lets its second pass (a minute later) catch them instead of the production cadence's
            // 15 minutes later.
            ["Observe:Collectors:StartSpread"] = "00:00:00",
            ["Observe:Collectors:Metrics:ColdInterval"] = "00:01:00",
            ["Observe:Collectors:Metrics:ActivityRefreshInterval"] = "00:01:00",
            ["Observe:Collectors:Metrics:LateDataWindow"] = "00:20:00",

            // The logs and traces collectors keep their defaults but the cadence: their first pass may run before the
            // inventory's, and then reads no function; the next one comes 10 s later instead of a minute.
            ["Observe:Collectors:Logs:Interval"] = "00:00:10",
            ["Observe:Collectors:Traces:Interval"] = "00:00:10",
        };
        var accounts = Fleet.Targets.GroupBy(t => t.AccountId).ToList();
        for (var i = 0; i < accounts.Count; i++)
        {
            settings[$"Observe:Aws:Accounts:{i}:AccountId"] = accounts[i].Key;
            settings[$"Observe:Aws:Accounts:{i}:Name"] = i == 0 ? "moto-prod" : "moto-dev";
            settings[$"Observe:Aws:Accounts:{i}:RoleArn"] = Moto.RoleArn(accounts[i].Key);
            var regions = accounts[i].Select(t => t.Region).ToList();
            for (var r = 0; r < regions.Count; r++)
            {
                settings[$"Observe:Aws:Accounts:{i}:Regions:{r}"] = regions[r];
            }
        }

        return settings;
    }

    /// <summary>
    /// What the store lacks of the fleet: every seeded function (with its tags and layers), every seeded alarm in its
    /// seeded state, the image's Lambda Insights minutes, and what <see cref="MissingInvestigationAsync"/> names.
    /// </summary>
    private sealed class FirstPasses(IObserveStore store, MotoFleet fleet)
    {
        public async Task<IReadOnlyList<string>> MissingAsync()
        {
            var functions = (await store.GetFunctionsAsync(FleetFilter.All, CancellationToken.None)).ToDictionary(f => f.Key);
            var alarms = (await store.GetAlarmsAsync(FleetFilter.All, null, CancellationToken.None)).ToDictionary(a => a.Arn, a => a.State, StringComparer.Ordinal);
            // Tags and layers too: the pages' facets and detail sections must not race the inventory's detail reads.
            var missing = fleet.Functions
                .Where(f => !functions.TryGetValue(f.Key, out var stored) || stored.Tags.Count != f.Tags.Count || stored.Layers.Count != f.Layers.Count)
                .Select(f => $"function {f.Key}")
                .Concat(fleet.Alarms.Where(a => !alarms.TryGetValue(a.Arn, out var state) || state != a.State).Select(a => $"alarm {a.Name} in {a.State}"))
                .ToList();
            var image = fleet.InsightsImage.Key;
            var seeded = fleet.InsightsUsedMemory;
            var series = await store.GetFunctionSeriesAsync(image, new TimeRange(seeded.Keys.Min(), seeded.Keys.Max().AddMinutes(1)), SeriesResolution.Minute, CancellationToken.None);
            if (series.Count(b => b.InsightsUsedMemoryMaxMb is not null) < seeded.Count)
            {
                missing.Add($"Lambda Insights of {image} ({series.Count} of its {seeded.Count} minutes stored, {series.Count(b => b.InsightsUsedMemoryMaxMb is not null)} with Insights)");
            }

            missing.AddRange(await MissingInvestigationAsync());
            return missing;
        }

        /// <summary>
        /// What the logs and traces collectors have not stored yet: each seeded function's reports, each seeded error
        /// group with all its occurrences, each trace with its subsegments, and the payments worker's service graph.
        /// </summary>
        private async Task<List<string>> MissingInvestigationAsync()
        {
            var seeded = fleet.Investigation;
            var range = new TimeRange(seeded.Now.AddMinutes(-30), DateTimeOffset.UtcNow.AddMinutes(1));
            var missing = new List<string>();
            foreach (var (function, all, cold) in seeded.Reports)
            {
                var reports = await store.GetInvocationReportsAsync(function, range, false, 1000, CancellationToken.None);
                if (reports.Count != all || reports.Count(r => r.InitDurationMs is not null) != cold)
                {
                    missing.Add($"reports of {function} ({reports.Count} of {all} stored)");
                }
            }

            var groups = await store.GetErrorGroupsAsync(FleetFilter.All, range, 1000, CancellationToken.None);
            missing.AddRange(seeded.Errors.Append(seeded.Recurring)
                .Where(e => !groups.Any(g => g.Function == e.Function && g.ErrorType == e.ErrorType && g.Count == e.Count))
                .Select(e => $"error {e.ErrorType} x{e.Count} of {e.Function}"));
            foreach (var trace in seeded.Traces)
            {
                var tree = await store.GetTraceAsync(trace.TraceId, CancellationToken.None);
                if (tree is null || !trace.Subsegments.All(name => tree.Segments.Any(s => s.Name == name)))
                {
                    missing.Add($"trace {trace.TraceId} of {trace.Function.Name}");
                }
            }

            var graph = await store.GetServiceGraphAsync(new FleetFilter(fleet.Production, "eu-west-1"), range, CancellationToken.None);
            if (graph.Nodes.Count == 0)
            {
                missing.Add("the payments worker's service graph");
            }

            return missing;
        }
    }
}

/// <summary>
/// The fleet <see cref="MotoFleetFixture"/> seeds into moto: two fresh accounts (ids start with 39), three targets and
/// 34 functions, 28 of them in the production account, so the Functions grid's smallest page (25 rows) pages even
/// with that account picked. Memory sizes repeat, so a sort by memory also orders ties. One is a container image
/// that publishes Lambda Insights metrics (<see cref="InsightsImage"/>, <see cref="InsightsUsedMemory"/>).
/// </summary>
public sealed class MotoFleet : IDisposable
{
    /// <summary>The reason of the alarm in ALARM: hostile markup that must render as text.</summary>
    public const string HostileReason = "Threshold Crossed: <script>alert('reason')</script> 3 datapoints were >= 1.0";

    /// <summary>A tag value that must render as text wherever tags are shown.</summary>
    public const string HostileTag = "<script>alert('tag')</script>";

    /// <summary>An owner tag value: shown in the owner facet, the grid and the CSV, always as text.</summary>
    public const string HostileOwner = "<b>ops</b><script>alert('owner')</script>";

    /// <summary>The layer each target publishes and some of its functions use.</summary>
    public const string SharedLayer = "shared-deps";

    private static readonly string[] Runtimes = ["nodejs22.x", "python3.13", "java21", "python3.12"];
    private static readonly int[] Memories = [128, 512, 1024, 1769, 256, 3008, 512];
    private static readonly int[] Timeouts = [3, 30, 60, 900, 15];
    private static readonly string?[] Owners = ["team-orders", "team-search", null, HostileOwner, "team-payments"];

    private readonly List<MotoSeeder> _seeders = [];
    private readonly Dictionary<DateTimeOffset, double> _insightsUsedMemory = [];
    private readonly Dictionary<string, MotoLambda> _lambdas = new(StringComparer.Ordinal);

    public MotoFleet()
    {
        Production = "39" + Random.Shared.NextInt64(10_000_000_000).ToString("D10", CultureInfo.InvariantCulture);
        Development = "39" + Random.Shared.NextInt64(10_000_000_000).ToString("D10", CultureInfo.InvariantCulture);
        Secret = "observe-secret-" + Guid.NewGuid().ToString("N");
        Targets = [(Production, "us-east-1"), (Production, "eu-west-1"), (Development, "us-east-1")];
        var environment = new Dictionary<string, string> { ["OBSERVE_TEST_STAGE"] = "stage-" + Guid.NewGuid().ToString("N"), ["OBSERVE_TEST_DB_PASSWORD"] = Secret };
        var functions = new List<SeededFunction>
        {
            new(new FunctionKey(Production, "us-east-1", "orders-api"), "nodejs22.x", new Dictionary<string, string> { ["owner"] = "team-orders" })
            {
                MemoryMb = 256, Architecture = "arm64", Layers = [SharedLayer], Environment = environment,
            },
            new(new FunctionKey(Production, "eu-west-1", "payments-worker"), "java21",
                new Dictionary<string, string> { ["owner"] = "team-payments", ["note"] = HostileTag })
            {
                MemoryMb = 2048, TimeoutSeconds = 120, Environment = environment,
            },
            new(new FunctionKey(Development, "us-east-1", "legacy-report"), "python3.8", new Dictionary<string, string>()),
        };
        // A container image with Lambda Insights built in: no layer says so, its published metrics do.
        functions.Add(new(new FunctionKey(Production, "us-east-1", "thumbnails-image"), null, new Dictionary<string, string> { ["owner"] = "team-search" })
        {
            MemoryMb = 1024, TimeoutSeconds = 60, Environment = environment,
        });
        functions.AddRange(Generated(new FunctionKey(Production, "us-east-1", "checkout"), 14, environment));
        functions.AddRange(Generated(new FunctionKey(Production, "eu-west-1", "ledger"), 11, environment));
        functions.AddRange(Generated(new FunctionKey(Development, "us-east-1", "sandbox"), 4, environment));
        Functions = functions;
        Investigation = new MotoInvestigation(this, DateTimeOffset.UtcNow);
        Alarms =
        [
            Alarm(Functions[0], "orders-api-errors", "Errors", AlarmState.Alarm, HostileReason),
            Alarm(Functions[1], "payments-worker-throttles", "Throttles", AlarmState.Ok, "Threshold Crossed: no datapoints were >= 1.0"),
            Alarm(Functions[2], "legacy-report-duration", "Duration", AlarmState.InsufficientData, "Insufficient Data: 1 datapoint was unknown."),
        ];
    }

    /// <summary>The log events and X-Ray traces seeded for the Errors and Traces pages.</summary>
    public MotoInvestigation Investigation { get; }

    /// <summary>The container image whose Lambda Insights metrics are seeded; no layer shows the extension.</summary>
    public SeededFunction InsightsImage => Functions.Single(f => f.Key.Name == "thumbnails-image");

    /// <summary>The image's seeded <c>used_memory_max</c> per minute (MB), put into moto at seeding.</summary>
    public IReadOnlyDictionary<DateTimeOffset, double> InsightsUsedMemory => _insightsUsedMemory;

    /// <summary>The account with two regions (named moto-prod in the dashboard's configuration).</summary>
    public string Production { get; }

    /// <summary>The account with one region (moto-dev).</summary>
    public string Development { get; }

    /// <summary>An environment variable's value in most functions: a page must never show it.</summary>
    public string Secret { get; }

    public IReadOnlyList<(string AccountId, string Region)> Targets { get; }

    public IReadOnlyList<SeededFunction> Functions { get; }

    public IReadOnlyList<SeededAlarm> Alarms { get; }

    /// <summary>Reads a function back from moto as Lambda's GetFunction answers it, independently of the collectors.</summary>
    public Task<JsonObject> GetFunctionAsync(FunctionKey key) => Lambda(key.AccountId).GetFunctionAsync(key.Region, key.Name);

    public void Dispose()
    {
        foreach (var seeder in _seeders)
        {
            seeder.Dispose();
        }

        foreach (var lambda in _lambdas.Values)
        {
            lambda.Dispose();
        }
    }

    internal async Task SeedAsync()
    {
        foreach (var (accountId, region) in Targets)
        {
            var lambda = Lambda(accountId);
            var layer = await lambda.PublishLayerAsync(region, SharedLayer);
            foreach (var function in Functions.Where(f => f.Key.AccountId == accountId && f.Key.Region == region))
            {
                await lambda.CreateFunctionAsync(function, function.Layers.Count == 0 ? [] : [layer]);
            }
        }

        await SeedInsightsAsync();
        await Investigation.SeedAsync();

        foreach (var alarm in Alarms)
        {
            var seed = Seeder(alarm.Function.Key.AccountId);
            await seed.PutMetricAlarmAsync(alarm.Function.Key.Region, alarm.Name, "AWS/Lambda", alarm.Metric, "FunctionName", alarm.Function.Key.Name);
            await seed.CloudWatchAsync(alarm.Function.Key.Region, "SetAlarmState", new JsonObject
            {
                ["AlarmName"] = alarm.Name,
                ["StateValue"] = alarm.State switch { AlarmState.Alarm => "ALARM", AlarmState.InsufficientData => "INSUFFICIENT_DATA", _ => "OK" },
                ["StateReason"] = alarm.Reason,
            });
        }
    }

    /// <summary>
    /// Invocations of <see cref="InsightsImage"/> over the last ten minutes and the Lambda Insights figures its
    /// built-in extension publishes for them (namespace <c>LambdaInsights</c>, dimension <c>function_name</c>).
    /// </summary>
    private async Task SeedInsightsAsync()
    {
        var key = InsightsImage.Key;
        var end = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 60 * 60);
        var lambda = new JsonArray();
        var insights = new JsonArray();
        for (var ago = 10; ago >= 2; ago--)
        {
            var minute = end.AddMinutes(-ago);
            var used = 300 + (7 * ago);
            lambda.Add(Datum("FunctionName", key.Name, "Invocations", minute, 4));
            insights.Add(Datum("function_name", key.Name, "memory_utilization", minute, Math.Round(100.0 * used / InsightsImage.MemoryMb, 1)));
            insights.Add(Datum("function_name", key.Name, "used_memory_max", minute, used));
            insights.Add(Datum("function_name", key.Name, "cpu_total_time", minute, 90 * ago));
            insights.Add(Datum("function_name", key.Name, "total_network", minute, 12_000 * ago));
            _insightsUsedMemory[minute] = used;
        }

        var seed = Seeder(key.AccountId);
        await seed.CloudWatchAsync(key.Region, "PutMetricData", new JsonObject { ["Namespace"] = "AWS/Lambda", ["MetricData"] = lambda });
        await seed.CloudWatchAsync(key.Region, "PutMetricData", new JsonObject { ["Namespace"] = "LambdaInsights", ["MetricData"] = insights });
    }

    private static JsonObject Datum(string dimension, string function, string metric, DateTimeOffset minute, double value) => new()
    {
        ["MetricName"] = metric,
        ["Dimensions"] = new JsonArray(new JsonObject { ["Name"] = dimension, ["Value"] = function }),
        ["Timestamp"] = minute.AddSeconds(5).ToUnixTimeSeconds(),
        ["Value"] = value,
    };

    /// <summary><paramref name="count"/> functions named <c>{prefix}-01</c>... with their configuration cycling through the lists above.</summary>
    private static IEnumerable<SeededFunction> Generated(FunctionKey prefix, int count, IReadOnlyDictionary<string, string> environment)
    {
        for (var i = 1; i <= count; i++)
        {
            var tags = new Dictionary<string, string> { ["service"] = prefix.Name };
            if (Owners[i % Owners.Length] is { } owner)
            {
                tags["owner"] = owner;
            }

            yield return new SeededFunction(prefix with { Name = $"{prefix.Name}-{i:D2}" }, Runtimes[i % Runtimes.Length], tags)
            {
                MemoryMb = Memories[i % Memories.Length],
                TimeoutSeconds = Timeouts[i % Timeouts.Length],
                Architecture = i % 2 == 0 ? "arm64" : "x86_64",
                Layers = i % 3 == 0 ? [SharedLayer] : [],
                Environment = environment,
            };
        }
    }

    private MotoSeeder Seeder(string accountId)
    {
        var seeder = _seeders.FirstOrDefault(s => s.AccountId == accountId);
        if (seeder is null)
        {
            seeder = new MotoSeeder(accountId);
            _seeders.Add(seeder);
        }

        return seeder;
    }

    private MotoLambda Lambda(string accountId)
    {
        if (!_lambdas.TryGetValue(accountId, out var lambda))
        {
            lambda = new MotoLambda(accountId);
            _lambdas.Add(accountId, lambda);
        }

        return lambda;
    }

    private static SeededAlarm Alarm(SeededFunction function, string name, string metric, AlarmState state, string reason) =>
        new(function, name, $"arn:aws:cloudwatch:{function.Key.Region}:{function.Key.AccountId}:alarm:{name}", metric, state, reason);
}

/// <summary>
/// A function seeded into moto with its configuration: a container image when <see cref="Runtime"/> is null;
/// <see cref="Layers"/> names layers of its own account and region.
/// </summary>
public sealed record SeededFunction(FunctionKey Key, string? Runtime, IReadOnlyDictionary<string, string> Tags)
{
    public int MemoryMb { get; init; } = 256;

    public int TimeoutSeconds { get; init; } = 30;

    public string Architecture { get; init; } = "x86_64";

    public IReadOnlyList<string> Layers { get; init; } = [];

    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();
}

/// <summary>A metric alarm seeded into moto on one function's metric, set to <see cref="State"/> with <see cref="Reason"/>.</summary>
public sealed record SeededAlarm(SeededFunction Function, string Name, string Arn, string Metric, AlarmState State, string Reason);
