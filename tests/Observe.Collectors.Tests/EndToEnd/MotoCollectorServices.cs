using Amazon.Runtime;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Observe.Collectors.Aws;
using Observe.Collectors.Tests.Inventory;
using Observe.Store;

namespace Observe.Collectors.Tests.EndToEnd;

/// <summary>
/// The collectors as AddObserveCollectors wires them for a host, over moto: the test's store under every role, fixed
/// base credentials (no machine credentials are read) with the account verified through STS, and the one Lambda call
/// moto lacks answered from the API reference.
/// </summary>
internal static class MotoCollectorServices
{
    public static ServiceCollection Create(IObserveStore store, IConfiguration configuration)
    {
        var services = new ServiceCollection();
        services.AddLogging().AddObserveStore(store);
        services.AddSingleton(sp => new AwsCredentialsProvider(
            sp.GetRequiredService<IOptions<AwsOptions>>(), sp.GetRequiredService<AwsEndpointResolver>(), sp.GetRequiredService<AwsUsageMeter>(),
            NullLogger<AwsCredentialsProvider>.Instance,
            (_, _) => Task.FromResult<AWSCredentials>(new BasicAWSCredentials("AKIAOBSERVETEST00001", "observe-test-secret")),
            verifyAccount: true));

        // moto has no ListProvisionedConcurrencyConfigs: that one call is answered from the Lambda API reference.
        services.AddSingleton<HttpMessageHandler>(new ProvisionedConcurrencyTransport());
        services.AddObserveCollectors(configuration);
        return services;
    }
}
