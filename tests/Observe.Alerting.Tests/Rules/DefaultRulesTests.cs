using Observe.Alerting.Rules;

namespace Observe.Alerting.Tests.Rules;

public sealed class DefaultRulesTests
{
    [Fact]
    public void All_EverySignalButColdStartRateAndErrorCount_CoveredOnceWithADescription()
    {
        var signals = DefaultRules.All.Select(r => r.Condition.Signal).ToList();

        Assert.Equal(signals.Count, signals.Distinct().Count());
        Assert.Equal(Enum.GetValues<RuleSignal>().Except([RuleSignal.ColdStartRate, RuleSignal.Errors]).Order(), signals.Order());
        Assert.Equal(DefaultRules.All.Count, DefaultRules.All.Select(r => r.Id).Distinct().Count());
        Assert.All(DefaultRules.All, rule =>
        {
            Assert.EndsWith(".", rule.Description, StringComparison.Ordinal);
            Assert.Single(rule.Description.Split(". ", StringSplitOptions.None));
            Assert.Empty(rule.Channels);
        });
    }
}
