namespace Observe.Alerting.Console;

/// <summary>A problem with one field of a rule document (<c>condition</c>, <c>channels[0]</c>, <c>rules[2].for</c>).</summary>
public sealed class RuleFieldError
{
    public required string Field { get; init; }
    public required string Message { get; init; }

    public override string ToString() => $"{Field}: {Message}";
}

/// <summary>The outcome of a change to a rule: done, or refused with the reasons (nothing was written then).</summary>
public sealed class RuleChangeResult
{
    public required string RuleId { get; init; }
    public IReadOnlyList<RuleFieldError> Errors { get; init; } = [];
    public bool Succeeded => Errors.Count == 0;
}

/// <summary>A rule as the Rules page lists it. Durations are written as in rule documents (<c>5m</c>).</summary>
public sealed class AlertRuleView
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public string Description { get; init; } = "";

    /// <summary><c>dashboard</c>, or the path of the rules file the rule was read from.</summary>
    public required string Source { get; init; }

    /// <summary>A rules-file rule: shown, never changed here.</summary>
    public bool ReadOnly { get; init; }

    public bool Enabled { get; init; }

    /// <summary>The rule's YAML document: as saved for a dashboard rule, as the parser read it for a file rule.</summary>
    public required string Document { get; init; }

    public string Severity { get; init; } = "";
    public string Condition { get; init; } = "";
    public string Window { get; init; } = "";

    /// <summary>The scope in words (<c>any function</c>, <c>accounts 111111111111; functions orders-*</c>).</summary>
    public string Scope { get; init; } = "";

    public string For { get; init; } = "";
    public string KeepFiringFor { get; init; } = "";
    public IReadOnlyList<string> Channels { get; init; } = [];

    /// <summary>Who saved it and when (dashboard rules).</summary>
    public string? UpdatedBy { get; init; }

    public DateTimeOffset? UpdatedAt { get; init; }

    /// <summary>Why the rule, as it is now, is not evaluated (each naming the field); empty when it is.</summary>
    public IReadOnlyList<string> Problems { get; init; } = [];
}

/// <summary>A rule (or a part of the rules file) left out of evaluation: where, which rule when known, and why.</summary>
public sealed class AlertRuleProblem
{
    public required string Source { get; init; }
    public string? RuleId { get; init; }
    public required string Message { get; init; }
}

/// <summary>Every rule and the problems of those left out.</summary>
public sealed class AlertRulesView
{
    public IReadOnlyList<AlertRuleView> Rules { get; init; } = [];
    public IReadOnlyList<AlertRuleProblem> Problems { get; init; } = [];

    /// <summary>The configured rules file (<c>Observe:Alerting:RulesFile:Path</c>), null when none.</summary>
    public string? RulesFilePath { get; init; }
}

/// <summary>A configured notification channel; <see cref="Destination"/> never holds a secret in clear.</summary>
public sealed class AlertChannelView
{
    public required string Id { get; init; }
    public required string Kind { get; init; }
    public required string Destination { get; init; }
}

/// <summary>A starting point for a new rule.</summary>
public sealed class RuleTemplate
{
    public required string Name { get; init; }
    public string Description { get; init; } = "";
    public required string Document { get; init; }
}
