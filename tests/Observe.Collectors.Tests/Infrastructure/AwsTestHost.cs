using Amazon.Runtime;
using Microsoft.Extensions.Logging.Abstractions;
using Observe.Collectors.Aws;

namespace Observe.Collectors.Tests.Infrastructure;

/// <summary>
/// The real AWS access layer (credentials, budgets, retries, signer, meter, clients) wired by hand, as AddObserveAws
/// wires it, with the base credentials fixed (no machine credentials are read) and the transport and clock replaceable.
/// </summary>
internal sealed class AwsTestHost : IDisposable
{
    public AwsTestHost(AwsOptions options, TimeProvider? time = null, HttpMessageHandler? transport = null, AwsCredentialsProvider.BaseCredentialsResolver? baseCredentials = null)
    {
        Options = options;
        var wrapped = Microsoft.Extensions.Options.Options.Create(options);
        Time = time ?? TimeProvider.System;
        Meter = new AwsUsageMeter(wrapped, Time);
        var endpoints = new AwsEndpointResolver(wrapped);
        Credentials = new AwsCredentialsProvider(wrapped, endpoints, Meter, NullLogger<AwsCredentialsProvider>.Instance,
            baseCredentials ?? ((_, _) => Task.FromResult<AWSCredentials>(new BasicAWSCredentials("AKIAOBSERVETEST00001", "observe-test-secret"))));
        Caller = new AwsCaller(wrapped, Credentials, endpoints, new RateBudgets(wrapped, Time), Meter, Time, NullLogger<AwsCaller>.Instance, transport);
        Clients = new AwsClientFactory(Caller, wrapped, Time);
    }

    public AwsOptions Options { get; }
    public TimeProvider Time { get; }
    public AwsUsageMeter Meter { get; }
    public AwsCredentialsProvider Credentials { get; }
    public AwsCaller Caller { get; }
    public IAwsClientFactory Clients { get; }

    /// <summary>Options for accounts reached through moto (or a proxy in front of it) by assuming a role in each.</summary>
    public static AwsOptions OptionsFor(string endpoint, params (string AccountId, string[] Regions)[] accounts) => new()
    {
        Accounts = accounts.Select(a => new AwsAccountOptions
        {
            AccountId = a.AccountId,
            Name = "test",
            RoleArn = Moto.RoleArn(a.AccountId),
            Regions = [.. a.Regions],
        }).ToList(),
        Endpoints = new AwsEndpointOptions { Lambda = endpoint, CloudWatch = endpoint, Logs = endpoint, XRay = endpoint, Sts = endpoint },
        AttemptTimeout = TimeSpan.FromSeconds(10),
        CallTimeout = TimeSpan.FromSeconds(60),
        Retry = new AwsRetryOptions
        {
            MaxAttempts = 4,
            ThrottlingBaseDelay = TimeSpan.FromMilliseconds(5),
            ThrottlingMaxDelay = TimeSpan.FromMilliseconds(20),
            TransientBaseDelay = TimeSpan.FromMilliseconds(2),
            TransientMaxDelay = TimeSpan.FromMilliseconds(10),
        },

        // Tests seed and read in bursts; AWS's real quotas would only slow them down.
        RateBudgets = new(StringComparer.OrdinalIgnoreCase)
        {
            ["Lambda"] = new RateBudgetOptions { PerSecond = 1000 },
            ["CloudWatch"] = new RateBudgetOptions { PerSecond = 1000 },
            ["Logs"] = new RateBudgetOptions { PerSecond = 1000 },
            ["XRay"] = new RateBudgetOptions { PerSecond = 1000 },
        },
        UnprocessedTraceRetryDelay = TimeSpan.FromMilliseconds(10),
    };

    public void Dispose()
    {
        Caller.Dispose();
        Credentials.Dispose();
    }
}
