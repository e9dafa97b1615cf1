using System.Globalization;
using Observe.Alerting.Rules;
using Observe.Store;
using Observe.Store.Model;

namespace Observe.Alerting.Evaluation;

/// <summary>
/// Evaluates rules over the store. The reads are shared by the rules of a cycle: one per distinct window and account
/// and region filter for the figures, error groups and baselines, one for the inventory, the alarms and the collectors;
/// none per rule per function. A figure that could not be read gives <see cref="Observation.Unknown"/>, never
/// <see cref="Observation.Inactive"/>.
/// </summary>
internal sealed class RuleEvaluator(
    IFunctionStatsReader stats,
    IInventoryReader inventory,
    IErrorGroupReader errorGroups,
    IAlarmReader alarms,
    ICollectorStatusReader collectors,
    IFunctionBaselineReader baselines) : IRuleEvaluator
{
    /// <summary>Error groups read per window and filter; past it the rule reports the rest as unknown rather than absent.</summary>
    internal const int ErrorGroupLimit = 10_000;

    /// <summary>The anomalies' history: the function's own last 48 hours before the window.</summary>
    internal static readonly TimeSpan BaselineLength = TimeSpan.FromHours(48);

    /// <summary>Less history than this and an anomaly is unknown: a day covers one daily cycle of traffic at least.</summary>
    internal static readonly TimeSpan MinimumBaseline = TimeSpan.FromHours(24);

    /// <summary>
    /// How long a baseline read serves: 48 hours of minutes move little in an hour, and reading them is the one costly
    /// read of a cycle (10,000 functions x 2,880 minutes), so it is done once an hour instead of every minute.
    /// </summary>
    internal static readonly TimeSpan BaselineRefresh = TimeSpan.FromHours(1);

    private const double DurationAnomalyFactor = 2;
    private const double InvocationsAnomalyFactor = 1.25;
    private const string MetricsCollector = "metrics";

    private readonly Dictionary<(TimeSpan Window, FleetFilter Filter), (DateTimeOffset ReadAt, Dictionary<FunctionKey, FunctionBaseline> ByFunction)> _baselines = [];
    private readonly Lock _baselineLock = new();

    public async Task<IReadOnlyList<RuleResult>> EvaluateAsync(IReadOnlyList<RuleDefinition> rules, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rules);
        var enabled = rules.Where(r => r.Enabled).ToList();
        var cycle = await ReadAsync(enabled, now, cancellationToken);
        return [.. enabled.Select(rule => new RuleResult(rule, now, Evaluate(rule, cycle, now)))];
    }

    /// <summary>Everything the cycle's rules need, each read once.</summary>
    private sealed class Cycle
    {
        public Dictionary<FunctionKey, LambdaFunction> Functions { get; } = [];
        public Dictionary<(TimeSpan, FleetFilter), IReadOnlyList<FunctionStats>> Stats { get; } = [];
        public Dictionary<(TimeSpan, FleetFilter), Dictionary<FunctionKey, FunctionBaseline>> Baselines { get; } = [];
        public Dictionary<(TimeSpan, FleetFilter), IReadOnlyList<ErrorSummary>> Errors { get; } = [];
        public IReadOnlyList<CloudWatchAlarm> Alarms { get; set; } = [];
        public IReadOnlyList<CollectorStatus> Collectors { get; set; } = [];
    }

    private async Task<Cycle> ReadAsync(List<RuleDefinition> rules, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var cycle = new Cycle();
        var functionRules = rules.Where(r => IsFunctionSignal(r.Condition.Signal)).ToList();
        foreach (var key in ReadKeys(functionRules))
        {
            cycle.Stats[key] = await stats.GetFunctionStatsAsync(key.Filter, new TimeRange(now - key.Window, now), cancellationToken);
        }

        foreach (var key in ReadKeys(functionRules.Where(r => r.Condition.Signal is RuleSignal.DurationAnomaly or RuleSignal.InvocationsAnomaly)))
        {
            cycle.Baselines[key] = await BaselinesAsync(key, now, cancellationToken);
        }

        foreach (var key in ReadKeys(rules.Where(r => r.Condition.Signal is RuleSignal.NewErrorGroup or RuleSignal.ErrorRegression)))
        {
            var query = new ErrorQuery { Filter = key.Filter, Sort = ErrorSort.FirstSeen };
            cycle.Errors[key] = await errorGroups.GetErrorSummariesAsync(query, new TimeRange(now - key.Window, now), ErrorGroupLimit, cancellationToken);
        }

        // Function rules need the inventory for scope, timeout and memory; a missing function is matched on its name only.
        if (functionRules.Count > 0 || rules.Any(r => r.Condition.Signal == RuleSignal.AlarmInAlarm))
        {
            foreach (var function in await inventory.GetFunctionsAsync(FleetFilter.All, cancellationToken))
            {
                cycle.Functions[function.Key] = function;
            }
        }

        if (rules.Any(r => r.Condition.Signal == RuleSignal.AlarmInAlarm))
        {
            cycle.Alarms = await alarms.GetAlarmsAsync(FleetFilter.All, null, cancellationToken);
        }

        // Function rules need the collectors too: a function with no figures is quiet only if its metrics were collected.
        if (functionRules.Count > 0 || rules.Any(r => r.Condition.Signal == RuleSignal.CollectorFailing))
        {
            cycle.Collectors = await collectors.GetCollectorStatusAsync(cancellationToken);
        }

        return cycle;
    }

    /// <summary>
    /// The distinct (window, filter) reads the rules need. A window read for all accounts serves every rule with that
    /// window, so narrower reads are not made beside it.
    /// </summary>
    private static IEnumerable<(TimeSpan Window, FleetFilter Filter)> ReadKeys(IEnumerable<RuleDefinition> rules) =>
        rules.GroupBy(r => r.Condition.Window)
            .SelectMany(byWindow =>
            {
                var filters = byWindow.Select(r => ReadFilter(r)).Distinct().ToList();
                return (filters.Contains(FleetFilter.All) ? [FleetFilter.All] : filters).Select(f => (byWindow.Key, f));
            });

    /// <summary>The filter whose read holds this rule's figures in the cycle (see <see cref="ReadKeys"/>).</summary>
    private static FleetFilter ReadFilter(RuleDefinition rule) => RuleScopeMatcher.StoreFilter(rule.Scope);

    private static T ForRule<T>(Dictionary<(TimeSpan, FleetFilter), T> reads, RuleDefinition rule) =>
        reads.TryGetValue((rule.Condition.Window, ReadFilter(rule)), out var read) ? read : reads[(rule.Condition.Window, FleetFilter.All)];

    private async Task<Dictionary<FunctionKey, FunctionBaseline>> BaselinesAsync((TimeSpan Window, FleetFilter Filter) key, DateTimeOffset now, CancellationToken cancellationToken)
    {
        lock (_baselineLock)
        {
            if (_baselines.TryGetValue(key, out var cached) && now >= cached.ReadAt && now - cached.ReadAt < BaselineRefresh)
            {
                return cached.ByFunction;
            }
        }

        var range = new TimeRange(now - key.Window - BaselineLength, now - key.Window);
        var read = (await baselines.GetFunctionBaselinesAsync(key.Filter, range, key.Window, cancellationToken)).ToDictionary(b => b.Function);
        lock (_baselineLock)
        {
            _baselines[key] = (now, read);
        }

        return read;
    }

    private static bool IsFunctionSignal(RuleSignal signal) =>
        signal is not (RuleSignal.NewErrorGroup or RuleSignal.ErrorRegression or RuleSignal.AlarmInAlarm or RuleSignal.CollectorFailing);

    private static List<SignalState> Evaluate(RuleDefinition rule, Cycle cycle, DateTimeOffset now) => rule.Condition.Signal switch
    {
        RuleSignal.NewErrorGroup or RuleSignal.ErrorRegression => EvaluateErrors(rule, cycle, now),
        RuleSignal.AlarmInAlarm => EvaluateAlarms(rule, cycle),
        RuleSignal.CollectorFailing => EvaluateCollectors(rule, cycle),
        _ => EvaluateFunctions(rule, cycle, now),
    };

    private static List<SignalState> EvaluateFunctions(RuleDefinition rule, Cycle cycle, DateTimeOffset now)
    {
        var states = new List<SignalState>();
        var seen = new HashSet<FunctionKey>();
        var baseline = rule.Condition.Signal is RuleSignal.DurationAnomaly or RuleSignal.InvocationsAnomaly ? ForRule(cycle.Baselines, rule) : null;
        foreach (var figures in ForRule(cycle.Stats, rule))
        {
            cycle.Functions.TryGetValue(figures.Function, out var function);
            if (!RuleScopeMatcher.Matches(rule.Scope, figures.Function, function))
            {
                continue;
            }

            seen.Add(figures.Function);
            var observed = ObserveFunction(rule, figures, function, baseline, now);
            if (observed is { } o)
            {
                states.Add(FunctionState(rule, figures.Function, function, o.Observation, o.Value, o.Summary));
            }
        }

        // Functions with nothing stored in the window: quiet if their metrics were collected over it, unknown if not.
        var metrics = cycle.Collectors.Where(c => c.Collector == MetricsCollector).ToDictionary(c => (c.AccountId, c.Region));
        foreach (var function in cycle.Functions.Values)
        {
            if (function.DeletedAt is not null || seen.Contains(function.Key) || !RuleScopeMatcher.Matches(rule.Scope, function.Key, function)
                || (rule.Condition.Signal == RuleSignal.IteratorAge && !ReadsStream(function)))
            {
                continue;
            }

            var collected = metrics.TryGetValue((function.Key.AccountId, function.Key.Region), out var status)
                && status.LastSuccess >= now - rule.Condition.Window && !status.IsFailing;
            states.Add(collected
                ? FunctionState(rule, function.Key, function, Observation.Inactive, null, $"no invocations in the last {Window(rule)}")
                : FunctionState(rule, function.Key, function, Observation.Unknown, null,
                    status?.LastSuccess is { } last
                        ? $"unknown: metrics not collected since {last.UtcDateTime.ToString("u", CultureInfo.InvariantCulture)}"
                        : "unknown: metrics never collected for this account and region"));
        }

        return states;
    }

    private readonly record struct Observed(Observation Observation, double? Value, string Summary);

    /// <summary>One function's observation under a function rule; null when the signal does not apply to it.</summary>
    private static Observed? ObserveFunction(RuleDefinition rule, FunctionStats s, LambdaFunction? function, Dictionary<FunctionKey, FunctionBaseline>? baselines, DateTimeOffset now)
    {
        var condition = rule.Condition;
        var window = Window(rule);
        var noSeries = new Observed(Observation.Unknown, null, $"unknown: only invocation reports in the last {window}, no per-minute figures");
        switch (condition.Signal)
        {
            case RuleSignal.ErrorRate:
            case RuleSignal.Errors:
            {
                if (!s.SeriesRead)
                {
                    return noSeries;
                }

                var rate = condition.Signal == RuleSignal.ErrorRate;
                if (rate && s.Invocations == 0)
                {
                    return new Observed(Observation.Inactive, null, $"no invocations in the last {window}");
                }

                var value = rate ? s.Errors / s.Invocations : s.Errors;
                var text = rate ? $"error rate {Percent(value)} ({Count(s.Errors)} of {Count(s.Invocations)} invocations)" : $"{Count(s.Errors)} errors";
                if (s.UnreadErrorInvocations > 0)
                {
                    // The errors read are a lower bound: enough of them already decides an upper threshold.
                    return Compare(condition, value) && condition.Operator is ComparisonOperator.GreaterThan or ComparisonOperator.GreaterOrEqual
                        ? new Observed(Observation.Active, value, $"at least {text} in the last {window}; errors of {Count(s.UnreadErrorInvocations)} invocations not read")
                        : new Observed(Observation.Unknown, null, $"unknown: errors of {Count(s.UnreadErrorInvocations)} invocations in the last {window} could not be read");
                }

                return Threshold(condition, value, $"{text} in the last {window}");
            }

            case RuleSignal.Throttles:
                return s.SeriesRead ? Threshold(condition, s.Throttles, $"{Count(s.Throttles)} throttles in the last {window}") : noSeries;

            case RuleSignal.DurationP99OfTimeout:
            {
                if (function is not { TimeoutSeconds: > 0 })
                {
                    return new Observed(Observation.Unknown, null, "unknown: the function's timeout is not known (not in the inventory)");
                }

                if (s.DurationP99MaxMs is not { } p99)
                {
                    return s.SeriesRead && s.Invocations == 0
                        ? new Observed(Observation.Inactive, null, $"no invocations in the last {window}")
                        : new Observed(Observation.Unknown, null, $"unknown: no p99 duration collected in the last {window}");
                }

                var share = p99 / (function.TimeoutSeconds * 1000d);
                return Threshold(condition, share, $"p99 duration {Count(p99)} ms, {Percent(share)} of the {function.TimeoutSeconds} s timeout, in the last {window}");
            }

            case RuleSignal.ColdStartRate:
            {
                if (!s.SeriesRead)
                {
                    return noSeries;
                }

                if (s.Invocations == 0)
                {
                    return new Observed(Observation.Inactive, null, $"no invocations in the last {window}");
                }

                // Cold starts are counted from REPORT lines: with none read, 0 cold starts would be a guess.
                if (s.Reports == 0)
                {
                    return new Observed(Observation.Unknown, null, $"unknown: no invocation reports read in the last {window}, so no cold starts counted");
                }

                var rate = s.ColdStarts / s.Invocations;
                return Threshold(condition, rate, $"cold-start rate {Percent(rate)} ({Count(s.ColdStarts)} of {Count(s.Invocations)} invocations) in the last {window}");
            }

            case RuleSignal.IteratorAge:
                if (s.IteratorAgeMaxMs is { } age)
                {
                    return Threshold(condition, age, $"iterator age up to {RuleDurations.Format(TimeSpan.FromMilliseconds(Math.Round(age)))} in the last {window}");
                }

                // Only stream-fed functions have an iterator age; for one, a missing figure is not a young iterator.
                return function is not null && !ReadsStream(function) ? null
                    : new Observed(Observation.Unknown, null, $"unknown: no iterator age collected in the last {window}");

            case RuleSignal.MemoryUsedOfLimit:
            {
                if (function is not { MemoryMb: > 0 })
                {
                    return new Observed(Observation.Unknown, null, "unknown: the function's memory size is not known (not in the inventory)");
                }

                double? used = s.MaxMemoryUsedMb is { } reported ? Math.Max(reported, s.InsightsUsedMemoryMaxMb ?? 0) : s.InsightsUsedMemoryMaxMb;
                if (used is not { } mb)
                {
                    return s.SeriesRead && s.Invocations == 0
                        ? new Observed(Observation.Inactive, null, $"no invocations in the last {window}")
                        : new Observed(Observation.Unknown, null, $"unknown: no invocation reports or Lambda Insights figures in the last {window}");
                }

                var share = mb / function.MemoryMb;
                return Threshold(condition, share, $"{Count(mb)} MB used, {Percent(share)} of {function.MemoryMb} MB, in the last {window}");
            }

            case RuleSignal.Timeouts:
                if (s.Reports == 0)
                {
                    return s.SeriesRead && s.Invocations == 0
                        ? new Observed(Observation.Inactive, null, $"no invocations in the last {window}")
                        : new Observed(Observation.Unknown, null, $"unknown: no invocation reports read in the last {window}");
                }

                return Threshold(condition, s.Timeouts, $"{s.Timeouts} timeouts in {s.Reports} invocation reports in the last {window}");

            case RuleSignal.DurationAnomaly:
            {
                if (!s.SeriesRead)
                {
                    return noSeries;
                }

                if (s.DurationInvocations == 0)
                {
                    return new Observed(Observation.Inactive, null, $"no invocations with a duration in the last {window}");
                }

                if (Baseline(s.Function, baselines, condition.Window, now) is not { DurationMedianMs: { } median } || median <= 0)
                {
                    return new Observed(Observation.Unknown, null, $"unknown: fewer than {MinimumBaseline.TotalHours:0} h of duration history before the last {window}");
                }

                var average = s.DurationTotalMs / s.DurationInvocations;
                var ratio = average / median;
                return new Observed(ratio > DurationAnomalyFactor ? Observation.Active : Observation.Inactive, ratio,
                    $"average duration {Count(average)} ms in the last {window}, {ratio:0.##}x its 48 h median of {Count(median)} ms");
            }

            case RuleSignal.InvocationsAnomaly:
            {
                if (!s.SeriesRead)
                {
                    return noSeries;
                }

                if (Baseline(s.Function, baselines, condition.Window, now) is not { } history)
                {
                    return new Observed(Observation.Unknown, null, $"unknown: fewer than {MinimumBaseline.TotalHours:0} h of invocation history before the last {window}");
                }

                var above = s.Invocations > history.InvocationsPeak * InvocationsAnomalyFactor;
                double? ratio = history.InvocationsPeak > 0 ? s.Invocations / history.InvocationsPeak : null;
                return new Observed(above ? Observation.Active : Observation.Inactive, ratio,
                    $"{Count(s.Invocations)} invocations in the last {window}; the 48 h peak per {window} was {Count(history.InvocationsPeak)}");
            }

            default:
                throw new ArgumentOutOfRangeException(nameof(rule), condition.Signal, "not a function signal");
        }
    }

    /// <summary>The function's baseline when it covers at least <see cref="MinimumBaseline"/> of the history; null otherwise.</summary>
    private static FunctionBaseline? Baseline(FunctionKey function, Dictionary<FunctionKey, FunctionBaseline>? baselines, TimeSpan window, DateTimeOffset now) =>
        baselines is not null && baselines.TryGetValue(function, out var baseline) && now - window - baseline.Since >= MinimumBaseline ? baseline : null;

    private static bool ReadsStream(LambdaFunction function) =>
        function.EventSources.Any(e => e.SourceArn.StartsWith("arn:aws:kinesis:", StringComparison.Ordinal)
            || e.SourceArn.StartsWith("arn:aws:dynamodb:", StringComparison.Ordinal)
            || e.SourceArn.StartsWith("arn:aws:kafka:", StringComparison.Ordinal));

    private static List<SignalState> EvaluateErrors(RuleDefinition rule, Cycle cycle, DateTimeOffset now)
    {
        var states = new List<SignalState>();
        var groups = ForRule(cycle.Errors, rule);
        var since = now - rule.Condition.Window;
        foreach (var group in groups)
        {
            // A group's scope is that of the function of its latest occurrence: one read per group and function would
            // cost a store read per group per cycle.
            cycle.Functions.TryGetValue(group.SampleFunction, out var function);
            if (!RuleScopeMatcher.Matches(rule.Scope, group.SampleFunction, function))
            {
                continue;
            }

            var labels = Labels(rule);
            labels["fingerprint"] = group.Fingerprint;
            labels["account"] = group.SampleFunction.AccountId;
            labels["region"] = group.SampleFunction.Region;
            labels["function"] = group.SampleFunction.Name;
            var what = $"{group.ErrorType}: {group.Message}";
            states.Add(rule.Condition.Signal == RuleSignal.NewErrorGroup
                ? new SignalState($"fingerprint={group.Fingerprint}", labels, group.FirstSeen >= since ? Observation.Active : Observation.Inactive, group.Count,
                    group.FirstSeen >= since
                        ? $"new error {what}, first seen {group.FirstSeen.UtcDateTime.ToString("u", CultureInfo.InvariantCulture)}, {group.Count} times in {group.Functions} functions"
                        : $"error {what} known since {group.FirstSeen.UtcDateTime.ToString("u", CultureInfo.InvariantCulture)}")
                : new SignalState($"fingerprint={group.Fingerprint}", labels, group.Status.Regression ? Observation.Active : Observation.Inactive, group.Count,
                    group.Status.Regression
                        ? $"resolved error {what} occurred again, {group.Count} times in the last {Window(rule)}"
                        : $"error {what} is {group.Status.Status.ToString().ToLowerInvariant()}"));
        }

        if (groups.Count >= ErrorGroupLimit)
        {
            states.Add(new SignalState("error-groups-not-read", Labels(rule), Observation.Unknown, null,
                $"unknown: more than {ErrorGroupLimit:N0} error groups occurred in the last {Window(rule)}; those past the newest {ErrorGroupLimit:N0} were not read"));
        }

        return states;
    }

    private static List<SignalState> EvaluateAlarms(RuleDefinition rule, Cycle cycle)
    {
        var states = new List<SignalState>();
        foreach (var alarm in cycle.Alarms)
        {
            if (alarm.FunctionName is { } name)
            {
                var key = new FunctionKey(alarm.AccountId, alarm.Region, name);
                cycle.Functions.TryGetValue(key, out var function);
                if (!RuleScopeMatcher.Matches(rule.Scope, key, function))
                {
                    continue;
                }
            }
            else if (!RuleScopeMatcher.MatchesPlace(rule.Scope, alarm.AccountId, alarm.Region) || RuleScopeMatcher.NamesFunctions(rule.Scope))
            {
                // An alarm on no function is outside a scope that names functions.
                continue;
            }

            var labels = Labels(rule);
            labels["account"] = alarm.AccountId;
            labels["region"] = alarm.Region;
            labels["alarm"] = alarm.Name;
            if (alarm.FunctionName is not null)
            {
                labels["function"] = alarm.FunctionName;
            }

            // INSUFFICIENT_DATA: CloudWatch cannot tell either, so neither can the rule.
            var observation = alarm.State switch
            {
                AlarmState.Alarm => Observation.Active,
                AlarmState.Ok => Observation.Inactive,
                _ => Observation.Unknown,
            };
            var state = alarm.State switch
            {
                AlarmState.Alarm => "ALARM",
                AlarmState.Ok => "OK",
                _ => "INSUFFICIENT_DATA",
            };
            states.Add(new SignalState($"{alarm.AccountId}/{alarm.Region}/alarm={alarm.Name}", labels, observation, null,
                $"CloudWatch alarm {alarm.Name} is {state} since {alarm.StateUpdated.UtcDateTime.ToString("u", CultureInfo.InvariantCulture)}{(alarm.StateReason is { } reason ? ": " + reason : "")}"));
        }

        return states;
    }

    private static List<SignalState> EvaluateCollectors(RuleDefinition rule, Cycle cycle)
    {
        var states = new List<SignalState>();
        foreach (var status in cycle.Collectors)
        {
            if (!RuleScopeMatcher.MatchesPlace(rule.Scope, status.AccountId, status.Region))
            {
                continue;
            }

            var labels = Labels(rule);
            labels["account"] = status.AccountId;
            labels["region"] = status.Region;
            labels["collector"] = status.Collector;
            states.Add(new SignalState($"{status.AccountId}/{status.Region}/collector={status.Collector}", labels,
                status.IsFailing ? Observation.Active : Observation.Inactive, status.ConsecutiveFailures,
                status.IsFailing
                    ? $"the {status.Collector} collector failed {status.ConsecutiveFailures} passes in a row on {status.AccountName ?? status.AccountId} {status.Region}: {status.LastError}"
                    : $"the {status.Collector} collector is running on {status.AccountName ?? status.AccountId} {status.Region}"));
        }

        return states;
    }

    private static SignalState FunctionState(RuleDefinition rule, FunctionKey key, LambdaFunction? function, Observation observation, double? value, string summary)
    {
        var labels = Labels(rule);
        labels["account"] = key.AccountId;
        labels["region"] = key.Region;
        labels["function"] = key.Name;
        if (function?.Runtime is { } runtime)
        {
            labels["runtime"] = runtime;
        }

        // The runtime is left out of the key: an upgrade must not resolve one alert and open another for the same function.
        return new SignalState(key.ToString(), labels, observation, value, summary);
    }

    private static Dictionary<string, string> Labels(RuleDefinition rule) => new(StringComparer.Ordinal)
    {
        ["rule"] = rule.Id,
        ["severity"] = rule.Severity.ToString().ToLowerInvariant(),
    };

    private static Observed Threshold(RuleCondition condition, double value, string summary) =>
        new(Compare(condition, value) ? Observation.Active : Observation.Inactive, value, summary);

    private static bool Compare(RuleCondition condition, double value)
    {
        var threshold = condition.Threshold ?? throw new InvalidOperationException($"the {condition.Signal} condition has no threshold");
        return condition.Operator switch
        {
            ComparisonOperator.GreaterThan => value > threshold,
            ComparisonOperator.GreaterOrEqual => value >= threshold,
            ComparisonOperator.LessThan => value < threshold,
            ComparisonOperator.LessOrEqual => value <= threshold,
            _ => throw new InvalidOperationException($"the {condition.Signal} condition has no comparison"),
        };
    }

    private static string Window(RuleDefinition rule) => RuleDurations.Format(rule.Condition.Window);

    private static string Percent(double fraction) => (fraction * 100).ToString("0.##", CultureInfo.InvariantCulture) + "%";

    private static string Count(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);
}
