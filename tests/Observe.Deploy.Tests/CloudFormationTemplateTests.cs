using System.Text.Json.Nodes;
using YamlDotNet.RepresentationModel;

namespace Observe.Deploy.Tests;

/// <summary>
/// The CloudFormation templates under deploy/cloudformation against the resource specification (@aws-cdk/cfnspec).
/// AWS::Serverless::Function (the SAM template) is a transform, not a CloudFormation resource; the specification
/// package lists its documented properties too, and it is checked against those.
/// </summary>
public class CloudFormationTemplateTests
{
    public static TheoryData<string> Templates() => new(TemplatePaths());

    private static IEnumerable<string> TemplatePaths() =>
        Directory.GetFiles(Repository.PathOf("deploy/cloudformation"), "*.yaml").Select(f => Path.GetRelativePath(Repository.Root, f).Replace('\\', '/')).Order();

    internal static YamlMappingNode Template(string relative) => (YamlMappingNode)Repository.ReadYaml(relative).Single();

    [Theory]
    [MemberData(nameof(Templates))]
    public void Template_ConformsToTheResourceSpecification(string template)
    {
        var problems = CloudFormationSpec.Load().Check(Template(template));

        Assert.True(problems.Count == 0, $"{template} against specification {CloudFormationSpec.Load().Version}:\n{string.Join('\n', problems)}");
    }

    [Fact]
    public void Templates_AreTheFourDeployments()
    {
        Assert.Equal(
            ["deploy/cloudformation/collector-role.yaml", "deploy/cloudformation/dashboard-fargate.yaml", "deploy/cloudformation/member-account-role.yaml", "deploy/cloudformation/orders-function-sam.yaml"],
            TemplatePaths());
    }

    [Theory]
    [InlineData("Resources: { R: { Type: AWS::IAM::Rolez, Properties: {} } }", "resource type 'AWS::IAM::Rolez' is not in the specification")]
    [InlineData("Resources: { R: { Type: AWS::Logs::LogGroup, Properties: { RetentionDays: 3 } } }", "property 'RetentionDays' does not exist")]
    [InlineData("Resources: { R: { Type: AWS::IAM::Role, Properties: { Path: / } } }", "required property 'AssumeRolePolicyDocument' is missing")]
    [InlineData("Resources: { R: { Type: AWS::Logs::LogGroup, Properties: { LogGroupName: { Ref: Nope } } } }", "Ref 'Nope' names no parameter")]
    [InlineData("Resources: { R: { Type: AWS::Logs::LogGroup, Properties: { LogGroupName: { Fn::Sub: 'x-${Missing}' } } } }", "Ref 'Missing' names no parameter")]
    [InlineData("Resources: { R: { Type: AWS::Logs::LogGroup } }\nOutputs: { O: { Value: { Fn::GetAtt: [R, Nope] } } }", "AWS::Logs::LogGroup has no attribute 'Nope'")]
    [InlineData("Resources: { R: { Type: AWS::Logs::LogGroup, Properties: { LogGroupName: { Fn::If: [Nope, a, b] } } } }", "condition 'Nope' is not defined")]
    [InlineData("Resources: { R: { Type: AWS::Logs::LogGroup, DependsOn: Nope } }", "DependsOn names 'Nope'")]
    [InlineData("Resources: { R: { Type: AWS::ECS::Service, Properties: { LoadBalancers: [ { ContainerPort: 80, Nope: 1 } ] } } }", "LoadBalancers: property 'Nope' does not exist")]
    public void Checker_FindsEachKindOfProblem(string yaml, string expected)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));

        var problems = CloudFormationSpec.Load().Check(stream.Documents[0].RootNode);

        Assert.Contains(problems, p => p.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void CollectorRole_CarriesThePolicyFileWordForWord()
    {
        var policy = Policy("deploy/cloudformation/collector-role.yaml", "CollectorRole");

        Assert.True(JsonNode.DeepEquals(IamPolicyTests.Policy(), policy), $"the collector role's policy differs from {IamPolicyTests.PolicyPath}:\n{policy}");
    }

    [Fact]
    public void MemberAccountRole_CarriesThePolicyFileWithoutAssumeRoleAndPublish()
    {
        var policy = Policy("deploy/cloudformation/member-account-role.yaml", "ReadRole");

        Assert.True(JsonNode.DeepEquals(MemberPolicy(), policy), $"the member role's policy differs from the read part of {IamPolicyTests.PolicyPath}:\n{policy}");
        var assumeRole = Template("deploy/cloudformation/member-account-role.yaml").Map("Resources").Map("ReadRole").Map("Properties").Map("AssumeRolePolicyDocument");
        var condition = assumeRole.Seq("Statement").Children.Single().Map("Condition").Map("StringEquals").Map("sts:ExternalId");
        Assert.Equal("ExternalId", condition.Str("Ref"));
    }

    /// <summary>The member account's role only reads: it neither assumes further roles nor publishes alerts.</summary>
    internal static JsonObject MemberPolicy()
    {
        var policy = IamPolicyTests.Policy();
        var statements = policy["Statement"]!.AsArray();
        foreach (var statement in statements.Where(s => s!["Sid"]!.GetValue<string>() is "AssumeMemberAccountRoles" or "PublishAlerts").ToList())
        {
            statements.Remove(statement);
        }

        return policy;
    }

    [Fact]
    public void Fargate_SignsInAtTheLoadBalancerBeforeForwarding()
    {
        var resources = Template("deploy/cloudformation/dashboard-fargate.yaml").Map("Resources");
        var actions = resources.Map("HttpsListener").Map("Properties").Seq("DefaultActions").Children
            .OrderBy(a => int.Parse(a.Str("Order"), System.Globalization.CultureInfo.InvariantCulture))
            .Select(a => a.Str("Type"))
            .ToList();

        Assert.Equal(["authenticate-oidc", "forward"], actions);
        Assert.Equal("HTTPS", resources.Map("HttpsListener").Map("Properties").Str("Protocol"));
        Assert.Equal("redirect", resources.Map("HttpListener").Map("Properties").Seq("DefaultActions").Children.Single().Str("Type"));
        Assert.Equal("true", resources.Map("Database").Map("Properties").Str("StorageEncrypted"));
        Assert.Equal("Snapshot", resources.Map("Database").Str("DeletionPolicy"));
    }

    [Fact]
    public void Sam_OrdersFunctionIsNativeAotOnProvidedAl2023WithTracingAndOtlp()
    {
        var function = Template("deploy/cloudformation/orders-function-sam.yaml").Map("Resources").Map("OrdersFunction");
        var properties = function.Map("Properties");

        Assert.Equal("AWS::Serverless::Function", function.Str("Type"));
        Assert.Equal("provided.al2023", properties.Str("Runtime"));
        Assert.Equal("bootstrap", properties.Str("Handler"));
        Assert.Equal("Active", properties.Str("Tracing"));
        Assert.Equal("OtlpEndpoint", properties.Map("Environment").Map("Variables").Map("OTEL_EXPORTER_OTLP_ENDPOINT").Str("Ref"));

        // The sample it deploys: the build against the package, published with Native AOT as "bootstrap".
        var project = Repository.Read("instrumentation/samples/Observe.Samples.OrdersFunction.Packaged/Observe.Samples.OrdersFunction.Packaged.csproj");
        Assert.Contains("<AssemblyName>bootstrap</AssemblyName>", project, StringComparison.Ordinal);
        Assert.Contains("<PublishAot>true</PublishAot>", project, StringComparison.Ordinal);
        Assert.Contains("Include=\"Observe.Instrumentation\"", project, StringComparison.Ordinal);
    }

    private static JsonNode Policy(string template, string role)
    {
        var policies = Template(template).Map("Resources").Map(role).Map("Properties").Seq("Policies");
        return YamlJson.ToJson(policies.Children.Single().Map("PolicyDocument"))!;
    }
}
