using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Playwright;

namespace Observe.Benchmarks.Dashboard;

/// <summary>
/// A published dashboard started as an operator starts it: its own executable, Production, on a free loopback port,
/// over a fresh SQLite directory with the demo fleet on (ready once <c>/health</c> answers and the demo history is
/// written, so every build renders the same 24 hours of the same deterministic fleet), or over a store written
/// beforehand with no collectors and no demo (ready once <c>/health</c> answers; the store is left in place). It runs
/// in the default sign-in mode (a browser token, fixed here so the benchmark can open the link the dashboard prints):
/// once ready it is signed in, and every request and browser context carries that session, as a user's would. With
/// <c>OBSERVE_BENCH_DASHBOARD_CPUS</c> set (a <c>taskset</c> list such as <c>0</c>) it runs on those cores only; the
/// benchmark itself and its Chromium then run under <c>taskset</c> on the others, so the browser and the server do not
/// take each other's time, as they do not on a user's computer and a server (docs/benchmarks.md). With
/// <c>OBSERVE_BENCH_DASHBOARD_OUTPUT</c> naming a file, the dashboard's log lines go there too, each after the UTC time
/// it was read (its requests' durations, to tell the server's own time from a wait before it).
/// </summary>
internal sealed class DashboardProcess : IAsyncDisposable
{
    private const string BackfilledLine = "Demo fleet history backfilled";

    /// <summary>The dashboard's session cookie (<c>AuthExtensions.CookieName</c>).</summary>
    private const string SessionCookieName = ".Observe.Session";

    private readonly Process _process;
    private readonly string? _ownedDataDirectory;
    private readonly StreamWriter? _outputFile;

    private DashboardProcess(Process process, string? ownedDataDirectory, Uri baseUrl, StreamWriter? outputFile)
    {
        _process = process;
        _ownedDataDirectory = ownedDataDirectory;
        BaseUrl = baseUrl;
        _outputFile = outputFile;
    }

    public Uri BaseUrl { get; }

    /// <summary>
    /// The session cookie the dashboard set when the benchmark opened its sign-in link; null for a build from before
    /// sign-in (no <c>/auth/login</c>), which serves every page without one, so before-and-after runs still compare.
    /// </summary>
    public Microsoft.Playwright.Cookie? Session { get; private set; }

    public int ProcessId => _process.Id;

    /// <summary>The directory of a published dashboard, from <paramref name="variable"/>.</summary>
    public static string DirectoryFrom(string variable)
    {
        var directory = Environment.GetEnvironmentVariable(variable);
        if (string.IsNullOrEmpty(directory) || !File.Exists(Path.Combine(directory, "Observe.Dashboard.dll")))
        {
            throw new InvalidOperationException(
                $"{variable} must name a published dashboard (a directory with Observe.Dashboard.dll); it is '{directory}'. See docs/benchmarks.md.");
        }

        return directory;
    }

    /// <param name="publishDirectory">The published dashboard.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <param name="storeDirectory">A SQLite store written beforehand; null for a fresh one with the demo fleet.</param>
    /// <param name="environment">More settings as environment variables (<c>Observe__Aws__Accounts__0__AccountId</c>...).</param>
    public static async Task<DashboardProcess> StartAsync(string publishDirectory, CancellationToken cancellationToken, string? storeDirectory = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var port = FreePort();
        var demo = storeDirectory is null;
        var data = storeDirectory ?? Directory.CreateTempSubdirectory("observe-bench-dashboard-").FullName;
        // The apphost: a self-contained build carries its runtime, a framework-dependent one finds the installed one.
        var executable = Path.Combine(publishDirectory, "Observe.Dashboard");
        var cpus = Environment.GetEnvironmentVariable("OBSERVE_BENCH_DASHBOARD_CPUS");
        var start = new ProcessStartInfo(string.IsNullOrEmpty(cpus) ? executable : "taskset")
        {
            WorkingDirectory = publishDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (!string.IsNullOrEmpty(cpus))
        {
            // Every thread the runtime starts inherits the mask taskset sets before it runs the dashboard.
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add(cpus);
            start.ArgumentList.Add(executable);
        }

        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        start.Environment["Observe__Store__Kind"] = "Sqlite";
        start.Environment["Observe__Store__DataDirectory"] = data;
        start.Environment["Observe__Demo__Enabled"] = demo ? "true" : "false";
        start.Environment["Logging__LogLevel__Default"] = "Information";
        var token = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        start.Environment["Observe__Auth__Mode"] = "BrowserToken";
        start.Environment["Observe__Auth__BrowserToken"] = token;
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var outputPath = Environment.GetEnvironmentVariable("OBSERVE_BENCH_DASHBOARD_OUTPUT");
        var outputFile = string.IsNullOrEmpty(outputPath) ? null : new StreamWriter(outputPath, append: true) { AutoFlush = true };
        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {start.FileName}");
        var backfilled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var readyLine = demo ? BackfilledLine : "Now listening on";

        var output = new List<string>();
        void OnLine(object sender, DataReceivedEventArgs e)
        {
            if (e.Data is null)
            {
                return;
            }

            lock (output)
            {
                output.Add(e.Data);
                outputFile?.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {e.Data}");
            }

            if (e.Data.Contains(readyLine, StringComparison.Ordinal))
            {
                backfilled.TrySetResult();
            }
        }

        process.OutputDataReceived += OnLine;
        process.ErrorDataReceived += OnLine;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var dashboard = new DashboardProcess(process, demo ? data : null, new Uri($"http://127.0.0.1:{port}/"), outputFile);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(5));
        try
        {
            await Task.WhenAny(backfilled.Task, process.WaitForExitAsync(timeout.Token)).WaitAsync(timeout.Token);
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{start.FileName} exited with {process.ExitCode}:\n" + string.Join('\n', output));
            }

            using var http = new HttpClient { BaseAddress = dashboard.BaseUrl };
            using var health = await http.GetAsync(new Uri("health", UriKind.Relative), timeout.Token);
            if (health.StatusCode != HttpStatusCode.OK)
            {
                throw new InvalidOperationException($"{start.FileName}: /health answered {(int)health.StatusCode}");
            }

            dashboard.Session = await SignInAsync(dashboard.BaseUrl, token, timeout.Token);
        }
        catch
        {
            await dashboard.DisposeAsync();
            throw;
        }

        return dashboard;
    }

    /// <summary>A client that sends the session cookie and follows no redirect (a sign-in page is an answer to measure).</summary>
    public HttpClient Http(TimeSpan? timeout = null)
    {
        var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false })
        {
            BaseAddress = BaseUrl,
            Timeout = timeout ?? TimeSpan.FromSeconds(100),
        };
        if (Session is not null)
        {
            client.DefaultRequestHeaders.Add("Cookie", $"{Session.Name}={Session.Value}");
        }

        return client;
    }

    /// <summary>A browser context at the benchmarks' screen size, signed in.</summary>
    public async Task<IBrowserContext> NewContextAsync(IBrowser browser)
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = 1440, Height = 900 },
        });
        if (Session is not null)
        {
            await context.AddCookiesAsync([Session]);
        }

        return context;
    }

    /// <summary>Opens the sign-in link the dashboard printed and keeps the session cookie it sets.</summary>
    private static async Task<Microsoft.Playwright.Cookie?> SignInAsync(Uri baseUrl, string token, CancellationToken cancellationToken)
    {
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = baseUrl };
        using var response = await client.GetAsync(new Uri($"auth/login?t={token}", UriKind.Relative), cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        const string prefix = SessionCookieName + "=";
        var cookie = response.Headers.TryGetValues("Set-Cookie", out var values)
            ? values.FirstOrDefault(v => v.StartsWith(prefix, StringComparison.Ordinal))
            : null;
        if (cookie is null)
        {
            throw new InvalidOperationException($"signing in with the browser token set no session cookie ({(int)response.StatusCode} {response.Headers.Location})");
        }

        return new Microsoft.Playwright.Cookie
        {
            Name = SessionCookieName,
            Value = cookie[prefix.Length..cookie.IndexOf(';', StringComparison.Ordinal)],
            Url = baseUrl.ToString(),
        };
    }

    /// <summary>The process's resident set in bytes, from /proc (Linux only, like the benchmark machines).</summary>
    public long ResidentBytes()
    {
        foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) * 1024;
            }
        }

        throw new InvalidOperationException($"no VmRSS in /proc/{_process.Id}/status");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        if (_outputFile is not null)
        {
            await _outputFile.DisposeAsync();
        }

        if (_ownedDataDirectory is null)
        {
            return;
        }

        try
        {
            Directory.Delete(_ownedDataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A temp directory left behind is harmless; the measurement is what matters.
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
