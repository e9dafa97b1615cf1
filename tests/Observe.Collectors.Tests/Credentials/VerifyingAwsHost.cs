using Amazon.Runtime;
using Microsoft.Extensions.Logging.Abstractions;
using Observe.Collectors.Aws;
using Observe.Collectors.Tests.Infrastructure;

namespace Observe.Collectors.Tests.Credentials;

/// <summary>
/// The AWS access layer wired as AddObserveAws wires it, with the first-use GetCallerIdentity check on (AwsTestHost
/// leaves it off for its recorded-response tests). Base credentials are fixed unless <c>standardChain</c> asks for
/// the real resolution (profiles, SSO) from the process's environment.
/// </summary>
internal sealed class VerifyingAwsHost : IDisposable
{
    public VerifyingAwsHost(AwsOptions options, bool standardChain = false, HttpMessageHandler? transport = null, Action? onBaseResolved = null)
    {
        Options = options;
        var wrapped = Microsoft.Extensions.Options.Options.Create(options);
        Meter = new AwsUsageMeter(wrapped, TimeProvider.System);
        var endpoints = new AwsEndpointResolver(wrapped);
        AwsCredentialsProvider.BaseCredentialsResolver? fixedCredentials = standardChain ? null : (_, _) =>
        {
            onBaseResolved?.Invoke();
            return Task.FromResult<AWSCredentials>(new BasicAWSCredentials("AKIAOBSERVETEST00001", "observe-test-secret"));
        };
        Credentials = new AwsCredentialsProvider(wrapped, endpoints, Meter, NullLogger<AwsCredentialsProvider>.Instance, fixedCredentials, verifyAccount: true);
        Caller = new AwsCaller(wrapped, Credentials, endpoints, new RateBudgets(wrapped, TimeProvider.System), Meter, TimeProvider.System, NullLogger<AwsCaller>.Instance, transport);
        Clients = new AwsClientFactory(Caller, wrapped, TimeProvider.System);
    }

    public AwsOptions Options { get; }
    public AwsUsageMeter Meter { get; }
    public AwsCredentialsProvider Credentials { get; }
    public AwsCaller Caller { get; }
    public IAwsClientFactory Clients { get; }

    public long Calls(string operation) =>
        Meter.GetUsage(DateOnly.FromDateTime(DateTime.UtcNow)).Where(u => u.Operation == operation).Sum(u => u.Calls);

    public void Dispose()
    {
        Caller.Dispose();
        Credentials.Dispose();
    }

    /// <summary>One account reached through moto (or the given STS endpoint), optionally by assuming a role.</summary>
    public static AwsOptions OptionsFor(string accountId, string? roleArn, string? profile = null, string? sts = null)
    {
        var options = AwsTestHost.OptionsFor(Moto.Url, (accountId, ["eu-west-1"]));
        options.Accounts[0].RoleArn = roleArn;
        options.Accounts[0].Profile = profile;
        options.Endpoints.Sts = sts ?? Moto.Url;
        return options;
    }
}
