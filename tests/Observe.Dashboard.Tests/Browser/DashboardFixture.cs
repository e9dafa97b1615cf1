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

    /// <inheritdoc cref="BrowserDashboard.Http"/>
    public HttpClient Http(params string[] cookies) => _host.Http(cookies);

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
    private readonly bool _signedIn;
    private WebApplication? _app;
    private IPlaywright? _playwright;
    private IBrowser? _browser;
    private Cookie? _session;
    private SignedInBrowser? _signedInBrowser;

    /// <param name="signedIn">
    /// The dashboard in its default sign-in mode (a browser token), every browser context signed in; false leaves
    /// the mode to the settings and the contexts signed out, for the tests of signing in itself.
    /// </param>
    public BrowserDashboard(bool signedIn = true)
    {
        _signedIn = signedIn;
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

    /// <summary>Chromium; signed in (every new context) once the dashboard has started, unless built signed out.</summary>
    public IBrowser Browser
    {
        get
        {
            var browser = _browser ?? throw new InvalidOperationException("Chromium is not launched yet");
            return _session is null ? browser : _signedInBrowser ??= new SignedInBrowser(browser, _session);
        }
    }

    /// <summary>Builds the dashboard over the temp store with <paramref name="settings"/>; <see cref="StartDashboardAsync"/> starts it.</summary>
    public WebApplication Build(IDictionary<string, string?> settings, Action<WebApplicationBuilder>? configure = null)
    {
        var all = new Dictionary<string, string?>();
        if (_signedIn)
        {
            all["Observe:Auth:Mode"] = "BrowserToken";
            all["Observe:Auth:BrowserToken"] = Auth.SignedInDashboard.Token;
        }

        foreach (var (key, value) in settings)
        {
            all[key] = value;
        }

        _app = DashboardHost.Build(_directory.Path, all, configure);
        return _app;
    }

    public async Task StartDashboardAsync()
    {
        await App.StartDashboardAsync(CancellationToken.None);
        BaseUrl = App.GetListeningUrls()[0];
        if (_signedIn)
        {
            _session = await SignInAsync();
        }
    }

    /// <summary>
    /// A client of the dashboard as a signed-in browser is (its session cookie, and <paramref name="cookies"/> as
    /// <c>name=value</c>), following no redirect.
    /// </summary>
    public HttpClient Http(params string[] cookies)
    {
        var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = BaseUrl };
        var all = _session is null ? cookies : cookies.Append($"{_session.Name}={_session.Value}");
        if (all.Any())
        {
            client.DefaultRequestHeaders.Add("Cookie", string.Join("; ", all));
        }

        return client;
    }

    /// <summary>Opens the printed sign-in link once and keeps the session cookie it sets.</summary>
    private async Task<Cookie> SignInAsync()
    {
        using var handler = new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false };
        using var client = new HttpClient(handler) { BaseAddress = BaseUrl };
        using var response = await client.GetAsync($"/auth/login?t={Uri.EscapeDataString(Auth.SignedInDashboard.Token)}");
        var prefix = Observe.Dashboard.Auth.AuthExtensions.CookieName + "=";
        var cookie = response.Headers.TryGetValues("Set-Cookie", out var values)
            ? values.FirstOrDefault(v => v.StartsWith(prefix, StringComparison.Ordinal))
            : null;
        if (cookie is null)
        {
            throw new InvalidOperationException($"signing in with the browser token set no session cookie ({(int)response.StatusCode} {response.Headers.Location})");
        }

        return new Cookie { Name = Observe.Dashboard.Auth.AuthExtensions.CookieName, Value = cookie[prefix.Length..cookie.IndexOf(';', StringComparison.Ordinal)], Url = BaseUrl.ToString() };
    }

    public async Task LaunchChromiumAsync()
    {
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(HeadlessChromium.Options(_chromium));
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
