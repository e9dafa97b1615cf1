using System.Net;
using System.Reflection;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Configuration;

namespace Observe.Dashboard.Tests.Hosting;

/// <summary>
/// Where the dashboard listens: loopback 5080 when nothing says otherwise, and wherever ASPNETCORE_URLS, --urls or
/// Kestrel:Endpoints say, also under <c>dotnet run</c> (whose launch profile must not override them).
/// </summary>
public class ListenAddressTests
{
    private static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Build_NoAddressConfigured_ListensOnLoopback5080()
    {
        using var directory = new TempDirectory();
        await using var app = DashboardApp.Build([], builder => builder.Configuration.AddInMemoryCollection(Settings(directory.Path)));

        Assert.Equal("http://127.0.0.1:5080", app.Configuration["urls"]);
    }

    [Fact]
    public async Task StartDashboardAsync_UrlsOnTheCommandLine_ListensThere()
    {
        using var directory = new TempDirectory();
        var port = DashboardProcess.FreePort();
        await using var app = DashboardApp.Build(["--urls", $"http://127.0.0.1:{port}"], builder => builder.Configuration.AddInMemoryCollection(Settings(directory.Path)));

        await app.StartDashboardAsync(CancellationToken.None);

        Assert.Equal([new Uri($"http://127.0.0.1:{port}")], app.GetListeningUrls());
        await app.StopAsync();
    }

    [Fact]
    public async Task StartDashboardAsync_KestrelEndpointConfigured_ListensThereAndNotOnTheDefault()
    {
        using var directory = new TempDirectory();
        var port = DashboardProcess.FreePort();
        var settings = Settings(directory.Path);
        settings["Kestrel:Endpoints:Http:Url"] = $"http://127.0.0.1:{port}";
        await using var app = DashboardApp.Build([], builder => builder.Configuration.AddInMemoryCollection(settings));

        await app.StartDashboardAsync(CancellationToken.None);

        Assert.Null(app.Configuration["urls"]);
        Assert.Equal([new Uri($"http://127.0.0.1:{port}")], app.GetListeningUrls());
        await app.StopAsync();
    }

    [Theory]
    [InlineData("ASPNETCORE_URLS", "http://127.0.0.1:{0}")]
    [InlineData("Kestrel__Endpoints__Http__Url", "http://127.0.0.1:{0}")]
    public async Task DotnetRun_AddressInTheEnvironment_WinsOverTheLaunchProfile(string variable, string format)
    {
        using var directory = new TempDirectory();
        var port = DashboardProcess.FreePort();
        var url = string.Format(System.Globalization.CultureInfo.InvariantCulture, format, port);
        var configuration = typeof(ListenAddressTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()!.Configuration;

        // The build that compiled these tests also built the dashboard: run it as a developer does, launch profile included.
        await using var process = DashboardProcess.Start(
            "dotnet",
            ["run", "--project", DashboardProjectDirectory(), "-c", configuration, "--no-build"],
            directory.Path,
            new Dictionary<string, string?>
            {
                [variable] = url,
                ["Observe__Store__DataDirectory"] = directory.Path,
                ["Observe__Demo__Enabled"] = "false",
            });

        var listening = await process.WaitUntilListeningAsync(StartLimit);

        Assert.Equal(new Uri(url), listening);
        using var client = new HttpClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri(listening, "/alive"))).StatusCode);
    }

    private static Dictionary<string, string?> Settings(string dataDirectory) => new()
    {
        ["Logging:LogLevel:Default"] = "Warning",
        ["Observe:Store:DataDirectory"] = dataDirectory,
        ["Observe:Demo:Enabled"] = "false",
    };

    private static string DashboardProjectDirectory([CallerFilePath] string thisFile = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(thisFile)!, "..", "..", "..", "dashboard", "Observe.Dashboard"));
}
