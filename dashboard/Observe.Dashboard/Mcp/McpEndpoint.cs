using Observe.Dashboard.Auth;

namespace Observe.Dashboard.Mcp;

/// <summary>
/// The MCP endpoint (Streamable HTTP, stateless, so any replica answers any request) at
/// <see cref="ApiKeyAuthentication.McpPath"/>: read-only tools for assistants, authorised by an API key with the Viewer role.
/// </summary>
internal static class McpEndpoint
{
    public static IServiceCollection AddDashboardMcp(this IServiceCollection services)
    {
        services.AddHttpContextAccessor();
        services.AddScoped<DashboardLinks>();
        services.AddMcpServer(server => server.ServerInfo = new ModelContextProtocol.Protocol.Implementation
            {
                Name = "observe",
                Title = "Observe: AWS Lambda fleet observability",
                Version = typeof(McpEndpoint).Assembly.GetName().Version?.ToString() ?? "0",
            })
            .WithHttpTransport(transport => transport.Stateless = true)
            .WithTools<ObserveMcpTools>();
        return services;
    }

    public static void MapDashboardMcp(this WebApplication app) => app.MapMcp(ApiKeyAuthentication.McpPath).RequireMachineAccess();
}
