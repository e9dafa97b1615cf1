using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Observe.Collectors.Aws;
using Observe.Collectors.Collection;
using Observe.Collectors.Hosting;
using Observe.Dashboard.Collection;
using Observe.Dashboard.Demo;

namespace Observe.Dashboard.Tests.Hosting;

public class CollectorsWiringTests
{
    private static readonly Dictionary<string, string?> OneAccount = new()
    {
        ["Observe:Aws:Accounts:0:AccountId"] = "111111111111",
        ["Observe:Aws:Accounts:0:Regions:0"] = "eu-west-1",
    };

    [Theory]
    [InlineData(false, true, false, "no AWS account is configured (Observe:Aws:Accounts), so nothing is collected")]
    [InlineData(true, true, true, "this dashboard collects its 1 configured AWS account itself")]
    [InlineData(true, false, false, "Observe:Collectors:InProcess is false: a separate collectors worker writes to the store")]
    public void Resolve_AccountsAndInProcess_DecidesWhereCollectorsRun(bool accounts, bool inProcess, bool expected, string reason)
    {
        var aws = new AwsOptions { Accounts = accounts ? [new AwsAccountOptions { AccountId = "111111111111", Regions = ["eu-west-1"] }] : [] };

        var mode = CollectorsMode.Resolve(new CollectorsOptions { InProcess = inProcess }, aws);

        Assert.Equal(new CollectorsMode(expected, reason), mode);
    }

    [Fact]
    public async Task Dashboard_AccountsConfigured_HostsTheCollectorsAndNoDemo()
    {
        using var directory = new TempDirectory();
        await using var app = DashboardHost.Build(directory.Path, WithoutDemoSetting(OneAccount));

        Assert.Equal(["ApiUsageWriter", "CollectorsHost"], CollectorServices(app));
        Assert.False(app.Services.GetRequiredService<DemoFleetStatus>().Mode.Active);

        await app.StartDashboardAsync(CancellationToken.None);
        await app.StopAsync();
    }

    [Fact]
    public async Task Dashboard_DemoForcedOnWithAccounts_CollectsNothingIntoTheDemoStore()
    {
        using var directory = new TempDirectory();
        var settings = new Dictionary<string, string?>(OneAccount) { ["Observe:Demo:Enabled"] = "true" };
        await using var app = DashboardHost.Build(directory.Path, settings);

        Assert.Empty(CollectorServices(app));
        Assert.True(app.Services.GetRequiredService<DemoFleetStatus>().Mode.Active);
        Assert.Equal("the demo fleet is on (Observe:Demo:Enabled is true), so nothing is collected", app.Services.GetRequiredService<CollectorsMode>().Reason);
    }

    [Fact]
    public async Task StartDashboardAsync_DemoEnabledNotABoolean_FailsNamingTheSetting()
    {
        using var directory = new TempDirectory();
        await using var app = DashboardHost.Build(directory.Path, new Dictionary<string, string?> { ["Observe:Demo:Enabled"] = "sometimes" });

        var error = await Assert.ThrowsAsync<ObserveStartupException>(() => app.StartDashboardAsync(CancellationToken.None));

        Assert.Contains("Observe:Demo:Enabled", error.Message, StringComparison.Ordinal);
        Assert.Contains("sometimes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dashboard_InProcessFalse_LeavesCollectingToTheWorker()
    {
        using var directory = new TempDirectory();
        var settings = new Dictionary<string, string?>(OneAccount) { ["Observe:Collectors:InProcess"] = "false" };
        await using var app = DashboardHost.Build(directory.Path, WithoutDemoSetting(settings));

        Assert.Empty(CollectorServices(app));
        Assert.False(app.Services.GetRequiredService<CollectorsMode>().InProcess);
        Assert.False(app.Services.GetRequiredService<DemoFleetStatus>().Mode.Active);
    }

    [Fact]
    public async Task Dashboard_NoAccounts_RunsTheDemoAndNoCollectors()
    {
        using var directory = new TempDirectory();
        await using var app = DashboardHost.Build(directory.Path, WithoutDemoSetting([]));

        Assert.Empty(CollectorServices(app));
        Assert.True(app.Services.GetRequiredService<DemoFleetStatus>().Mode.Active);
    }

    [Fact]
    public async Task StartDashboardAsync_InProcessNotABoolean_FailsNamingTheSetting()
    {
        using var directory = new TempDirectory();
        var settings = new Dictionary<string, string?>(OneAccount) { ["Observe:Collectors:InProcess"] = "sometimes" };
        await using var app = DashboardHost.Build(directory.Path, settings);

        var error = await Assert.ThrowsAsync<ObserveStartupException>(() => app.StartDashboardAsync(CancellationToken.None));

        Assert.Contains("'sometimes' at 'Observe:Collectors:InProcess'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartDashboardAsync_InProcessCollectorsWithBadSetting_FailsNamingIt()
    {
        using var directory = new TempDirectory();
        var settings = new Dictionary<string, string?>(OneAccount) { ["Observe:Collectors:MaxConcurrentTargets"] = "0" };
        await using var app = DashboardHost.Build(directory.Path, settings);

        var error = await Assert.ThrowsAsync<ObserveStartupException>(() => app.StartDashboardAsync(CancellationToken.None));

        Assert.Contains("Observe:Collectors:MaxConcurrentTargets 0 is outside 1 to 1000", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dashboard_OptionsDecidedBeforeBuild_AreTheInstancesEveryReaderGets()
    {
        using var directory = new TempDirectory();
        await using var app = DashboardHost.Build(directory.Path, OneAccount);

        var aws = app.Services.GetRequiredService<IOptions<AwsOptions>>().Value;
        Assert.Same(aws, app.Services.GetRequiredService<IOptionsMonitor<AwsOptions>>().CurrentValue);
        Assert.Equal("111111111111", Assert.Single(aws.Accounts).AccountId);
        Assert.Same(
            app.Services.GetRequiredService<IOptions<CollectorsOptions>>().Value,
            app.Services.GetRequiredService<IOptionsMonitor<CollectorsOptions>>().CurrentValue);
    }

    /// <summary>DashboardHost turns the demo off; these tests need the demo's own decision from the accounts.</summary>
    private static Dictionary<string, string?> WithoutDemoSetting(Dictionary<string, string?> settings) =>
        new(settings) { ["Observe:Demo:Enabled"] = null };

    private static List<string> CollectorServices(Microsoft.AspNetCore.Builder.WebApplication app) =>
        app.Services.GetServices<IHostedService>()
            .Select(s => (s is StartedWithServer wrapped ? wrapped.Inner : s).GetType())
            .Where(t => t.Namespace == "Observe.Collectors.Collection")
            .Select(t => t.Name)
            .ToList();
}
