using Microsoft.Extensions.DependencyInjection;
using Observe.Store;

namespace Observe.Dashboard.Tests.Hosting;

internal static class StoreServices
{
    /// <summary>
    /// Registers a store the test built (often a fault-injecting wrapper) as <see cref="IObserveStore"/> and as each of
    /// its role interfaces, the way <c>AddObserveStore</c> registers its own; instances are not disposed with the container.
    /// </summary>
    public static IServiceCollection AddStoreInstance(this IServiceCollection services, IObserveStore store)
    {
        services.AddSingleton(store);
        foreach (var role in typeof(IObserveStore).GetInterfaces())
        {
            services.AddSingleton(role, store);
        }

        return services;
    }
}
