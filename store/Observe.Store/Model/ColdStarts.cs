namespace Observe.Store.Model;

/// <summary>How Lambda initialised an execution environment, as <c>platform.initReport</c>'s <c>initializationType</c> says.</summary>
public enum InitializationType
{
    /// <summary><c>on-demand</c>: a user-visible cold start.</summary>
    OnDemand,

    /// <summary><c>provisioned-concurrency</c>: done ahead of any invocation, so no caller waited for it.</summary>
    ProvisionedConcurrency,

    /// <summary><c>snap-start</c>: the init that makes a SnapStart snapshot, run when a version is published.</summary>
    SnapStart,
}

/// <summary>One execution environment's initialisation, from the JSON log format's <c>platform.initReport</c>.</summary>
/// <param name="Function">The function initialised.</param>
/// <param name="Timestamp">When the record was logged (the end of the init phase).</param>
/// <param name="Type">How it was initialised.</param>
/// <param name="DurationMs">How long the init phase took.</param>
/// <param name="Status"><c>success</c>, <c>error</c> or <c>timeout</c>.</param>
public sealed record InitEvent(FunctionKey Function, DateTimeOffset Timestamp, InitializationType Type, double DurationMs, string Status);

/// <summary>
/// What the store holds about one function's cold starts in a range: every figure the Cold starts page shows is
/// computed from these. Durations are returned whole (not summarised) so percentiles are exact; cold starts are a
/// small share of invocations.
/// </summary>
public sealed record ColdStartFunction
{
    public required FunctionKey Function { get; init; }

    /// <summary>Invocation reports in the range (the rate's denominator: the same source as the cold starts).</summary>
    public long Invocations { get; init; }

    /// <summary>Init Duration of every report that carried one (user-visible cold starts), ms.</summary>
    public IReadOnlyList<double> InitDurationsMs { get; init; } = [];

    /// <summary>Restore Duration of every report that carried one (SnapStart restores), ms.</summary>
    public IReadOnlyList<double> RestoreDurationsMs { get; init; } = [];

    /// <summary>Durations of the <c>platform.initReport</c> records in the range, by initialisation type, ms.</summary>
    public IReadOnlyDictionary<InitializationType, IReadOnlyList<double>> InitEventsMs { get; init; } = new Dictionary<InitializationType, IReadOnlyList<double>>();

    /// <summary>Init reports in the range that ended in error or timeout.</summary>
    public long FailedInits { get; init; }
}
