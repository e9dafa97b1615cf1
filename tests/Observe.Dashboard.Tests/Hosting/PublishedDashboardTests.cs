using System.Net;
using Microsoft.Playwright;
using Observe.Dashboard.Tests.Browser;

namespace Observe.Dashboard.Tests.Hosting;

/// <summary>
/// The dashboard as it is shipped: the output of <c>dotnet publish</c> (scripts/test.sh publishes it from the one
/// build and exports its folder), started with <c>dotnet</c> in Production from another directory. It must answer
/// /health, serve every stylesheet and script its first page asks for, compressed, and open the Blazor circuit.
/// Independent of the pages' markup, which changes with the UI.
/// </summary>
public class PublishedDashboardTests
{
    private const string PublishedVariable = "OBSERVE_TEST_PUBLISHED_DASHBOARD";
    private const string ChromiumVariable = "OBSERVE_TEST_CHROMIUM";
    private static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Published_Production_AnswersHealthServesEveryAssetAndOpensTheCircuit()
    {
        // Fail, never skip: a skipped test would let CI pass with the shipped dashboard broken.
        var published = Environment.GetEnvironmentVariable(PublishedVariable);
        var dll = Path.Combine(published ?? "", "Observe.Dashboard.dll");
        Assert.True(!string.IsNullOrEmpty(published) && File.Exists(dll),
            $"{PublishedVariable} must name the published dashboard's folder (it is '{published}'). Run the tests through scripts/test.sh, which " +
            "publishes it, or `dotnet publish dashboard/Observe.Dashboard -c Release -o artifacts/dashboard` and export the folder.");
        var chromium = Environment.GetEnvironmentVariable(ChromiumVariable);
        Assert.True(!string.IsNullOrEmpty(chromium) && File.Exists(chromium),
            $"{ChromiumVariable} is not set to a Chromium executable (it is '{chromium}'). Run the tests through scripts/test.sh, or `source .peers/env` first.");

        using var directory = new TempDirectory();
        var port = DashboardProcess.FreePort();
        await using var process = DashboardProcess.Start("dotnet", [dll], directory.Path, new Dictionary<string, string?>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
            ["Observe__Store__DataDirectory"] = directory.Path,
            ["Observe__Demo__Enabled"] = "true",
        });
        var baseUrl = await process.WaitUntilListeningAsync(StartLimit);

        using (var client = new HttpClient { BaseAddress = baseUrl })
        {
            var health = await client.GetAsync(new Uri("/health", UriKind.Relative));
            Assert.True(health.StatusCode == HttpStatusCode.OK, $"/health answered {(int)health.StatusCode}: {await health.Content.ReadAsStringAsync()}");
        }

        // Its own appsettings.json was read although it was started from another directory: single-line console logs.
        Assert.Contains(process.Output.Split('\n'), l => l.Contains("Microsoft.Hosting.Lifetime", StringComparison.Ordinal) && l.Contains("Now listening on", StringComparison.Ordinal));

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(HeadlessChromium.Options(chromium));
        var page = await browser.NewPageAsync();
        var assets = new List<(string Url, string Type, int Status, string? Encoding)>();
        var failed = new List<string>();
        var circuit = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        page.Response += (_, response) =>
        {
            if (response.Request.ResourceType is "stylesheet" or "script")
            {
                var encoding = response.Headers.TryGetValue("content-encoding", out var value) ? value : null;
                lock (assets)
                {
                    assets.Add((response.Url, response.Request.ResourceType, response.Status, encoding));
                }
            }
        };
        page.RequestFailed += (_, request) =>
        {
            lock (failed)
            {
                failed.Add($"{request.Url} ({request.Failure})");
            }
        };
        page.WebSocket += (_, socket) =>
        {
            // The first frame from the server is SignalR's handshake answer: the socket opened and the hub accepted it.
            if (new Uri(socket.Url).AbsolutePath.StartsWith("/_blazor", StringComparison.Ordinal))
            {
                socket.FrameReceived += (_, _) => circuit.TrySetResult(socket.Url);
                socket.SocketError += (_, error) => circuit.TrySetException(new InvalidOperationException($"the Blazor socket failed: {error}"));
            }
        };

        // Shipped with sign-in on: the printed link signs the browser in and lands on the Overview, without the token.
        var signIn = await process.WaitForSignInLinkAsync(StartLimit);
        Assert.Equal($"http://127.0.0.1:{port}/auth/login", signIn.GetLeftPart(UriPartial.Path));
        await page.GotoAsync(signIn.ToString(), new PageGotoOptions { WaitUntil = WaitUntilState.Load });
        Assert.Equal(baseUrl.ToString(), page.Url);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        string socketUrl;
        try
        {
            socketUrl = await circuit.Task.WaitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"no Blazor circuit opened within 60 s; the dashboard logged:\n{process.Output}");
        }

        lock (assets)
        {
            Assert.Contains(assets, a => a.Type == "stylesheet");
            Assert.Contains(assets, a => a.Type == "script" && a.Url.Contains("/_framework/blazor.web", StringComparison.Ordinal));
            Assert.All(assets, a => Assert.True(a.Status == 200, $"{a.Type} {a.Url} answered {a.Status}"));
            // Each comes compressed, the packages' (MudBlazor's 638 KB stylesheet) too: PackageAssetCompression.targets.
            Assert.All(assets, a => Assert.True(a.Encoding is "br" or "gzip", $"{a.Type} {a.Url} came with content-encoding '{a.Encoding}'"));
            Assert.Contains(assets, a => a.Url.Contains("/_content/MudBlazor/", StringComparison.Ordinal));
        }

        lock (failed)
        {
            Assert.Empty(failed);
        }

        Assert.StartsWith($"ws://127.0.0.1:{port}/_blazor", socketUrl, StringComparison.Ordinal);
    }
}
