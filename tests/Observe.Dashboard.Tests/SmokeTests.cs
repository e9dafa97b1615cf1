namespace Observe.Dashboard.Tests;

public class SmokeTests
{
    [Fact]
    public void Program_Exists() => Assert.NotNull(typeof(Program).Assembly);
}
