namespace Observe.Instrumentation.Tests;

public class SmokeTests
{
    [Fact]
    public void Options_Default_HasNoServiceName() => Assert.Null(new ObserveInstrumentationOptions().ServiceName);
}
