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
    private readonly BrowserDashboard _host = new();

    public Uri BaseUrl => _host.BaseUrl;

    public IBrowser Browser => _host.Browser;

    public IObserveStore Store => _host.App.Services.GetRequiredService<IObserveStore>();

    public DemoFleetStatus Demo => _host.App.Services.GetRequiredService<DemoFleetStatus>();

    /// <summary>Where screenshots go: under the test output, kept by the test script's artifacts.</summary>
    public static string ArtifactsDirectory { get; } = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "TestResults", "artifacts")).FullName;

    public async Task InitializeAsync()
    {
        _host.Build(new Dictionary<string, string?>
        {
            ["Observe:Demo:Enabled"] = "true",
            ["Observe:Demo:Interval"] = "00:00:01",
            ["Observe:Demo:Backfill"] = "02:00:00",
            ["Observe:Demo:BackfillBatch"] = "00:30:00",
            ["Observe:Dashboard:RefreshThrottle"] = "00:00:00.500",
        });
        await _host.StartDashboardAsync();
        await _host.LaunchChromiumAsync();

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

    public Task DisposeAsync() => _host.DisposeAsync().AsTask();
}

/// <summary>
/// The start and stop the browser fixtures share: the Chromium check, the dashboard in-process over a temp SQLite
/// store, headless Chromium, and the teardown in the reverse order. Each fixture adds what it fills the store with.
/// </summary>
internal sealed class BrowserDashboard : IAsyncDisposable
{
    private const string ChromiumVariable = "OBSERVE_TEST_CHROMIUM";

    private readonly TempDirectory _directory = new();
    private readonly string _chromium;
    private WebApplication? _app;
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public BrowserDashboard()
    {
        // Fail, never skip: a skipped browser test would let CI pass with the browser path broken. Checked first, so
        // a missing browser fails before any seeding or start-up.
        var chromium = Environment.GetEnvironmentVariable(ChromiumVariable);
        if (string.IsNullOrEmpty(chromium) || !File.Exists(chromium))
        {
            _directory.Dispose();
            throw new InvalidOperationException(
                $"{ChromiumVariable} is not set to a Chromium executable (it is '{chromium}'). Run the tests through scripts/test.sh, " +
                "which installs Chromium and exports it, or `source .peers/env` first.");
        }

        _chromium = chromium;
    }

    public WebApplication App => _app ?? throw new InvalidOperationException("the dashboard is not built yet");

    public Uri BaseUrl { get; private set; } = null!;

    public IBrowser Browser => _browser ?? throw new InvalidOperationException("Chromium is not launched yet");

    /// <summary>Builds the dashboard over the temp store with <paramref name="settings"/>; <see cref="StartDashboardAsync"/> starts it.</summary>
    public WebApplication Build(IDictionary<string, string?> settings, Action<WebApplicationBuilder>? configure = null)
    {
        _app = DashboardHost.Build(_directory.Path, settings, configure);
        return _app;
    }

    public async Task StartDashboardAsync()
    {
        await App.StartDashboardAsync(CancellationToken.None);
        BaseUrl = App.GetListeningUrls()[0];
    }

    public async Task LaunchChromiumAsync()
    {
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = _chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
    }

    public async ValueTask DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
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
