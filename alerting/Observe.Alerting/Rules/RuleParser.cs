using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Observe.Alerting.Rules;

/// <summary>A problem with one field of a rule document: <see cref="Path"/> names it (<c>rules[2].condition</c>).</summary>
/// <param name="Path">The field, as the author would find it in the document.</param>
/// <param name="Message">What is wrong and, where it helps, what to write instead.</param>
/// <param name="RuleId">The id of the rule the field belongs to, when that could be read.</param>
internal sealed record RuleError(string Path, string Message, string? RuleId)
{
    public override string ToString() => $"{Path}: {Message}";
}

/// <summary>The rules a document defines that are valid, and the errors of those that are not (which are left out).</summary>
internal sealed record RuleParseResult(IReadOnlyList<RuleDefinition> Rules, IReadOnlyList<RuleError> Errors);

/// <summary>
/// Reads rule documents: a rules file (<c>rules:</c>, a list of rules) from a team's repository, and the document of
/// one rule edited in the dashboard (the rule's fields at the top level). Both go through <see cref="ReadRule"/>, so a
/// rule means the same from either source. A bad rule is reported with the field it is wrong in and left out; the
/// others load.
/// </summary>
/// <param name="configuredChannels">The ids of the configured notification channels a rule may name.</param>
internal sealed partial class RuleParser(IReadOnlyCollection<string> configuredChannels)
{
    /// <summary>The window a rule without one uses: the one the examples in the issue and the anchors' defaults use.</summary>
    public static readonly TimeSpan DefaultWindow = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The longest window: anomalies compare against the previous 48 hours, and a window past a day would read more
    /// minutes per evaluation than the one-second cycle allows over a large fleet.
    /// </summary>
    public static readonly TimeSpan MaxWindow = TimeSpan.FromDays(1);

    /// <summary>Labels a rule can group notifications by: those <c>SignalState</c> carries.</summary>
    public static readonly IReadOnlyList<string> GroupLabels = ["rule", "severity", "account", "region", "function", "runtime", "collector", "fingerprint", "alarm"];

    private static readonly string[] RuleFields = ["id", "name", "description", "condition", "window", "scope", "for", "keep_firing_for", "severity", "channels", "group_by", "enabled"];
    private static readonly string[] ScopeFields = ["accounts", "regions", "functions", "runtimes", "tags"];

    private readonly HashSet<string> _channels = new(configuredChannels, StringComparer.Ordinal);

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$", RegexOptions.CultureInvariant)]
    private static partial Regex IdShape();

    [GeneratedRegex("^[0-9]{12}$", RegexOptions.CultureInvariant)]
    private static partial Regex AccountShape();

    /// <summary>Reads a rules file: every valid rule, marked as coming from <paramref name="sourcePath"/>, and the errors of the others.</summary>
    public RuleParseResult ParseFile(string text, string sourcePath)
    {
        var errors = new List<RuleError>();
        var root = Load(text, errors);
        if (root is null)
        {
            return new RuleParseResult([], errors);
        }

        if (root is not YamlMappingNode mapping)
        {
            errors.Add(new RuleError("rules", "a rules file is a mapping with a 'rules' list at the top", null));
            return new RuleParseResult([], errors);
        }

        foreach (var key in mapping.Children.Keys.Select(Scalar).Where(k => k != "rules"))
        {
            errors.Add(new RuleError(key ?? "(key)", "unknown field (a rules file holds only 'rules')", null));
        }

        if (!mapping.Children.TryGetValue(new YamlScalarNode("rules"), out var list) || IsNull(list))
        {
            return new RuleParseResult([], errors);
        }

        if (list is not YamlSequenceNode sequence)
        {
            errors.Add(new RuleError("rules", "must be a list of rules", null));
            return new RuleParseResult([], errors);
        }

        var rules = new List<RuleDefinition>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < sequence.Children.Count; i++)
        {
            var path = $"rules[{i}]";
            var rule = ReadRule(sequence.Children[i], path + ".", errors);
            if (rule is null)
            {
                continue;
            }

            if (seen.TryGetValue(rule.Id, out var first))
            {
                errors.Add(new RuleError(path + ".id", $"duplicate id '{rule.Id}' (rules[{first}] has it too)", rule.Id));
                continue;
            }

            seen.Add(rule.Id, i);
            rules.Add(rule with { Source = RuleSource.File, SourcePath = sourcePath });
        }

        return new RuleParseResult(rules, errors);
    }

    /// <summary>Reads the document of one rule edited in the dashboard (the rule's fields at the top level).</summary>
    public RuleParseResult ParseRule(string text)
    {
        var errors = new List<RuleError>();
        var root = Load(text, errors);
        if (root is null)
        {
            if (errors.Count == 0)
            {
                errors.Add(new RuleError("(document)", "the rule is empty", null));
            }

            return new RuleParseResult([], errors);
        }

        var rule = ReadRule(root, "", errors);
        return new RuleParseResult(rule is null ? [] : [rule with { Source = RuleSource.Dashboard, SourcePath = null }], errors);
    }

    private static YamlNode? Load(string text, List<RuleError> errors)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            errors.Add(new RuleError("(document)", $"not valid YAML at line {e.Start.Line}, column {e.Start.Column}: {(e.InnerException ?? e).Message}", null));
            return null;
        }

        if (stream.Documents.Count > 1)
        {
            errors.Add(new RuleError("(document)", $"holds {stream.Documents.Count} YAML documents; write one", null));
            return null;
        }

        return stream.Documents.Count == 0 || IsNull(stream.Documents[0].RootNode) ? null : stream.Documents[0].RootNode;
    }

    /// <summary>One rule at <paramref name="prefix"/> (<c>rules[2].</c>, or empty for a dashboard rule); null with errors added when it is not valid.</summary>
    private RuleDefinition? ReadRule(YamlNode node, string prefix, List<RuleError> errors)
    {
        var where = prefix.Length == 0 ? "(document)" : prefix[..^1];
        if (node is not YamlMappingNode mapping)
        {
            errors.Add(new RuleError(where, "a rule is a mapping of fields (id, name, condition, ...)", null));
            return null;
        }

        var own = new List<RuleError>();
        var fields = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        foreach (var (keyNode, value) in mapping.Children)
        {
            var key = Scalar(keyNode);
            if (key is null || !RuleFields.Contains(key))
            {
                own.Add(new RuleError(prefix + (key ?? "(key)"), $"unknown field (expected one of {string.Join(", ", RuleFields)})", null));
                continue;
            }

            fields[key] = value;
        }

        var id = RequiredText(fields, "id", prefix, own);
        if (id is not null && !IdShape().IsMatch(id))
        {
            own.Add(new RuleError(prefix + "id", $"'{id}' is not an id (letters, digits, '-', '_' and '.', at most 100, starting with a letter or digit)", null));
            id = null;
        }

        var name = RequiredText(fields, "name", prefix, own);
        var description = OptionalText(fields, "description", prefix, own) ?? "";
        var conditionText = RequiredText(fields, "condition", prefix, own);
        RuleSignal signal = default;
        ComparisonOperator? comparison = null;
        double? threshold = null;
        var conditionRead = false;
        if (conditionText is not null)
        {
            conditionRead = ConditionSyntax.TryParse(conditionText, out signal, out comparison, out threshold, out var conditionError);
            if (!conditionRead)
            {
                own.Add(new RuleError(prefix + "condition", conditionError, null));
            }
        }

        var window = Duration(fields, "window", prefix, own, DefaultWindow, positive: true);
        if (window > MaxWindow)
        {
            own.Add(new RuleError(prefix + "window", $"'{Scalar(fields["window"])}' is longer than the longest window, {RuleDurations.Format(MaxWindow)}", null));
        }

        var pending = Duration(fields, "for", prefix, own, TimeSpan.Zero, positive: false);
        var keepFiring = Duration(fields, "keep_firing_for", prefix, own, TimeSpan.Zero, positive: false);
        var severity = ReadSeverity(fields, prefix, own);
        var channels = TextList(fields, "channels", prefix, own) ?? [];
        for (var i = 0; i < channels.Count; i++)
        {
            if (!_channels.Contains(channels[i]))
            {
                var configured = _channels.Count == 0 ? "no channel is configured" : $"configured: {string.Join(", ", _channels.Order(StringComparer.Ordinal))}";
                own.Add(new RuleError($"{prefix}channels[{i}]", $"unknown channel '{channels[i]}' ({configured})", null));
            }
        }

        var groupBy = TextList(fields, "group_by", prefix, own) ?? ["rule"];
        for (var i = 0; i < groupBy.Count; i++)
        {
            if (!GroupLabels.Contains(groupBy[i]))
            {
                own.Add(new RuleError($"{prefix}group_by[{i}]", $"unknown label '{groupBy[i]}' (expected one of {string.Join(", ", GroupLabels)})", null));
            }
        }

        var enabled = ReadBool(fields, "enabled", prefix, own) ?? true;
        var scope = ReadScope(fields, prefix, own);

        errors.AddRange(own.Select(e => e with { RuleId = id }));
        if (own.Count > 0 || id is null || name is null || !conditionRead)
        {
            return null;
        }

        return new RuleDefinition
        {
            Id = id,
            Name = name,
            Description = description,
            Condition = new RuleCondition(signal, comparison, threshold, window),
            Scope = scope,
            For = pending,
            KeepFiringFor = keepFiring,
            Severity = severity,
            Channels = channels,
            GroupBy = groupBy,
            Enabled = enabled,
        };
    }

    private static RuleScope ReadScope(Dictionary<string, YamlNode> fields, string prefix, List<RuleError> errors)
    {
        if (!fields.TryGetValue("scope", out var node) || IsNull(node))
        {
            return RuleScope.Any;
        }

        if (node is not YamlMappingNode mapping)
        {
            errors.Add(new RuleError(prefix + "scope", $"must be a mapping of {string.Join(", ", ScopeFields)}", null));
            return RuleScope.Any;
        }

        var scopeFields = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        foreach (var (keyNode, value) in mapping.Children)
        {
            var key = Scalar(keyNode);
            if (key is null || !ScopeFields.Contains(key))
            {
                errors.Add(new RuleError($"{prefix}scope.{key ?? "(key)"}", $"unknown field (expected one of {string.Join(", ", ScopeFields)})", null));
                continue;
            }

            scopeFields[key] = value;
        }

        var scopePrefix = prefix + "scope.";
        var accounts = TextList(scopeFields, "accounts", scopePrefix, errors) ?? [];
        for (var i = 0; i < accounts.Count; i++)
        {
            if (!AccountShape().IsMatch(accounts[i]))
            {
                errors.Add(new RuleError($"{scopePrefix}accounts[{i}]", $"'{accounts[i]}' is not an AWS account id (12 digits; quote it so YAML keeps leading zeros)", null));
            }
        }

        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        if (scopeFields.TryGetValue("tags", out var tagNode) && !IsNull(tagNode))
        {
            if (tagNode is YamlMappingNode tagMapping)
            {
                foreach (var (keyNode, value) in tagMapping.Children)
                {
                    var key = Scalar(keyNode);
                    var text = value is YamlScalarNode ? Scalar(value) : null;
                    if (key is null || text is null)
                    {
                        errors.Add(new RuleError($"{scopePrefix}tags.{key ?? "(key)"}", "a tag is a name and a text value (team: payments)", null));
                        continue;
                    }

                    tags[key] = text;
                }
            }
            else
            {
                errors.Add(new RuleError(scopePrefix + "tags", "must be a mapping of tag names to values (team: payments)", null));
            }
        }

        return new RuleScope
        {
            Accounts = accounts,
            Regions = TextList(scopeFields, "regions", scopePrefix, errors) ?? [],
            Functions = TextList(scopeFields, "functions", scopePrefix, errors) ?? [],
            Runtimes = TextList(scopeFields, "runtimes", scopePrefix, errors) ?? [],
            Tags = tags,
        };
    }

    private static AlertSeverity ReadSeverity(Dictionary<string, YamlNode> fields, string prefix, List<RuleError> errors)
    {
        var text = OptionalText(fields, "severity", prefix, errors);
        switch (text)
        {
            case null:
                return AlertSeverity.Warning;
            case "info":
                return AlertSeverity.Info;
            case "warning":
                return AlertSeverity.Warning;
            case "critical":
                return AlertSeverity.Critical;
            default:
                errors.Add(new RuleError(prefix + "severity", $"unknown severity '{text}' (expected one of info, warning, critical)", null));
                return AlertSeverity.Warning;
        }
    }

    private static TimeSpan Duration(Dictionary<string, YamlNode> fields, string field, string prefix, List<RuleError> errors, TimeSpan fallback, bool positive)
    {
        var text = OptionalText(fields, field, prefix, errors);
        if (text is null)
        {
            return fallback;
        }

        if (!RuleDurations.TryParse(text, out var value))
        {
            errors.Add(new RuleError(prefix + field, $"'{text}' is not a duration (write 5m, 1h)", null));
            return fallback;
        }

        if (value < TimeSpan.Zero || (positive && value == TimeSpan.Zero))
        {
            errors.Add(new RuleError(prefix + field, $"'{text}' is {(value < TimeSpan.Zero ? "negative" : "zero")} (write a {(positive ? "positive" : "zero or positive")} duration, like 5m)", null));
            return fallback;
        }

        return value;
    }

    private static bool? ReadBool(Dictionary<string, YamlNode> fields, string field, string prefix, List<RuleError> errors)
    {
        var text = OptionalText(fields, field, prefix, errors);
        switch (text)
        {
            case null:
                return null;
            case "true":
                return true;
            case "false":
                return false;
            default:
                errors.Add(new RuleError(prefix + field, $"'{text}' is not true or false", null));
                return null;
        }
    }

    private static string? RequiredText(Dictionary<string, YamlNode> fields, string field, string prefix, List<RuleError> errors)
    {
        if (!fields.ContainsKey(field))
        {
            errors.Add(new RuleError(prefix + field, "missing", null));
            return null;
        }

        var text = OptionalText(fields, field, prefix, errors);
        if (text is not null && string.IsNullOrWhiteSpace(text))
        {
            errors.Add(new RuleError(prefix + field, "empty", null));
            return null;
        }

        if (text is null && IsNull(fields[field]))
        {
            errors.Add(new RuleError(prefix + field, "empty", null));
        }

        return text;
    }

    /// <summary>The field's text; null when absent, null (<c>~</c>) or not a scalar (then with an error).</summary>
    private static string? OptionalText(Dictionary<string, YamlNode> fields, string field, string prefix, List<RuleError> errors)
    {
        if (!fields.TryGetValue(field, out var node) || IsNull(node))
        {
            return null;
        }

        if (node is not YamlScalarNode scalar)
        {
            errors.Add(new RuleError(prefix + field, "must be a single value, not a list or mapping", null));
            return null;
        }

        return scalar.Value;
    }

    private static List<string>? TextList(Dictionary<string, YamlNode> fields, string field, string prefix, List<RuleError> errors)
    {
        if (!fields.TryGetValue(field, out var node) || IsNull(node))
        {
            return null;
        }

        if (node is not YamlSequenceNode sequence)
        {
            errors.Add(new RuleError(prefix + field, "must be a list ([a, b])", null));
            return null;
        }

        var items = new List<string>();
        for (var i = 0; i < sequence.Children.Count; i++)
        {
            var text = sequence.Children[i] is YamlScalarNode ? Scalar(sequence.Children[i]) : null;
            if (string.IsNullOrWhiteSpace(text))
            {
                errors.Add(new RuleError($"{prefix}{field}[{i}]", "must be a non-empty text", null));
                continue;
            }

            items.Add(text);
        }

        return items;
    }

    private static string? Scalar(YamlNode node) => node is YamlScalarNode scalar && !IsNull(node) ? scalar.Value : null;

    /// <summary>A YAML null (<c>~</c>, <c>null</c> or nothing, unquoted): the field is treated as absent.</summary>
    private static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any, Value: null or "" or "~" or "null" or "Null" or "NULL" };
}
