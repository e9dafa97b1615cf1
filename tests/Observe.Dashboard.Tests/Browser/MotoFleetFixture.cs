using System.Globalization;
using System.Text.Json.Nodes;
using Amazon.Runtime;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Playwright;
using Observe.Collectors.Aws;
using Observe.Collectors.Tests.Infrastructure;
using Observe.Collectors.Tests.Inventory;
using Observe.Dashboard.Tests.Hosting;
using Observe.Store;
using Observe.Store.Model;

namespace Observe.Dashboard.Tests.Browser;

/// <summary>
/// A dashboard over a store filled by its own collectors from moto, for browser tests of what real collection
/// produces (as opposed to <see cref="DashboardFixture"/>'s demo fleet).
/// </summary>
/// <remarks>
/// <para>
/// On start it seeds <see cref="MotoFleet"/> into moto (two fresh accounts, three targets: functions with owner tags,
/// one with a hostile tag, one unowned on a deprecated runtime; CloudWatch alarms in ALARM with a <c>&lt;script&gt;</c>
/// reason, INSUFFICIENT_DATA and OK), starts the dashboard in-process on a free port over a temp SQLite store with the
/// collectors in-process pointed at moto (fixed base credentials, roles assumed into each account, as in production
/// config), then waits, by the store's change notifications, until the inventory and alarms collectors have written
/// every seeded function and alarm. Only then do tests run, so a test never races the first pass.
/// </para>
/// <para>
/// API for tests: <see cref="BaseUrl"/> (the dashboard), <see cref="Browser"/> (headless Chromium),
/// <see cref="NewPageAsync"/> (a 1440x900 page), <see cref="Store"/> (read the store to compute expected figures
/// independently of the view models), <see cref="Fleet"/> (what was seeded: accounts, regions, functions and alarms by
/// name, so tests assert on names rather than on counts they restate). moto is shared by the whole test run: the
/// accounts are fresh per fixture and nothing is ever reset. Use it with <c>IClassFixture&lt;MotoFleetFixture&gt;</c>.
/// </para>
/// </remarks>
public sealed class MotoFleetFixture : IAsyncLifetime
{
    private const string ChromiumVariable = "OBSERVE_TEST_CHROMIUM";

    // Long enough for a loaded machine's first passes; a failure says what was missing, not only "timed out".
    private static readonly TimeSpan FirstPassesTimeout = TimeSpan.FromSeconds(90);

    private readonly TempDirectory _directory = new();
    private WebApplication? _app;
    private IPlaywright? _playwright;

    public Uri BaseUrl { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>The dashboard's store, as its collectors filled it.</summary>
    public IObserveStore Store => _app!.Services.GetRequiredService<IObserveStore>();

    /// <summary>What was seeded into moto.</summary>
    public MotoFleet Fleet { get; } = new();

    public async Task InitializeAsync()
    {
        var chromium = Environment.GetEnvironmentVariable(ChromiumVariable);
        if (string.IsNullOrEmpty(chromium) || !File.Exists(chromium))
        {
            throw new InvalidOperationException(
                $"{ChromiumVariable} is not set to a Chromium executable (it is '{chromium}'). Run the tests through scripts/test.sh, " +
                "which installs Chromium and exports it, or `source .peers/env` first.");
        }

        await Fleet.SeedAsync();

        _app = DashboardHost.Build(_directory.Path, Settings(), builder =>
        {
            // Fixed base credentials (no machine credentials are read), each account reached by AssumeRole and checked
            // through STS, as production does; and the one Lambda call moto lacks answered from the API reference.
            builder.Services.AddSingleton(sp => new AwsCredentialsProvider(
                sp.GetRequiredService<IOptions<AwsOptions>>(), sp.GetRequiredService<AwsEndpointResolver>(), sp.GetRequiredService<AwsUsageMeter>(),
                sp.GetRequiredService<ILogger<AwsCredentialsProvider>>(),
                (_, _) => Task.FromResult<AWSCredentials>(new BasicAWSCredentials("AKIAOBSERVETEST00001", "observe-test-secret")),
                verifyAccount: true));
            builder.Services.AddSingleton<HttpMessageHandler>(new ProvisionedConcurrencyTransport());
        });

        // Subscribed before the collectors start, so no write falls between the subscription and the first check.
        var collected = new FirstPasses(_app.Services.GetRequiredService<IObserveStore>(), Fleet);
        using (_app.Services.GetRequiredService<IStoreChanges>().Subscribe(collected.OnChanged))
        {
            await _app.StartDashboardAsync(CancellationToken.None);
            BaseUrl = _app.GetListeningUrls()[0];
            collected.OnChanged(StoreChangeKind.Functions);
            await collected.WaitAsync(FirstPassesTimeout);
        }

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
    }

    /// <summary>A new 1440x900 page in a fresh context; closed with the browser.</summary>
    public async Task<IPage> NewPageAsync()
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1440, Height = 900 } });
        return await context.NewPageAsync();
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        Fleet.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _directory.Dispose();
    }

    private Dictionary<string, string?> Settings()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Observe:Aws:Endpoints:Lambda"] = Moto.Url,
            ["Observe:Aws:Endpoints:CloudWatch"] = Moto.Url,
            ["Observe:Aws:Endpoints:Logs"] = Moto.Url,
            ["Observe:Aws:Endpoints:XRay"] = Moto.Url,
            ["Observe:Aws:Endpoints:Sts"] = Moto.Url,
            ["Observe:Aws:Retry:MaxAttempts"] = "3",
            ["Observe:Aws:Retry:TransientBaseDelay"] = "00:00:00.010",
            ["Observe:Aws:Retry:TransientMaxDelay"] = "00:00:00.100",
            ["Observe:Dashboard:RefreshThrottle"] = "00:00:00.500",
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

    /// <summary>Completes once the store holds every seeded function and every seeded alarm in its seeded state.</summary>
    private sealed class FirstPasses(IObserveStore store, MotoFleet fleet)
    {
        private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly SemaphoreSlim _checking = new(1, 1);
        private string _missing = "nothing checked yet";

        public void OnChanged(StoreChangeKind kind)
        {
            if ((kind & (StoreChangeKind.Functions | StoreChangeKind.Alarms)) != 0 && !_done.Task.IsCompleted)
            {
                _ = CheckAsync();
            }
        }

        public async Task WaitAsync(TimeSpan timeout)
        {
            try
            {
                await _done.Task.WaitAsync(timeout);
            }
            catch (TimeoutException)
            {
                throw new TimeoutException($"the collectors did not write the moto fleet within {timeout.TotalSeconds:0} s; still missing: {_missing}");
            }
        }

        private async Task CheckAsync()
        {
            await _checking.WaitAsync();
            try
            {
                var functions = (await store.GetFunctionsAsync(FleetFilter.All, CancellationToken.None)).Select(f => f.Key).ToHashSet();
                var alarms = (await store.GetAlarmsAsync(FleetFilter.All, null, CancellationToken.None)).ToDictionary(a => a.Arn, a => a.State, StringComparer.Ordinal);
                var missing = fleet.Functions.Where(f => !functions.Contains(f.Key)).Select(f => $"function {f.Key}")
                    .Concat(fleet.Alarms.Where(a => !alarms.TryGetValue(a.Arn, out var state) || state != a.State).Select(a => $"alarm {a.Name} in {a.State}"))
                    .ToList();
                _missing = missing.Count == 0 ? "" : string.Join(", ", missing);
                if (missing.Count == 0)
                {
                    _done.TrySetResult();
                }
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // A read racing the migration or a write: the next notification checks again; the timeout says what is missing.
                _missing = $"{_missing} (last check failed: {e.Message})";
            }
            finally
            {
                _checking.Release();
            }
        }
    }
}

/// <summary>
/// The fleet <see cref="MotoFleetFixture"/> seeds into moto: two fresh accounts (ids start with 39) and three targets.
/// </summary>
public sealed class MotoFleet : IDisposable
{
    /// <summary>The reason of the alarm in ALARM: hostile markup that must render as text.</summary>
    public const string HostileReason = "Threshold Crossed: <script>alert('reason')</script> 3 datapoints were >= 1.0";

    /// <summary>A tag value that must render as text wherever tags are shown.</summary>
    public const string HostileTag = "<script>alert('tag')</script>";

    private readonly List<MotoSeeder> _seeders = [];

    public MotoFleet()
    {
        Production = "39" + Random.Shared.NextInt64(10_000_000_000).ToString("D10", CultureInfo.InvariantCulture);
        Development = "39" + Random.Shared.NextInt64(10_000_000_000).ToString("D10", CultureInfo.InvariantCulture);
        Targets = [(Production, "us-east-1"), (Production, "eu-west-1"), (Development, "us-east-1")];
        Functions =
        [
            new(new FunctionKey(Production, "us-east-1", "orders-api"), "nodejs22.x", new Dictionary<string, string> { ["owner"] = "team-orders" }),
            new(new FunctionKey(Production, "eu-west-1", "payments-worker"), "java21",
                new Dictionary<string, string> { ["owner"] = "team-payments", ["note"] = HostileTag }),
            new(new FunctionKey(Development, "us-east-1", "legacy-report"), "python3.8", new Dictionary<string, string>()),
        ];
        Alarms =
        [
            Alarm(Functions[0], "orders-api-errors", "Errors", AlarmState.Alarm, HostileReason),
            Alarm(Functions[1], "payments-worker-throttles", "Throttles", AlarmState.Ok, "Threshold Crossed: no datapoints were >= 1.0"),
            Alarm(Functions[2], "legacy-report-duration", "Duration", AlarmState.InsufficientData, "Insufficient Data: 1 datapoint was unknown."),
        ];
    }

    /// <summary>The account with two regions (named moto-prod in the dashboard's configuration).</summary>
    public string Production { get; }

    /// <summary>The account with one region (moto-dev).</summary>
    public string Development { get; }

    public IReadOnlyList<(string AccountId, string Region)> Targets { get; }

    public IReadOnlyList<SeededFunction> Functions { get; }

    public IReadOnlyList<SeededAlarm> Alarms { get; }

    public void Dispose()
    {
        foreach (var seeder in _seeders)
        {
            seeder.Dispose();
        }
    }

    internal async Task SeedAsync()
    {
        foreach (var function in Functions)
        {
            var seed = Seeder(function.Key.AccountId);
            await seed.CreateFunctionAsync(function.Key.Region, function.Key.Name, function.Tags, runtime: function.Runtime);
        }

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

    private static SeededAlarm Alarm(SeededFunction function, string name, string metric, AlarmState state, string reason) =>
        new(function, name, $"arn:aws:cloudwatch:{function.Key.Region}:{function.Key.AccountId}:alarm:{name}", metric, state, reason);
}

/// <summary>A function seeded into moto.</summary>
public sealed record SeededFunction(FunctionKey Key, string Runtime, IReadOnlyDictionary<string, string> Tags);

/// <summary>A metric alarm seeded into moto on one function's metric, set to <see cref="State"/> with <see cref="Reason"/>.</summary>
public sealed record SeededAlarm(SeededFunction Function, string Name, string Arn, string Metric, AlarmState State, string Reason);
