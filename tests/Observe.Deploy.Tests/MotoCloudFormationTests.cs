using System.Net;
using System.Text.Json.Nodes;
using System.Xml.Linq;

namespace Observe.Deploy.Tests;

/// <summary>
/// The IAM role stacks created in moto's CloudFormation (scripts/peers.sh starts moto; OBSERVE_TEST_MOTO_URL). moto
/// implements CloudFormation for IAM: the stacks must create, and the roles must carry the policy file's statements
/// and the trust the templates describe. Each test uses its own account (moto's x-moto-account-id), never a reset.
/// </summary>
public class MotoCloudFormationTests
{
    private const string CollectorAccount = "210000000001";
    private const string MemberAccount = "210000000002";

    [Fact]
    public async Task CollectorRoleStack_CreatesTheRoleWithThePolicyFile()
    {
        using var moto = new MotoClient(CollectorAccount);

        var status = await moto.CreateStackAsync("observe-collector", "deploy/cloudformation/collector-role.yaml", []);

        Assert.Equal("CREATE_COMPLETE", status);
        var role = await moto.IamAsync("GetRole", ("RoleName", "observe-collector"));
        Assert.Equal("/observe/", role.Descendants(MotoClient.Iam + "Path").Single().Value);
        Assert.Equal($"arn:aws:iam::{CollectorAccount}:role/observe/observe-collector", role.Descendants(MotoClient.Iam + "Arn").Single().Value);
        var trust = MotoClient.PolicyJson(role.Descendants(MotoClient.Iam + "AssumeRolePolicyDocument").Single().Value);
        Assert.Equal("ecs-tasks.amazonaws.com", trust["Statement"]![0]!["Principal"]!["Service"]!.GetValue<string>());

        var policy = await moto.RolePolicyAsync("observe-collector", "observe-collector");
        Assert.True(JsonNode.DeepEquals(IamPolicyTests.Policy(), policy), $"the created role's policy differs from {IamPolicyTests.PolicyPath}:\n{policy}");
    }

    [Fact]
    public async Task MemberAccountStack_CreatesTheReadRoleTrustingTheCollectorWithTheExternalId()
    {
        using var moto = new MotoClient(MemberAccount);

        var status = await moto.CreateStackAsync("observe-member", "deploy/cloudformation/member-account-role.yaml",
            [("CollectorAccountId", CollectorAccount), ("ExternalId", "observe-external-id-0001")]);

        Assert.Equal("CREATE_COMPLETE", status);
        var role = await moto.IamAsync("GetRole", ("RoleName", "observe-read"));
        Assert.Equal($"arn:aws:iam::{MemberAccount}:role/observe/observe-read", role.Descendants(MotoClient.Iam + "Arn").Single().Value);
        var trust = MotoClient.PolicyJson(role.Descendants(MotoClient.Iam + "AssumeRolePolicyDocument").Single().Value)["Statement"]![0]!;
        Assert.Equal($"arn:aws:iam::{CollectorAccount}:role/observe/observe-collector", trust["Principal"]!["AWS"]!.GetValue<string>());
        Assert.Equal("observe-external-id-0001", trust["Condition"]!["StringEquals"]!["sts:ExternalId"]!.GetValue<string>());

        var policy = await moto.RolePolicyAsync("observe-read", "observe-read");
        Assert.True(JsonNode.DeepEquals(CloudFormationTemplateTests.MemberPolicy(), policy), $"the member role's policy differs:\n{policy}");
    }

    /// <summary>moto's Query APIs over plain HTTP: the account from x-moto-account-id, the service from an unsigned credential scope.</summary>
    private sealed class MotoClient(string accountId) : IDisposable
    {
        public static readonly XNamespace Iam = "https://iam.amazonaws.com/doc/2010-05-08/";
        private static readonly XNamespace Cfn = "http://cloudformation.amazonaws.com/doc/2010-05-15/";

        private readonly HttpClient _http = new() { BaseAddress = new Uri(MotoUrl + "/") };

        private static string MotoUrl =>
            Environment.GetEnvironmentVariable("OBSERVE_TEST_MOTO_URL") is { Length: > 0 } url
                ? url.TrimEnd('/')
                : throw new InvalidOperationException("OBSERVE_TEST_MOTO_URL is not set: run the tests with scripts/test.sh, which starts moto (or `set -a; . .peers/env` after scripts/peers.sh start)");

        /// <summary>Creates the stack and returns its status as DescribeStacks reports it (moto creates synchronously).</summary>
        public async Task<string> CreateStackAsync(string name, string template, IReadOnlyList<(string Key, string Value)> parameters)
        {
            // A stack left by an earlier run on the same moto (DeleteStack of a missing stack succeeds, as on AWS).
            await SendAsync("cloudformation", [("Action", "DeleteStack"), ("Version", "2010-05-15"), ("StackName", name)]);
            var form = new List<(string, string)>
            {
                ("Action", "CreateStack"), ("Version", "2010-05-15"), ("StackName", name),
                ("TemplateBody", Repository.Read(template)), ("Capabilities.member.1", "CAPABILITY_NAMED_IAM"),
            };
            for (var i = 0; i < parameters.Count; i++)
            {
                form.Add(($"Parameters.member.{i + 1}.ParameterKey", parameters[i].Key));
                form.Add(($"Parameters.member.{i + 1}.ParameterValue", parameters[i].Value));
            }

            await SendAsync("cloudformation", form);
            var stacks = await SendAsync("cloudformation", [("Action", "DescribeStacks"), ("Version", "2010-05-15"), ("StackName", name)]);
            var stack = stacks.Descendants(Cfn + "member").First();
            return stack.Element(Cfn + "StackStatus")!.Value + (stack.Element(Cfn + "StackStatusReason")?.Value is { Length: > 0 } reason ? $" ({reason})" : "");
        }

        public Task<XDocument> IamAsync(string action, params (string, string)[] fields) =>
            SendAsync("iam", [("Action", action), ("Version", "2010-05-08"), .. fields]);

        public async Task<JsonNode> RolePolicyAsync(string role, string policyName)
        {
            var answer = await IamAsync("GetRolePolicy", ("RoleName", role), ("PolicyName", policyName));
            return PolicyJson(answer.Descendants(Iam + "PolicyDocument").Single().Value);
        }

        /// <summary>
        /// A policy document as IAM returns it: URL-encoded JSON (AWS, and moto for trust policies). moto 5.2 returns an
        /// inline policy created by CloudFormation as a Python dict's repr instead; with no quote or backslash in its
        /// strings (checked) the repr reads as JSON once its quotes are swapped.
        /// </summary>
        public static JsonNode PolicyJson(string document)
        {
            var text = document.StartsWith('%') ? Uri.UnescapeDataString(document) : document;
            if (text.StartsWith("{'", StringComparison.Ordinal))
            {
                Assert.DoesNotContain('"', text);
                Assert.DoesNotContain('\\', text);
                text = text.Replace('\'', '"');
            }

            return JsonNode.Parse(text)!;
        }

        private async Task<XDocument> SendAsync(string service, IEnumerable<(string Key, string Value)> fields)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "")
            {
                Content = new FormUrlEncodedContent(fields.Select(f => KeyValuePair.Create(f.Key, f.Value))),
            };
            request.Headers.TryAddWithoutValidation("x-moto-account-id", accountId);
            request.Headers.TryAddWithoutValidation("Authorization", $"AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/{service}/aws4_request, SignedHeaders=host, Signature=00");
            using var response = await _http.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"moto {service} {fields.First().Value}: {(int)response.StatusCode} {body}");
            return XDocument.Parse(body);
        }

        public void Dispose() => _http.Dispose();
    }
}
