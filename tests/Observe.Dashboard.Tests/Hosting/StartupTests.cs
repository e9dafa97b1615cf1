using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Observe.Collectors.Hosting;
using Observe.Dashboard.Health;

namespace Observe.Dashboard.Tests.Hosting;

public class StartupTests
{
    [Fact]
    public async Task StartDashboardAsync_UnknownStoreKind_FailsNamingTheSetting()
    {
        using var directory = new TempDirectory();
        await using var app = DashboardHost.Build(directory.Path, new Dictionary<string, string?> { ["Observe:Store:Kind"] = "Banana" });

        var error = await Assert.ThrowsAsync<ObserveStartupException>(() => app.StartDashboardAsync(CancellationToken.None));

        Assert.StartsWith("Invalid configuration: ", error.Message, StringComparison.Ordinal);
        Assert.Contains("Observe:Store:Kind", error.Message, StringComparison.Ordinal);
        Assert.Contains("Banana", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartDashboardAsync_DataDirectoryUnderAFile_FailsNamingThePath()
    {
        using var directory = new TempDirectory();
        var file = Path.Combine(directory.Path, "not-a-directory");
        await File.WriteAllTextAsync(file, "x");
        var dataDirectory = Path.Combine(file, "data");
        await using var app = DashboardHost.Build(directory.Path, new Dictionary<string, string?> { ["Observe:Store:DataDirectory"] = dataDirectory });

        var error = await Assert.ThrowsAsync<ObserveStartupException>(() => app.StartDashboardAsync(CancellationToken.None));

        Assert.Contains(dataDirectory, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartDashboardAsync_BadDashboardAndDemoOptions_NamesEachSetting()
    {
        using var directory = new TempDirectory();
        await using var app = DashboardHost.Build(directory.Path, new Dictionary<string, string?>
        {
            ["Observe:Dashboard:DefaultRange"] = "banana",
            ["Observe:Demo:Interval"] = "00:00:00",
        });

        var error = await Assert.ThrowsAsync<ObserveStartupException>(() => app.StartDashboardAsync(CancellationToken.None));

        Assert.Contains("Observe:Dashboard:DefaultRange: \"banana\" is not a time range", error.Message, StringComparison.Ordinal);
        Assert.Contains("Observe:Demo:Interval is 00:00:00", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Health_BeforeMigrations_Is503AndAfterIs200()
    {
        using var directory = new TempDirectory();
        await using var app = DashboardHost.Build(directory.Path);

        // Started without StartDashboardAsync: serving, but the store was never migrated.
        await app.StartAsync();
        using var client = new HttpClient { BaseAddress = app.GetListeningUrls()[0] };

        var alive = await client.GetAsync(new Uri("/alive", UriKind.Relative));
        var notReady = await client.GetAsync(new Uri("/health", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, notReady.StatusCode);
        Assert.Contains("store migrations have not been applied yet", await notReady.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var store = app.Services.GetRequiredService<Observe.Store.IObserveStore>();
        await store.MigrateAsync(CancellationToken.None);
        app.Services.GetRequiredService<StoreReadiness>().MarkMigrated(await store.GetSchemaVersionAsync(CancellationToken.None));

        var ready = await client.GetAsync(new Uri("/health", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Contains("\"status\":\"Healthy\"", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await app.StopAsync();
    }

    [Fact]
    public async Task Process_UnknownStoreKind_ExitsNonZeroWithOneErrorLineAndNeverListens()
    {
        using var directory = new TempDirectory();
        var executable = Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "Observe.Dashboard.exe" : "Observe.Dashboard");
        Assert.True(File.Exists(executable), $"the dashboard's executable should be copied next to the tests: {executable}");
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = directory.Path,
            Environment =
            {
                ["Observe__Store__Kind"] = "Banana",
                ["Observe__Store__DataDirectory"] = directory.Path,
                ["Observe__Demo__Enabled"] = "false",
                ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
            },
        };

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
        var all = await output + await errors;

        Assert.Equal(1, process.ExitCode);
        var lines = all.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var problem = Assert.Single(lines, l => l.Contains("The dashboard cannot start.", StringComparison.Ordinal));
        Assert.Contains("Observe:Store:Kind", problem, StringComparison.Ordinal);
        Assert.DoesNotContain("Now listening on", all, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartDashboardAsync_PortTaken_FailsNamingTheAddressAndTheSettingBeforeTouchingTheStore()
    {
        using var directory = new TempDirectory();
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var address = $"http://127.0.0.1:{((IPEndPoint)taken.LocalEndpoint).Port}";
        await using var app = DashboardHost.Build(directory.Path, new Dictionary<string, string?>
        {
            ["urls"] = address,
            ["Observe:Demo:Enabled"] = "true",
        });

        var error = await Assert.ThrowsAsync<ObserveStartupException>(() => app.StartDashboardAsync(CancellationToken.None));

        Assert.Equal(
            $"Cannot listen on {address}: the address is already in use. Stop what listens there, or give the dashboard another address " +
            "with Urls (environment variable ASPNETCORE_URLS, or --urls).",
            error.Message);
        Assert.Empty(Directory.GetFileSystemEntries(directory.Path));
        AssertNoWriterStarted(app);
    }

    [Fact]
    public async Task StartDashboardAsync_PortTakenWhereOnlyKestrelSeesIt_FailsNamingTheAddressAndStartsNoWriter()
    {
        // An address set in code is invisible to the configuration check, as is a port taken between the check and
        // Kestrel's bind: the start still fails with one message, and the writers never began.
        using var directory = new TempDirectory();
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        await using var app = DashboardApp.Build([], builder =>
        {
            builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Logging:LogLevel:Default"] = "None",
                ["urls"] = "http://127.0.0.1:0",
                ["Observe:Store:DataDirectory"] = directory.Path,
                ["Observe:Demo:Enabled"] = "true",
            });
        });

        var error = await Assert.ThrowsAsync<ObserveStartupException>(() => app.StartDashboardAsync(CancellationToken.None));

        Assert.Contains($"127.0.0.1:{port}", error.Message, StringComparison.Ordinal);
        Assert.Contains("address already in use", error.Message, StringComparison.Ordinal);
        Assert.Contains("Urls (environment variable ASPNETCORE_URLS, or --urls)", error.Message, StringComparison.Ordinal);
        AssertNoWriterStarted(app);
    }

    /// <summary>The demo, retention (and collectors, when configured) start only once the server listens.</summary>
    private static void AssertNoWriterStarted(Microsoft.AspNetCore.Builder.WebApplication app)
    {
        var background = app.Services.GetServices<IHostedService>()
            .Select(s => s is StartedWithServer wrapped ? wrapped.Inner : s)
            .OfType<BackgroundService>()
            .Where(s => s.GetType().Namespace!.StartsWith("Observe.", StringComparison.Ordinal))
            .ToList();
        Assert.NotEmpty(background);
        Assert.All(background, s => Assert.True(s.ExecuteTask is null, $"{s.GetType().Name} started although the dashboard could not listen"));
    }

    [Fact]
    public async Task Process_PortTaken_ExitsWithOneLineNamingTheAddressAndNothingStarted()
    {
        using var directory = new TempDirectory();
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var address = $"http://127.0.0.1:{((IPEndPoint)taken.LocalEndpoint).Port}";

        var (exitCode, all) = await RunDashboardProcessAsync(directory.Path, new Dictionary<string, string?>
        {
            ["Observe__Store__DataDirectory"] = directory.Path,
            ["Observe__Demo__Enabled"] = "true",
            ["ASPNETCORE_URLS"] = address,
        });

        Assert.Equal(1, exitCode);
        var lines = all.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var problem = Assert.Single(lines, l => l.Contains("The dashboard cannot start.", StringComparison.Ordinal));
        Assert.Contains(address, problem, StringComparison.Ordinal);
        Assert.Contains("ASPNETCORE_URLS", problem, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", all, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", all, StringComparison.Ordinal);
        // The demo logs "Demo fleet on" when it starts writing.
        Assert.DoesNotContain("Demo fleet", all, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(directory.Path));
    }

    /// <summary>Runs the dashboard's executable (copied next to the tests) until it exits; returns its exit code and output.</summary>
    private static async Task<(int ExitCode, string Output)> RunDashboardProcessAsync(string workingDirectory, IDictionary<string, string?> environment)
    {
        var executable = Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "Observe.Dashboard.exe" : "Observe.Dashboard");
        Assert.True(File.Exists(executable), $"the dashboard's executable should be copied next to the tests: {executable}");
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory,
        };
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output + await errors);
    }
}
