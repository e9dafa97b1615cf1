using System.Data.Common;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Observe.Alerting;
using Observe.Collectors.Aws;
using Observe.Collectors.Hosting;
using Observe.Store;

namespace Observe.Collectors.Worker;

/// <summary>Builds and runs the collectors worker: used by Program and by the tests.</summary>
public static class WorkerApp
{
    /// <summary>
    /// Builds the host. <paramref name="configure"/> runs before the worker's registrations, so a test can add settings.
    /// </summary>
    public static IHost Build(string[] args, Action<HostApplicationBuilder>? configure = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            Args = args,
            ContentRootPath = AppContext.BaseDirectory,
        });
        configure?.Invoke(builder);
        builder.AddCollectorsWorker();
        return builder.Build();
    }

    /// <summary>Registers the store (<c>Observe:Store</c>) and the collectors, with the worker's own check that accounts are configured.</summary>
    public static HostApplicationBuilder AddCollectorsWorker(this HostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddObserveStore(builder.Configuration);
        builder.Services.AddObserveCollectors(builder.Configuration);

        // Alerting runs beside the collectors; with dashboards alerting too, the store's lease picks one sender.
        builder.Services.AddObserveAlerting(builder.Configuration);
        builder.Services.AddSingleton<IValidateOptions<AwsOptions>, WorkerAccountsValidator>();
        builder.AddObserveTelemetry("observe-collectors-worker");
        return builder;
    }

    /// <summary>
    /// Validates every option, migrates the store, then starts collecting (<see cref="ObserveStartup"/>, shared with
    /// the dashboard). Nothing is collected unless both worked.
    /// </summary>
    /// <exception cref="ObserveStartupException">The configuration is invalid or the store is unavailable.</exception>
    public static Task StartWorkerAsync(this IHost host, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(host);
        return ObserveStartup.StartAsync(host, Steps, cancellationToken);
    }

    /// <summary>Starts the worker and runs until shutdown; returns the process exit code.</summary>
    public static Task<int> RunWorkerAsync(this IHost host)
    {
        ArgumentNullException.ThrowIfNull(host);
        return ObserveStartup.RunAsync(host, "collectors worker", LogCategory, Steps);
    }

    private const string LogCategory = "Observe.Collectors.Worker";

    private static readonly ObserveStartupSteps Steps = new() { AfterMigration = (services, _) => LogStore(services) };

    /// <summary>Says where the worker writes, and warns when no dashboard but one on this machine can read it.</summary>
    private static void LogStore(IServiceProvider services)
    {
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(LogCategory);
        var storeOptions = services.GetRequiredService<IOptions<StoreOptions>>().Value;
        var accounts = services.GetRequiredService<IOptions<AwsOptions>>().Value.Accounts;
        if (storeOptions.ParsedKind == StoreKind.PostgreSql)
        {
            logger.LogInformation("Collectors worker: {Accounts} accounts, writing to the shared PostgreSQL store {Database}, which the dashboards read",
                accounts.Count, Describe(storeOptions.ConnectionString));
        }
        else
        {
            logger.LogWarning(
                "Collectors worker: {Accounts} accounts, writing to the SQLite file {Path}. The worker is meant for the shared PostgreSQL store " +
                "(Observe:Store:Kind=PostgreSql and Observe:Store:ConnectionString); only a dashboard reading this same file sees this data",
                accounts.Count, storeOptions.SqlitePath);
        }
    }

    /// <summary><c>host:port/database</c> from a connection string, leaving out the password and everything else.</summary>
    private static string Describe(string? connectionString)
    {
        var parts = new DbConnectionStringBuilder { ConnectionString = connectionString ?? "" };
        string Get(string key) => parts.TryGetValue(key, out var value) ? Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "" : "";
        var port = Get("Port");
        return $"{Get("Host")}{(port.Length > 0 ? ":" + port : "")}/{Get("Database")}";
    }
}
