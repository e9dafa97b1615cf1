using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using Observe.Dashboard.Auth;
using Observe.Dashboard.Health;
using Observe.Collectors.Hosting;

namespace Observe.Dashboard;

/// <summary>Builds and starts the dashboard: used by Program and by the tests, which host it on a free port.</summary>
public static class DashboardApp
{
    /// <summary>
    /// Builds the app. <paramref name="configure"/> runs before the dashboard's registrations, so a test can add
    /// settings (a temp data directory, a short demo interval) and listen on <c>http://127.0.0.1:0</c>.
    /// </summary>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            // Named after the dashboard even when a test assembly hosts it: the static web assets manifest and
            // the Razor component discovery go by this name.
            ApplicationName = typeof(DashboardApp).Assembly.GetName().Name,
            // appsettings.json sits next to the program (build output or publish folder), wherever it is started
            // from; the data directory stays relative to the current directory.
            ContentRootPath = AppContext.BaseDirectory,
        });
        configure?.Invoke(builder);
        ListenAddressCheck.UseDefaultWhenUnset(builder);
        builder.AddDashboard();

        var app = builder.Build();
        app.MapDashboard();
        return app;
    }

    /// <summary>
    /// Validates every option, checks the listen addresses, migrates the store, then starts serving
    /// (<see cref="ObserveStartup"/>, shared with the collectors worker). Nothing listens unless all of it worked: a
    /// dashboard that serves pages over a store it cannot read would look healthy and show nothing.
    /// </summary>
    /// <exception cref="ObserveStartupException">The configuration is invalid, an address is taken or the store is unavailable.</exception>
    public static Task StartDashboardAsync(this WebApplication app, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(app);
        return ObserveStartup.StartAsync(app, Steps(app), cancellationToken);
    }

    /// <summary>Starts the dashboard and serves until shutdown; returns the process exit code.</summary>
    public static Task<int> RunDashboardAsync(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return ObserveStartup.RunAsync(app, "dashboard", "Observe.Dashboard", Steps(app));
    }

    private static ObserveStartupSteps Steps(WebApplication app) => new()
    {
        BeforeStore = services => ListenAddressCheck.FindTakenAddress(app.Configuration)
            ?? UnsecuredExposureCheck.Find(services.GetRequiredService<IOptions<AuthOptions>>().Value, app.Configuration),
        AfterMigration = (services, version) => services.GetRequiredService<StoreReadiness>().MarkMigrated(version),
        // Kestrel's message names the address ("Failed to bind to address http://127.0.0.1:5080: address already in
        // use."); the operator also needs the setting that chose it. Nothing else started (StartedWithServer).
        DescribeStartFailure = ex => ex is IOException { InnerException: Microsoft.AspNetCore.Connections.AddressInUseException or System.Net.Sockets.SocketException }
            ? $"{ex.Message} Stop what listens there, or give the dashboard another address with {ListenAddressCheck.UrlsSetting}."
            : null,
    };

    /// <summary>The addresses Kestrel bound (with the real port when the configured one was 0).</summary>
    public static IReadOnlyList<Uri> GetListeningUrls(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        return addresses.Select(a => new Uri(a)).ToList();
    }
}
