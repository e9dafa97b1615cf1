using Microsoft.Extensions.Options;
using Observe.Collectors;
using Observe.Dashboard.Configuration;

namespace Observe.Dashboard.Model;

/// <summary>What the Live tail page needs from the container.</summary>
internal static class LiveTailServices
{
    /// <summary>
    /// The page's options, and the shared Live Tail sessions (<c>ILiveTail</c>) when AWS accounts are configured and the
    /// demo is off: viewers are served by this process even when a separate worker runs the collectors, since the
    /// sessions live as long as someone is looking. In demo mode nothing is registered and the page says what to configure.
    /// </summary>
    public static IServiceCollection AddLiveTailPage(this IServiceCollection services, IConfiguration configuration, bool accountsConfigured, bool demoActive)
    {
        services.AddOptions<LiveTailPageOptions>().Bind(configuration.GetSection(LiveTailPageOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<LiveTailPageOptions>, LiveTailPageOptionsValidator>();
        if (accountsConfigured && !demoActive)
        {
            // Both use TryAdd: with the collectors in-process these are the same singletons they registered.
            services.AddObserveAws(configuration).AddObserveLiveTail(configuration);
        }

        return services;
    }
}
