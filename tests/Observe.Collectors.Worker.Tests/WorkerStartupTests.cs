using System.Diagnostics;
using System.Reflection;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Observe.Collectors.Collection;
using Observe.Collectors.Hosting;
using Observe.Store;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Observe.Collectors.Worker.Tests;

public sealed class WorkerStartupTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("observe-worker-tests-").FullName;

    [Fact]
    public async Task StartWorkerAsync_NoAccountConfigured_FailsSayingSoAndHowToAddOne()
    {
        using var host = Build([]);

        var error = await Assert.ThrowsAsync<ObserveStartupException>(() => host.StartWorkerAsync(CancellationToken.None));

        Assert.StartsWith("Invalid configuration: Observe:Aws:Accounts is empty: the collectors worker needs at least one account to collect", error.Message, StringComparison.Ordinal);
        Assert.Contains("Observe__Aws__Accounts__0__AccountId", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_directory, StoreOptions.SqliteFileName)), "the store was touched before the configuration was checked");
    }

    [Fact]
    public async Task StartWorkerAsync_BadAccountAndCollectorsSettings_NamesEach()
    {
        using var host = Build(new Dictionary<string, string?>
        {
            ["Observe:Aws:Accounts:0:AccountId"] = "12345",
            ["Observe:Aws:Accounts:0:Regions:0"] = "eu-west-1",
            ["Observe:Collectors:MaxConcurrentTargets"] = "0",
        });

        var error = await Assert.ThrowsAsync<ObserveStartupException>(() => host.StartWorkerAsync(CancellationToken.None));

        Assert.Contains("Observe:Aws:Accounts:0:AccountId '12345' is not a 12-digit account id", error.Message, StringComparison.Ordinal);
        Assert.Contains("Observe:Collectors:MaxConcurrentTargets 0 is outside 1 to 1000", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartWorkerAsync_DefaultPostgreSqlStoreWithoutConnectionString_NamesTheSetting()
    {
        // The worker's appsettings.json chooses PostgreSQL; only the connection string is the operator's to give.
        using var host = Build(Account, sqliteStore: false);

        var error = await Assert.ThrowsAsync<ObserveStartupException>(() => host.StartWorkerAsync(CancellationToken.None));

        Assert.Equal("Invalid configuration: Observe:Store:ConnectionString is required when Kind is PostgreSql", error.Message);
    }

    [Fact]
    public async Task StartWorkerAsync_AccountAndStore_MigratesTheStoreRunsAndStopsCleanly()
    {
        // A collector that ignored the stop would hold it until the host's ShutdownTimeout: 10 min here, so that the 30 s
        // bound below tells the two apart and a loaded machine's scheduling cannot reach it (5 s against the default 30 s
        // shutdown timeout could be reached).
        using var host = Build(Account, shutdownTimeout: TimeSpan.FromMinutes(10));

        await host.StartWorkerAsync(CancellationToken.None);
        var store = host.Services.GetRequiredService<IObserveStore>();
        Assert.True(await store.GetSchemaVersionAsync(CancellationToken.None) >= 3);
        var stopping = Stopwatch.StartNew();
        var stopped = host.StopAsync(CancellationToken.None);

        Assert.True(await Task.WhenAny(stopped, Task.Delay(TimeSpan.FromSeconds(30))) == stopped, $"stopping took over {stopping.Elapsed}");
        await stopped;
    }

    [Fact]
    public async Task Process_NoAccountConfigured_ExitsWithOneAndOneErrorLine()
    {
        var directory = typeof(WorkerStartupTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "WorkerDirectory").Value!;
        var assembly = Path.GetFullPath(Path.Combine(directory, "Observe.Collectors.Worker.dll"));
        Assert.True(File.Exists(assembly), $"the worker should have been built: {assembly}");
        var start = new ProcessStartInfo("dotnet", [assembly])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _directory,
            Environment =
            {
                ["Observe__Store__Kind"] = "Sqlite",
                ["Observe__Store__DataDirectory"] = _directory,
            },
        };

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
        var all = await output + await errors;

        Assert.Equal(1, process.ExitCode);
        var problem = Assert.Single(all.Split('\n'), l => l.Contains("The collectors worker cannot start.", StringComparison.Ordinal));
        Assert.Contains("Observe:Aws:Accounts is empty", problem, StringComparison.Ordinal);
    }

    private static Dictionary<string, string?> Account => new()
    {
        ["Observe:Aws:Accounts:0:AccountId"] = "111111111111",
        ["Observe:Aws:Accounts:0:Regions:0"] = "eu-west-1",
    };

    [Fact]
    public async Task Worker_OtlpEndpointSet_TracesCollectorPassesAndStoreOperationsAndCountsFailures()
    {
        var activities = new List<Activity>();
        var metrics = new List<Metric>();
        var settings = new Dictionary<string, string?>(Account)
        {
            // A profile nobody has: the pass fails at once on its credentials, without waiting on instance metadata.
            ["Observe:Aws:Accounts:0:Profile"] = "observe-worker-telemetry-test-no-such-profile",
            // Nothing listens there: the OTLP export fails, the in-memory exporters below read what was produced.
            [ObserveTelemetry.EndpointVariable] = "http://127.0.0.1:9",
        };
        using var host = Build(settings, configure: builder =>
        {
            builder.Services.ConfigureOpenTelemetryTracerProvider(tracer => tracer.AddInMemoryExporter(activities));
            builder.Services.ConfigureOpenTelemetryMeterProvider(meter => meter.AddInMemoryExporter(metrics));
        });

        await host.StartWorkerAsync(CancellationToken.None);
        var store = host.Services.GetRequiredService<IObserveStore>();
        await WaitUntilAsync(async () => (await store.GetCollectorStatusAsync(CancellationToken.None)).Any(s => s.IsFailing), "a failed pass recorded");
        // Stopped before reading: every pass, and so every activity, has ended and nothing adds to the lists.
        await host.StopAsync(CancellationToken.None);
        host.Services.GetRequiredService<MeterProvider>().ForceFlush();

        var pass = activities.First(a => a.DisplayName == "collector pass" && a.Status == ActivityStatusCode.Error);
        Assert.Equal(("111111111111", "eu-west-1"), (pass.GetTagItem("cloud.account.id"), pass.GetTagItem("cloud.region")));
        Assert.Contains(activities, a => a.Source.Name == StoreTelemetry.ActivitySourceName && a.DisplayName == "UpsertCollectorStatus");
        Assert.Contains(metrics, m => m.Name == CollectorsTelemetry.PassFailures);
        Assert.Contains(metrics, m => m.Name == CollectorsTelemetry.PassDuration);
    }

    [Fact]
    public void Worker_OtlpEndpointUnset_RegistersNoTelemetry()
    {
        using var host = Build(new Dictionary<string, string?>(Account) { [ObserveTelemetry.EndpointVariable] = null });

        Assert.Null(host.Services.GetService<TracerProvider>());
        Assert.Null(host.Services.GetService<MeterProvider>());
    }

    /// <summary>Polls until <paramref name="condition"/> holds; a cap for a broken test, not a wait.</summary>
    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(20);
        }
    }

    private IHost Build(Dictionary<string, string?> settings, bool sqliteStore = true, TimeSpan? shutdownTimeout = null, Action<HostApplicationBuilder>? configure = null) => WorkerApp.Build([], builder =>
    {
        configure?.Invoke(builder);
        if (shutdownTimeout is { } timeout)
        {
            builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = timeout);
        }

        var all = new Dictionary<string, string?> { ["Logging:LogLevel:Default"] = "Warning" };
        if (sqliteStore)
        {
            all["Observe:Store:Kind"] = "Sqlite";
            all["Observe:Store:DataDirectory"] = _directory;
        }

        foreach (var (key, value) in settings)
        {
            all[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(all);
    });

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A handle closing late must not fail the test.
        }
    }
}
