using Microsoft.Extensions.Logging;
using Observe.Alerting.Channels;
using Observe.Alerting.Rules;
using Observe.Store;
using Observe.Store.Model;

namespace Observe.Alerting.Hosting;

/// <summary>A rule that could not be used as written: where it is and what is wrong, for the Alerts page and the log.</summary>
internal sealed record RuleProblem(string Source, string? RuleId, string Message);

/// <summary>The rules in force at one cycle and the problems of those left out or kept at an earlier version.</summary>
internal sealed record ActiveRules(IReadOnlyList<RuleDefinition> Rules, IReadOnlyList<RuleProblem> Problems);

/// <summary>
/// The rules the evaluator uses: those edited in the dashboard (their documents, from the store) and those of the rules
/// file, both read by the same <see cref="RuleParser"/>. A stored rule whose document no longer reads (a channel removed
/// from the configuration) keeps its last good version while this process runs, and says so; a rules-file rule with the
/// id of a dashboard rule is left out, since one id must mean one rule.
/// </summary>
internal sealed partial class AlertRuleSource(
    IAlertRuleReader store,
    IAlertRuleWriter writer,
    ICheckpointStore checkpoints,
    ChannelRegistry channels,
    RulesFileLoader file,
    TimeProvider time,
    ILogger<AlertRuleSource> logger)
{
    /// <summary>Set once the default rule set was written: deleting every rule afterwards must not bring them back.</summary>
    internal const string DefaultsCheckpoint = "alerting/default-rules";

    private readonly Dictionary<string, RuleDefinition> _lastGood = new(StringComparer.Ordinal);
    private readonly RuleParser _parser = new([.. channels.Channels.Select(c => c.Id)]);
    private readonly Lock _gate = new();

    /// <summary>The problems of the last read, for the Alerts page.</summary>
    public IReadOnlyList<RuleProblem> Problems { get; private set; } = [];

    /// <summary>
    /// Writes the default rule set into the store at a new install's first start (no rule stored, never seeded), as
    /// dashboard rules people can edit or delete.
    /// </summary>
    public async Task SeedDefaultsAsync(CancellationToken cancellationToken)
    {
        if (await checkpoints.GetCheckpointAsync(DefaultsCheckpoint, cancellationToken) is not null)
        {
            return;
        }

        if ((await store.GetAlertRulesAsync(cancellationToken)).Count == 0)
        {
            var now = time.GetUtcNow();
            foreach (var rule in DefaultRules.All)
            {
                await writer.UpsertAlertRuleAsync(ToStored(rule, "observe (default rule set)", now), cancellationToken);
            }

            LogSeeded(DefaultRules.All.Count);
        }

        await checkpoints.SetCheckpointAsync(DefaultsCheckpoint, time.GetUtcNow().ToString("O", System.Globalization.CultureInfo.InvariantCulture), cancellationToken);
    }

    /// <summary>The enabled rules in force now and the problems met reading them.</summary>
    public async Task<ActiveRules> GetRulesAsync(CancellationToken cancellationToken)
    {
        var problems = new List<RuleProblem>();
        var rules = new Dictionary<string, RuleDefinition>(StringComparer.Ordinal);
        foreach (var stored in await store.GetAlertRulesAsync(cancellationToken))
        {
            if (Read(stored, problems) is { } rule)
            {
                rules[rule.Id] = rule;
            }
        }

        var fromFile = file.Current;
        foreach (var error in fromFile.Errors)
        {
            problems.Add(new RuleProblem("rules file", error.RuleId, error.ToString()));
        }

        foreach (var rule in fromFile.Rules)
        {
            if (!rules.TryAdd(rule.Id, rule))
            {
                problems.Add(new RuleProblem(rule.SourcePath ?? "rules file", rule.Id,
                    $"rule id '{rule.Id}' is also a rule edited in the dashboard; the file's rule is left out (rename one of them)"));
            }
        }

        // Logged when they change, not at every cycle: the Alerts page shows them meanwhile.
        var previous = Problems.Select(p => p.Message).ToHashSet(StringComparer.Ordinal);
        foreach (var problem in problems.Where(p => !previous.Contains(p.Message)))
        {
            LogProblem(problem.Source, problem.Message);
        }

        Problems = problems;

        return new ActiveRules([.. rules.Values.Where(r => r.Enabled).OrderBy(r => r.Id, StringComparer.Ordinal)], problems);
    }

    /// <summary>The store's form of a rule: its document, with the condition and scope the collectors read beside it.</summary>
    public static AlertRule ToStored(RuleDefinition rule, string updatedBy, DateTimeOffset at) => new()
    {
        Id = rule.Id,
        Name = rule.Name,
        Description = rule.Description,
        Condition = ConditionSyntax.Format(rule.Condition),
        Scope = CollectorScope(rule),
        For = rule.For,
        KeepFiringFor = rule.KeepFiringFor,
        Severity = rule.Severity.ToString().ToLowerInvariant(),
        Channels = rule.Channels,
        Enabled = rule.Enabled,
        Document = RuleWriter.WriteRule(rule),
        UpdatedBy = updatedBy,
        UpdatedAt = at,
    };

    /// <summary>The account and region a rule covers, as the metrics collector reads it (null: every one).</summary>
    public static FleetFilter CollectorScope(RuleDefinition rule) => new(
        rule.Scope.Accounts.Count == 1 ? rule.Scope.Accounts[0] : null,
        rule.Scope.Regions.Count == 1 ? rule.Scope.Regions[0] : null);

    private RuleDefinition? Read(AlertRule stored, List<RuleProblem> problems)
    {
        var source = $"dashboard rule '{stored.Id}'";
        if (string.IsNullOrWhiteSpace(stored.Document))
        {
            problems.Add(new RuleProblem(source, stored.Id, "it was saved without a rule document (before rules had one); open it in the dashboard and save it again"));
            return null;
        }

        var parsed = _parser.ParseRule(stored.Document);
        lock (_gate)
        {
            if (parsed.Errors.Count == 0 && parsed.Rules.Count == 1)
            {
                var rule = parsed.Rules[0];
                if (rule.Id != stored.Id)
                {
                    problems.Add(new RuleProblem(source, stored.Id, $"its document says id '{rule.Id}'; the stored id is used"));
                    rule = rule with { Id = stored.Id };
                }

                _lastGood[stored.Id] = rule;
                return rule;
            }

            var errors = string.Join("; ", parsed.Errors.Select(e => e.ToString()));
            if (_lastGood.TryGetValue(stored.Id, out var good))
            {
                problems.Add(new RuleProblem(source, stored.Id, $"{errors} (its last good version keeps working)"));
                return good;
            }

            problems.Add(new RuleProblem(source, stored.Id, $"{errors} (it is not evaluated until fixed)"));
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Alerting: a new install, so the default rule set ({Count} rules) was written to the store as dashboard rules")]
    private partial void LogSeeded(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Alerting rule problem in {Source}: {Message}")]
    private partial void LogProblem(string source, string message);
}
