using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace Observe.Alerting.Rules;

/// <summary>
/// Writes rules in the format <see cref="RuleParser"/> reads: what the dashboard stores as a rule's document, and what
/// "export as file" gives a team to commit. Fields at their default are left out so a document shows what was chosen.
/// </summary>
internal static class RuleWriter
{
    /// <summary>One rule's document, as <see cref="RuleParser.ParseRule"/> reads it.</summary>
    public static string WriteRule(RuleDefinition rule) => Save(Rule(rule));

    /// <summary>A rules file, as <see cref="RuleParser.ParseFile"/> reads it.</summary>
    public static string WriteFile(IEnumerable<RuleDefinition> rules) =>
        Save(new YamlMappingNode { { "rules", new YamlSequenceNode(rules.Select(Rule)) } });

    private static YamlMappingNode Rule(RuleDefinition rule)
    {
        var node = new YamlMappingNode
        {
            { "id", Text(rule.Id) },
            { "name", Text(rule.Name) },
        };
        if (rule.Description.Length > 0)
        {
            node.Add("description", Text(rule.Description));
        }

        node.Add("condition", Text(ConditionSyntax.Format(rule.Condition)));
        node.Add("window", Text(RuleDurations.Format(rule.Condition.Window)));
        var scope = Scope(rule.Scope);
        if (scope.Children.Count > 0)
        {
            node.Add("scope", scope);
        }

        if (rule.For != TimeSpan.Zero)
        {
            node.Add("for", Text(RuleDurations.Format(rule.For)));
        }

        if (rule.KeepFiringFor != TimeSpan.Zero)
        {
            node.Add("keep_firing_for", Text(RuleDurations.Format(rule.KeepFiringFor)));
        }

        node.Add("severity", Text(rule.Severity.ToString().ToLowerInvariant()));
        if (rule.Channels.Count > 0)
        {
            node.Add("channels", List(rule.Channels));
        }

        if (rule.GroupBy is not ["rule"])
        {
            node.Add("group_by", List(rule.GroupBy));
        }

        if (!rule.Enabled)
        {
            node.Add("enabled", new YamlScalarNode("false"));
        }

        return node;
    }

    private static YamlMappingNode Scope(RuleScope scope)
    {
        var node = new YamlMappingNode();
        AddList(node, "accounts", scope.Accounts);
        AddList(node, "regions", scope.Regions);
        AddList(node, "functions", scope.Functions);
        AddList(node, "runtimes", scope.Runtimes);
        if (scope.Tags.Count > 0)
        {
            node.Add("tags", new YamlMappingNode(scope.Tags.OrderBy(t => t.Key, StringComparer.Ordinal)
                .Select(t => new KeyValuePair<YamlNode, YamlNode>(Text(t.Key), Text(t.Value)))));
        }

        return node;
    }

    private static void AddList(YamlMappingNode node, string key, IReadOnlyList<string> items)
    {
        if (items.Count > 0)
        {
            node.Add(key, List(items));
        }
    }

    private static YamlSequenceNode List(IEnumerable<string> items) =>
        new(items.Select(Text)) { Style = SequenceStyle.Flow };

    /// <summary>
    /// A text value, double-quoted when plain YAML would read it as something else (a number, a boolean, null, a
    /// text with a colon or leading symbol): an account id such as 012345678901 must stay text with its zero.
    /// </summary>
    private static YamlScalarNode Text(string value) => new(value) { Style = NeedsQuotes(value) ? ScalarStyle.DoubleQuoted : ScalarStyle.Plain };

    private static bool NeedsQuotes(string value) =>
        value.Length == 0
        || value.Any(c => char.IsControl(c) || c is '"' or '\'' or '{' or '}' or '[' or ']' or ',')
        || value.Contains(": ", StringComparison.Ordinal) || value.Contains(" #", StringComparison.Ordinal) || value.EndsWith(':')
        || char.IsWhiteSpace(value[0]) || char.IsWhiteSpace(value[^1])
        || value[0] is '-' or '?' or ':' or '#' or '&' or '*' or '!' or '|' or '>' or '%' or '@' or '`'
        || value.All(c => char.IsAsciiDigit(c) || c is '.' or '+' or '-' or 'e' or 'E' or '_' or 'x' or 'o')
        || value.ToLowerInvariant() is "true" or "false" or "yes" or "no" or "on" or "off" or "null" or "~" or "y" or "n" or ".inf" or ".nan";

    private static string Save(YamlNode root)
    {
        var stream = new YamlStream(new YamlDocument(root));
        using var writer = new StringWriter();
        stream.Save(writer, assignAnchors: false);
        var text = writer.ToString();

        // The emitter closes the document with "..."; a rules file reads better without it.
        return text.EndsWith("...\n", StringComparison.Ordinal) || text.EndsWith("...\r\n", StringComparison.Ordinal)
            ? text[..text.LastIndexOf("...", StringComparison.Ordinal)]
            : text;
    }
}
