namespace Observe.Alerting.Tests;

public sealed class ProjectTests
{
    [Fact]
    public void RuleDefaults_GroupByRule()
    {
        var rule = new Rules.RuleDefinition
        {
            Id = "r",
            Name = "r",
            Condition = new Rules.RuleCondition(Rules.RuleSignal.Errors, Rules.ComparisonOperator.GreaterThan, 0, TimeSpan.FromMinutes(5)),
        };
        Assert.Equal(["rule"], rule.GroupBy);
    }
}
