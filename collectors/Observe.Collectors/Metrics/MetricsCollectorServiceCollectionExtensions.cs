using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Observe.Collectors.Collection;
using Observe.Collectors.Metrics;

namespace Observe.Collectors;

public static class MetricsCollectorServiceCollectionExtensions
{
    /// <summary>
    /// Registers the metrics collector as an <see cref="ICollector"/>, its <see cref="MetricsCollectorOptions"/> (bound from
    /// <c>Observe:Collectors:Metrics</c>, validated at start) and the <see cref="IWatchedFunctions"/> registry the dashboard
    /// pages use. Needs <c>AddObserveAws</c> and <c>AddObserveStore</c>.
    /// </summary>
    public static IServiceCollection AddObserveMetricsCollector(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        services.TryAddSingleton<IWatchedFunctions, WatchedFunctions>();
        return services.AddCollector<MetricsCollector, MetricsCollectorOptions, MetricsCollectorOptionsValidator>(
            configuration, MetricsCollectorOptions.SectionName);
    }
}
