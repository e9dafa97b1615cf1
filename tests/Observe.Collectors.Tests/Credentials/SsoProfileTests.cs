using System.Security.Cryptography;
using System.Text;
using Observe.Collectors.Aws;

namespace Observe.Collectors.Tests.Credentials;

/// <summary>Tests that change process-wide environment variables (AWS_ENDPOINT_URL_SSO) run alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessEnvironmentCollection
{
    public const string Name = "process environment";
}

/// <summary>
/// An <c>sso_session</c> profile resolved through AWSSDK.Core's profile chain (with AWSSDK.SSO and AWSSDK.SSOOIDC
/// referenced), from the config file and SSO token cache of <see cref="IsolatedAwsConfig"/>. moto has no SSO portal, so
/// GetRoleCredentials answers from <see cref="RecordedHttpServer"/> with a response written from the SSO API reference
/// (reached through AWS_ENDPOINT_URL_SSO); GetCallerIdentity goes to moto, which reports its default account
/// 123456789012 for credentials it did not issue.
/// </summary>
[Collection(ProcessEnvironmentCollection.Name)]
public sealed class SsoProfileTests : IDisposable
{
    private const string Account = "123456789012";

    public void Dispose() => Environment.SetEnvironmentVariable("AWS_ENDPOINT_URL_SSO", null);

    [Fact]
    public async Task SsoProfile_WithCachedToken_ResolvesThroughGetRoleCredentials_AndIsVerified()
    {
        var session = WriteProfile("observe-sso");
        WriteCachedToken(session, "observe-cached-access-token", DateTimeOffset.UtcNow.AddHours(1));
        using var portal = new RecordedHttpServer(_ => (200, "application/json", $$"""
            {"roleCredentials": {"accessKeyId": "ASIAOBSERVESSO000001", "secretAccessKey": "observe-sso-secret",
             "sessionToken": "observe-sso-session-token", "expiration": {{DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeMilliseconds()}} } }
            """));
        Environment.SetEnvironmentVariable("AWS_ENDPOINT_URL_SSO", portal.Url);
        using var host = new VerifyingAwsHost(VerifyingAwsHost.OptionsFor(Account, roleArn: null, profile: "observe-sso"), standardChain: true);

        var credentials = await host.Credentials.GetAsync(host.Options.Accounts[0], CancellationToken.None);
        var keys = await credentials.GetCredentialsAsync();

        Assert.Equal("ASIAOBSERVESSO000001", keys.AccessKey);
        var request = Assert.Single(portal.Served);
        Assert.Equal(("GET", "observe-cached-access-token"), (request.Method, request.BearerToken));
        Assert.Contains("account_id=" + Account, request.PathAndQuery, StringComparison.Ordinal);
        Assert.Contains("role_name=ObserveRead", request.PathAndQuery, StringComparison.Ordinal);
        Assert.Equal(1, host.Calls("GetCallerIdentity"));
    }

    [Fact]
    public async Task SsoProfile_TokenExpired_CredentialErrorNamingAccountAndProfile()
    {
        var session = WriteProfile("observe-sso-expired");
        WriteCachedToken(session, "observe-old-token", DateTimeOffset.UtcNow.AddHours(-1));
        using var portal = new RecordedHttpServer(_ => (401, "application/json", """{"message":"Session token not found or invalid"}"""));
        Environment.SetEnvironmentVariable("AWS_ENDPOINT_URL_SSO", portal.Url);
        using var host = new VerifyingAwsHost(VerifyingAwsHost.OptionsFor(Account, roleArn: null, profile: "observe-sso-expired"), standardChain: true);

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => host.Credentials.GetAsync(host.Options.Accounts[0], CancellationToken.None));

        Assert.True(error.IsCredentialError);
        Assert.StartsWith($"account {Account} (test): no credentials could be resolved (SSO Token has expired and can not be refreshed)", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("; credentials from profile 'observe-sso-expired' (sign in again with `aws sso login --profile observe-sso-expired`)", error.Message, StringComparison.Ordinal);
        Assert.Empty(portal.Served);
    }

    [Fact]
    public async Task SsoProfile_NoTokenCached_CredentialErrorNamingAccountAndProfile()
    {
        WriteProfile("observe-sso-never");
        using var host = new VerifyingAwsHost(VerifyingAwsHost.OptionsFor(Account, roleArn: null, profile: "observe-sso-never"), standardChain: true);

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => host.Clients.Lambda(Account, "eu-west-1").ListFunctionsAsync(CancellationToken.None).ToListAsync().AsTask());

        Assert.True(error.IsCredentialError);
        Assert.Equal("CredentialsUnavailable", error.ErrorCode);
        Assert.StartsWith($"account {Account} (test): no credentials could be resolved (No valid SSO Token could be found.)", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("; credentials from profile 'observe-sso-never' (sign in again with `aws sso login --profile observe-sso-never`)", error.Message, StringComparison.Ordinal);
    }

    /// <summary>An sso_session profile, with a session of its own so no test sees another's cached token.</summary>
    private string WriteProfile(string profile)
    {
        var session = profile + "-session";
        File.AppendAllText(IsolatedAwsConfig.ConfigFile, $"""
            [profile {profile}]
            sso_session = {session}
            sso_account_id = {Account}
            sso_role_name = ObserveRead
            region = eu-west-1

            [sso-session {session}]
            sso_start_url = https://observe-test.awsapps.com/start
            sso_region = eu-west-1
            sso_registration_scopes = sso:account:access

            """);
        return session;
    }

    /// <summary>The token file `aws sso login` writes: ~/.aws/sso/cache/{sha1 of the session name}.json.</summary>
    private void WriteCachedToken(string session, string accessToken, DateTimeOffset expiresAt)
    {
        var name = Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(session)));
        File.WriteAllText(Path.Combine(IsolatedAwsConfig.SsoCache, name + ".json"), $$"""
            {"startUrl": "https://observe-test.awsapps.com/start", "region": "eu-west-1", "accessToken": "{{accessToken}}",
             "expiresAt": "{{expiresAt.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}}"}
            """);
    }
}
