using Observe.Dashboard.Model;
using Observe.Store.Model;

namespace Observe.Dashboard.Tests.Model;

public sealed class CompositeAlarmRuleTests
{
    private const string Account = "111122223333";

    [Theory]
    [InlineData("ALARM(orders-errors)", new[] { "orders-errors" })]
    [InlineData("ALARM(\"orders errors (5xx)\") OR OK(latency.p99)", new[] { "orders errors (5xx)", "latency.p99" })]
    [InlineData("(ALARM(a) AND NOT INSUFFICIENT_DATA(\"b\")) OR ALARM(a) OR TRUE", new[] { "a", "b" })]
    [InlineData("ALARM(\"arn:aws:cloudwatch:us-east-1:111122223333:alarm:x\")", new[] { "arn:aws:cloudwatch:us-east-1:111122223333:alarm:x" })]
    [InlineData("AT_LEAST(2, ALARM, (a, \"b c\", d)) AND ALARM(e)", new[] { "a", "b c", "d", "e" })]
    [InlineData("AT_LEAST(50%, !OK, (\"a\", b))", new[] { "a", "b" })]
    [InlineData("ALARM(\"say \\\"hi\\\"\")", new[] { "say \"hi\"" })]
    [InlineData("TRUE", new string[0])]
    public void Parse_RuleLanguage_ListsEachReferencedAlarmOnceInOrder(string rule, string[] expected)
    {
        var parsed = CompositeAlarmRule.Parse(rule);

        Assert.Equal(expected, parsed.References);
        Assert.True(parsed.Complete);
    }

    [Theory]
    [InlineData("ALARM(a) OR ALARM(\"unterminated", new[] { "a" })]
    [InlineData("ALARM(a) OR ALARM(", new[] { "a" })]
    [InlineData("AT_LEAST(2, ALARM, (a, b", new string[0])]
    public void Parse_BrokenRule_KeepsWhatWasReadAndSaysItIsIncomplete(string rule, string[] expected)
    {
        var parsed = CompositeAlarmRule.Parse(rule);

        Assert.Equal(expected, parsed.References);
        Assert.False(parsed.Complete);
    }

    [Fact]
    public void Resolve_NamesInTheCompositesAccountAndRegion_ArnsAnywhere_MissingAsNull()
    {
        var composite = Composite("health", "ALARM(errors) OR ALARM(\"arn:aws:cloudwatch:eu-west-1:444455556666:alarm:far\") OR ALARM(gone)");
        var errors = Metric("errors", "orders-api");
        var errorsElsewhere = Metric("errors", "other-api") with { Region = "eu-west-1", Arn = "arn:aws:cloudwatch:eu-west-1:111122223333:alarm:errors" };
        var far = Metric("far", "far-api") with { AccountId = "444455556666", Region = "eu-west-1", Arn = "arn:aws:cloudwatch:eu-west-1:444455556666:alarm:far" };

        var children = CompositeAlarmRule.Parse(composite.Rule!).Resolve(composite, [errorsElsewhere, far, errors, composite]);

        Assert.Equal(["errors", "arn:aws:cloudwatch:eu-west-1:444455556666:alarm:far", "gone"], children.Select(c => c.Reference));
        Assert.Same(errors, children[0].Alarm);
        Assert.Same(far, children[1].Alarm);
        Assert.Null(children[2].Alarm);
    }

    [Fact]
    public void WatchedFunctions_NestedCompositesAndACycle_EachFunctionOnceInRuleOrder()
    {
        var outer = Composite("outer", "ALARM(inner) OR ALARM(b-errors) OR ALARM(outer)");
        var inner = Composite("inner", "ALARM(a-errors) AND ALARM(b-errors) AND ALARM(outer)");
        var alarms = new[] { outer, inner, Metric("a-errors", "a"), Metric("b-errors", "b"), Metric("no-function", null) };

        Assert.Equal([new FunctionKey(Account, "us-east-1", "a"), new FunctionKey(Account, "us-east-1", "b")], CompositeAlarmRule.WatchedFunctions(outer, alarms));
        Assert.Equal([new FunctionKey(Account, "us-east-1", "b")], CompositeAlarmRule.WatchedFunctions(alarms[3], alarms));
        Assert.Empty(CompositeAlarmRule.WatchedFunctions(alarms[4], alarms));
    }

    [Fact]
    public void AlarmRow_CompositeWithoutFunctions_SaysWhy()
    {
        var now = DateTimeOffset.UtcNow;

        Assert.Contains("not read this composite alarm's rule yet", AlarmRow.Create(Composite("c", null), now, []).NoFunctionReason, StringComparison.Ordinal);
        Assert.Contains("None of the alarms the composite combines is in the store", AlarmRow.Create(Composite("c", "ALARM(x)"), now, []).NoFunctionReason, StringComparison.Ordinal);
        Assert.Contains("watches a Lambda function", AlarmRow.Create(Composite("c", "ALARM(x)"), now, [Metric("x", null)]).NoFunctionReason, StringComparison.Ordinal);
        Assert.Contains("names no alarm", AlarmRow.Create(Composite("c", "TRUE"), now, []).NoFunctionReason, StringComparison.Ordinal);
        Assert.Contains("dimensions name no Lambda function", AlarmRow.Create(Metric("x", null), now, []).NoFunctionReason, StringComparison.Ordinal);
    }

    private static CloudWatchAlarm Composite(string name, string? rule) => Metric(name, null) with { Kind = "composite", Rule = rule, MetricName = null, Namespace = null };

    private static CloudWatchAlarm Metric(string name, string? function) => new()
    {
        AccountId = Account,
        Region = "us-east-1",
        Name = name,
        Arn = $"arn:aws:cloudwatch:us-east-1:{Account}:alarm:{name}",
        State = AlarmState.Ok,
        StateUpdated = DateTimeOffset.UnixEpoch,
        FunctionName = function,
        MetricName = "Errors",
        Namespace = "AWS/Lambda",
    };
}
