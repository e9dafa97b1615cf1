using System.Globalization;
using Observe.Alerting.Evaluation;
using Observe.Alerting.Rules;
using Observe.Store.Model;

namespace Observe.Alerting.Lifecycle;

/// <summary>
/// What one evaluation cycle changes for one rule: the instances to write, their transitions (the history), the
/// instances to delete, and all of the rule's instances as they stand after the cycle (for notification planning).
/// </summary>
internal sealed record LifecycleDecision(
    IReadOnlyList<AlertInstance> Upserts,
    IReadOnlyList<AlertTransition> Transitions,
    IReadOnlyList<(string RuleId, string LabelsKey)> Deletes,
    IReadOnlyList<AlertInstance> Instances);

/// <summary>
/// The alert state machine, as pure code: the stored instances of one rule and this cycle's observations in, the
/// decision out. The clock is the evaluation's instant (<see cref="RuleResult.At"/>).
/// </summary>
internal static class AlertLifecycle
{
    /// <summary>
    /// Applies one cycle's <paramref name="result"/> to the rule's <paramref name="stored"/> instances (those of
    /// <c>result.Rule</c> only, no-data instances included).
    /// </summary>
    public static LifecycleDecision Apply(RuleResult result, IReadOnlyList<AlertInstance> stored, AlertingOptions options)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(stored);
        ArgumentNullException.ThrowIfNull(options);
        var cycle = new Cycle(result.Rule, result.At, options);

        var states = new Dictionary<string, SignalState>(StringComparer.Ordinal);
        foreach (var state in result.States)
        {
            if (AlertLabels.IsNoData(state.Labels))
            {
                throw new ArgumentException($"Rule '{result.Rule.Id}' observed label set '{state.LabelsKey}' with the reserved label '{AlertLabels.NoData}'", nameof(result));
            }

            if (!states.TryAdd(state.LabelsKey, state))
            {
                throw new ArgumentException($"Rule '{result.Rule.Id}' observed label set '{state.LabelsKey}' twice in one cycle", nameof(result));
            }
        }

        var bases = new Dictionary<string, AlertInstance>(StringComparer.Ordinal);
        var derived = new Dictionary<string, AlertInstance>(StringComparer.Ordinal);
        foreach (var instance in stored)
        {
            if (instance.RuleId != result.Rule.Id)
            {
                throw new ArgumentException($"Instance '{instance.LabelsKey}' belongs to rule '{instance.RuleId}', not '{result.Rule.Id}'", nameof(stored));
            }

            var into = AlertLabels.IsNoData(instance.Labels) ? derived : bases;
            if (!into.TryAdd(instance.LabelsKey, instance))
            {
                throw new ArgumentException($"Instance '{instance.LabelsKey}' of rule '{instance.RuleId}' is stored twice", nameof(stored));
            }
        }

        // Sorted so the same inputs always give the same lists in the same order.
        var baseKeys = new SortedSet<string>(states.Keys, StringComparer.Ordinal);
        baseKeys.UnionWith(bases.Keys);
        foreach (var key in baseKeys)
        {
            var after = cycle.Step(bases.GetValueOrDefault(key), states.GetValueOrDefault(key));
            var noDataKey = AlertLabels.NoDataKey(key);
            cycle.StepNoData(after, derived.GetValueOrDefault(noDataKey));
            derived.Remove(noDataKey);
        }

        // No-data instances whose base instance is gone (deleted in an earlier cycle): they resolve.
        foreach (var orphan in derived.Values.OrderBy(i => i.LabelsKey, StringComparer.Ordinal))
        {
            cycle.StepNoData(null, orphan);
        }

        return cycle.Decision();
    }

    /// <summary>
    /// The result to apply when the rule could not be evaluated at all (the query failed): every open instance is
    /// observed as unknown, so nothing resolves and nothing pending is dropped for want of data. An empty result would
    /// instead mean "the rule sees none of them" and resolve them.
    /// </summary>
    public static RuleResult Unreadable(RuleDefinition rule, IReadOnlyList<AlertInstance> stored, DateTimeOffset at, string reason)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentNullException.ThrowIfNull(stored);
        var states = stored
            .Where(i => i.RuleId == rule.Id && i.Status != AlertStatus.Resolved && !AlertLabels.IsNoData(i.Labels))
            .Select(i => new SignalState(i.LabelsKey, i.Labels, Observation.Unknown, null, reason))
            .ToList();
        return new RuleResult(rule, at, states);
    }

    internal static string SeverityLabel(AlertSeverity severity) => severity switch
    {
        AlertSeverity.Info => "info",
        AlertSeverity.Critical => "critical",
        _ => "warning",
    };

    private sealed class Cycle(RuleDefinition rule, DateTimeOffset now, AlertingOptions options)
    {
        private readonly List<AlertInstance> _upserts = [];
        private readonly List<AlertTransition> _transitions = [];
        private readonly List<(string, string)> _deletes = [];
        private readonly List<AlertInstance> _instances = [];
        private readonly string _severity = SeverityLabel(rule.Severity);

        public LifecycleDecision Decision() => new(_upserts, _transitions, _deletes, _instances);

        /// <summary>One base (observed) label set; returns the instance after the cycle, null when there is none.</summary>
        public AlertInstance? Step(AlertInstance? instance, SignalState? state)
        {
            if (instance is null)
            {
                return state?.Observation == Observation.Active ? Open(state, null) : null;
            }

            return instance.Status switch
            {
                AlertStatus.Pending => StepPending(instance, state),
                AlertStatus.Firing => StepFiring(instance, state),
                _ => StepResolved(instance, state),
            };
        }

        private AlertInstance? StepPending(AlertInstance instance, SignalState? state)
        {
            switch (state?.Observation)
            {
                case Observation.Active:
                    var active = Refresh(instance, state);
                    return now - instance.ActiveSince >= rule.For ? Fire(active) : Keep(instance, active);

                // Unknown is no evidence either way: it stays pending, and does not fire on a figure nobody read.
                case Observation.Unknown:
                    return Keep(instance, instance with { UnknownSince = instance.UnknownSince ?? now });

                // Like Prometheus, a pending alert whose condition stops is dropped without a notification; unlike it,
                // the history keeps the short episode, since conditions that never last For are what one tunes For by.
                case Observation.Inactive:
                    Drop(instance, state.Value, state.Summary);
                    return null;
                default:
                    Drop(instance, instance.Value, "No longer observed by the rule before it fired");
                    return null;
            }
        }

        private AlertInstance? StepFiring(AlertInstance instance, SignalState? state)
        {
            switch (state?.Observation)
            {
                case Observation.Active:
                    return Keep(instance, Refresh(instance, state));

                // An unread figure never resolves: the alert stays firing, and the no-data alert counts from here.
                case Observation.Unknown:
                    return Keep(instance, instance with { UnknownSince = instance.UnknownSince ?? now });
            }

            // Inactive, or not observed at all: a label set the rule no longer sees (function deleted, scope changed)
            // can never be read as inactive, so it would fire forever; it resolves like an inactive one, after
            // KeepFiringFor, so a listing that briefly misses a function does not resolve and re-fire it.
            var lastActive = instance.LastActiveAt ?? instance.FiredAt ?? instance.ActiveSince;
            var figure = state is null ? instance.Value : state.Value;
            var summary = state is null ? "No longer observed by the rule (function removed or out of its scope)" : state.Summary;
            if (lastActive + rule.KeepFiringFor <= now)
            {
                return Resolve(instance, figure, summary);
            }

            // Keep-firing: the message still shows the figure that fired it, not the current one.
            return Keep(instance, state is null ? instance : instance with { UnknownSince = null });
        }

        private AlertInstance? StepResolved(AlertInstance instance, SignalState? state)
        {
            if (state?.Observation == Observation.Active)
            {
                // A new episode under the same key; the previous one stays in the transitions.
                return Open(state, instance);
            }

            if (instance.ResolvedAt is { } resolvedAt && resolvedAt + options.ResolvedRetention <= now)
            {
                _deletes.Add((instance.RuleId, instance.LabelsKey));
                return null;
            }

            return Keep(instance, instance);
        }

        /// <summary>The no-data alert derived from a base instance (null when the base is gone).</summary>
        public void StepNoData(AlertInstance? baseInstance, AlertInstance? noData)
        {
            if (baseInstance is { Status: AlertStatus.Firing, UnknownSince: { } since } && now - since >= options.NoDataPeriod)
            {
                var summary = string.Create(CultureInfo.InvariantCulture, $"No data since {since.UtcDateTime:yyyy-MM-dd HH:mm} UTC; last reading: {baseInstance.Summary}");
                if (noData is null || noData.Status == AlertStatus.Resolved)
                {
                    var labels = new Dictionary<string, string>(baseInstance.Labels, StringComparer.Ordinal) { [AlertLabels.NoData] = "true" };
                    var opened = new AlertInstance
                    {
                        RuleId = baseInstance.RuleId,
                        LabelsKey = AlertLabels.NoDataKey(baseInstance.LabelsKey),
                        Labels = labels,
                        Status = AlertStatus.Firing,
                        ActiveSince = since,
                        FiredAt = now,
                        LastActiveAt = now,
                        Summary = summary,
                        Severity = _severity,
                        UpdatedAt = now,
                    };
                    Record(opened, noData?.Status);
                    Write(opened);
                    return;
                }

                Keep(noData, noData with { LastActiveAt = now, Summary = summary, Severity = _severity });
                return;
            }

            if (noData is null)
            {
                return;
            }

            if (noData.Status != AlertStatus.Resolved)
            {
                Resolve(noData, null, baseInstance is { Status: AlertStatus.Firing } ? "The figure is read again" : "The alert it belonged to has resolved");
                return;
            }

            StepResolved(noData, null);
        }

        private AlertInstance Open(SignalState state, AlertInstance? previous)
        {
            var fires = rule.For <= TimeSpan.Zero;
            var opened = new AlertInstance
            {
                RuleId = rule.Id,
                LabelsKey = state.LabelsKey,
                Labels = state.Labels,
                Status = fires ? AlertStatus.Firing : AlertStatus.Pending,
                ActiveSince = now,
                FiredAt = fires ? now : null,
                LastActiveAt = now,
                Value = state.Value,
                Summary = state.Summary,
                Severity = _severity,
                UpdatedAt = now,
            };
            Record(opened, previous?.Status);
            return Write(opened);
        }

        private AlertInstance Refresh(AlertInstance instance, SignalState state) => instance with
        {
            LastActiveAt = now,
            UnknownSince = null,
            Value = state.Value,
            Summary = state.Summary,
            Severity = _severity,
        };

        private AlertInstance Fire(AlertInstance instance)
        {
            var fired = instance with { Status = AlertStatus.Firing, FiredAt = now, UpdatedAt = now };
            Record(fired, AlertStatus.Pending);
            return Write(fired);
        }

        private AlertInstance Resolve(AlertInstance instance, double? value, string summary)
        {
            // Acknowledgement belongs to the episode: the next one must be acknowledged again.
            var resolved = instance with
            {
                Status = AlertStatus.Resolved,
                ResolvedAt = now,
                UnknownSince = null,
                AcknowledgedBy = null,
                AcknowledgedAt = null,
                Value = value,
                Summary = summary,
                UpdatedAt = now,
            };
            Record(resolved, instance.Status);
            return Write(resolved);
        }

        private void Drop(AlertInstance instance, double? value, string summary)
        {
            _transitions.Add(new AlertTransition
            {
                RuleId = instance.RuleId,
                LabelsKey = instance.LabelsKey,
                At = now,
                From = AlertStatus.Pending,
                To = AlertStatus.Resolved,
                Value = value,
                Summary = summary,
            });
            _deletes.Add((instance.RuleId, instance.LabelsKey));
        }

        /// <summary>Keeps the instance, written only when something in it changed.</summary>
        private AlertInstance Keep(AlertInstance before, AlertInstance after)
        {
            if (after == before)
            {
                _instances.Add(before);
                return before;
            }

            return Write(after with { UpdatedAt = now });
        }

        private AlertInstance Write(AlertInstance instance)
        {
            _upserts.Add(instance);
            _instances.Add(instance);
            return instance;
        }

        private void Record(AlertInstance instance, AlertStatus? from) => _transitions.Add(new AlertTransition
        {
            RuleId = instance.RuleId,
            LabelsKey = instance.LabelsKey,
            At = now,
            From = from,
            To = instance.Status,
            Value = instance.Value,
            Summary = instance.Summary,
        });
    }
}
