using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Observe.Store;

namespace Observe.Collectors.Hosting;

/// <summary>
/// The one start-up sequence of every Observe process, the dashboard and the collectors worker alike: validate every
/// option, run the host's own checks, migrate the store, then start the host (its writers and, for the dashboard, its
/// listener). Nothing starts unless every step before it worked: a process that collects or serves over a store it
/// cannot use would look healthy and do nothing. Every failure is an <see cref="ObserveStartupException"/> whose
/// message names the problem in one line.
/// </summary>
public static partial class ObserveStartup
{
    /// <summary>Validates, checks, migrates and starts <paramref name="host"/>.</summary>
    /// <exception cref="ObserveStartupException">The configuration is invalid, a check failed or the store is unavailable.</exception>
    public static async Task StartAsync(IHost host, ObserveStartupSteps steps, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(steps);

        IStoreSchema store;
        try
        {
            host.Services.GetService<IStartupValidator>()?.Validate();
            store = host.Services.GetRequiredService<IStoreSchema>();
        }
        catch (Exception ex) when (ValidationFailures(ex) is { Count: > 0 } failures)
        {
            throw new ObserveStartupException("Invalid configuration: " + string.Join(" ", failures), ex);
        }
        catch (InvalidOperationException ex) when (ex.Message.StartsWith("Failed to convert configuration value", StringComparison.Ordinal))
        {
            // The binder's message names the setting and the type ("... at 'Observe:Demo:Enabled' to type ...").
            throw new ObserveStartupException("Invalid configuration: " + ex.Message, ex);
        }

        // Before the migrations, so a process that cannot run leaves the store as it found it.
        if (steps.BeforeStore?.Invoke(host.Services) is { } problem)
        {
            throw new ObserveStartupException(problem);
        }

        int version;
        try
        {
            await store.MigrateAsync(cancellationToken);
            version = await store.GetSchemaVersionAsync(cancellationToken);
        }
        catch (StoreUnavailableException ex)
        {
            throw new ObserveStartupException("Store unavailable: " + ex.Message, ex);
        }

        steps.AfterMigration?.Invoke(host.Services, version);

        try
        {
            await host.StartAsync(cancellationToken);
        }
        catch (Exception ex) when (steps.DescribeStartFailure?.Invoke(ex) is { } described)
        {
            throw new ObserveStartupException(described, ex);
        }
    }

    /// <summary>
    /// Starts <paramref name="host"/> and runs it until shutdown; returns the process exit code: 0 after a normal stop,
    /// 1 when it could not start, logged as one line naming the problem (no stack trace: the operator's fix is in the
    /// configuration or the store).
    /// </summary>
    /// <param name="host">The host to run.</param>
    /// <param name="process">What runs, in the log line: "dashboard", "collectors worker".</param>
    /// <param name="category">The logger category of that line.</param>
    /// <param name="steps">The host's own steps.</param>
    public static async Task<int> RunAsync(IHost host, string process, string category, ObserveStartupSteps steps)
    {
        ArgumentNullException.ThrowIfNull(host);

        var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
        try
        {
            await StartAsync(host, steps, lifetime.ApplicationStopping);
        }
        catch (ObserveStartupException ex)
        {
            LogCannotStart(host.Services.GetRequiredService<ILoggerFactory>().CreateLogger(category), process, ex.Message);
            return 1;
        }

        await host.WaitForShutdownAsync();
        return 0;
    }

    private static List<string> ValidationFailures(Exception ex) => ex switch
    {
        OptionsValidationException validation => validation.Failures.ToList(),
        AggregateException aggregate => aggregate.InnerExceptions.SelectMany(ValidationFailures).ToList(),
        _ => [],
    };

    [LoggerMessage(Level = LogLevel.Critical, Message = "The {Process} cannot start. {Problem}")]
    private static partial void LogCannotStart(ILogger logger, string process, string problem);
}

/// <summary>What one kind of Observe process adds to <see cref="ObserveStartup"/>'s sequence.</summary>
public sealed class ObserveStartupSteps
{
    /// <summary>Checks after the options were validated and before the store is touched; returns the problem, or null.</summary>
    public Func<IServiceProvider, string?>? BeforeStore { get; init; }

    /// <summary>Runs once the store is migrated (with its schema version), before the host starts.</summary>
    public Action<IServiceProvider, int>? AfterMigration { get; init; }

    /// <summary>Describes a failure of the host's own start in one line; null leaves the exception as it is.</summary>
    public Func<Exception, string?>? DescribeStartFailure { get; init; }
}

/// <summary>An Observe process cannot start: bad configuration, a failed check or an unusable store. The message names the problem.</summary>
public sealed class ObserveStartupException(string message, Exception? innerException = null) : Exception(message, innerException);
