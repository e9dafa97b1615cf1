using Observe.Alerting.Console;
using Observe.Store;

namespace Observe.Dashboard.Model;

/// <summary>The Rules page: every rule, dashboard rules first, and the problems of the rules left out.</summary>
public sealed record AlertRulesViewModel(AlertRulesView View)
{
    public IReadOnlyList<AlertRuleView> Rules => View.Rules;

    public IReadOnlyList<AlertRuleProblem> Problems => View.Problems;

    /// <summary>The editor's address of a rule (a file rule's opens read-only).</summary>
    public static string EditorPath(string ruleId) => "alerts/rules/" + Uri.EscapeDataString(ruleId);

    /// <summary>"5m", "5m, keeps firing 10m", or "at once".</summary>
    public static string Timing(AlertRuleView rule)
    {
        var pending = rule.For is "" or "0s" ? "at once" : "after " + rule.For;
        return rule.KeepFiringFor is "" or "0s" ? pending : $"{pending}; keeps firing {rule.KeepFiringFor}";
    }
}

/// <summary>The Rules page's query: the console's rules, reloaded whenever alerting data changes in the store.</summary>
public sealed class AlertRulesData(IAlertingConsoleReader console) : ILiveData<AlertRulesViewModel>
{
    public StoreChangeKind Changes => StoreChangeKind.Alerting;

    public bool UsesTimeRange => false;

    /// <summary>The rules file changes without a store write: look again on the timer.</summary>
    public bool RefreshOnTimer => true;

    public async Task<AlertRulesViewModel> LoadAsync(LiveQuery query, CancellationToken cancellationToken) =>
        new(await console.GetRulesAsync(cancellationToken));
}
