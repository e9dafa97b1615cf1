using Observe.Alerting.Evaluation;
using Observe.Alerting.Lifecycle;
using Observe.Alerting.Rules;
using Observe.Store.Model;

namespace Observe.Alerting.Tests.Lifecycle;

/// <summary>Rules, observations and a cycle driver for the lifecycle tests; instants are plain values, not a clock.</summary>
internal static class LifecycleFixtures
{
    public const string Account = "111122223333";
    public const string Region = "eu-west-1";
    public static readonly DateTimeOffset T0 = new(2026, 12, 4, 10, 0, 0, TimeSpan.Zero);

    public static RuleDefinition Rule(
        string id = "errors",
        TimeSpan? @for = null,
        TimeSpan? keepFiringFor = null,
        RuleSignal signal = RuleSignal.ErrorRate,
        string[]? channels = null,
        string[]? groupBy = null,
        AlertSeverity severity = AlertSeverity.Warning) => new()
        {
            Id = id,
            Name = id == "errors" ? "High error rate" : id,
            Condition = new RuleCondition(signal, ComparisonOperator.GreaterThan, 0.05, TimeSpan.FromMinutes(5)),
            For = @for ?? TimeSpan.Zero,
            KeepFiringFor = keepFiringFor ?? TimeSpan.Zero,
            Channels = channels ?? ["slack"],
            GroupBy = groupBy ?? ["rule"],
            Severity = severity,
        };

    public static Dictionary<string, string> Labels(string function, string rule = "errors", string account = Account, string region = Region) => new()
    {
        ["rule"] = rule,
        ["severity"] = "warning",
        ["account"] = account,
        ["region"] = region,
        ["function"] = function,
    };

    public static string Key(string function, string account = Account, string region = Region) => $"{account}/{region}/{function}";

    public static SignalState Active(string function, double value = 0.12) =>
        new(Key(function), Labels(function), Observation.Active, value, FormattableString.Invariant($"error rate {value * 100:0}% > 5%"));

    public static SignalState Inactive(string function, double value = 0.01) =>
        new(Key(function), Labels(function), Observation.Inactive, value, FormattableString.Invariant($"error rate {value * 100:0}% <= 5%"));

    public static SignalState Unknown(string function) =>
        new(Key(function), Labels(function), Observation.Unknown, null, "error rate unknown: no figures read");

    public static AlertingOptions Options() => new() { PublicBaseUrl = new Uri("https://observe.example.com/base") };

    public static LifecycleDecision Apply(RuleDefinition rule, IReadOnlyList<AlertInstance> stored, DateTimeOffset at, params SignalState[] states) =>
        AlertLifecycle.Apply(new RuleResult(rule, at, states), stored, Options());

    /// <summary>A firing instance as the lifecycle writes one, for planner tests.</summary>
    public static AlertInstance Firing(string function, DateTimeOffset firedAt, string rule = "errors", string account = Account, string region = Region) => new()
    {
        RuleId = rule,
        LabelsKey = Key(function, account, region),
        Labels = Labels(function, rule, account, region),
        Status = AlertStatus.Firing,
        ActiveSince = firedAt,
        FiredAt = firedAt,
        LastActiveAt = firedAt,
        Value = 0.12,
        Summary = "error rate 12% > 5%",
        UpdatedAt = firedAt,
    };

    /// <summary>Runs cycles one after another, keeping the instances between them as the store would.</summary>
    internal sealed class Driver(RuleDefinition rule, AlertingOptions? options = null)
    {
        private readonly AlertingOptions _options = options ?? Options();

        public IReadOnlyList<AlertInstance> Instances { get; private set; } = [];
        public List<AlertTransition> History { get; } = [];
        public LifecycleDecision? Last { get; private set; }

        public LifecycleDecision Cycle(DateTimeOffset at, params SignalState[] states)
        {
            Last = AlertLifecycle.Apply(new RuleResult(rule, at, states), Instances, _options);
            Instances = Last.Instances;
            History.AddRange(Last.Transitions);
            return Last;
        }

        public AlertInstance? Find(string labelsKey) => Instances.SingleOrDefault(i => i.LabelsKey == labelsKey);
    }
}
