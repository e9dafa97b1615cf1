using Observe.Dashboard.Model;
using Observe.Store.Model;

namespace Observe.Dashboard.Tests.Model;

public sealed class FunctionDetailLinksTests
{
    private static readonly FunctionKey Fn = new("111122223333", "ap-southeast-2", "orders-api");

    [Fact]
    public void LambdaConsole_IsTheFunctionsPageInItsOwnRegion() =>
        Assert.Equal("https://ap-southeast-2.console.aws.amazon.com/lambda/home?region=ap-southeast-2#/functions/orders-api", FunctionDetailLinks.LambdaConsole(Fn));

    [Fact]
    public void LogGroupConsole_EncodesTheGroupTheConsolesWay() =>
        Assert.Equal("https://ap-southeast-2.console.aws.amazon.com/cloudwatch/home?region=ap-southeast-2#logsV2:log-groups/log-group/$252Faws$252Flambda$252Forders-api",
            FunctionDetailLinks.LogGroupConsole(Fn));

    [Fact]
    public void Page_EscapesEverySegment() =>
        Assert.Equal("functions/111122223333/eu-west-1/a%20b%3Cc%3E", FunctionDetailLinks.Page(new FunctionKey("111122223333", "eu-west-1", "a b<c>")));

    [Theory]
    [InlineData("arn:aws:lambda:us-east-1:580247275435:layer:LambdaInsightsExtension:49", "LambdaInsightsExtension", "49")]
    [InlineData("arn:aws-cn:lambda:cn-north-1:123456789012:layer:shared-libs:3", "shared-libs", "3")]
    [InlineData("not-an-arn", "not-an-arn", null)]
    [InlineData("arn:aws:lambda:us-east-1:123456789012:layer:no-version", "arn:aws:lambda:us-east-1:123456789012:layer:no-version", null)]
    public void Layer_NameAndVersionFromTheArn(string arn, string name, string? version)
    {
        var layer = LayerReference.Parse(arn);

        Assert.Equal(name, layer.Name);
        Assert.Equal(version, layer.Version);
        Assert.Equal(arn, layer.Arn);
    }
}
