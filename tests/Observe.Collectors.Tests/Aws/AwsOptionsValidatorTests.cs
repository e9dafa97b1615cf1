using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Observe.Collectors.Aws;

namespace Observe.Collectors.Tests.Aws;

public class AwsOptionsValidatorTests
{
    private static IReadOnlyList<string> Errors(AwsOptions options) =>
        new AwsOptionsValidator().Validate(null, options) is { Failed: true } result ? [.. result.Failures!] : [];

    private static AwsOptions WithAccount(Action<AwsAccountOptions> change)
    {
        var account = new AwsAccountOptions { AccountId = "123456789012", Regions = ["eu-west-1"] };
        change(account);
        return new AwsOptions { Accounts = [account] };
    }

    [Fact]
    public void Validate_Defaults_Succeed() => Assert.Empty(Errors(new AwsOptions()));

    [Fact]
    public void Validate_WellFormedAccount_Succeeds() =>
        Assert.Empty(Errors(WithAccount(a =>
        {
            a.Name = "prod";
            a.RoleArn = "arn:aws:iam::123456789012:role/observe-read";
            a.ExternalId = "observe-7f3a";
            a.Regions = ["eu-west-1", "us-gov-west-1", "cn-north-1", "ap-southeast-7"];
        })));

    [Fact]
    public void Validate_AccountIdNotTwelveDigits_NamesTheSetting() =>
        Assert.Contains("Observe:Aws:Accounts:0:AccountId 'abc' is not a 12-digit account id", Errors(WithAccount(a => a.AccountId = "abc")));

    [Fact]
    public void Validate_DuplicateAccount_NamesBothEntries()
    {
        var options = new AwsOptions
        {
            Accounts =
            [
                new() { AccountId = "123456789012", Regions = ["eu-west-1"] },
                new() { AccountId = "123456789012", Regions = ["us-east-1"] },
            ],
        };

        Assert.Contains("Observe:Aws:Accounts:1:AccountId '123456789012' is listed twice (also Observe:Aws:Accounts:0)", Errors(options));
    }

    [Theory]
    [InlineData("EU-West-1")]
    [InlineData("eu-west")]
    [InlineData("euwest1")]
    [InlineData("")]
    public void Validate_MalformedRegion_NamesTheSetting(string region) =>
        Assert.Contains($"Observe:Aws:Accounts:0:Regions:0 '{region}' is not a region name like eu-west-1", Errors(WithAccount(a => a.Regions = [region])));

    [Fact]
    public void Validate_NoRegions_SaysToListOne() =>
        Assert.Contains("Observe:Aws:Accounts:0:Regions is empty: list at least one region, for example eu-west-1", Errors(WithAccount(a => a.Regions = [])));

    [Fact]
    public void Validate_RoleArnNotAnArn_NamesTheSetting() =>
        Assert.Contains(
            "Observe:Aws:Accounts:0:RoleArn 'observe-read' is not an IAM role ARN like arn:aws:iam::123456789012:role/observe-read",
            Errors(WithAccount(a => a.RoleArn = "observe-read")));

    [Fact]
    public void Validate_RoleInAnotherAccount_IsRejected() =>
        Assert.Contains(
            "Observe:Aws:Accounts:0:RoleArn 'arn:aws:iam::999999999999:role/x' is in account 999999999999, not in AccountId 123456789012",
            Errors(WithAccount(a => a.RoleArn = "arn:aws:iam::999999999999:role/x")));

    [Fact]
    public void Validate_ExternalIdWithoutRole_IsRejected() =>
        Assert.Contains(
            "Observe:Aws:Accounts:0:ExternalId is set without RoleArn: an external id only applies when assuming a role",
            Errors(WithAccount(a => a.ExternalId = "abc")));

    [Theory]
    [InlineData("localhost:4566")]
    [InlineData("/relative")]
    [InlineData("ftp://example.com")]
    public void Validate_EndpointNotAbsoluteHttpUrl_NamesTheService(string url) =>
        Assert.Contains($"Observe:Aws:Endpoints:Logs '{url}' is not an absolute http(s) URL", Errors(new AwsOptions { Endpoints = new() { Logs = url } }));

    [Theory]
    [InlineData("http://logs.internal.example.com")]
    [InlineData("http://10.0.0.5:4566")]
    [InlineData("http://[fd00::5]:4566")]
    public void Validate_PlainHttpEndpointOffLoopback_RefusedNamingTheSettingAndTheWayOut(string url)
    {
        var error = Assert.Single(Errors(new AwsOptions { Endpoints = new() { Logs = url } }));

        Assert.StartsWith($"Observe:Aws:Endpoints:Logs '{url}' is plain http to ", error);
        Assert.Contains("Observe:Aws:AllowPlainHttpEndpoints=true", error);
    }

    [Theory]
    [InlineData("http://127.0.0.1:4566")]
    [InlineData("http://127.8.9.10:4566")]
    [InlineData("http://localhost:4566")]
    [InlineData("http://[::1]:4566")]
    [InlineData("https://logs.internal.example.com")]
    public void Validate_HttpOnLoopbackOrHttpsAnywhere_Allowed(string url) =>
        Assert.Empty(Errors(new AwsOptions { Endpoints = new() { Lambda = url, CloudWatch = url, Logs = url, XRay = url, Sts = url, Sns = url } }));

    [Fact]
    public void Validate_PlainHttpOffLoopbackExplicitlyAllowed_Accepted() =>
        Assert.Empty(Errors(new AwsOptions { AllowPlainHttpEndpoints = true, Endpoints = new() { Sts = "http://sts.vpc.internal" } }));

    [Fact]
    public void Validate_EveryEndpointOverride_IsChecked()
    {
        // Every string property of the endpoint options is an override; one added later is checked too, or this fails.
        var options = new AwsOptions { Endpoints = new() };
        var services = typeof(AwsEndpointOptions).GetProperties().Where(p => p.PropertyType == typeof(string)).ToList();
        foreach (var property in services)
        {
            property.SetValue(options.Endpoints, "http://aws.example.com");
        }

        var errors = Errors(options);

        Assert.Equal(services.Count, errors.Count);
        foreach (var property in services)
        {
            Assert.Contains(errors, e => e.StartsWith($"Observe:Aws:Endpoints:{property.Name} ", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Validate_UnknownRateBudget_ListsTheKnownKeys()
    {
        var errors = Errors(new AwsOptions { RateBudgets = new() { ["GetMetricStats"] = new() { PerSecond = 5 } } });

        var error = Assert.Single(errors);
        Assert.StartsWith("Observe:Aws:RateBudgets:GetMetricStats names no operation or service Observe calls (known: Lambda, ListFunctions", error);
        Assert.Contains("GetMetricData", error);
    }

    [Fact]
    public void Validate_BadBudgetFigures_NameTheSetting()
    {
        var errors = Errors(new AwsOptions { RateBudgets = new() { ["GetMetricData"] = new() { PerSecond = 0, Burst = 0 } } });

        Assert.Contains("Observe:Aws:RateBudgets:GetMetricData:PerSecond must be a number above 0", errors);
        Assert.Contains("Observe:Aws:RateBudgets:GetMetricData:Burst 0 must be at least 1", errors);
    }

    [Fact]
    public void Validate_TimingsOutOfRange_NameTheSettings()
    {
        var errors = Errors(new AwsOptions
        {
            AttemptTimeout = TimeSpan.FromMinutes(5),
            CallTimeout = TimeSpan.FromMinutes(1),
            Retry = new() { MaxAttempts = 0, ThrottlingBaseDelay = TimeSpan.FromSeconds(30) },
            AssumeRoleDuration = TimeSpan.FromMinutes(5),
        });

        Assert.Contains("Observe:Aws:AttemptTimeout (00:05:00) is longer than Observe:Aws:CallTimeout (00:01:00)", errors);
        Assert.Contains("Observe:Aws:Retry:MaxAttempts 0 is outside 1 to 20", errors);
        Assert.Contains("Observe:Aws:Retry:ThrottlingMaxDelay (00:00:20) is shorter than Observe:Aws:Retry:ThrottlingBaseDelay (00:00:30)", errors);
        Assert.Contains("Observe:Aws:AssumeRoleDuration (00:05:00) is outside what STS allows (00:15:00 to 12:00:00)", errors);
    }

    [Fact]
    public void AddObserveAws_BindsConfiguration_AndFailsAtStartWithTheSettingsName()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Observe:Aws:Accounts:0:AccountId"] = "123456789012",
            ["Observe:Aws:Accounts:0:Name"] = "prod",
            ["Observe:Aws:Accounts:0:Regions:0"] = "eu-west-1",
            ["Observe:Aws:Accounts:1:AccountId"] = "12345",
            ["Observe:Aws:Accounts:1:Regions:0"] = "us-east-1",
            ["Observe:Aws:Endpoints:Lambda"] = "http://127.0.0.1:4566",
            ["Observe:Aws:RateBudgets:GetMetricData:PerSecond"] = "20",
            ["Observe:Aws:Retry:MaxAttempts"] = "3",
        }).Build();
        using var provider = new ServiceCollection().AddLogging().AddObserveAws(configuration).BuildServiceProvider();

        var failure = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<AwsOptions>>().Value);

        Assert.Equal(["Observe:Aws:Accounts:1:AccountId '12345' is not a 12-digit account id"], failure.Failures);
    }

    [Fact]
    public void AddObserveAws_ValidConfiguration_ResolvesClientsAndMeter()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Observe:Aws:Accounts:0:AccountId"] = "123456789012",
            ["Observe:Aws:Accounts:0:Regions:0"] = "eu-west-1",
            ["Observe:Aws:RateBudgets:GetMetricData:PerSecond"] = "20",
        }).Build();
        using var provider = new ServiceCollection().AddLogging().AddObserveAws(configuration).BuildServiceProvider();

        var clients = provider.GetRequiredService<IAwsClientFactory>();

        Assert.Equal("123456789012", Assert.Single(clients.Accounts).AccountId);
        Assert.Equal(20, provider.GetRequiredService<IOptions<AwsOptions>>().Value.RateBudgets["GetMetricData"].PerSecond);
        Assert.Empty(provider.GetRequiredService<IAwsUsageMeter>().GetUsage(DateOnly.FromDateTime(DateTime.UtcNow)));
        Assert.Throws<ArgumentException>(() => clients.Lambda("999999999999", "eu-west-1"));
    }
}
