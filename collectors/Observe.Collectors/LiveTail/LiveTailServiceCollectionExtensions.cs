using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Observe.Collectors.Collection;
using Observe.Collectors.LiveTail;

namespace Observe.Collectors;

public static class LiveTailServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="ILiveTail"/> (shared Live Tail sessions with the FilterLogEvents fallback) and
    /// <see cref="LiveTailOptions"/> bound from <c>Observe:Collectors:LiveTail</c> and validated at start. Needs
    /// <see cref="ObserveAwsServiceCollectionExtensions.AddObserveAws"/> for accounts, credentials and the logs client.
    /// </summary>
    public static IServiceCollection AddObserveLiveTail(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddValidatedOptions<LiveTailOptions, LiveTailOptionsValidator>(configuration, LiveTailOptions.SectionName);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<LiveTailStreamClient>();
        services.TryAddSingleton<LiveTailHub>();
        services.TryAddSingleton<ILiveTail>(sp => sp.GetRequiredService<LiveTailHub>());
        return services;
    }
}
