namespace Observe.Alerting.Console;

/// <summary>
/// The alert rules and channels as the dashboard shows them: every rule with where it comes from, a rule document
/// checked by the parser the rules file goes through, and the configured channels with their secrets masked. Reads
/// only, so any signed-in viewer's page may use it. Registered by <c>AddObserveAlerting</c>.
/// </summary>
public interface IAlertingConsoleReader
{
    /// <summary>The configured channels, ordered by id, destinations masked.</summary>
    IReadOnlyList<AlertChannelView> Channels { get; }

    /// <summary>Starting points for a new rule: the default rule set's shapes, each under a new id.</summary>
    IReadOnlyList<RuleTemplate> Templates { get; }

    /// <summary>Every rule (dashboard rules, then the rules file's) and the problems of those left out of evaluation.</summary>
    Task<AlertRulesView> GetRulesAsync(CancellationToken cancellationToken);

    /// <summary>
    /// What is wrong with <paramref name="document"/> as the rule <paramref name="editingId"/> (null for a new rule),
    /// each error naming its field; empty when it can be saved.
    /// </summary>
    Task<IReadOnlyList<RuleFieldError>> ValidateAsync(string? editingId, string document, CancellationToken cancellationToken);
}

/// <summary>
/// The reads of <see cref="IAlertingConsoleReader"/> and the changes: saving and deleting dashboard rules (a rules-file
/// rule is read-only: its owners change the file), and test sends queued through the outbox the real notifications
/// use. The dashboard calls it only from its role-checked action services. Registered by <c>AddObserveAlerting</c>.
/// </summary>
public interface IAlertingConsole : IAlertingConsoleReader
{
    /// <summary>
    /// Saves <paramref name="document"/> as a dashboard rule, new (<paramref name="editingId"/> null) or replacing
    /// <paramref name="editingId"/>, recording <paramref name="actor"/>; nothing is written when it has errors.
    /// </summary>
    Task<RuleChangeResult> SaveRuleAsync(string? editingId, string document, string actor, CancellationToken cancellationToken);

    /// <summary>Deletes a dashboard rule and its alerts; refused for a rules-file rule.</summary>
    Task<RuleChangeResult> DeleteRuleAsync(string ruleId, string actor, CancellationToken cancellationToken);

    /// <summary>Enables or disables a dashboard rule (its document's <c>enabled</c>); refused for a rules-file rule.</summary>
    Task<RuleChangeResult> SetRuleEnabledAsync(string ruleId, bool enabled, string actor, CancellationToken cancellationToken);

    /// <summary>
    /// Queues a test notification for <paramref name="channelId"/> in the outbox, where the dispatcher sends it like any
    /// other and logs its attempts; returns the notification's id, to find those attempts in the delivery log.
    /// </summary>
    /// <exception cref="ArgumentException">No channel has that id.</exception>
    Task<string> QueueTestSendAsync(string channelId, string actor, CancellationToken cancellationToken);
}
