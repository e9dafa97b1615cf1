using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Observe.Collectors.Collection;

namespace Observe.Collectors;

public static class CollectorsServiceCollectionExtensions
{
    /// <summary>
    /// Registers the AWS access layer (<see cref="ObserveAwsServiceCollectionExtensions.AddObserveAws"/>), every
    /// collector (inventory, alarms, metrics, logs, traces) and the shared Live Tail sessions,
    /// <see cref="CollectorsOptions"/> bound from <c>Observe:Collectors</c> and validated at start, the host that runs
    /// every registered <see cref="ICollector"/> per account and region, and the writer that persists API usage.
    /// The application registers the store (<c>AddObserveStore</c>) and migrates it before starting.
    /// </summary>
    public static IServiceCollection AddObserveCollectors(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddObserveAws(configuration);
        services.AddValidatedOptions<CollectorsOptions, CollectorsOptionsValidator>(configuration, CollectorsOptions.SectionName);
        services.TryAddSingleton<CollectorsInstance>();

        // Inventory first: the logs collector reads the functions to follow from the store.
        services.AddObserveInventoryCollector(configuration)
            .AddObserveAlarmsCollector(configuration)
            .AddObserveMetricsCollector(configuration)
            .AddObserveLogsCollector(configuration)
            .AddObserveTracesCollector(configuration)
            .AddObserveLiveTail(configuration);

        // Hosted services stop in reverse order: the usage writer's final flush runs after the collectors stopped.
        services.AddHostedService<ApiUsageWriter>();
        services.AddHostedService<CollectorsHost>();
        return services;
    }
}
