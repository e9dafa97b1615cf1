using Observe.Alerting.Console;

namespace Observe.Dashboard.Model;

/// <summary>
/// Every change the Rules and Channels pages make (save, delete, enable or disable a rule, queue a test send) goes
/// through here, recorded as <see cref="ErrorsActor.Current"/>: the one place sign-in (issue 14) replaces the actor
/// and adds its role checks.
/// </summary>
public sealed class AlertingActions(IAlertingConsole console)
{
    /// <summary>Who the changes are recorded as.</summary>
    public static string Actor => ErrorsActor.Current;

    public Task<RuleChangeResult> SaveRuleAsync(string? editingId, string document, CancellationToken cancellationToken) =>
        console.SaveRuleAsync(editingId, document, Actor, cancellationToken);

    public Task<RuleChangeResult> DeleteRuleAsync(string ruleId, CancellationToken cancellationToken) =>
        console.DeleteRuleAsync(ruleId, Actor, cancellationToken);

    public Task<RuleChangeResult> SetRuleEnabledAsync(string ruleId, bool enabled, CancellationToken cancellationToken) =>
        console.SetRuleEnabledAsync(ruleId, enabled, Actor, cancellationToken);

    /// <summary>Queues a test notification; returns its id, to find its attempts in the delivery log.</summary>
    public Task<string> TestSendAsync(string channelId, CancellationToken cancellationToken) =>
        console.QueueTestSendAsync(channelId, Actor, cancellationToken);
}
