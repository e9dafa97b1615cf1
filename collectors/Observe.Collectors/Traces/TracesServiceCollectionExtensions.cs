using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
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
        return services.AddCollector<TracesCollector, TracesCollectorOptions, TracesCollectorOptionsValidator>(configuration, TracesCollectorOptions.SectionName);
    }
}
