using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Observe.Collectors.Alarms;
using Observe.Collectors.Collection;
using Observe.Collectors.Inventory;
using Observe.Store;

namespace Observe.Collectors.Tests.Inventory;

/// <summary>AddObserveInventoryCollector and AddObserveAlarmsCollector as a host calls them.</summary>
public sealed class CollectorRegistrationTests
{
    [Fact]
    public void Registration_BindsIntervals_AndResolvesBothCollectorsOnce()
    {
        var configuration = Configuration(new()
        {
            ["Observe:Collectors:Inventory:Interval"] = "00:30:00",
            ["Observe:Collectors:Inventory:FullRefreshInterval"] = "2.00:00:00",
            ["Observe:Collectors:Alarms:Interval"] = "00:02:00",
        });
        using var provider = new ServiceCollection().AddLogging()
            .AddObserveAws(configuration).AddObserveStore(configuration)
            .AddObserveInventoryCollector(configuration).AddObserveInventoryCollector(configuration)
            .AddObserveAlarmsCollector(configuration)
            .BuildServiceProvider();

        var collectors = provider.GetServices<ICollector>().ToDictionary(c => c.Name, c => c.Interval);

        Assert.Equal(new Dictionary<string, TimeSpan> { ["inventory"] = TimeSpan.FromMinutes(30), ["alarms"] = TimeSpan.FromMinutes(2) }, collectors);
        Assert.Equal(TimeSpan.FromDays(2), provider.GetRequiredService<IOptions<InventoryCollectorOptions>>().Value.FullRefreshInterval);
    }

    [Fact]
    public void Registration_BadSettings_FailNamingTheSetting()
    {
        var configuration = Configuration(new()
        {
            ["Observe:Collectors:Inventory:DetailConcurrency"] = "0",
            ["Observe:Collectors:Alarms:Interval"] = "00:00:01",
        });
        using var provider = new ServiceCollection().AddLogging()
            .AddObserveInventoryCollector(configuration).AddObserveAlarmsCollector(configuration)
            .BuildServiceProvider();

        var inventory = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<InventoryCollectorOptions>>().Value);
        var alarms = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<AlarmsCollectorOptions>>().Value);

        Assert.Equal(["Observe:Collectors:Inventory:DetailConcurrency '0' must be between 1 and 64"], inventory.Failures);
        Assert.Equal(["Observe:Collectors:Alarms:Interval '00:00:01' must be at least 00:00:10"], alarms.Failures);
    }

    private static IConfiguration Configuration(Dictionary<string, string?> values)
    {
        values["Observe:Aws:Accounts:0:AccountId"] = "123456789012";
        values["Observe:Aws:Accounts:0:Regions:0"] = "eu-west-1";
        values["Observe:Store:DataDirectory"] = Path.Combine(Path.GetTempPath(), $"observe-registration-{Guid.NewGuid():N}");
        return new ConfigurationBuilder().AddInMemoryCollection(values).Build();
    }
}
