using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Observe.Collectors.Collection;
using Observe.Collectors.LogCollection;

namespace Observe.Collectors;

public static class LogsCollectorServiceCollectionExtensions
{
    /// <summary>
    /// Registers the logs collector as an <see cref="ICollector"/> with <see cref="LogsCollectorOptions"/> bound from
    /// <c>Observe:Collectors:Logs</c> and validated at start. Needs <c>AddObserveAws</c> and <c>AddObserveStore</c>.
    /// </summary>
    public static IServiceCollection AddObserveLogsCollector(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddValidatedOptions<LogsCollectorOptions, LogsCollectorOptionsValidator>(configuration, LogsCollectorOptions.SectionName);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<LogsCollector>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ICollector, LogsCollector>(sp => sp.GetRequiredService<LogsCollector>()));
        return services;
    }
}
