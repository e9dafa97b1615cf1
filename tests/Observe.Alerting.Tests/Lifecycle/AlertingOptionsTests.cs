using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Observe.Alerting.Lifecycle;

namespace Observe.Alerting.Tests.Lifecycle;

public sealed class AlertingOptionsTests
{
    private static ValidateOptionsResult Validate(AlertingOptions options) => new AlertingOptionsValidator().Validate(null, options);

    [Fact]
    public void Validate_Defaults_AreAlertmanagersAndValid()
    {
        var options = new AlertingOptions();

        Assert.Equal(TimeSpan.FromSeconds(30), options.GroupWait);
        Assert.Equal(TimeSpan.FromMinutes(5), options.GroupInterval);
        Assert.Equal(TimeSpan.FromHours(4), options.RepeatInterval);
        Assert.True(Validate(options).Succeeded);
    }

    public static TheoryData<string, string> BadSettings => new()
    {
        { "GroupWait=-00:00:01", "Observe:Alerting:GroupWait '-00:00:01' must be between 00:00:00 and 01:00:00" },
        { "GroupInterval=00:00:01", "Observe:Alerting:GroupInterval '00:00:01' must be at least 00:00:10" },
        { "RepeatInterval=00:01:00", "Observe:Alerting:RepeatInterval '00:01:00' must be at least GroupInterval '00:05:00'" },
        { "NoDataPeriod=00:00:30", "Observe:Alerting:NoDataPeriod '00:00:30' must be at least 00:01:00" },
        { "ResolvedRetention=00:01:00", "Observe:Alerting:ResolvedRetention '00:01:00' must be at least GroupInterval '00:05:00'" },
        { "PublicBaseUrl=ftp://observe.example.com/", "Observe:Alerting:PublicBaseUrl 'ftp://observe.example.com/' must be an absolute http or https address" },
        { "PublicBaseUrl=observe/dashboard", "Observe:Alerting:PublicBaseUrl 'observe/dashboard' must be an absolute http or https address" },
        { "PublicBaseUrl=https://observe.example.com/?a=1", "Observe:Alerting:PublicBaseUrl 'https://observe.example.com/?a=1' must be an absolute http or https address" },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public void ValidateOnStart_BadSetting_FailureNamesIt(string setting, string expected)
    {
        var (key, value) = (setting[..setting.IndexOf('=', StringComparison.Ordinal)], setting[(setting.IndexOf('=', StringComparison.Ordinal) + 1)..]);
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [$"Observe:Alerting:{key}"] = value })
            .Build();
        using var provider = new ServiceCollection().AddAlertingOptions(configuration).BuildServiceProvider();

        var e = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddAlertingOptions_Configuration_Bound()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Observe:Alerting:GroupWait"] = "00:01:00",
                ["Observe:Alerting:PublicBaseUrl"] = "https://observe.example.com/",
            })
            .Build();
        using var provider = new ServiceCollection().AddAlertingOptions(configuration).BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<AlertingOptions>>().Value;

        Assert.Equal(TimeSpan.FromMinutes(1), options.GroupWait);
        Assert.Equal(new Uri("https://observe.example.com/"), options.PublicBaseUrl);
    }
}
