using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Observe.Dashboard.Fleet;

namespace Observe.Dashboard.Tests.Fleet;

public class FleetOptionsTests
{
    private static ServiceProvider Services(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection().AddFleetRules(configuration).BuildServiceProvider();
    }

    [Fact]
    public void Defaults_AreValid() =>
        Assert.True(new FleetOptionsValidator().Validate(null, new FleetOptions()).Succeeded);

    [Fact]
    public void Validate_BadValues_NameEverySetting()
    {
        var options = new FleetOptions
        {
            OwnerTagKeys = ["owner", " "],
            UnusedDays = 0,
            NearTimeoutRatio = 80,
            ErrorRateWarning = 0.2,
            IteratorAgeMs = -1,
            MinimumInvocations = 0,
            Pricing = new LambdaPricing { Region = "", ArmGbSecond = -0.1m },
        };

        var failures = new FleetOptionsValidator().Validate(null, options).Failures!.ToList();

        Assert.Equal(
            [
                "Observe:Fleet:OwnerTagKeys has a blank key; list tag keys such as owner or team.",
                "Observe:Fleet:UnusedDays is 0; it must be between 1 and 3650.",
                "Observe:Fleet:NearTimeoutRatio is 80; it must be a share between 0 and 1, such as 0.8 for 80%.",
                "Observe:Fleet:ErrorRateWarning (0.2) must be below Observe:Fleet:ErrorRateCritical (0.1).",
                "Observe:Fleet:IteratorAgeMs is -1; it must be a number of milliseconds above 0.",
                "Observe:Fleet:MinimumInvocations is 0; it must be between 1 and 2147483647.",
                "Observe:Fleet:Pricing:Region is blank; name the region the prices are for, such as us-east-1.",
                "Observe:Fleet:Pricing:ArmGbSecond is -0.1; a price cannot be negative.",
            ],
            failures);
    }

    [Fact]
    public void AddFleetRules_BindsEverySettingFromConfiguration()
    {
        using var services = Services(new()
        {
            ["Observe:Fleet:OwnerTagKeys:0"] = "squad",
            ["Observe:Fleet:UnusedDays"] = "14",
            ["Observe:Fleet:IteratorAgeMs"] = "60000",
            ["Observe:Fleet:Pricing:PricesTakenOn"] = "2026-12-01",
            ["Observe:Fleet:Pricing:Region"] = "eu-west-1",
            ["Observe:Fleet:Pricing:X86GbSecond"] = "0.0000166667",
        });

        var options = services.GetRequiredService<IOptions<FleetOptions>>().Value;

        // Configured owner keys replace the defaults rather than being added to them.
        Assert.Equal(["squad"], options.EffectiveOwnerTagKeys);
        Assert.Equal(14, options.UnusedDays);
        Assert.Equal(60_000, options.IteratorAgeMs);
        Assert.Equal(new DateOnly(2026, 12, 1), options.Pricing.PricesTakenOn);
        Assert.Equal("eu-west-1", options.Pricing.Region);
        Assert.Equal(0.0000166667m, options.Pricing.X86GbSecond);
        Assert.Equal(0.0000133334m, options.Pricing.ArmGbSecond);
        Assert.NotNull(services.GetRequiredService<FunctionFlagRules>());
        Assert.Same(RuntimeCatalog.Default, services.GetRequiredService<RuntimeCatalog>());
    }

    [Fact]
    public void AddFleetRules_InvalidSetting_FailsNamingIt()
    {
        using var services = Services(new() { ["Observe:Fleet:ColdStartRate"] = "5" });

        var ex = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<FleetOptions>>().Value);

        Assert.Equal("Observe:Fleet:ColdStartRate is 5; it must be a share between 0 and 1, such as 0.8 for 80%.", ex.Message);
    }

    [Fact]
    public void EffectiveOwnerTagKeys_NotConfigured_OwnerThenTeam() =>
        Assert.Equal(["owner", "team"], new FleetOptions().EffectiveOwnerTagKeys);

    [Fact]
    public void FindOwner_FirstConfiguredKeyWinsWhateverTheCase()
    {
        var tags = new Dictionary<string, string> { ["Team"] = "payments", ["OWNER"] = "alice", ["env"] = "prod" };

        Assert.Equal(new FunctionOwner("OWNER", "alice"), new FleetOptions().FindOwner(tags));
        Assert.Equal(new FunctionOwner("Team", "payments"), new FleetOptions { OwnerTagKeys = ["team", "owner"] }.FindOwner(tags));
        Assert.Null(new FleetOptions { OwnerTagKeys = ["squad"] }.FindOwner(tags));
    }
}
