using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using Observe.Dashboard.Health;
using Observe.Store;

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
        });
        configure?.Invoke(builder);
        builder.AddDashboard();

        var app = builder.Build();
        app.MapDashboard();
        return app;
    }

    /// <summary>
    /// Validates every option, migrates the store, then starts serving. Nothing listens unless all three worked:
    /// a dashboard that serves pages over a store it cannot read would look healthy and show nothing.
    /// </summary>
    /// <exception cref="DashboardStartupException">The configuration is invalid or the store is unavailable.</exception>
    public static async Task StartDashboardAsync(this WebApplication app, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(app);

        IObserveStore store;
        try
        {
            app.Services.GetService<IStartupValidator>()?.Validate();
            store = app.Services.GetRequiredService<IObserveStore>();
        }
        catch (Exception ex) when (ValidationFailures(ex) is { Count: > 0 } failures)
        {
            throw new DashboardStartupException("Invalid configuration: " + string.Join(" ", failures), ex);
        }
        catch (InvalidOperationException ex) when (ex.Message.StartsWith("Failed to convert configuration value", StringComparison.Ordinal))
        {
            // The binder's message names the setting and the type ("... at 'Observe:Demo:Enabled' to type ...").
            throw new DashboardStartupException("Invalid configuration: " + ex.Message, ex);
        }

        // Before the migrations, so a dashboard that cannot listen leaves the store as it found it.
        if (ListenAddressCheck.FindTakenAddress(app.Configuration) is { } taken)
        {
            throw new DashboardStartupException(taken);
        }

        try
        {
            await store.MigrateAsync(cancellationToken);
            app.Services.GetRequiredService<StoreReadiness>().MarkMigrated(await store.GetSchemaVersionAsync(cancellationToken));
        }
        catch (StoreUnavailableException ex)
        {
            throw new DashboardStartupException("Store unavailable: " + ex.Message, ex);
        }

        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch (IOException ex) when (ex.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException or System.Net.Sockets.SocketException)
        {
            // Kestrel's message names the address ("Failed to bind to address http://127.0.0.1:5080: address already
            // in use."); the operator also needs the setting that chose it. Nothing else started (StartedWithServer).
            throw new DashboardStartupException(
                $"{ex.Message} Stop what listens there, or give the dashboard another address with {ListenAddressCheck.UrlsSetting}.", ex);
        }
    }

    /// <summary>Starts the dashboard and serves until shutdown; returns the process exit code.</summary>
    public static async Task<int> RunDashboardAsync(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);

        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Observe.Dashboard");
        try
        {
            await app.StartDashboardAsync(app.Lifetime.ApplicationStopping);
        }
        catch (DashboardStartupException ex)
        {
            // One line naming the problem, no stack trace: the operator's fix is in the configuration or the store.
            logger.LogCritical("The dashboard cannot start. {Problem}", ex.Message);
            await app.DisposeAsync(); // flushes the console logger
            return 1;
        }

        await app.WaitForShutdownAsync();
        await app.DisposeAsync();
        return 0;
    }

    /// <summary>The addresses Kestrel bound (with the real port when the configured one was 0).</summary>
    public static IReadOnlyList<Uri> GetListeningUrls(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        return addresses.Select(a => new Uri(a)).ToList();
    }

    private static List<string> ValidationFailures(Exception ex) => ex switch
    {
        OptionsValidationException validation => validation.Failures.ToList(),
        AggregateException aggregate => aggregate.InnerExceptions.SelectMany(ValidationFailures).ToList(),
        _ => [],
    };
}
