namespace Observe.Collectors.Tests;

public class SmokeTests
{
    [Fact]
    public void AwsAccount_Default_HasNoRegions() => Assert.Empty(new AwsAccount().Regions);
}
