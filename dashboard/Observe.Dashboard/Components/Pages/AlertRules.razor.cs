using System.Globalization;
using Microsoft.AspNetCore.Components;
using Observe.Dashboard.Actions;
using Observe.Dashboard.Auth;
using Observe.Dashboard.Model;

namespace Observe.Dashboard.Components.Pages;

/// <summary>
/// Every alert rule at <c>/alerts/rules</c>: where it comes from, what it watches, and the problems of the rules left
/// out of evaluation. A rule opens its editor (read-only for a rules-file rule); dashboard rules are enabled and
/// disabled from here.
/// </summary>
public sealed partial class AlertRules : LivePage<AlertRulesViewModel>
{
    private string? _busy;
    private string? _actionError;
    private ILogger? _log;

    /// <summary>The rule the editor just saved, to say so (<c>?saved=</c>).</summary>
    [SupplyParameterFromQuery(Name = "saved")]
    public string? Saved { get; set; }

    /// <summary>The rule the editor just deleted (<c>?deleted=</c>).</summary>
    [SupplyParameterFromQuery(Name = "deleted")]
    public string? Deleted { get; set; }

    [Inject]
    public required AlertingActions Actions { get; init; }

    protected override void OnInitialized()
    {
        _log = LoggerFactory.CreateLogger<AlertRules>();
        base.OnInitialized();
    }

    private string ProblemsSummary => Model!.Problems.Count == 1
        ? "1 rule problem: the rule is left out of evaluation (or keeps its last good version) until it is fixed."
        : string.Create(CultureInfo.InvariantCulture, $"{Model.Problems.Count} rule problems: those rules are left out of evaluation (or keep their last good version) until they are fixed.");

    private async Task SetEnabledAsync(string ruleId, bool enabled)
    {
        _busy = ruleId;
        _actionError = null;
        try
        {
            // The store announces the change and the page reloads from it.
            var result = await Actions.SetRuleEnabledAsync(ruleId, enabled, CancellationToken.None);
            if (!result.Succeeded)
            {
                _actionError = string.Join("; ", result.Errors.Select(e => e.ToString()));
            }
        }
        catch (DashboardActionException denied)
        {
            _actionError = denied.Message;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _log?.LogError(ex, "Could not set alert rule {RuleId} enabled to {Enabled}", ruleId, enabled);
            _actionError = "The rule was not changed: the store did not answer. Try again; if this lasts, check the Observe:Store settings and the dashboard's log.";
        }
        finally
        {
            _busy = null;
        }
    }
}
