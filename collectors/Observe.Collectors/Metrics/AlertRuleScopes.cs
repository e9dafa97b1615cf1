using Observe.Store;
using Observe.Store.Model;

namespace Observe.Collectors.Metrics;

/// <summary>
/// Where the enabled alert rules look, so the metrics collector reads every active function of a target some rule
/// covers each pass. The stored (dashboard) rules by default; where the alerting engine runs it adds the rules of its
/// rules file, which never reach the store.
/// </summary>
internal interface IAlertRuleScopes
{
    Task<IReadOnlyList<FleetFilter>> GetEnabledScopesAsync(CancellationToken cancellationToken);
}

/// <summary>The scopes of the enabled rules in the store.</summary>
internal sealed class StoredAlertRuleScopes(IAlertRuleReader rules) : IAlertRuleScopes
{
    public async Task<IReadOnlyList<FleetFilter>> GetEnabledScopesAsync(CancellationToken cancellationToken) =>
        [.. (await rules.GetAlertRulesAsync(cancellationToken).ConfigureAwait(false)).Where(r => r.Enabled).Select(r => r.Scope)];
}
