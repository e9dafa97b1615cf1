using Observe.Alerting.Rules;
using Observe.Store.Model;

namespace Observe.Alerting.Lifecycle;

/// <summary>
/// Alerts that say nothing new while another fires. A failing collector is why a function's figures go unread, so a
/// firing <see cref="RuleSignal.CollectorFailing"/> alert inhibits the no-data alerts of the same account and region:
/// the one page is "the collector is failing", not fifty "no data" pages. Inhibition, like a silence, stops
/// notifications only; the inhibited alert keeps its state and stays on the Alerts page.
/// </summary>
internal sealed class Inhibition
{
    private readonly HashSet<(string Account, string Region)> _failingTargets;

    private Inhibition(HashSet<(string, string)> failingTargets) => _failingTargets = failingTargets;

    public static Inhibition From(IEnumerable<AlertInstance> instances, IReadOnlyDictionary<string, RuleDefinition> rules)
    {
        ArgumentNullException.ThrowIfNull(instances);
        ArgumentNullException.ThrowIfNull(rules);
        var failing = new HashSet<(string, string)>();
        foreach (var instance in instances)
        {
            if (instance.Status == AlertStatus.Firing
                && rules.TryGetValue(instance.RuleId, out var rule)
                && rule.Condition.Signal == RuleSignal.CollectorFailing
                && instance.Labels.TryGetValue(AlertLabels.Account, out var account)
                && instance.Labels.TryGetValue(AlertLabels.Region, out var region))
            {
                failing.Add((account, region));
            }
        }

        return new Inhibition(failing);
    }

    public bool IsInhibited(AlertInstance instance)
    {
        ArgumentNullException.ThrowIfNull(instance);
        return AlertLabels.IsNoData(instance.Labels)
            && instance.Labels.TryGetValue(AlertLabels.Account, out var account)
            && instance.Labels.TryGetValue(AlertLabels.Region, out var region)
            && _failingTargets.Contains((account, region));
    }
}
