using System.Net;
using Observe.Collectors.Aws;
using Observe.Collectors.Tests.Infrastructure;

namespace Observe.Collectors.Tests.Clients;

/// <summary>
/// What moto cannot show: it ignores MaxItems (so never pages), answers ListProvisionedConcurrencyConfigs with 404 and
/// needs an SQS queue for event source mappings. These responses are written from the Lambda API reference examples.
/// </summary>
public class LambdaRecordedTests
{
    internal static AwsOptions DirectAccount(string accountId = "123456789012") => new()
    {
        Accounts = [new AwsAccountOptions { AccountId = accountId, Name = "prod", Regions = ["eu-west-1"] }],
        Retry = new AwsRetryOptions { MaxAttempts = 3, ThrottlingBaseDelay = TimeSpan.FromMilliseconds(1), TransientBaseDelay = TimeSpan.FromMilliseconds(1) },
    };

    [Fact]
    public async Task ListFunctions_FollowsNextMarker_ToTheLastPage()
    {
        var transport = new StubTransport((_, i) => (HttpStatusCode.OK, StubTransport.Recorded(i == 0 ? "lambda-list-functions-page1.json" : "lambda-list-functions-page2.json")));
        using var host = new AwsTestHost(DirectAccount(), transport: transport);

        var functions = await host.Clients.Lambda("123456789012", "eu-west-1").ListFunctionsAsync(CancellationToken.None).ToListAsync();

        Assert.Equal(["orders-api", "image-resizer", "nightly-report"], functions.Select(f => f.FunctionName));
        Assert.Equal(2, transport.Seen.Count);
        Assert.Equal("https://lambda.eu-west-1.amazonaws.com/2015-03-31/functions/?MaxItems=50", transport.Seen[0].Uri.ToString());
        Assert.Equal(
            "https://lambda.eu-west-1.amazonaws.com/2015-03-31/functions/?MaxItems=50&Marker=eyJNYXJrZXIiOiBudWxsLCAiYm90b190cnVuY2F0ZV9hbW91bnQiOiAyfQ%3D%3D",
            transport.Seen[1].Uri.AbsoluteUri);

        var orders = functions[0];
        Assert.Equal(new DateTimeOffset(2026, 10, 10, 13, 34, 7, 448, TimeSpan.Zero), orders.LastModifiedAt);
        Assert.Equal(("JSON", "Active"), (orders.LoggingConfig!.LogFormat, orders.TracingConfig!.Mode));
        Assert.Equal("arn:aws:lambda:eu-west-1:123456789012:layer:observe:3", Assert.Single(orders.Layers!).Arn);
        Assert.Null(functions[1].Runtime);
        Assert.Equal("Image", functions[1].PackageType);
        Assert.Equal("PublishedVersions", functions[2].SnapStart!.ApplyOn);

        // Every request is SigV4-signed for the account's credentials, region and the lambda signing name.
        Assert.All(transport.Seen, r => Assert.Matches(@"^AWS4-HMAC-SHA256 Credential=AKIAOBSERVETEST00001/\d{8}/eu-west-1/lambda/aws4_request, SignedHeaders=[a-z0-9;-]+, Signature=[0-9a-f]{64}$", r.Authorization));
    }

    [Fact]
    public async Task ListProvisionedConcurrencyConfigs_ReadsEveryAlias()
    {
        var transport = new StubTransport((_, _) => (HttpStatusCode.OK, StubTransport.Recorded("lambda-provisioned-concurrency.json")));
        using var host = new AwsTestHost(DirectAccount(), transport: transport);

        var configs = await host.Clients.Lambda("123456789012", "eu-west-1").ListProvisionedConcurrencyConfigsAsync("orders-api", CancellationToken.None).ToListAsync();

        Assert.Equal([20, 5], configs.Select(c => c.RequestedProvisionedConcurrentExecutions!.Value));
        Assert.Equal(["READY", "IN_PROGRESS"], configs.Select(c => c.Status!));
        Assert.Equal("/2019-09-30/functions/orders-api/provisioned-concurrency?List=ALL&MaxItems=50", transport.Seen[0].Uri.PathAndQuery);
    }

    [Fact]
    public async Task ListEventSourceMappings_ReadsEpochSecondsAndUuid()
    {
        var transport = new StubTransport((_, _) => (HttpStatusCode.OK, StubTransport.Recorded("lambda-event-source-mappings.json")));
        using var host = new AwsTestHost(DirectAccount(), transport: transport);

        var mapping = Assert.Single(await host.Clients.Lambda("123456789012", "eu-west-1").ListEventSourceMappingsAsync("orders-api", CancellationToken.None).ToListAsync());

        Assert.Equal("14e0db71-5d35-4eb5-b481-8945cf9d10c2", mapping.Uuid);
        Assert.Equal(("arn:aws:sqs:eu-west-1:123456789012:orders-queue", "Enabled", 10), (mapping.EventSourceArn, mapping.State, mapping.BatchSize));
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1763804100123), mapping.LastModified);
        Assert.Equal("/2015-03-31/event-source-mappings/?MaxItems=50&FunctionName=orders-api", transport.Seen[0].Uri.PathAndQuery);
    }

    [Fact]
    public async Task ListTags_ArnInThePath_IsEscaped()
    {
        var transport = new StubTransport((_, _) => (HttpStatusCode.OK, """{"Tags":{"team":"checkout"}}"""));
        using var host = new AwsTestHost(DirectAccount(), transport: transport);

        var tags = await host.Clients.Lambda("123456789012", "eu-west-1").ListTagsAsync("arn:aws:lambda:eu-west-1:123456789012:function:orders-api", CancellationToken.None);

        Assert.Equal("checkout", tags["team"]);
        Assert.Equal("/2017-03-31/tags/arn%3Aaws%3Alambda%3Aeu-west-1%3A123456789012%3Afunction%3Aorders-api", transport.Seen[0].Uri.AbsolutePath);
    }

    [Fact]
    public async Task SuccessWithUnexpectedBody_IsAMalformedResponseError()
    {
        var transport = new StubTransport((_, _) => (HttpStatusCode.OK, "<html>captive portal</html>"));
        using var host = new AwsTestHost(DirectAccount(), transport: transport);

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => host.Clients.Lambda("123456789012", "eu-west-1").ListFunctionsAsync(CancellationToken.None).ToListAsync().AsTask());

        Assert.Equal("MalformedResponse", error.ErrorCode);
        Assert.StartsWith("account 123456789012 (prod), eu-west-1, Lambda ListFunctions: the response is not what AWS documents", error.Message);
    }
}
