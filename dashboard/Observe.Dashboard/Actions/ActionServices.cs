using Observe.Dashboard.Auditing;

namespace Observe.Dashboard.Actions;

/// <summary>Registers the action services: scoped, so each circuit's writes run as its own signed-in user.</summary>
internal static class ActionServices
{
    public static IServiceCollection AddDashboardActions(this IServiceCollection services)
    {
        services.AddScoped<ErrorStatusActions>();
        services.AddScoped<AlertActions>();
        services.AddScoped<AlertingActions>();
        services.AddScoped<ApiKeyActions>();
        services.AddScoped<ActionAudit>();
        return services;
    }
}
