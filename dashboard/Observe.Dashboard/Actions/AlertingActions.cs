using Observe.Alerting.Console;
using Observe.Dashboard.Auth;

namespace Observe.Dashboard.Actions;

/// <summary>
/// Every change the Rules and Channels pages make (save, delete, enable or disable a rule, queue a test send): an
/// Admin's, recorded under their name.
/// </summary>
public sealed class AlertingActions(IAlertingConsole console, DashboardUser user)
{
    /// <exception cref="DashboardAccessDeniedException">The user is not an Admin; nothing was written.</exception>
    [RequiresRole(DashboardRoles.Admin)]
    public async Task<RuleChangeResult> SaveRuleAsync(string? editingId, string document, CancellationToken cancellationToken)
    {
        var actor = await user.DemandAsync(DashboardRoles.Admin);
        return await console.SaveRuleAsync(editingId, document, actor, cancellationToken);
    }

    /// <exception cref="DashboardAccessDeniedException">The user is not an Admin; nothing was written.</exception>
    [RequiresRole(DashboardRoles.Admin)]
    public async Task<RuleChangeResult> DeleteRuleAsync(string ruleId, CancellationToken cancellationToken)
    {
        var actor = await user.DemandAsync(DashboardRoles.Admin);
        return await console.DeleteRuleAsync(ruleId, actor, cancellationToken);
    }

    /// <exception cref="DashboardAccessDeniedException">The user is not an Admin; nothing was written.</exception>
    [RequiresRole(DashboardRoles.Admin)]
    public async Task<RuleChangeResult> SetRuleEnabledAsync(string ruleId, bool enabled, CancellationToken cancellationToken)
    {
        var actor = await user.DemandAsync(DashboardRoles.Admin);
        return await console.SetRuleEnabledAsync(ruleId, enabled, actor, cancellationToken);
    }

    /// <summary>Queues a test notification through the channel's outbox; its id, to follow the attempt.</summary>
    /// <exception cref="DashboardAccessDeniedException">The user is not an Admin; nothing was queued.</exception>
    [RequiresRole(DashboardRoles.Admin)]
    public async Task<string> TestSendAsync(string channelId, CancellationToken cancellationToken)
    {
        var actor = await user.DemandAsync(DashboardRoles.Admin);
        return await console.QueueTestSendAsync(channelId, actor, cancellationToken);
    }
}
