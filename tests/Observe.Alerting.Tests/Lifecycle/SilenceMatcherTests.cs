using Observe.Alerting.Lifecycle;
using Observe.Store.Model;
using static Observe.Alerting.Tests.Lifecycle.LifecycleFixtures;

namespace Observe.Alerting.Tests.Lifecycle;

public sealed class SilenceMatcherTests
{
    private static Silence Silence(Dictionary<string, string> matchers) =>
        new() { Id = "s", Matchers = matchers, StartsAt = T0, EndsAt = T0 + TimeSpan.FromHours(1) };

    [Theory]
    [InlineData("orders", "orders", true)]
    [InlineData("orders", "Orders", false)]
    [InlineData("orders", "orders-api", false)]
    [InlineData("orders-*", "orders-api", true)]
    [InlineData("orders-*", "orders-", true)]
    [InlineData("orders-*", "billing-orders-api", false)]
    [InlineData("*-api", "orders-api", true)]
    [InlineData("*a*b*", "xxaxxbxx", true)]
    [InlineData("*a*b", "xxaxxbxxa", false)]
    [InlineData("ord?rs", "orders", true)]
    [InlineData("ord?rs", "ordrs", false)]
    [InlineData("*", "", true)]
    [InlineData("", "", true)]
    [InlineData("", "x", false)]
    [InlineData("a**", "abc", true)]
    public void IsMatch_Pattern_MatchesWholeText(string pattern, string text, bool expected) =>
        Assert.Equal(expected, Glob.IsMatch(pattern, text));

    [Fact]
    public void IsMatch_LongHostileText_StaysFast()
    {
        // A naive recursive matcher takes exponential time here.
        var text = new string('a', 5000);

        Assert.False(Glob.IsMatch("*a*a*a*a*a*a*a*a*b", text));
    }

    [Fact]
    public void Matches_EveryMatcherMustMatch()
    {
        var silence = Silence(new() { ["function"] = "orders*", ["region"] = "eu-west-1" });

        Assert.True(SilenceMatcher.Matches(silence, Labels("orders-api")));
        Assert.False(SilenceMatcher.Matches(silence, Labels("orders-api", region: "us-east-1")));
    }

    [Fact]
    public void Matches_MissingLabel_DoesNotMatch()
    {
        Assert.False(SilenceMatcher.Matches(Silence(new() { ["collector"] = "*" }), Labels("orders")));
    }

    [Fact]
    public void Matches_NoMatchers_MatchesNothing()
    {
        Assert.False(SilenceMatcher.Matches(Silence([]), Labels("orders")));
    }

    [Fact]
    public void IsActive_FromStartUntilBeforeEnd()
    {
        var silence = Silence(new() { ["function"] = "orders" });

        Assert.False(SilenceMatcher.IsActive(silence, T0 - TimeSpan.FromTicks(1)));
        Assert.True(SilenceMatcher.IsActive(silence, T0));
        Assert.True(SilenceMatcher.IsActive(silence, silence.EndsAt - TimeSpan.FromTicks(1)));
        Assert.False(SilenceMatcher.IsActive(silence, silence.EndsAt));
    }
}
