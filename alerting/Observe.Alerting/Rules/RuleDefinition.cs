namespace Observe.Alerting.Rules;

/// <summary>Where a rule came from. A file rule is read-only in the dashboard: its owner edits the file.</summary>
internal enum RuleSource
{
    Dashboard,
    File,
}

internal enum AlertSeverity
{
    Info,
    Warning,
    Critical,
}

/// <summary>
/// What a rule watches. Threshold signals compare a figure over <see cref="RuleCondition.Window"/> with
/// <see cref="RuleCondition.Threshold"/>; event signals (a new error group, a regression, an alarm in ALARM, a failing
/// collector) and anomaly signals (against the function's own last 48 hours) take no threshold.
/// </summary>
internal enum RuleSignal
{
    /// <summary>Errors / invocations, a fraction (written as a percentage in rules: <c>error_rate &gt; 5%</c>).</summary>
    ErrorRate,
    Errors,
    Throttles,

    /// <summary>The highest per-minute p99 duration over the configured timeout, a fraction.</summary>
    DurationP99OfTimeout,
    ColdStartRate,

    /// <summary>Highest iterator age over the window, milliseconds.</summary>
    IteratorAge,

    /// <summary>Highest memory used by one invocation over the configured memory size, a fraction.</summary>
    MemoryUsedOfLimit,
    Timeouts,
    NewErrorGroup,
    ErrorRegression,
    AlarmInAlarm,
    CollectorFailing,

    /// <summary>Average duration over the window above twice its median over the previous 48 hours.</summary>
    DurationAnomaly,

    /// <summary>Invocations over the window 25% above their peak (per window) over the previous 48 hours.</summary>
    InvocationsAnomaly,
}

internal enum ComparisonOperator
{
    GreaterThan,
    GreaterOrEqual,
    LessThan,
    LessOrEqual,
}

/// <summary>A parsed condition: the same value whichever source (dashboard or file) the rule came from.</summary>
internal sealed record RuleCondition(RuleSignal Signal, ComparisonOperator? Operator, double? Threshold, TimeSpan Window);

/// <summary>Which functions (or accounts, for account-level signals) a rule applies to; empty lists mean "any".</summary>
internal sealed record RuleScope
{
    public static RuleScope Any { get; } = new();

    public IReadOnlyList<string> Accounts { get; init; } = [];
    public IReadOnlyList<string> Regions { get; init; } = [];

    /// <summary>Function names or glob patterns (<c>orders-*</c>).</summary>
    public IReadOnlyList<string> Functions { get; init; } = [];

    /// <summary>Runtime identifiers or prefixes (<c>dotnet</c>, <c>python3.12</c>).</summary>
    public IReadOnlyList<string> Runtimes { get; init; } = [];

    /// <summary>Tags the function must carry with these values.</summary>
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();
}

/// <summary>An alert rule as the evaluator uses it, from the dashboard (the store) or a rules file.</summary>
internal sealed record RuleDefinition
{
    public required string Id { get; init; }
    public required string Name { get; init; }

    /// <summary>One sentence saying what the rule catches and why it matters.</summary>
    public string Description { get; init; } = "";

    public required RuleCondition Condition { get; init; }
    public RuleScope Scope { get; init; } = RuleScope.Any;

    /// <summary>How long the condition must hold before the alert fires (pending until then).</summary>
    public TimeSpan For { get; init; }

    /// <summary>How long a firing alert keeps firing after the condition stops holding (flap damping).</summary>
    public TimeSpan KeepFiringFor { get; init; }

    public AlertSeverity Severity { get; init; } = AlertSeverity.Warning;
    public IReadOnlyList<string> Channels { get; init; } = [];

    /// <summary>Labels whose values form a notification group (for example <c>account</c>, <c>rule</c>).</summary>
    public IReadOnlyList<string> GroupBy { get; init; } = ["rule"];

    public bool Enabled { get; init; } = true;
    public RuleSource Source { get; init; } = RuleSource.Dashboard;

    /// <summary>The file a file rule was read from, for the read-only view.</summary>
    public string? SourcePath { get; init; }
}
