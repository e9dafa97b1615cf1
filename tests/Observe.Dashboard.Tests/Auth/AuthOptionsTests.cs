using Microsoft.Extensions.Configuration;
using Observe.Collectors.Hosting;
using Observe.Dashboard.Auth;
using Observe.Dashboard.Tests.Hosting;

namespace Observe.Dashboard.Tests.Auth;

public sealed class AuthOptionsTests
{
    [Fact]
    public void Defaults_AreValid_BrowserToken() =>
        Assert.True(new AuthOptionsValidator().Validate(null, new AuthOptions()).Succeeded && new AuthOptions().Mode == AuthMode.BrowserToken);

    [Fact]
    public void BadValues_NameEverySetting()
    {
        var result = new AuthOptionsValidator().Validate(null, new AuthOptions
        {
            BrowserToken = "short",
            SessionLifetime = TimeSpan.Zero,
            LoginAttemptsPerMinute = 0,
        });

        Assert.Equal(
        [
            "Observe:Auth:BrowserToken has 5 characters; it needs 32 or more (leave it empty for a random one at every start).",
            "Observe:Auth:SessionLifetime is 00:00:00; it must be between 00:01:00 and 30.00:00:00.",
            "Observe:Auth:LoginAttemptsPerMinute is 0; it must be between 1 and 1000.",
        ], result.Failures);
    }

    [Theory]
    [InlineData(AuthMode.OpenIdConnect)]
    [InlineData(AuthMode.AwsAlb)]
    public void ModesNotBuiltYet_RefusedSayingWhatToUse(AuthMode mode)
    {
        var result = new AuthOptionsValidator().Validate(null, new AuthOptions { Mode = mode });

        Assert.Equal([$"Observe:Auth:Mode {mode} is not available in this build yet; use BrowserToken (the default) or Unsecured."], result.Failures);
    }

    [Theory]
    [InlineData("http://127.0.0.1:5080", true)]
    [InlineData("http://localhost:5080", true)]
    [InlineData("http://[::1]:5080", true)]
    [InlineData("http://0.0.0.0:8080", false)]
    [InlineData("http://*:8080", false)]
    [InlineData("http://[::]:8080", false)]
    [InlineData("http://10.1.2.3:8080", false)]
    [InlineData("http://observe.internal:8080", false)]
    public void IsLoopback(string url, bool loopback) => Assert.Equal(loopback, UnsecuredExposureCheck.IsLoopback(url));

    [Fact]
    public async Task Start_UnsecuredOnTheNetwork_RefusedNamingTheAddressAndBothSettings_UnlessAllowed()
    {
        using var directory = new TempDirectory();
        var port = DashboardProcess.FreePort();
        await using var refused = DashboardApp.Build(["--urls", $"http://0.0.0.0:{port}"], builder => builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Observe:Store:DataDirectory"] = directory.Path,
            ["Observe:Demo:Enabled"] = "false",
            ["Observe:Auth:Mode"] = "Unsecured",
        }));

        var error = await Assert.ThrowsAsync<ObserveStartupException>(() => refused.StartDashboardAsync(CancellationToken.None));

        Assert.Contains($"Observe:Auth:Mode is Unsecured and the dashboard would listen on http://0.0.0.0:{port}, which is not a loopback address", error.Message, StringComparison.Ordinal);
        Assert.Contains("Observe:Auth:AllowUnsecuredOnNetwork=true", error.Message, StringComparison.Ordinal);

        // The same settings with the explicit allowance: nothing refused (the exposure check alone, without binding 0.0.0.0 in a test).
        var allowed = new AuthOptions { Mode = AuthMode.Unsecured, AllowUnsecuredOnNetwork = true };
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["urls"] = $"http://0.0.0.0:{port}" }).Build();
        Assert.Null(UnsecuredExposureCheck.Find(allowed, configuration));
        Assert.NotNull(UnsecuredExposureCheck.Find(new AuthOptions { Mode = AuthMode.Unsecured }, configuration));
        Assert.Null(UnsecuredExposureCheck.Find(new AuthOptions(), configuration));
    }
}
