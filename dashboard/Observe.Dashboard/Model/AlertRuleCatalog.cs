using Observe.Alerting.Hosting;
using Observe.Alerting.Lifecycle;
using Observe.Alerting.Rules;
using Observe.Store;

namespace Observe.Dashboard.Model;

/// <summary>
/// What the Alerts pages need to know about the rules: each rule's name, and the notification group of an alert. The
/// group is computed by the planner's own <see cref="NotificationPlanner.GroupKey"/> over the rules in force (dashboard
/// and rules-file rules, read by <see cref="AlertRuleSource"/>), so a notification's <c>/alerts?group=</c> link lands on
/// exactly the alerts it grouped.
/// </summary>
/// <remarks>Public for the pages that inject it; what it works with is alerting's internals.</remarks>
public sealed class AlertRuleCatalog
{
    private readonly AlertRuleSource _rules;
    private readonly IAlertRuleReader _stored;

    internal AlertRuleCatalog(AlertRuleSource rules, IAlertRuleReader stored) => (_rules, _stored) = (rules, stored);

    internal async Task<AlertRuleNames> LoadAsync(CancellationToken cancellationToken)
    {
        var active = await _rules.GetRulesAsync(cancellationToken);

        // A disabled or unreadable rule is not in force, but its alerts (resolved ones, history) still deserve its name.
        var names = (await _stored.GetAlertRulesAsync(cancellationToken)).ToDictionary(r => r.Id, r => r.Name, StringComparer.Ordinal);
        foreach (var rule in active.Rules)
        {
            names[rule.Id] = rule.Name;
        }

        return new AlertRuleNames(names, active.Rules.ToDictionary(r => r.Id, StringComparer.Ordinal));
    }
}

/// <summary>The rules as one load of an Alerts page read them.</summary>
internal sealed class AlertRuleNames(IReadOnlyDictionary<string, string> names, IReadOnlyDictionary<string, RuleDefinition> active)
{
    /// <summary>The rule's name; its id when the store no longer has it (deleted while its alerts remain).</summary>
    public string Name(string ruleId) => names.GetValueOrDefault(ruleId, ruleId);

    /// <summary>The notification group an alert with these labels is in; null when its rule is not in force (disabled, deleted, unreadable).</summary>
    public string? GroupKey(string ruleId, IReadOnlyDictionary<string, string> labels) =>
        active.TryGetValue(ruleId, out var rule) ? NotificationPlanner.GroupKey(rule, labels) : null;
}
