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
    /// <c>Observe:Collectors:Metrics</c>, validated at start). Needs <c>AddObserveAws</c> and <c>AddObserveStore</c>; the
    /// functions dashboard pages watch are read from the store, so a collector in the worker sees them too, and so are the
    /// alert rules' scopes unless the alerting engine (which also reads its rules file) supplies them.
    /// </summary>
    public static IServiceCollection AddObserveMetricsCollector(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        services.TryAddSingleton<IAlertRuleScopes, StoredAlertRuleScopes>();
        return services.AddCollector<MetricsCollector, MetricsCollectorOptions, MetricsCollectorOptionsValidator>(
            configuration, MetricsCollectorOptions.SectionName);
    }
}
