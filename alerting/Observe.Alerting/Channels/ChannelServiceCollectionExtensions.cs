using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Observe.Alerting.Channels;

internal static class ChannelServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="ChannelsOptions"/> (bound from <c>Observe:Alerting</c>, validated at start) and the
    /// <see cref="ChannelRegistry"/>. SNS channels also need the AWS access layer (<c>AddObserveAws</c>).
    /// </summary>
    public static IServiceCollection AddObserveAlertingChannels(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ChannelsOptions>().Bind(configuration.GetSection(ChannelsOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ChannelsOptions>, ChannelOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ChannelRegistry>();
        return services;
    }
}
