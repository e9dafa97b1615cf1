using Observe.Dashboard.Configuration;
using Observe.Collectors.Aws;
using Observe.Dashboard.Demo;

namespace Observe.Dashboard.Tests.Configuration;

public class OptionsValidationTests
{
    [Fact]
    public void DashboardOptions_Defaults_AreValid() =>
        Assert.True(new DashboardOptionsValidator().Validate(null, new DashboardOptions()).Succeeded);

    [Fact]
    public void DashboardOptions_BadDefaultRange_NamesTheSetting()
    {
        var result = new DashboardOptionsValidator().Validate(null, new DashboardOptions { DefaultRange = "banana" });

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.StartsWith("Observe:Dashboard:DefaultRange: \"banana\" is not a time range", StringComparison.Ordinal));
    }

    [Fact]
    public void DashboardOptions_ThrottleOutOfBounds_NamesTheSettingAndBounds()
    {
        var result = new DashboardOptionsValidator().Validate(null, new DashboardOptions { RefreshThrottle = TimeSpan.Zero });

        Assert.Equal(["Observe:Dashboard:RefreshThrottle is 00:00:00; it must be between 00:00:00.0500000 and 00:01:00."], result.Failures);
    }

    [Fact]
    public void DemoOptions_Defaults_AreValid() =>
        Assert.True(new DemoOptionsValidator().Validate(null, new DemoOptions()).Succeeded);

    [Fact]
    public void DemoOptions_BadValues_NameEverySetting()
    {
        var result = new DemoOptionsValidator().Validate(null, new DemoOptions
        {
            Functions = 0,
            Backfill = TimeSpan.FromDays(30),
            Interval = TimeSpan.Zero,
        });

        Assert.Equal(3, result.Failures!.Count());
        Assert.Contains(result.Failures!, f => f.StartsWith("Observe:Demo:Functions is 0", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.StartsWith("Observe:Demo:Backfill is 30.00:00:00", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.StartsWith("Observe:Demo:Interval is 00:00:00", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(null, false, true, "no AWS account configured")]
    [InlineData(null, true, false, "AWS accounts are configured")]
    [InlineData(true, true, true, "Observe:Demo:Enabled is true; your accounts are not collected while the demo runs")]
    [InlineData(true, false, true, "no AWS account configured")]
    [InlineData(false, false, false, "Observe:Demo:Enabled is false")]
    public void DemoMode_Resolve_FollowsAccountsAndTheSwitch(bool? enabled, bool hasAccounts, bool active, string reason)
    {
        var aws = new AwsOptions { Accounts = hasAccounts ? [new AwsAccountOptions { AccountId = "123456789012", Regions = ["eu-west-1"] }] : [] };

        var mode = DemoMode.Resolve(new DemoOptions { Enabled = enabled }, aws);

        Assert.Equal(new DemoMode(active, reason), mode);
    }

    [Fact]
    public void DashboardThemes_FromCookie_OnlyKnownThemes()
    {
        Assert.Equal("dark", DashboardThemes.FromCookie("dark"));
        Assert.Equal("light", DashboardThemes.FromCookie("light"));
        Assert.Equal("light", DashboardThemes.FromCookie(null));
        Assert.Equal("light", DashboardThemes.FromCookie("\"><script>"));
    }
}
