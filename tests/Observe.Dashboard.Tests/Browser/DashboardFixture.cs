using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Observe.Dashboard.Demo;
using Observe.Dashboard.Tests.Hosting;
using Observe.Store;

namespace Observe.Dashboard.Tests.Browser;

/// <summary>
/// One dashboard for the browser tests: started in-process on a free port over a temp SQLite store, with the demo
/// fleet writing every second and two hours of history, and a headless Chromium from the machine.
/// </summary>
public sealed class DashboardFixture : IAsyncLifetime
{
    private const string ChromiumVariable = "OBSERVE_TEST_CHROMIUM";

    private readonly TempDirectory _directory = new();
    private WebApplication? _app;
    private IPlaywright? _playwright;

    public Uri BaseUrl { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    public IObserveStore Store => _app!.Services.GetRequiredService<IObserveStore>();

    public DemoFleetStatus Demo => _app!.Services.GetRequiredService<DemoFleetStatus>();

    /// <summary>Where screenshots go: under the test output, kept by the test script's artifacts.</summary>
    public static string ArtifactsDirectory { get; } = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "TestResults", "artifacts")).FullName;

    public async Task InitializeAsync()
    {
        // Fail, never skip: a skipped browser test would let CI pass with the browser path broken.
        var chromium = Environment.GetEnvironmentVariable(ChromiumVariable);
        if (string.IsNullOrEmpty(chromium) || !File.Exists(chromium))
        {
            throw new InvalidOperationException(
                $"{ChromiumVariable} is not set to a Chromium executable (it is '{chromium}'). Run the tests through scripts/test.sh, " +
                "which installs Chromium and exports it, or `source .peers/env` first.");
        }

        _app = DashboardHost.Build(_directory.Path, new Dictionary<string, string?>
        {
            ["Observe:Demo:Enabled"] = "true",
            ["Observe:Demo:Interval"] = "00:00:01",
            ["Observe:Demo:Backfill"] = "02:00:00",
            ["Observe:Demo:BackfillBatch"] = "00:30:00",
            ["Observe:Dashboard:RefreshThrottle"] = "00:00:00.500",
        });
        await _app.StartDashboardAsync(CancellationToken.None);
        BaseUrl = _app.GetListeningUrls()[0];

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });

        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!Demo.BackfillComplete)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"the demo fleet did not backfill within 60 s ({Demo.Backfilled} of {Demo.BackfillTarget}; last error: {Demo.LastError})");
            }

            await Task.Delay(100);
        }
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

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _directory.Dispose();
    }
}
