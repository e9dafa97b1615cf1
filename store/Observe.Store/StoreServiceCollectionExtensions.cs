using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Observe.Store.Internal;
using Observe.Store.Internal.Postgres;
using Observe.Store.Internal.Sqlite;

namespace Observe.Store;

public static class StoreServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="StoreOptions"/> (bound from <c>Observe:Store</c> and validated at start), and
    /// <see cref="IObserveStore"/>, each of its role interfaces (<see cref="IInventoryReader"/>,
    /// <see cref="IMetricsWriter"/>, ...) and <see cref="IStoreChanges"/> as one singleton of the configured engine.
    /// The host must still call <see cref="IStoreSchema.MigrateAsync"/> once at start and treat a
    /// <see cref="StoreUnavailableException"/> as fatal.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The root configuration; the <c>Observe:Store</c> section is read from it.</param>
    public static IServiceCollection AddObserveStore(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<StoreOptions>().Bind(configuration.GetSection(StoreOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<StoreOptions>, StoreOptionsValidator>());
        services.TryAddSingleton<IObserveStore>(provider => CreateStore(
            provider.GetRequiredService<IOptions<StoreOptions>>().Value,
            provider.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance));
        foreach (var role in typeof(IObserveStore).GetInterfaces().Append(typeof(IStoreChanges)))
        {
            // One instance behind every role: a second engine instance would have its own connections, locks and
            // change notifier, so writes through one role would not wake readers subscribed through another.
            services.TryAddSingleton(role, provider => provider.GetRequiredService<IObserveStore>());
        }

        return services;
    }

    /// <summary>
    /// Registers a store built elsewhere (a wrapper around the configured one, say) as <see cref="IObserveStore"/> and
    /// as each of its role interfaces, replacing earlier registrations; the container does not dispose it.
    /// <see cref="IStoreChanges"/> is left to the caller: a wrapper does not announce writes by itself.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="store">The store every role resolves to.</param>
    public static IServiceCollection AddObserveStore(this IServiceCollection services, IObserveStore store)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(store);
        services.AddSingleton(store);
        foreach (var role in typeof(IObserveStore).GetInterfaces())
        {
            services.AddSingleton(role, store);
        }

        return services;
    }

    internal static RelationalStore CreateStore(StoreOptions options, ILoggerFactory loggers) => options.ParsedKind switch
    {
        StoreKind.Sqlite => new SqliteObserveStore(options, loggers.CreateLogger<SqliteObserveStore>()),
        StoreKind.PostgreSql => new PostgresObserveStore(options, loggers.CreateLogger<PostgresObserveStore>()),
        _ => throw new OptionsValidationException(
            StoreOptions.SectionName, typeof(StoreOptions), [$"{StoreOptions.SectionName}:{nameof(StoreOptions.Kind)} '{options.Kind}' is not a store kind; use Sqlite or PostgreSql"]),
    };
}
