using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Observe.Collectors.Aws;

namespace Observe.Collectors;

public static class ObserveAwsServiceCollectionExtensions
{
    /// <summary>
    /// Registers the AWS access layer: <see cref="AwsOptions"/> bound from <c>Observe:Aws</c> and validated at start,
    /// <see cref="IAwsClientFactory"/> for the collectors and <see cref="IAwsUsageMeter"/> for the dashboard.
    /// </summary>
    public static IServiceCollection AddObserveAws(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddOptions<AwsOptions>().Bind(configuration.GetSection(AwsOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AwsOptions>, AwsOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<AwsEndpointResolver>();
        services.TryAddSingleton<AwsUsageMeter>();
        services.TryAddSingleton<IAwsUsageMeter>(sp => sp.GetRequiredService<AwsUsageMeter>());
        services.TryAddSingleton<RateBudgets>();
        services.TryAddSingleton<AwsCredentialsProvider>();
        services.TryAddSingleton<AwsCaller>();
        services.TryAddSingleton<IAwsClientFactory, AwsClientFactory>();
        return services;
    }
}
