using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Observe.Alerting.Delivery;
using Observe.Alerting.Evaluation;
using Observe.Alerting.Lifecycle;
using Observe.Collectors.Collection;
using Observe.Store;
using Observe.Store.Model;

namespace Observe.Alerting.Hosting;

/// <summary>
/// Evaluates the rules and sends the notifications while this replica holds the <c>alerting</c> lease in the store;
/// the other replicas wait and take over within the lease when the holder dies. Each cycle's instances, history and
/// notifications are committed in one transaction fenced by the lease, before anything is sent, so a crash loses
/// nothing and a replica that lost the lease writes nothing.
/// </summary>
internal sealed partial class AlertingHost(
    AlertRuleSource rules,
    IRuleEvaluator evaluator,
    IAlertStateStore states,
    IAlertLifecycleStore lifecycle,
    ILeaseStore leases,
    NotificationDispatcher dispatcher,
    AlertingHealthRecorder health,
    IOptions<AlertingOptions> options,
    CollectorsInstance instance,
    TimeProvider time,
    ILogger<AlertingHost> logger) : BackgroundService
{
    internal const string LeaseName = "alerting";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Store calls may complete synchronously (SQLite); yield so the host's StartAsync is not held up.
        await Task.Yield();
        var settings = options.Value;
        if (!settings.Enabled)
        {
            LogDisabled(AlertingOptions.SectionName);
            return;
        }

        Lease? held = null;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                held = await TryLeaseAsync(null, settings, stoppingToken);
                if (held is null)
                {
                    await Task.Delay(settings.LeaseDuration / 3, time, stoppingToken);
                    continue;
                }

                LogLeading(instance.Id, held.Token);
                await SeedDefaultsAsync(stoppingToken);
                held = await LeadAsync(held, settings, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: give the lease back below so another replica takes over at once.
        }

        if (held is not null)
        {
            await ReleaseAsync(held);
        }
    }

    /// <summary>Evaluates and sends until the lease is lost (returns null) or the host stops (returns the lease).</summary>
    private async Task<Lease?> LeadAsync(Lease lease, AlertingOptions settings, CancellationToken stoppingToken)
    {
        using var leading = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var sending = dispatcher.RunAsync(lease, leading.Token);
        try
        {
            var nextEvaluation = time.GetUtcNow();
            while (true)
            {
                if (time.GetUtcNow() >= nextEvaluation)
                {
                    if (!await EvaluateOnceAsync(lease, stoppingToken))
                    {
                        LogLostLease(instance.Id, "the store refused the cycle's commit");
                        return null;
                    }

                    nextEvaluation += settings.EvaluationInterval;
                    var now = time.GetUtcNow();
                    if (nextEvaluation < now)
                    {
                        // A cycle that overran skips the starts it missed instead of running back to back.
                        nextEvaluation = now + settings.EvaluationInterval;
                    }
                }

                var renewAt = time.GetUtcNow() + (settings.LeaseDuration / 3);
                var wake = nextEvaluation < renewAt ? nextEvaluation : renewAt;
                var wait = wake - time.GetUtcNow();
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, time, stoppingToken);
                }

                var renewed = await TryLeaseAsync(lease, settings, stoppingToken);
                if (renewed is null)
                {
                    LogLostLease(instance.Id, "another replica holds it");
                    return null;
                }

                lease = renewed;
            }
        }
        finally
        {
            await leading.CancelAsync();
            try
            {
                await sending;
            }
            catch (OperationCanceledException)
            {
                // The senders stop with the lease; an attempt they cut off stays in flight in the log.
            }
        }
    }

    /// <summary>Takes or renews the lease; null when another replica holds it or the store cannot be reached.</summary>
    private async Task<Lease?> TryLeaseAsync(Lease? current, AlertingOptions settings, CancellationToken cancellationToken)
    {
        try
        {
            var lease = await leases.TryAcquireLeaseAsync(LeaseName, instance.Id, settings.LeaseDuration, time.GetUtcNow(), cancellationToken);

            // A new token means the lease lapsed and was taken afresh: another replica may have acted in between,
            // so this one starts over as a new leader rather than carrying on.
            return lease is null || (current is not null && lease.Token != current.Token) ? null : lease;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogLeaseFailed(ex);
            return null;
        }
    }

    /// <summary>One cycle; false only when the lease was lost. A failing cycle changes nothing and is retried.</summary>
    internal async Task<bool> EvaluateOnceAsync(Lease lease, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var now = time.GetUtcNow();
        var started = time.GetTimestamp();
        var ruleCount = 0;
        var problems = new List<string>();
        int? evaluatedCount = null;
        int? unknownCount = null;
        try
        {
            var active = await rules.GetRulesAsync(cancellationToken);
            ruleCount = active.Rules.Count;
            problems.AddRange(active.Problems.Select(p => p.RuleId is null ? $"{p.Source}: {p.Message}" : $"{p.Source}, rule {p.RuleId}: {p.Message}"));
            var results = await evaluator.EvaluateAsync(active.Rules, now, cancellationToken);
            evaluatedCount = results.Sum(r => r.States.Count);
            unknownCount = results.Sum(r => r.States.Count(s => s.Observation == Observation.Unknown));
            var stored = await states.GetAlertInstancesAsync(null, cancellationToken);
            var byRule = stored.ToLookup(i => i.RuleId, StringComparer.Ordinal);

            var upserts = new List<AlertInstance>();
            var transitions = new List<AlertTransition>();
            var deletes = new List<(string RuleId, string LabelsKey)>();
            var after = new List<AlertInstance>();
            foreach (var result in results)
            {
                var decision = AlertLifecycle.Apply(result, [.. byRule[result.Rule.Id]], settings);
                upserts.AddRange(decision.Upserts);
                transitions.AddRange(decision.Transitions);
                deletes.AddRange(decision.Deletes);
                after.AddRange(decision.Instances);
            }

            // A rule removed or disabled: its alerts go, and the planner sends the resolve of any group it had notified.
            var evaluated = results.Select(r => r.Rule.Id).ToHashSet(StringComparer.Ordinal);
            deletes.AddRange(stored.Where(i => !evaluated.Contains(i.RuleId)).Select(i => (i.RuleId, i.LabelsKey)));

            var silences = await lifecycle.GetSilencesEndingAfterAsync(now, cancellationToken);
            var latest = await states.GetLatestNotificationPerGroupAsync(cancellationToken);
            var plan = NotificationPlanner.Plan(after, active.Rules, silences, latest, now, settings);
            foreach (var problem in plan.Problems)
            {
                LogPlanProblem(problem);
            }

            problems.AddRange(plan.Problems);

            var committed = await lifecycle.CommitAlertEvaluationAsync(
                new AlertEvaluationCommit
                {
                    Lease = lease,
                    At = now,
                    Instances = upserts,
                    Transitions = transitions,
                    Deletes = deletes,
                    Notifications = plan.Notifications,
                },
                cancellationToken);
            if (committed)
            {
                LogCycle(active.Rules.Count, transitions.Count, plan.Notifications.Count);
                if (plan.Notifications.Count > 0)
                {
                    dispatcher.Wake();
                }
            }

            await health.RecordAsync(
                new CycleFigures(now, time.GetElapsedTime(started), ruleCount, problems, evaluatedCount, unknownCount, null, Fenced: !committed),
                cancellationToken);
            return committed;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Nothing was committed: alerts keep their state (an unread figure never resolves one); retried next cycle.
            LogCycleFailed(ex);
            await health.RecordAsync(
                new CycleFigures(now, time.GetElapsedTime(started), ruleCount, problems, evaluatedCount, unknownCount, $"{ex.GetType().Name}: {ex.Message}", Fenced: false),
                cancellationToken);
            return true;
        }
    }

    private async Task SeedDefaultsAsync(CancellationToken cancellationToken)
    {
        try
        {
            await rules.SeedDefaultsAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Tried again at the next leadership; the rules already stored are evaluated meanwhile.
            LogSeedFailed(ex);
        }
    }

    private async Task ReleaseAsync(Lease lease)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await leases.ReleaseLeaseAsync(lease, timeout.Token);
        }
        catch (Exception ex)
        {
            // Not released: another replica takes over when it expires.
            LogReleaseFailed(ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Alerting off: {Section}:Enabled is false")]
    private partial void LogDisabled(string section);

    [LoggerMessage(Level = LogLevel.Information, Message = "Alerting: instance {Instance} holds the lease (token {Token}) and evaluates and sends")]
    private partial void LogLeading(string instance, long token);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Alerting: instance {Instance} lost the lease ({Reason}); it stops evaluating and sending")]
    private partial void LogLostLease(string instance, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Alerting: could not take or renew the lease")]
    private partial void LogLeaseFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Alerting cycle: {Rules} rules, {Transitions} transitions, {Notifications} notifications queued")]
    private partial void LogCycle(int rules, int transitions, int notifications);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Alerting: {Problem}")]
    private partial void LogPlanProblem(string problem);

    [LoggerMessage(Level = LogLevel.Error, Message = "Alerting cycle failed; alerts keep their state and the cycle is retried")]
    private partial void LogCycleFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Alerting: could not write the default rule set; it is tried again later")]
    private partial void LogSeedFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Alerting: could not release the lease at stop; it expires instead")]
    private partial void LogReleaseFailed(Exception exception);
}
