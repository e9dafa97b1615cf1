using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Observe.Dashboard.Health;

namespace Observe.Dashboard.Tests.Hosting;

public class StartupTests
{
    [Fact]
    public async Task StartDashboardAsync_UnknownStoreKind_FailsNamingTheSetting()
    {
        using var directory = new TempDirectory();
        await using var app = DashboardHost.Build(directory.Path, new Dictionary<string, string?> { ["Observe:Store:Kind"] = "Banana" });

        var error = await Assert.ThrowsAsync<DashboardStartupException>(() => app.StartDashboardAsync(CancellationToken.None));

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

        var error = await Assert.ThrowsAsync<DashboardStartupException>(() => app.StartDashboardAsync(CancellationToken.None));

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

        var error = await Assert.ThrowsAsync<DashboardStartupException>(() => app.StartDashboardAsync(CancellationToken.None));

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
}
