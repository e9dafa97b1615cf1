using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Observe.Alerting;
using Observe.Collectors;
using Observe.Collectors.Aws;
using Observe.Collectors.Collection;
using Observe.Collectors.Hosting;
using Observe.Dashboard.Actions;
using Observe.Dashboard.Auth;
using Observe.Dashboard.Collection;
using Observe.Dashboard.Components;
using Observe.Dashboard.Configuration;
using Observe.Dashboard.Demo;
using Observe.Dashboard.Fleet;
using Observe.Dashboard.Storage;
using Observe.Dashboard.Health;
using Observe.Dashboard.Mcp;
using Observe.Dashboard.Model;
using Observe.Store;
using MudBlazor.Services;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Observe.Dashboard;

/// <summary>Registration and endpoints of the dashboard.</summary>
public static class Extensions
{
    private const string LiveTag = "live";
    private const string ReadyTag = "ready";
    private const string BlazorSource = "Microsoft.AspNetCore.Components";

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
        builder.AddDashboardAuth();
        services.AddCircuitLimit();
        services.AddDashboardActions();
        services.AddApiKeyAuthentication();
        services.AddDashboardMcp();

        // Bound once, before the services are built: the demo's store and whether the collectors run here depend on
        // them. Every later reader (collectors, pages, validation) gets these same instances.
        var demoOptions = BoundOptions<DemoOptions>.Bind(builder.Configuration, DemoOptions.SectionName);
        var awsOptions = BoundOptions<AwsOptions>.Bind(builder.Configuration, AwsOptions.SectionName);
        var collectorsOptions = BoundOptions<CollectorsOptions>.Bind(builder.Configuration, CollectorsOptions.SectionName);
        demoOptions.Register(services);
        awsOptions.Register(services);
        collectorsOptions.Register(services);
        services.AddSingleton<IValidateOptions<DemoOptions>, DemoOptionsValidator>();

        var demo = DemoMode.Resolve(demoOptions.Value, awsOptions.Value);
        services.AddObserveStore(builder.Configuration);
        if (demo.Active)
        {
            services.PostConfigure<StoreOptions>(DemoMode.UseDemoStore);
        }

        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<DashboardOptions>().Bind(builder.Configuration.GetSection(DashboardOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<DashboardOptions>, DashboardOptionsValidator>();
        services.AddFleetRules(builder.Configuration);
        services.AddLiveTailPage(builder.Configuration, awsOptions.Value.Accounts.Count > 0, demo.Active);

        // Everything that writes on its own (demo, collectors, retention) is registered from here on, and starts
        // only once the server listens: see StartedWithServer.
        var firstWriter = services.Count;
        services.AddSingleton(new DemoFleetStatus(demo));
        services.AddHostedService<DemoFleetService>();

        var collectors = CollectorsMode.Resolve(collectorsOptions.Value, awsOptions.Value, demo.Active);
        services.AddSingleton(collectors);
        if (collectors.InProcess)
        {
            services.AddObserveCollectors(builder.Configuration);
        }

        // Every replica registers alerting; the store's lease lets one of them evaluate and send at a time. In the demo
        // it watches the demo fleet's store, through the same code.
        services.AddObserveAlerting(builder.Configuration);
        services.AddHostedService<RetentionService>();
        StartedWithServer.Wrap(services, firstWriter);

        // ASP.NET Core's requests (http.server.*) and Blazor's own sources (.NET 10: circuits, navigation, event
        // handling), besides the store, collectors and outgoing HTTP every Observe process reports.
        builder.AddObserveTelemetry(
            "observe-dashboard",
            tracing => tracing.AddAspNetCoreInstrumentation().AddSource(BlazorSource),
            metrics => metrics.AddAspNetCoreInstrumentation().AddMeter(BlazorSource, BlazorSource + ".Lifecycle", BlazorSource + ".Server.Circuits"));

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
            app.UseExceptionHandler(new ExceptionHandlerOptions
            {
                ExceptionHandlingPath = "/error",
                CreateScopeForErrors = true,
                // A malformed request (a form without its anti-forgery token, a value that does not bind) is the
                // client's 400, not the server's 500.
                StatusCodeSelector = ex => ex is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError,
            });
        }

        // An unknown address (a page not built yet included) gets the app's own page, with the navigation, and
        // keeps its 404: the Router's NotFoundPage renders it, re-executed here for requests no endpoint matched.
        app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
        app.UseStatusMessages();
        app.UseDashboardAuth();
        app.UseAntiforgery();
        // The build's endpoint manifest: the app's, the packages' and the framework's assets (blazor.web.js), with
        // fingerprints and compression, in Development and in a published build alike.
        var staticAssets = app.MapStaticAssets();
        app.MapDashboardAuth(staticAssets);

        // /alive: the process answers (a liveness probe restarts it otherwise). /health: ready to serve, meaning
        // the store answers and is migrated; 503 otherwise, so a load balancer sends no traffic to it.
        // Open to anyone, as probes have no session; they say nothing about the fleet.
        app.MapHealthChecks("/alive", new HealthCheckOptions { Predicate = r => r.Tags.Contains(LiveTag), ResponseWriter = HealthResponse.WriteAsync }).AllowAnonymous();
        app.MapHealthChecks("/health", new HealthCheckOptions { Predicate = r => r.Tags.Contains(ReadyTag), ResponseWriter = HealthResponse.WriteAsync }).AllowAnonymous();

        app.MapGet(FunctionsExport.Path, FunctionsExport.HandleAsync).RequireMachineAccess();
        app.MapDashboardMcp();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        return app;
    }
}
