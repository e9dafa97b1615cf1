using System.Reflection;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Observe.Collectors.Aws;

namespace Observe.Deploy.Tests;

/// <summary>
/// deploy/iam/observe-collector-policy.json against the operations the clients declare (AwsService). The declarations
/// are enforced where every call passes, the usage meter, so a client calling an undeclared operation fails its own
/// tests; here the policy must grant exactly what is declared: nothing missing, nothing more.
/// </summary>
public class IamPolicyTests
{
    internal const string PolicyPath = "deploy/iam/observe-collector-policy.json";

    internal static JsonObject Policy() => JsonNode.Parse(Repository.Read(PolicyPath))!.AsObject();

    internal static IEnumerable<string> Actions(JsonNode statement) =>
        statement["Action"] switch
        {
            JsonArray list => list.Select(a => a!.GetValue<string>()),
            JsonValue one => [one.GetValue<string>()],
            _ => throw new InvalidOperationException($"statement {statement["Sid"]} has no Action"),
        };

    [Fact]
    public void Policy_GrantsExactlyTheActionsTheClientsCall()
    {
        var granted = Policy()["Statement"]!.AsArray().SelectMany(s => Actions(s!)).ToList();
        var called = AwsService.All.SelectMany(s => s.IamActions).ToHashSet(StringComparer.Ordinal);

        var missing = called.Except(granted, StringComparer.Ordinal).Order().ToList();
        var extra = granted.Except(called, StringComparer.Ordinal).Order().ToList();
        Assert.True(missing.Count == 0, $"the clients call actions the policy does not grant: {string.Join(", ", missing)}");
        Assert.True(extra.Count == 0, $"the policy grants actions no client calls: {string.Join(", ", extra)}");
        Assert.Equal(granted.Count, granted.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void Policy_EveryStatementAllowsNamedActionsOnNamedResources()
    {
        var policy = Policy();
        Assert.Equal("2012-10-17", policy["Version"]!.GetValue<string>());
        foreach (var statement in policy["Statement"]!.AsArray())
        {
            var sid = statement!["Sid"]?.GetValue<string>();
            Assert.False(string.IsNullOrEmpty(sid), "every statement has a Sid (the member-account role's policy is chosen by Sid)");
            Assert.Equal("Allow", statement["Effect"]!.GetValue<string>());
            Assert.All(Actions(statement), a => Assert.DoesNotContain('*', a));
            Assert.NotNull(statement["Resource"]);
        }
    }

    [Fact]
    public void AwsService_AllListsEveryDeclaredService()
    {
        // A service declared as a field but left out of All would have its operations ungranted by the test above.
        var declared = typeof(AwsService).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.FieldType == typeof(AwsService))
            .Select(f => (AwsService)f.GetValue(null)!);

        Assert.Equal(declared.Select(s => s.Name).Order(), AwsService.All.Select(s => s.Name).Order());
    }

    [Fact]
    public void Meter_RefusesAnOperationNoServiceDeclares()
    {
        var meter = new AwsUsageMeter(Options.Create(new AwsOptions()), TimeProvider.System);
        meter.RecordCall("123456789012", "eu-west-1", AwsService.Logs, "StartLiveTail");

        var error = Assert.Throws<ArgumentException>(() => meter.RecordCall("123456789012", "eu-west-1", AwsService.Lambda, "GetFunction"));

        Assert.Contains("lambda:GetFunction", error.Message, StringComparison.Ordinal);
        Assert.Contains(PolicyPath, error.Message, StringComparison.Ordinal);
    }
}
