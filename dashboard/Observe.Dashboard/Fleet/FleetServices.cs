using Microsoft.Extensions.Options;

namespace Observe.Dashboard.Fleet;

/// <summary>Registers the fleet rules: <see cref="FleetOptions"/> (validated at start), the runtime table and the flag rules.</summary>
public static class FleetServices
{
    public static IServiceCollection AddFleetRules(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<FleetOptions>().Bind(configuration.GetSection(FleetOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<FleetOptions>, FleetOptionsValidator>();
        services.AddSingleton(_ => RuntimeCatalog.Default);
        services.AddSingleton(provider => new FunctionFlagRules(
            provider.GetRequiredService<IOptions<FleetOptions>>().Value,
            provider.GetRequiredService<RuntimeCatalog>()));
        return services;
    }
}
