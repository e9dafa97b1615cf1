using Amazon.Runtime;
using Observe.Collectors.Aws;
using Observe.Collectors.Tests.Infrastructure;

namespace Observe.Collectors.Tests.Aws;

/// <summary>Cross-account access through moto's STS (account 310000000006) and the errors credentials give.</summary>
public sealed class CredentialsTests
{
    private const string Account = "310000000006";
    private const string Region = "eu-west-1";

    private static DateOnly Today => DateOnly.FromDateTime(DateTime.UtcNow);

    [Fact]
    public async Task AssumeRole_CallsLandInTheRolesAccount_AndTheRoleIsAssumedOnce()
    {
        using var seed = new MotoSeeder(Account);
        var name = $"xacct-{Guid.NewGuid():N}"[..14];
        await seed.CreateFunctionAsync(Region, name);
        using var host = new AwsTestHost(AwsTestHost.OptionsFor(Moto.Url, (Account, [Region])));
        var lambda = host.Clients.Lambda(Account, Region);

        var first = await lambda.ListFunctionsAsync(CancellationToken.None).ToListAsync();
        await lambda.ListFunctionsAsync(CancellationToken.None).ToListAsync();

        Assert.Contains($"arn:aws:lambda:{Region}:{Account}:function:{name}", first.Select(f => f.FunctionArn));
        Assert.All(first, f => Assert.Contains($":{Account}:", f.FunctionArn, StringComparison.Ordinal));
        Assert.Equal(1, host.Meter.GetUsage(Today).Single(u => u.Operation == "AssumeRole").Calls);
        Assert.IsType<AssumeRoleCredentials>(await host.Credentials.GetAsync(host.Options.Accounts[0], CancellationToken.None));
    }

    [Fact]
    public async Task AssumedCredentials_NearTheirExpiry_AreRenewed()
    {
        var options = AwsTestHost.OptionsFor(Moto.Url, (Account, [Region]));
        options.AssumeRoleDuration = TimeSpan.FromMinutes(15);

        // Renew when less than 15 minutes minus half a second remain: the second call, a second later, must renew.
        options.CredentialRefreshBefore = TimeSpan.FromMinutes(15) - TimeSpan.FromMilliseconds(500);
        using var host = new AwsTestHost(options);
        var lambda = host.Clients.Lambda(Account, Region);

        await lambda.ListFunctionsAsync(CancellationToken.None).ToListAsync();
        await Task.Delay(TimeSpan.FromSeconds(1));
        await lambda.ListFunctionsAsync(CancellationToken.None).ToListAsync();

        // In the renewal window the SDK signs with the current credentials and renews in the background: wait for that
        // renewal (30 s only bounds a broken test; moto on a loaded machine can take seconds to answer).
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (AssumeRoleCalls(host) < 2 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.Equal(2, AssumeRoleCalls(host));
    }

    private static long AssumeRoleCalls(AwsTestHost host) => host.Meter.GetUsage(Today).Single(u => u.Operation == "AssumeRole").Calls;

    [Fact]
    public async Task NoBaseCredentials_IsACredentialErrorNamingTheAccount()
    {
        var options = AwsTestHost.OptionsFor(Moto.Url, (Account, [Region]));
        using var host = new AwsTestHost(options, baseCredentials: (_, _) => throw new AmazonClientException("Failed to resolve AWS credentials. The credential providers used to search for credentials returned the following errors: ..."));

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => host.Clients.Lambda(Account, Region).ListFunctionsAsync(CancellationToken.None).ToListAsync().AsTask());

        Assert.True(error.IsCredentialError);
        Assert.Equal("CredentialsUnavailable", error.ErrorCode);
        Assert.StartsWith($"account {Account} (test): no credentials could be resolved (Failed to resolve AWS credentials.", error.Message);
        Assert.Equal(1, host.Meter.GetUsage(Today).Single(u => u.Operation == "ListFunctions").FailedCalls);
    }

    [Fact]
    public async Task AssumeRoleRefused_IsACredentialErrorNamingTheRole()
    {
        // STS answers through a proxy that refuses the token: the AssumeRole inside the signer fails for good.
        await using var proxy = new FaultProxy(Moto.Url);
        proxy.Script(Enumerable.Repeat(Fault.ExpiredToken403, 10).ToArray());
        var options = AwsTestHost.OptionsFor(Moto.Url, (Account, [Region]));
        options.Endpoints.Sts = proxy.Url;
        using var host = new AwsTestHost(options);

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => host.Clients.Lambda(Account, Region).ListFunctionsAsync(CancellationToken.None).ToListAsync().AsTask());

        Assert.True(error.IsCredentialError);
        Assert.StartsWith($"account {Account} (test): could not obtain credentials by assuming arn:aws:iam::{Account}:role/observe-read: ", error.Message);
        Assert.Equal(1, error.Attempts);
    }
}
