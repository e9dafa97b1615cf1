using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Observe.Collectors.Collection;
using Observe.Collectors.Inventory;

namespace Observe.Collectors;

public static class InventoryServiceCollectionExtensions
{
    /// <summary>
    /// Registers the inventory collector (<c>inventory</c>) with its options bound from
    /// <c>Observe:Collectors:Inventory</c> and validated at start. Needs <c>AddObserveAws</c> and the store.
    /// </summary>
    public static IServiceCollection AddObserveInventoryCollector(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        return services.AddCollector<InventoryCollector, InventoryCollectorOptions, InventoryCollectorOptionsValidator>(configuration, InventoryCollectorOptions.SectionName);
    }
}
