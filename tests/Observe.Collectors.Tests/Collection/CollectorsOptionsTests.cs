using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Observe.Collectors.Aws;
using Observe.Collectors.Collection;

namespace Observe.Collectors.Tests.Collection;

public class CollectorsOptionsTests
{
    [Fact]
    public void Validate_Defaults_Succeed()
    {
        Assert.True(new CollectorsOptionsValidator().Validate(null, new CollectorsOptions()).Succeeded);
    }

    [Fact]
    public void Validate_BadValues_NamesEverySetting()
    {
        var result = new CollectorsOptionsValidator().Validate(null, new CollectorsOptions
        {
            MaxConcurrentTargets = 0,
            StartSpread = TimeSpan.FromSeconds(-1),
            PassTimeout = TimeSpan.Zero,
            UsageFlushInterval = TimeSpan.FromMilliseconds(10),
        });

        Assert.Equal(
        [
            "Observe:Collectors:MaxConcurrentTargets 0 is outside 1 to 1000",
            "Observe:Collectors:StartSpread (-00:00:01) is negative",
            "Observe:Collectors:PassTimeout (00:00:00) must be longer than zero",
            "Observe:Collectors:UsageFlushInterval (00:00:00.0100000) must be at least 00:00:01",
        ], result.Failures);
    }

    [Fact]
    public void AddObserveCollectors_RegistersAwsTheHostAndTheUsageWriter_AndBindsItsSection()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Observe:Collectors:MaxConcurrentTargets"] = "3",
            ["Observe:Collectors:InProcess"] = "false",
            ["Observe:Aws:Accounts:0:AccountId"] = "111111111111",
            ["Observe:Aws:Accounts:0:Regions:0"] = "eu-west-1",
        }).Build();
        var services = new ServiceCollection().AddLogging();

        services.AddObserveCollectors(configuration).AddObserveCollectors(configuration);

        var hosted = services.Where(d => d.ServiceType == typeof(IHostedService)).Select(d => d.ImplementationType).ToList();
        Assert.Equal([typeof(ApiUsageWriter), typeof(CollectorsHost)], hosted);
        using var provider = services.BuildServiceProvider();
        var options = provider.GetRequiredService<IOptions<CollectorsOptions>>().Value;
        Assert.Equal((3, false, true), (options.MaxConcurrentTargets, options.InProcess, options.Enabled));
        Assert.Contains(services, d => d.ServiceType == typeof(IAwsClientFactory));
    }

    [Fact]
    public void AddObserveCollectors_InvalidSetting_FailsNamingIt()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Observe:Collectors:PassTimeout"] = "-00:01:00",
        }).Build();
        using var provider = new ServiceCollection().AddLogging().AddObserveCollectors(configuration).BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<CollectorsOptions>>().Value);

        Assert.Contains("Observe:Collectors:PassTimeout (-00:01:00) must be longer than zero", error.Message, StringComparison.Ordinal);
    }
}
