using Observe.Alerting.Rules;

namespace Observe.Alerting.Evaluation;

/// <summary>
/// What one evaluation saw for one label set. <see cref="Unknown"/> means the figure could not be read (not collected,
/// not yet reported, unread errors): it never resolves a firing alert and never starts a pending one.
/// </summary>
internal enum Observation
{
    Inactive,
    Active,
    Unknown,
}

/// <summary>
/// One label set's state under one rule at one evaluation. Labels always hold <c>rule</c>, <c>severity</c> and, for
/// function signals, <c>account</c>, <c>region</c>, <c>function</c> (and <c>runtime</c>); for collector signals
/// <c>account</c>, <c>region</c>, <c>collector</c>; for error signals <c>fingerprint</c>; for alarms <c>alarm</c>.
/// </summary>
internal sealed record SignalState(
    string LabelsKey,
    IReadOnlyDictionary<string, string> Labels,
    Observation Observation,
    double? Value,
    string Summary);

/// <summary>All label sets one rule observed at <see cref="At"/>; label sets the rule did not see are absent.</summary>
internal sealed record RuleResult(RuleDefinition Rule, DateTimeOffset At, IReadOnlyList<SignalState> States);

/// <summary>Evaluates rules over what the store holds at a moment.</summary>
internal interface IRuleEvaluator
{
    Task<IReadOnlyList<RuleResult>> EvaluateAsync(IReadOnlyList<RuleDefinition> rules, DateTimeOffset now, CancellationToken cancellationToken);
}
