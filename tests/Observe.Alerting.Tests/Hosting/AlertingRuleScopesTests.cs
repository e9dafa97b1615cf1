using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Observe.Alerting.Rules;
using Observe.Collectors;
using Observe.Collectors.Metrics;
using Observe.Store;
using Observe.Store.Model;

namespace Observe.Alerting.Tests.Hosting;

/// <summary>
/// The metrics collector reads every active function of a target some enabled rule covers: with alerting in the
/// process, a rules-file rule counts as a dashboard rule does, whichever of the two was registered first.
/// </summary>
public sealed class AlertingRuleScopesTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("observe-rule-scopes-").FullName;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Scopes_WithAlerting_IncludeTheRulesFilesEnabledRules(bool collectorsFirst)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var ct = timeout.Token;
        var rulesFile = Path.Combine(_directory, "rules.yaml");
        await File.WriteAllTextAsync(rulesFile, """
            rules:
              - {id: file-eu, name: EU errors, condition: errors > 0, scope: {accounts: ["111111111111"], regions: [eu-west-1]}}
              - {id: file-off, name: Off, condition: errors > 0, enabled: false, scope: {accounts: ["222222222222"]}}
            """, ct);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Observe:Store:Kind"] = "Sqlite",
            ["Observe:Store:DataDirectory"] = _directory,
            ["Observe:Alerting:RulesFile:Path"] = rulesFile,
        }).Build();
        var services = new ServiceCollection().AddLogging().AddObserveStore(configuration);
        if (collectorsFirst)
        {
            services.AddObserveCollectors(configuration).AddObserveAlerting(configuration);
        }
        else
        {
            services.AddObserveAlerting(configuration).AddObserveCollectors(configuration);
        }

        await using var provider = services.BuildServiceProvider();
        await provider.GetRequiredService<IObserveStore>().MigrateAsync(ct);
        await provider.GetRequiredService<RulesFileLoader>().ReloadAsync(ct);
        await provider.GetRequiredService<IAlertRuleWriter>().UpsertAlertRuleAsync(
            new AlertRule { Id = "stored-us", Name = "US", Condition = "errors > 0", Scope = new FleetFilter(null, "us-east-1"), Document = "id: stored-us\nname: US\ncondition: errors > 0\nscope: {regions: [us-east-1]}\n" }, ct);

        var scopes = await provider.GetRequiredService<IAlertRuleScopes>().GetEnabledScopesAsync(ct);

        Assert.Equal(
            [new FleetFilter("111111111111", "eu-west-1"), new FleetFilter(null, "us-east-1")],
            scopes.OrderBy(s => s.Region, StringComparer.Ordinal));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
