using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Observe.Collectors.Alarms;
using Observe.Collectors.Collection;

namespace Observe.Collectors;

public static class AlarmsServiceCollectionExtensions
{
    /// <summary>
    /// Registers the alarms collector (<c>alarms</c>) with its options bound from <c>Observe:Collectors:Alarms</c>
    /// and validated at start. Needs <c>AddObserveAws</c> and the store.
    /// </summary>
    public static IServiceCollection AddObserveAlarmsCollector(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        return services.AddCollector<AlarmsCollector, AlarmsCollectorOptions, AlarmsCollectorOptionsValidator>(configuration, AlarmsCollectorOptions.SectionName);
    }
}
