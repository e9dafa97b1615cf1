using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Signing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Observe.Alerting.Channels;
using Observe.Collectors.Aws;

namespace Observe.Alerting.Tests.Channels;

/// <summary>
/// The SNS channel against moto's SNS with an SQS queue subscribed: what the channel publishes is read back from the
/// queue with the test's own signed Query calls, not with the channel's client.
/// </summary>
public sealed class SnsChannelTests : IDisposable
{
    private const string AccountId = "123456789012";
    private const string Region = "us-east-1";

    private static readonly BasicAWSCredentials Credentials = new("AKIAOBSERVETEST00001", "observe-test-secret");

    private readonly HttpClient _moto = new(new SigV4SigningHandler(Credentials, RegionEndpoint.USEast1, "sns", new HttpClientHandler()));
    private readonly AwsOptions _aws;
    private readonly AwsCaller _caller;
    private readonly AwsCredentialsProvider _credentials;

    public SnsChannelTests()
    {
        var url = Environment.GetEnvironmentVariable("OBSERVE_TEST_MOTO_URL") is { Length: > 0 } moto
            ? moto.TrimEnd('/')
            : throw new InvalidOperationException("OBSERVE_TEST_MOTO_URL is not set: run the tests with scripts/test.sh, which starts moto (or `source .peers/env` after scripts/peers.sh start)");
        _moto.BaseAddress = new Uri(url + "/");
        _aws = new AwsOptions
        {
            Endpoints = new AwsEndpointOptions { Sns = url, Sts = url },
            Retry = new AwsRetryOptions { MaxAttempts = 1 },
        };

        // The shared AWS layer as AddObserveAws wires it, with fixed keys so no machine credentials are read.
        var options = Options.Create(_aws);
        var meter = new AwsUsageMeter(options, TimeProvider.System);
        var endpoints = new AwsEndpointResolver(options);
        _credentials = new AwsCredentialsProvider(options, endpoints, meter, NullLogger<AwsCredentialsProvider>.Instance, (_, _) => Task.FromResult<AWSCredentials>(Credentials));
        _caller = new AwsCaller(options, _credentials, endpoints, new RateBudgets(options, TimeProvider.System), meter, TimeProvider.System, NullLogger<AwsCaller>.Instance);
    }

    [Theory]
    [InlineData("Json")]
    [InlineData("Text")]
    public async Task Sns_Firing_ReachesTheSubscribedQueue(string format)
    {
        var name = $"alerts-{Guid.NewGuid():N}"[..30];
        var topicArn = Value(await QueryAsync("sns", new() { ["Action"] = "CreateTopic", ["Name"] = name }), "TopicArn");
        var queueUrl = Value(await QueryAsync("sqs", new() { ["Action"] = "CreateQueue", ["QueueName"] = name }), "QueueUrl");
        await QueryAsync("sns", new()
        {
            ["Action"] = "Subscribe",
            ["TopicArn"] = topicArn,
            ["Protocol"] = "sqs",
            ["Endpoint"] = $"arn:aws:sqs:{Region}:{AccountId}:{name}",
        });
        using var registry = Registry(topicArn, format);
        var message = TestAlerts.Firing(3, title: "Error rate above 5% on\nthe orders service, which is a rather long title for an SNS subject line");

        var result = await registry.Find("ops")!.SendAsync(message, CancellationToken.None);

        Assert.True(result.Delivered, result.Error);
        var received = await QueryAsync("sqs", new() { ["Action"] = "ReceiveMessage", ["QueueUrl"] = queueUrl, ["WaitTimeSeconds"] = "5" });
        var envelope = JsonNode.Parse(Value(received, "Body"))!;
        Assert.Equal(topicArn, (string?)envelope["TopicArn"]);
        var subject = (string)envelope["Subject"]!;
        Assert.Equal("[FIRING:critical] Error rate above 5% on the orders service, which is a rather long title for an S…", subject);
        Assert.Equal(99, subject.Length);
        var body = (string)envelope["Message"]!;
        if (format == "Json")
        {
            var json = JsonNode.Parse(body)!;
            Assert.Equal("firing", (string?)json["status"]);
            Assert.Equal(3, json["alerts"]!.AsArray().Count);
            Assert.Equal(TestAlerts.GroupLink.AbsoluteUri, (string?)json["link"]);
        }
        else
        {
            Assert.Contains("Since: 2026-12-04 10:15 UTC", body, StringComparison.Ordinal);
            Assert.Contains("- orders-02 (123456789012, eu-west-1): firing since 2026-12-04 10:17 UTC.", body, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Sns_TopicDoesNotExist_IsPermanentAndDoesNotThrow()
    {
        using var registry = Registry($"arn:aws:sns:{Region}:{AccountId}:no-such-topic-{Guid.NewGuid():N}"[..70], "Json");

        var result = await registry.Find("ops")!.SendAsync(TestAlerts.Firing(1), CancellationToken.None);

        Assert.False(result.Delivered);
        Assert.True(result.Permanent, result.Error);
        Assert.Equal(404, result.StatusCode);
    }

    public void Dispose()
    {
        _caller.Dispose();
        _credentials.Dispose();
        _moto.Dispose();
    }

    private ChannelRegistry Registry(string topicArn, string format) => TestAlerts.Registry(
        new Dictionary<string, string?>
        {
            ["Observe:Alerting:Channels:ops:Kind"] = "sns",
            ["Observe:Alerting:Channels:ops:TopicArn"] = topicArn,
            ["Observe:Alerting:Channels:ops:MessageFormat"] = format,
        },
        TimeProvider.System,
        _aws,
        _caller);

    /// <summary>A Query-protocol call signed for <paramref name="service"/>; the XML answer, or the test fails on an error.</summary>
    private async Task<XDocument> QueryAsync(string service, Dictionary<string, string> form)
    {
        form["Version"] = service == "sns" ? "2010-03-31" : "2012-11-05";
        using var request = new HttpRequestMessage(HttpMethod.Post, "")
        {
            Content = new StringContent(string.Join('&', form.Select(f => $"{Uri.EscapeDataString(f.Key)}={Uri.EscapeDataString(f.Value)}")), Encoding.UTF8),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded");
        request.Options.Set(new HttpRequestOptionsKey<string>(SigV4SigningHandler.ServiceOptionKey), service);
        request.Options.Set(new HttpRequestOptionsKey<string>(SigV4SigningHandler.RegionOptionKey), Region);
        using var response = await _moto.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{service} {form["Action"]}: HTTP {(int)response.StatusCode} {text}");
        return XDocument.Parse(text);
    }

    private static string Value(XDocument document, string element) =>
        document.Descendants().FirstOrDefault(e => e.Name.LocalName == element)?.Value
        ?? throw new InvalidOperationException($"no {element} in {document}");
}
