using Observe.Collectors.Metrics;
using Observe.Store.Model;

namespace Observe.Alerting.Hosting;

/// <summary>
/// The scopes of every enabled rule the evaluator uses, the rules file's included, so the metrics collector in this
/// process reads the functions a file rule watches as it does those of a dashboard rule.
/// </summary>
internal sealed class AlertingRuleScopes(AlertRuleSource rules) : IAlertRuleScopes
{
    public async Task<IReadOnlyList<FleetFilter>> GetEnabledScopesAsync(CancellationToken cancellationToken) =>
        [.. (await rules.GetRulesAsync(cancellationToken)).Rules.Select(AlertRuleSource.CollectorScope)];
}
