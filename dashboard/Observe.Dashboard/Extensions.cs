using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Observe.Collectors;
using Observe.Dashboard.Collection;
using Observe.Dashboard.Components;
using Observe.Dashboard.Configuration;
using Observe.Dashboard.Demo;
using Observe.Dashboard.Storage;
using Observe.Dashboard.Health;
using Observe.Dashboard.Model;
using Observe.Store;
using MudBlazor.Services;

namespace Observe.Dashboard;

/// <summary>Registration and endpoints of the dashboard.</summary>
public static class Extensions
{
    private const string LiveTag = "live";
    private const string ReadyTag = "ready";

    /// <summary>
    /// Adds the Blazor UI, the store, options with their validation, the demo fleet, the collectors (in-process when
    /// AWS accounts are configured and <c>Observe:Collectors:InProcess</c> is not false) and health checks.
    /// </summary>
    public static WebApplicationBuilder AddDashboard(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);

        var services = builder.Services;
        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddMudServices();
        services.AddLiveData();

        // Decided before the store is registered: the demo fleet has a store of its own (DemoMode.StoreConfiguration).
        var demo = DemoMode.Resolve(builder.Configuration);
        services.AddObserveStore(demo.StoreConfiguration(builder.Configuration));
        services.TryAddSingleton(TimeProvider.System);

        services.AddOptions<DashboardOptions>().Bind(builder.Configuration.GetSection(DashboardOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<DashboardOptions>, DashboardOptionsValidator>();
        services.AddOptions<DemoOptions>().Bind(builder.Configuration.GetSection(DemoOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<DemoOptions>, DemoOptionsValidator>();

        // Everything that writes on its own (demo, collectors, retention) is registered from here on, and starts
        // only once the server listens: see StartedWithServer.
        var firstWriter = services.Count;
        services.AddSingleton(new DemoFleetStatus(demo));
        services.AddSingleton<IValidateOptions<DashboardOptions>>(new DemoModeValidator(demo));
        services.AddHostedService<DemoFleetService>();

        var collectors = CollectorsMode.Resolve(builder.Configuration, demo.Active);
        services.AddSingleton(collectors);
        services.AddSingleton<IValidateOptions<DashboardOptions>, CollectorsModeValidator>();
        if (collectors.InProcess)
        {
            services.AddObserveCollectors(builder.Configuration);
        }

        services.AddHostedService<RetentionService>();
        StartedWithServer.Wrap(services, firstWriter);

        services.AddSingleton<StoreReadiness>();
        services.AddHealthChecks()
            .AddCheck("process", () => HealthCheckResult.Healthy("process up"), tags: [LiveTag])
            .AddCheck<StoreHealthCheck>("store", tags: [ReadyTag]);

        return builder;
    }

    /// <summary>Maps the pages, static files and the <c>/alive</c> and <c>/health</c> endpoints.</summary>
    public static WebApplication MapDashboard(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);

        if (!app.Environment.IsDevelopment())
        {
            app.UseExceptionHandler("/error", createScopeForErrors: true);
        }

        // An unknown address (a page not built yet included) gets the app's own page, with the navigation, and
        // keeps its 404: the Router's NotFoundPage renders it, re-executed here for requests no endpoint matched.
        app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
        app.UseAntiforgery();
        // The build's endpoint manifest: the app's, the packages' and the framework's assets (blazor.web.js), with
        // fingerprints and compression, in Development and in a published build alike.
        app.MapStaticAssets();

        // /alive: the process answers (a liveness probe restarts it otherwise). /health: ready to serve, meaning
        // the store answers and is migrated; 503 otherwise, so a load balancer sends no traffic to it.
        app.MapHealthChecks("/alive", new HealthCheckOptions { Predicate = r => r.Tags.Contains(LiveTag), ResponseWriter = HealthResponse.WriteAsync });
        app.MapHealthChecks("/health", new HealthCheckOptions { Predicate = r => r.Tags.Contains(ReadyTag), ResponseWriter = HealthResponse.WriteAsync });

        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        return app;
    }
}
