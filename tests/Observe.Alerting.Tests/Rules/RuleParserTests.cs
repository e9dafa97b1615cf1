using Observe.Alerting.Rules;

namespace Observe.Alerting.Tests.Rules;

public sealed class RuleParserTests
{
    private static readonly RuleParser Parser = new(["slack-oncall", "pagerduty-payments"]);

    private const string GoodFile = """
        rules:
          - id: orders-errors
            name: Orders error rate
            description: Checkout fails for customers.
            condition: error_rate > 5%
            window: 10m
            scope:
              accounts: ["012345678901"]
              regions: [eu-west-1]
              functions: ["orders-*"]
              runtimes: [dotnet]
              tags: {team: payments}
            for: 5m
            keep_firing_for: 15m
            severity: critical
            channels: [slack-oncall, pagerduty-payments]
            group_by: [rule, account]
          - id: near-timeout
            name: Near the timeout
            condition: p99_duration > 80% of timeout
          - id: stream-lag
            name: Stream lag
            condition: iterator_age > 5m
            enabled: false
          - id: new-errors
            name: New errors
            condition: new_error_group
        """;

    [Fact]
    public void ParseFile_AllFields_ReadsThem()
    {
        var result = Parser.ParseFile(GoodFile, "/repo/observe/rules.yaml");

        Assert.Empty(result.Errors);
        Assert.Equal(["orders-errors", "near-timeout", "stream-lag", "new-errors"], result.Rules.Select(r => r.Id));
        var rule = result.Rules[0];
        Assert.Equal(("Orders error rate", "Checkout fails for customers."), (rule.Name, rule.Description));
        Assert.Equal(new RuleCondition(RuleSignal.ErrorRate, ComparisonOperator.GreaterThan, 0.05, TimeSpan.FromMinutes(10)), rule.Condition);
        Assert.Equal(["012345678901"], rule.Scope.Accounts);
        Assert.Equal(["eu-west-1"], rule.Scope.Regions);
        Assert.Equal(["orders-*"], rule.Scope.Functions);
        Assert.Equal(["dotnet"], rule.Scope.Runtimes);
        Assert.Equal("payments", rule.Scope.Tags["team"]);
        Assert.Equal((TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(15), AlertSeverity.Critical), (rule.For, rule.KeepFiringFor, rule.Severity));
        Assert.Equal(["slack-oncall", "pagerduty-payments"], rule.Channels);
        Assert.Equal(["rule", "account"], rule.GroupBy);
        Assert.Equal((RuleSource.File, "/repo/observe/rules.yaml"), (rule.Source, rule.SourcePath));

        Assert.Equal(new RuleCondition(RuleSignal.DurationP99OfTimeout, ComparisonOperator.GreaterThan, 0.8, RuleParser.DefaultWindow), result.Rules[1].Condition);
        Assert.Equal((AlertSeverity.Warning, true), (result.Rules[1].Severity, result.Rules[1].Enabled));
        Assert.Equal(["rule"], result.Rules[1].GroupBy);
        Assert.Equal(new RuleCondition(RuleSignal.IteratorAge, ComparisonOperator.GreaterThan, 300_000, RuleParser.DefaultWindow), result.Rules[2].Condition);
        Assert.False(result.Rules[2].Enabled);
        Assert.Equal(new RuleCondition(RuleSignal.NewErrorGroup, null, null, RuleParser.DefaultWindow), result.Rules[3].Condition);
    }

    [Theory]
    [InlineData("error_rate > 5%", "ErrorRate", "GreaterThan", 0.05)]
    [InlineData("errors >= 10", "Errors", "GreaterOrEqual", 10d)]
    [InlineData("throttles > 0", "Throttles", "GreaterThan", 0d)]
    [InlineData("cold_start_rate > 20%", "ColdStartRate", "GreaterThan", 0.2)]
    [InlineData("memory_used > 90% of limit", "MemoryUsedOfLimit", "GreaterThan", 0.9)]
    [InlineData("timeouts > 0", "Timeouts", "GreaterThan", 0d)]
    [InlineData("iterator_age>=1h30m", "IteratorAge", "GreaterOrEqual", 5_400_000d)]
    [InlineData("error_rate < 0.5%", "ErrorRate", "LessThan", 0.005)]
    public void ParseRule_ThresholdCondition_ReadsSignalOperatorAndThreshold(string condition, string signal, string comparison, double threshold)
    {
        var result = Parser.ParseRule($"id: r\nname: r\ncondition: {condition}\n");

        Assert.Empty(result.Errors);
        var rule = Assert.Single(result.Rules);
        Assert.Equal((Enum.Parse<RuleSignal>(signal), Enum.Parse<ComparisonOperator>(comparison)), (rule.Condition.Signal, rule.Condition.Operator!.Value));
        Assert.Equal(threshold, rule.Condition.Threshold!.Value, 12);
        Assert.Equal(RuleSource.Dashboard, rule.Source);
    }

    [Theory]
    [InlineData("duration_anomaly", "DurationAnomaly")]
    [InlineData("invocations_anomaly", "InvocationsAnomaly")]
    [InlineData("error_regression", "ErrorRegression")]
    [InlineData("alarm", "AlarmInAlarm")]
    [InlineData("collector_failing", "CollectorFailing")]
    public void ParseRule_EventCondition_TakesNoThreshold(string condition, string signal)
    {
        var rule = Assert.Single(Parser.ParseRule($"id: r\nname: r\ncondition: {condition}\n").Rules);

        Assert.Equal(new RuleCondition(Enum.Parse<RuleSignal>(signal), null, null, RuleParser.DefaultWindow), rule.Condition);
    }

    [Fact]
    public void ParseFile_OneBadRuleAmongGood_LoadsTheGoodAndNamesTheField()
    {
        var file = """
            rules:
              - {id: a, name: A, condition: errors > 0}
              - {id: b, name: B, condition: throttles > 0}
              - {id: c, name: C, condition: error_rat > 5%}
              - {id: d, name: D, condition: timeouts > 0}
            """;

        var result = Parser.ParseFile(file, "rules.yaml");

        Assert.Equal(["a", "b", "d"], result.Rules.Select(r => r.Id));
        var error = Assert.Single(result.Errors);
        Assert.Equal(
            "rules[2].condition: unknown metric 'error_rat' (expected one of error_rate, errors, throttles, p99_duration, cold_start_rate, iterator_age, memory_used, timeouts, new_error_group, error_regression, alarm, collector_failing, duration_anomaly, invocations_anomaly)",
            error.ToString());
        Assert.Equal("c", error.RuleId);
    }

    [Theory]
    [InlineData("for: 5 minutes", "rules[0].for: '5 minutes' is not a duration (write 5m, 1h)")]
    [InlineData("keep_firing_for: 5", "rules[0].keep_firing_for: '5' is not a duration (write 5m, 1h)")]
    [InlineData("window: -5m", "rules[0].window: '-5m' is negative (write a positive duration, like 5m)")]
    [InlineData("window: 0s", "rules[0].window: '0s' is zero (write a positive duration, like 5m)")]
    [InlineData("window: 2d", "rules[0].window: '2d' is longer than the longest window, 1d")]
    [InlineData("for: -1m", "rules[0].for: '-1m' is negative (write a zero or positive duration, like 5m)")]
    [InlineData("channels: [slack-oncall, pager]", "rules[0].channels[1]: unknown channel 'pager' (configured: pagerduty-payments, slack-oncall)")]
    [InlineData("severity: high", "rules[0].severity: unknown severity 'high' (expected one of info, warning, critical)")]
    [InlineData("enabled: maybe", "rules[0].enabled: 'maybe' is not true or false")]
    [InlineData("group_by: [team]", "rules[0].group_by[0]: unknown label 'team' (expected one of rule, severity, account, region, function, runtime, collector, fingerprint, alarm)")]
    [InlineData("scope: {accounts: [1234]}", "rules[0].scope.accounts[0]: '1234' is not an AWS account id (12 digits; quote it so YAML keeps leading zeros)")]
    [InlineData("scope: {teams: [a]}", "rules[0].scope.teams: unknown field (expected one of accounts, regions, functions, runtimes, tags)")]
    [InlineData("channel: [slack-oncall]", "rules[0].channel: unknown field (expected one of id, name, description, condition, window, scope, for, keep_firing_for, severity, channels, group_by, enabled)")]
    [InlineData("channels: slack-oncall", "rules[0].channels: must be a list ([a, b])")]
    public void ParseFile_BadField_ErrorNamesTheField(string field, string expected)
    {
        var result = Parser.ParseFile($"rules:\n  - id: r\n    name: R\n    condition: errors > 0\n    {field}\n", "rules.yaml");

        Assert.Empty(result.Rules);
        Assert.Equal([expected], result.Errors.Select(e => e.ToString()));
    }

    [Theory]
    [InlineData("error_rate > 150%", "threshold 150% is outside 0-100%")]
    [InlineData("error_rate > -1%", "threshold -1% is outside 0-100%")]
    [InlineData("error_rate > 5", "error_rate is a percentage: write the threshold with % (like error_rate > 5%)")]
    [InlineData("errors > 5%", "errors is a count: write the threshold without % (like errors >= 10)")]
    [InlineData("errors > -3", "threshold -3 is negative")]
    [InlineData("errors", "errors needs a comparison and a threshold (write it like errors >= 10)")]
    [InlineData("p99_duration > 80%", "p99_duration is compared with a part of its timeout (write it like p99_duration > 80% of timeout)")]
    [InlineData("memory_used > 90% of timeout", "memory_used is compared with a part of its limit (write it like memory_used > 90% of limit)")]
    [InlineData("iterator_age > 5", "iterator_age is a duration: '5' is not one (write it like iterator_age > 5m)")]
    [InlineData("new_error_group > 1", "new_error_group takes no comparison or threshold (write new_error_group)")]
    [InlineData("errors == 3", "unknown comparison '==' (expected one of >, >=, <, <=)")]
    public void ParseRule_BadCondition_ErrorSaysWhatIsWrong(string condition, string expected)
    {
        var result = Parser.ParseRule($"id: r\nname: R\ncondition: \"{condition}\"\n");

        Assert.Empty(result.Rules);
        Assert.Equal(["condition: " + expected], result.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void ParseFile_DuplicateIds_KeepsTheFirstAndNamesTheSecond()
    {
        var result = Parser.ParseFile("rules:\n  - {id: a, name: A, condition: errors > 0}\n  - {id: a, name: A2, condition: errors > 1}\n", "rules.yaml");

        Assert.Equal("A", Assert.Single(result.Rules).Name);
        Assert.Equal(["rules[1].id: duplicate id 'a' (rules[0] has it too)"], result.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void ParseFile_MissingFields_EachNamed()
    {
        var result = Parser.ParseFile("rules:\n  - {description: nothing else}\n", "rules.yaml");

        Assert.Equal(["rules[0].id: missing", "rules[0].name: missing", "rules[0].condition: missing"], result.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void ParseFile_NotYaml_SaysWhere()
    {
        var result = Parser.ParseFile("rules:\n  - id: a\n   name: [unclosed\n", "rules.yaml");

        Assert.Empty(result.Rules);
        Assert.StartsWith("(document): not valid YAML at line ", Assert.Single(result.Errors).ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void ParseRule_NoChannelsConfigured_SaysSo()
    {
        var result = new RuleParser([]).ParseRule("id: r\nname: R\ncondition: errors > 0\nchannels: [slack]\n");

        Assert.Equal(["channels[0]: unknown channel 'slack' (no channel is configured)"], result.Errors.Select(e => e.ToString()));
    }
}
