using System.Globalization;
using System.Net;
using Observe.Collectors.Aws;
using Observe.Collectors.Tests.Infrastructure;

namespace Observe.Collectors.Tests.Credentials;

/// <summary>
/// The first-use GetCallerIdentity check and the errors of rejected credentials. moto accepts every credential, so
/// STS and Lambda refusing a token are responses written from the AWS API reference (STS's Query-protocol XML error,
/// Lambda's REST-JSON error), served by <see cref="RecordedHttpServer"/> or <see cref="StubTransport"/>.
/// </summary>
public sealed class AccountVerificationTests
{
    private const string ExpiredTokenXml = """
        <ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
          <Error>
            <Type>Sender</Type>
            <Code>ExpiredToken</Code>
            <Message>The security token included in the request is expired</Message>
          </Error>
          <RequestId>4f0c8a52-9c1e-4c4b-8d2f-7f0f3a9e2b11</RequestId>
        </ErrorResponse>
        """;

    [Fact]
    public async Task FirstUse_RoleInTheConfiguredAccount_CheckedOnceThenCached()
    {
        var account = FreshAccount();
        using var host = new VerifyingAwsHost(VerifyingAwsHost.OptionsFor(account, Moto.RoleArn(account)));
        var lambda = host.Clients.Lambda(account, "eu-west-1");

        await lambda.ListFunctionsAsync(CancellationToken.None).ToListAsync();
        await lambda.ListFunctionsAsync(CancellationToken.None).ToListAsync();

        Assert.Equal((1, 1, 2), (host.Calls("GetCallerIdentity"), host.Calls("AssumeRole"), host.Calls("ListFunctions")));
    }

    [Fact]
    public async Task FirstUse_CredentialsOfAnotherAccount_AccountMismatchNamingBothAccountsAndTheRole()
    {
        // The role is in another account than the one configured (a copy-paste slip in Observe:Aws:Accounts).
        var (configured, actual) = (FreshAccount(), FreshAccount());
        using var host = new VerifyingAwsHost(VerifyingAwsHost.OptionsFor(configured, Moto.RoleArn(actual)));

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => host.Clients.Lambda(configured, "eu-west-1").ListFunctionsAsync(CancellationToken.None).ToListAsync().AsTask());

        Assert.True(error.IsCredentialError);
        Assert.Equal("AccountMismatch", error.ErrorCode);
        Assert.StartsWith(
            $"account {configured} (test): the credentials from role {Moto.RoleArn(actual)} assumed with the default credential chain belong to account {actual} (arn:aws:sts::{actual}:assumed-role/observe-read/",
            error.Message);
        Assert.EndsWith($"not {configured}; fix Observe:Aws:Accounts (AccountId, Profile or RoleArn)", error.Message);
        Assert.Equal(1, host.Calls("GetCallerIdentity"));
    }

    [Fact]
    public async Task ExpiredToken_FromStsAtFirstUse_ErrorNamesAccountAndProfile_OneRequestPerPass()
    {
        using var sts = new RecordedHttpServer(_ => (403, "text/xml", ExpiredTokenXml));
        var account = FreshAccount();
        using var host = new VerifyingAwsHost(VerifyingAwsHost.OptionsFor(account, roleArn: null, profile: "observe-ops", sts: sts.Url));
        var lambda = host.Clients.Lambda(account, "eu-west-1");

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => lambda.ListFunctionsAsync(CancellationToken.None).ToListAsync().AsTask());

        Assert.True(error.IsCredentialError);
        Assert.Equal(("ExpiredToken", HttpStatusCode.Forbidden), (error.ErrorCode, error.StatusCode));
        Assert.Equal(
            $"account {account} (test): STS GetCallerIdentity rejected the credentials: the security token is expired (ExpiredToken); credentials from profile 'observe-ops'",
            error.Message);
        Assert.Single(sts.Served);

        // The next pass asks again, once: a renewed token is picked up without a restart, and nothing loops.
        await Assert.ThrowsAsync<AwsServiceException>(() => lambda.ListFunctionsAsync(CancellationToken.None).ToListAsync().AsTask());
        Assert.Equal(2, sts.Served.Count);
    }

    [Theory]
    [InlineData("ExpiredTokenException", "The security token included in the request is expired", "the security token is expired")]
    [InlineData("UnrecognizedClientException", "The security token included in the request is invalid.", "the security token or access key is not valid")]
    [InlineData("InvalidClientTokenId", "The security token included in the request is invalid.", "the security token or access key is not valid")]
    public async Task RejectedToken_OnALambdaCall_ErrorNamesAccountAndProfile_NotRetried_CredentialsResolvedAgain(string code, string awsMessage, string problem)
    {
        var transport = new StubTransport((_, _) => (HttpStatusCode.Forbidden, $$"""{"__type":"{{code}}","message":"{{awsMessage}}"}"""));
        var options = LambdaOnlyAccount(profile: "observe-ops");
        var resolved = 0;
        using var host = new AwsTestHost(options, transport: transport, baseCredentials: (_, _) =>
        {
            Interlocked.Increment(ref resolved);
            return Task.FromResult<Amazon.Runtime.AWSCredentials>(new Amazon.Runtime.BasicAWSCredentials("AKIAOBSERVETEST00001", "observe-test-secret"));
        });
        var lambda = host.Clients.Lambda("123456789012", "eu-west-1");

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => lambda.ListFunctionsAsync(CancellationToken.None).ToListAsync().AsTask());
        await Assert.ThrowsAsync<AwsServiceException>(() => lambda.ListFunctionsAsync(CancellationToken.None).ToListAsync().AsTask());

        Assert.True(error.IsCredentialError);
        Assert.Equal($"account 123456789012 (prod): {problem} ({code}, Lambda ListFunctions); credentials from profile 'observe-ops'", error.Message);
        Assert.Equal((1, 2), (error.Attempts, transport.Seen.Count));
        Assert.Equal(2, resolved);
    }

    private static Observe.Collectors.Aws.AwsOptions LambdaOnlyAccount(string profile) => new()
    {
        Accounts = [new AwsAccountOptions { AccountId = "123456789012", Name = "prod", Profile = profile, Regions = ["eu-west-1"] }],
        Retry = new AwsRetryOptions { MaxAttempts = 3, ThrottlingBaseDelay = TimeSpan.FromMilliseconds(1), TransientBaseDelay = TimeSpan.FromMilliseconds(1) },
    };

    private static string FreshAccount() => "36" + Random.Shared.NextInt64(10_000_000_000).ToString("D10", CultureInfo.InvariantCulture);
}
