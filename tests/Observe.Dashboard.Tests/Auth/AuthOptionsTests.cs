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

    [Fact]
    public void OpenIdConnect_NothingSet_NamesAuthorityClientIdAndTheRoleValues()
    {
        var result = new AuthOptionsValidator().Validate(null, new AuthOptions { Mode = AuthMode.OpenIdConnect });

        Assert.Equal(
        [
            "Observe:Auth:OpenIdConnect:Authority is required in Mode OpenIdConnect: the provider's issuer address, e.g. https://login.example.com/realms/ops.",
            "Observe:Auth:OpenIdConnect:ClientId is required in Mode OpenIdConnect: the dashboard's client id at the provider.",
            "Observe:Auth:OpenIdConnect: none of AdminValues, ResponderValues, ViewerValues is set, so nobody could get a role; list the 'groups' values that grant each (e.g. Observe:Auth:OpenIdConnect:AdminValues:0=observe-admins).",
        ], result.Failures);
    }

    [Theory]
    [InlineData("http://login.example.com/", "uses plain http:// on a host other than loopback")]
    [InlineData("ftp://login.example.com/", "must be an absolute https:// address")]
    public void OpenIdConnect_AuthorityNotHttps_Refused(string authority, string expected)
    {
        var options = new AuthOptions { Mode = AuthMode.OpenIdConnect, OpenIdConnect = { Authority = new Uri(authority), ClientId = "observe", ViewerValues = { "staff" } } };

        var failure = Assert.Single(new AuthOptionsValidator().Validate(null, options).Failures!);

        Assert.StartsWith($"Observe:Auth:OpenIdConnect:Authority '{authority}' ", failure, StringComparison.Ordinal);
        Assert.Contains(expected, failure, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://login.example.com/realms/ops")]
    [InlineData("http://127.0.0.1:8081/")]
    [InlineData("http://localhost:8081/")]
    public void OpenIdConnect_HttpsOrLoopback_Valid(string authority)
    {
        var options = new AuthOptions { Mode = AuthMode.OpenIdConnect, OpenIdConnect = { Authority = new Uri(authority), ClientId = "observe", AdminValues = { "ops" } } };

        Assert.True(new AuthOptionsValidator().Validate(null, options).Succeeded);
    }

    [Fact]
    public void OpenIdConnect_Scopes_OpenIdAlwaysFirst_DefaultWhenNoneSet()
    {
        Assert.Equal(["openid", "profile", "email"], new OpenIdConnectSignInOptions().EffectiveScopes);
        Assert.Equal(["openid", "groups"], new OpenIdConnectSignInOptions { Scopes = { "groups", "openid" } }.EffectiveScopes);
    }

    [Fact]
    public void AwsAlb_NothingSet_NamesArnRegionAndTheRoleValues()
    {
        var result = new AuthOptionsValidator().Validate(null, new AuthOptions { Mode = AuthMode.AwsAlb });

        Assert.Equal(
        [
            "Observe:Auth:AwsAlb:AlbArn is required in Mode AwsAlb: the load balancer's ARN, which signs every request's x-amzn-oidc-data header.",
            "Observe:Auth:AwsAlb:Region is required in Mode AwsAlb: the load balancer's region (eu-west-1), whose endpoint serves its signing keys.",
            "Observe:Auth:AwsAlb: none of AdminValues, ResponderValues, ViewerValues is set, so nobody could get a role; list the 'groups' values that grant each (e.g. Observe:Auth:AwsAlb:AdminValues:0=observe-admins).",
        ], result.Failures);
    }

    [Fact]
    public void AwsAlb_BadValues_NameEachSetting()
    {
        var options = new AuthOptions
        {
            Mode = AuthMode.AwsAlb,
            AwsAlb = { AlbArn = "arn:aws:iam::123456789012:role/x", Region = "Ireland", KeyEndpoint = new Uri("http://keys.example.com/"), ClockSkew = TimeSpan.FromHours(1), ViewerValues = { "" } },
        };

        Assert.Equal(
        [
            "Observe:Auth:AwsAlb:AlbArn 'arn:aws:iam::123456789012:role/x' is not an Application Load Balancer's ARN (arn:aws:elasticloadbalancing:<region>:<account>:loadbalancer/app/<name>/<id>).",
            "Observe:Auth:AwsAlb:Region 'Ireland' is not a region name like eu-west-1.",
            "Observe:Auth:AwsAlb:KeyEndpoint 'http://keys.example.com/' uses plain http:// on a host other than loopback; use https://, so what the dashboard trusts cannot be replaced on the way.",
            "Observe:Auth:AwsAlb:ClockSkew is 01:00:00; it must be between 00:00:00 and 00:05:00.",
            "Observe:Auth:AwsAlb: AdminValues, ResponderValues and ViewerValues must not contain an empty value.",
        ], new AuthOptionsValidator().Validate(null, options).Failures);
    }

    [Fact]
    public void AwsAlb_KeyEndpoint_DefaultsToTheRegionsElbEndpoint() =>
        Assert.Equal(new Uri("https://public-keys.auth.elb.eu-west-1.amazonaws.com"), new AwsAlbSignInOptions { Region = "eu-west-1" }.KeyBase);

    [Fact]
    public void ClaimMapping_HighestRoleWins_NameFallsBackToEmailThenSubject()
    {
        var options = new OpenIdConnectSignInOptions { AdminValues = { "ops" }, ResponderValues = { "oncall" }, ViewerValues = { "staff" } };
        System.Security.Claims.Claim[] claims = [new("sub", "u1"), new("email", "u1@example.test"), new("groups", "staff"), new("groups", "ops")];

        Assert.Equal(("u1@example.test", DashboardRoles.Admin, "u1"), ClaimMapping.Map(options, claims));
        Assert.Equal(("u1", (string?)null, "u1"), ClaimMapping.Map(options, [new("sub", "u1"), new("groups", "Staff")]));
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
