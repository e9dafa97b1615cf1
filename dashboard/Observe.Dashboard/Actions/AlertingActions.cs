using Observe.Alerting.Console;
using Observe.Dashboard.Auditing;
using Observe.Dashboard.Auth;

namespace Observe.Dashboard.Actions;

/// <summary>
/// Every change the Rules and Channels pages make (save, delete, enable or disable a rule, queue a test send): an
/// Admin's, recorded under their name.
/// </summary>
public sealed class AlertingActions(IAlertingConsole console, DashboardUser user, ActionAudit audit)
{
    /// <exception cref="DashboardAccessDeniedException">The user is not an Admin; nothing was written.</exception>
    [RequiresRole(DashboardRoles.Admin)]
    public async Task<RuleChangeResult> SaveRuleAsync(string? editingId, string document, CancellationToken cancellationToken)
    {
        var actor = await user.DemandAsync(DashboardRoles.Admin);
        var before = editingId is null ? null : await RuleAsync(editingId, cancellationToken);
        var result = await console.SaveRuleAsync(editingId, document, actor, cancellationToken);
        await audit.RecordAsync(
            actor, "rule.save", result.RuleId ?? editingId ?? "(new)",
            before is null ? null : RuleState(before),
            result.Succeeded ? new { document, enabled = (await RuleAsync(result.RuleId, cancellationToken))?.Enabled } : Refused(result, document),
            cancellationToken);
        return result;
    }

    /// <exception cref="DashboardAccessDeniedException">The user is not an Admin; nothing was written.</exception>
    [RequiresRole(DashboardRoles.Admin)]
    public async Task<RuleChangeResult> DeleteRuleAsync(string ruleId, CancellationToken cancellationToken)
    {
        var actor = await user.DemandAsync(DashboardRoles.Admin);
        var before = await RuleAsync(ruleId, cancellationToken);
        var result = await console.DeleteRuleAsync(ruleId, actor, cancellationToken);
        await audit.RecordAsync(
            actor, "rule.delete", ruleId, before is null ? null : RuleState(before), result.Succeeded ? null : Refused(result, null), cancellationToken);
        return result;
    }

    /// <exception cref="DashboardAccessDeniedException">The user is not an Admin; nothing was written.</exception>
    [RequiresRole(DashboardRoles.Admin)]
    public async Task<RuleChangeResult> SetRuleEnabledAsync(string ruleId, bool enabled, CancellationToken cancellationToken)
    {
        var actor = await user.DemandAsync(DashboardRoles.Admin);
        var before = await RuleAsync(ruleId, cancellationToken);
        var result = await console.SetRuleEnabledAsync(ruleId, enabled, actor, cancellationToken);
        await audit.RecordAsync(
            actor, enabled ? "rule.enable" : "rule.disable", ruleId,
            before is null ? null : new { enabled = before.Enabled },
            result.Succeeded ? new { enabled } : Refused(result, null),
            cancellationToken);
        return result;
    }

    /// <summary>Queues a test notification through the channel's outbox; its id, to follow the attempt.</summary>
    /// <exception cref="DashboardAccessDeniedException">The user is not an Admin; nothing was queued.</exception>
    [RequiresRole(DashboardRoles.Admin)]
    public async Task<string> TestSendAsync(string channelId, CancellationToken cancellationToken)
    {
        var actor = await user.DemandAsync(DashboardRoles.Admin);
        var notificationId = await console.QueueTestSendAsync(channelId, actor, cancellationToken);
        await audit.RecordAsync(actor, "channel.test-send", channelId, null, new { notificationId }, cancellationToken);
        return notificationId;
    }

    private async Task<AlertRuleView?> RuleAsync(string? ruleId, CancellationToken cancellationToken) =>
        ruleId is null ? null : (await console.GetRulesAsync(cancellationToken)).Rules.FirstOrDefault(r => r.Id == ruleId);

    private static object RuleState(AlertRuleView rule) => new { document = rule.Document, enabled = rule.Enabled, source = rule.Source };

    private static object Refused(RuleChangeResult result, string? document) =>
        new { refused = result.Errors.Select(e => e.ToString()).ToList(), document };
}
