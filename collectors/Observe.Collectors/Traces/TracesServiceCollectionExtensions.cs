using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Observe.Collectors.Collection;
using Observe.Collectors.Traces;

namespace Observe.Collectors;

public static class TracesServiceCollectionExtensions
{
    /// <summary>
    /// Registers the traces collector (<c>traces</c>) with its options bound from <c>Observe:Collectors:Traces</c>
    /// and validated at start. Needs <c>AddObserveAws</c> and the store.
    /// </summary>
    public static IServiceCollection AddObserveTracesCollector(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<TracesCollectorOptions>().Bind(configuration.GetSection(TracesCollectorOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TracesCollectorOptions>, TracesCollectorOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ICollector, TracesCollector>());
        return services;
    }
}
