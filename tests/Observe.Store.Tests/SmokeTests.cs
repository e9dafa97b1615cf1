using Observe.Store.Model;

namespace Observe.Store.Tests;

public class SmokeTests
{
    [Fact]
    public void FunctionKey_ToString_JoinsParts() =>
        Assert.Equal("1/r/f", new FunctionKey("1", "r", "f").ToString());
}
