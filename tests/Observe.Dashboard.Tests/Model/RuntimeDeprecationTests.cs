using Observe.Dashboard.Model;
using Observe.Store.Model;

namespace Observe.Dashboard.Tests.Model;

public class RuntimeDeprecationTests
{
    private static readonly DateOnly Today = new(2026, 11, 22);

    [Theory]
    [InlineData("nodejs16.x")]
    [InlineData("python3.8")]
    [InlineData("dotnet6")]
    [InlineData("go1.x")]
    public void IsDeprecated_PastItsDate_True(string runtime) => Assert.True(RuntimeDeprecation.IsDeprecated(runtime, Today));

    [Theory]
    [InlineData("nodejs22.x")]
    [InlineData("python3.13")]
    [InlineData("java21")]
    [InlineData("provided.al2023")]
    [InlineData(null)]
    public void IsDeprecated_CurrentRuntimeOrImage_False(string? runtime) => Assert.False(RuntimeDeprecation.IsDeprecated(runtime, Today));

    [Fact]
    public void IsDeprecated_OnItsDate_TrueAndTheDayBefore_False()
    {
        Assert.False(RuntimeDeprecation.IsDeprecated("dotnet8", new DateOnly(2026, 11, 9)));
        Assert.True(RuntimeDeprecation.IsDeprecated("dotnet8", new DateOnly(2026, 11, 10)));
    }

    [Fact]
    public void DeprecatedRuntimes_Count_GroupsByRuntimeMostFirst()
    {
        LambdaFunction F(string name, string? runtime) => new()
        {
            Key = new FunctionKey("111122223333", "us-east-1", name),
            Arn = "arn:aws:lambda:us-east-1:111122223333:function:" + name,
            Runtime = runtime,
        };

        var counted = DeprecatedRuntimes.Count([F("a", "dotnet6"), F("b", "python3.8"), F("c", "python3.8"), F("d", "java21"), F("e", null)], Today);

        Assert.Equal(3, counted.Functions);
        Assert.Equal([KeyValuePair.Create("python3.8", 2), KeyValuePair.Create("dotnet6", 1)], counted.ByRuntime);
    }
}
