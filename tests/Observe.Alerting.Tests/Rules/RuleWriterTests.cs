using FsCheck;
using FsCheck.Fluent;
using Observe.Alerting.Rules;

namespace Observe.Alerting.Tests.Rules;

public sealed class RuleWriterTests
{
    private static readonly string[] Channels = ["slack-oncall", "pagerduty", "mail"];
    private static readonly RuleParser Parser = new(Channels);

    /// <summary>Texts YAML could misread if written plain: numbers, booleans, nulls, indicators, colons, quotes.</summary>
    private static readonly string[] AwkwardTexts =
        ["012345678901", "true", "no", "null", "~", "- x", "a: b", "a #b", "#x", "'q'", "\"dq\"", "[x]", "{y}", "a,b", "1e5", "*", "&a", "!t", "%p", "@x", " lead", "trail ", "é ü 中", "x:"];

    [Fact]
    public void WriteRule_ThenParseRule_GivesTheSameRule()
    {
        var rules = Arb.From(RuleGen());
        Prop.ForAll(rules, rule =>
        {
            var text = RuleWriter.WriteRule(rule);
            var parsed = Parser.ParseRule(text);
            return parsed.Errors.Count == 0 && Same(rule, Assert.Single(parsed.Rules)) && RuleWriter.WriteRule(parsed.Rules[0]) == text;
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void WriteFile_ThenParseFile_GivesTheSameRules()
    {
        var files = Arb.From(RuleGen().ListOf().Select(list => list.DistinctBy(r => r.Id).ToList()));
        Prop.ForAll(files, rules =>
        {
            var parsed = Parser.ParseFile(RuleWriter.WriteFile(rules), "rules.yaml");
            return parsed.Errors.Count == 0 && parsed.Rules.Count == rules.Count && rules.Zip(parsed.Rules).All(p => Same(p.First, p.Second));
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void WriteRule_DefaultRules_ReadBackUnchanged()
    {
        foreach (var rule in DefaultRules.All)
        {
            var parsed = Parser.ParseRule(RuleWriter.WriteRule(rule));

            Assert.Empty(parsed.Errors);
            Assert.True(Same(rule, Assert.Single(parsed.Rules)), rule.Id);
        }
    }

    [Fact]
    public void WriteRule_ErrorRate_IsTheTextAnAuthorWrites()
    {
        var rule = new RuleDefinition
        {
            Id = "orders",
            Name = "Orders errors",
            Condition = new RuleCondition(RuleSignal.ErrorRate, ComparisonOperator.GreaterThan, 0.07, TimeSpan.FromMinutes(5)),
            For = TimeSpan.FromMinutes(90),
            Scope = new RuleScope { Accounts = ["012345678901"] },
        };

        Assert.Equal(
            """
            id: orders
            name: Orders errors
            condition: error_rate > 7%
            window: 5m
            scope:
              accounts: ["012345678901"]
            for: 1h30m
            severity: warning

            """.ReplaceLineEndings("\n"),
            RuleWriter.WriteRule(rule).ReplaceLineEndings("\n"));
    }

    /// <summary>Field by field, since the record compares its lists by reference. Source and path are the parser's.</summary>
    internal static bool Same(RuleDefinition a, RuleDefinition b) =>
        a.Id == b.Id && a.Name == b.Name && a.Description == b.Description && a.Condition == b.Condition
        && a.Scope.Accounts.SequenceEqual(b.Scope.Accounts) && a.Scope.Regions.SequenceEqual(b.Scope.Regions)
        && a.Scope.Functions.SequenceEqual(b.Scope.Functions) && a.Scope.Runtimes.SequenceEqual(b.Scope.Runtimes)
        && a.Scope.Tags.OrderBy(t => t.Key, StringComparer.Ordinal).SequenceEqual(b.Scope.Tags.OrderBy(t => t.Key, StringComparer.Ordinal))
        && a.For == b.For && a.KeepFiringFor == b.KeepFiringFor && a.Severity == b.Severity
        && a.Channels.SequenceEqual(b.Channels) && a.GroupBy.SequenceEqual(b.GroupBy) && a.Enabled == b.Enabled;

    private static Gen<RuleDefinition> RuleGen()
    {
        var text = Gen.OneOf(
            Gen.Elements(AwkwardTexts),
            Gen.Elements("abcdefghijklmnopqrstuvwxyz0123456789 -_.:#'\"".ToCharArray()).ArrayOf().Where(c => c.Length > 0).Select(c => new string(c)))
            .Where(t => t.Trim().Length > 0);
        var id = Gen.Elements("abcxyz019-_.".ToCharArray()).ArrayOf().Where(c => c.Length is > 0 and < 20 && char.IsAsciiLetterOrDigit(c[0])).Select(c => new string(c));
        var duration = Gen.Choose(0, 3).SelectMany(unit => Gen.Choose(1, 500).Select(n => unit switch
        {
            0 => TimeSpan.FromSeconds(n),
            1 => TimeSpan.FromMinutes(n),
            2 => TimeSpan.FromMilliseconds(n * 37),
            _ => TimeSpan.FromMinutes(n) + TimeSpan.FromSeconds(n % 60),
        }));
        var window = duration.Where(d => d <= RuleParser.MaxWindow);
        var percent = Gen.Choose(0, 10000).Select(n => n / 10000d);
        var count = Gen.Choose(0, 100000).Select(n => n / 10d);
        var comparison = Gen.Elements(Enum.GetValues<ComparisonOperator>());
        var condition = Gen.Elements(Enum.GetValues<RuleSignal>()).SelectMany(signal => window.SelectMany(w => comparison.SelectMany(op => signal switch
        {
            RuleSignal.ErrorRate or RuleSignal.ColdStartRate or RuleSignal.DurationP99OfTimeout or RuleSignal.MemoryUsedOfLimit =>
                percent.Select(p => new RuleCondition(signal, op, p, w)),
            RuleSignal.Errors or RuleSignal.Throttles or RuleSignal.Timeouts => count.Select(c => new RuleCondition(signal, op, c, w)),
            RuleSignal.IteratorAge => duration.Select(d => new RuleCondition(signal, op, d.TotalMilliseconds, w)),
            _ => Gen.Constant(new RuleCondition(signal, null, null, w)),
        })));
        var account = Gen.Choose(0, 999999).Select(n => n.ToString("000000", System.Globalization.CultureInfo.InvariantCulture) + "123456");
        var scope =
            from accounts in account.ListOf()
            from regions in Gen.Elements("eu-west-1", "us-east-1", "ap-south-2").ListOf()
            from functions in Gen.OneOf(text, Gen.Elements("orders-*", "*-api", "a?c")).ListOf()
            from runtimes in Gen.Elements("dotnet", "python3.12", "nodejs").ListOf()
            from tags in Gen.Zip(text, text).ListOf()
            select new RuleScope
            {
                Accounts = [.. accounts],
                Regions = [.. regions],
                Functions = [.. functions],
                Runtimes = [.. runtimes],
                Tags = tags.DistinctBy(t => t.Item1).ToDictionary(t => t.Item1, t => t.Item2),
            };
        return
            from ruleId in id
            from name in text
            from description in Gen.OneOf(Gen.Constant(""), text)
            from cond in condition
            from ruleScope in scope
            from pending in Gen.OneOf(Gen.Constant(TimeSpan.Zero), duration)
            from keep in Gen.OneOf(Gen.Constant(TimeSpan.Zero), duration)
            from severity in Gen.Elements(Enum.GetValues<AlertSeverity>())
            from channels in Gen.Elements(Channels).ListOf()
            from groupBy in Gen.OneOf(Gen.Constant<IReadOnlyList<string>>(["rule"]), Gen.Elements(RuleParser.GroupLabels.ToArray()).NonEmptyListOf().Select(l => (IReadOnlyList<string>)[.. l]))
            from enabled in Gen.Elements(true, false)
            select new RuleDefinition
            {
                Id = ruleId,
                Name = name,
                Description = description,
                Condition = cond,
                Scope = ruleScope,
                For = pending,
                KeepFiringFor = keep,
                Severity = severity,
                Channels = [.. channels],
                GroupBy = groupBy,
                Enabled = enabled,
            };
    }
}
