using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Observe.Alerting.Channels;
using Observe.Alerting.Console;
using Observe.Alerting.Delivery;
using Observe.Alerting.Evaluation;
using Observe.Alerting.Hosting;
using Observe.Alerting.Lifecycle;
using Observe.Alerting.Rules;
using Observe.Collectors.Collection;
using Observe.Collectors.Metrics;

namespace Observe.Alerting;

public static class AlertingServiceCollectionExtensions
{
    /// <summary>
    /// Registers alerting: the options (<c>Observe:Alerting</c>, validated at start), the notification channels
    /// (<c>Observe:Alerting:Channels</c>), the rules file (<c>Observe:Alerting:RulesFile</c>), the evaluator, the
    /// outbox's senders, the dashboard's view of rules and channels (<see cref="IAlertingConsole"/>) and the host that evaluates and sends while this replica holds the store's alerting lease.
    /// The application registers the store (<c>AddObserveStore</c>); SNS channels also need <c>AddObserveAws</c>.
    /// </summary>
    public static IServiceCollection AddObserveAlerting(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        services.TryAddSingleton(TimeProvider.System);
        services.AddAlertingOptions(configuration);
        services.AddOptions<DeliveryOptions>().Bind(configuration.GetSection(DeliveryOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DeliveryOptions>, DeliveryOptionsValidator>());
        services.AddObserveAlertingChannels(configuration);
        services.AddOptions<RulesFileOptions>().Bind(configuration.GetSection(RulesFileOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RulesFileOptions>, RulesFileOptionsValidator>());

        services.TryAddSingleton(sp => new RulesFileLoader(
            sp.GetRequiredService<IOptions<RulesFileOptions>>(),
            sp.GetRequiredService<ChannelRegistry>().Channels,
            sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<RulesFileLoader>>()));
        services.TryAddSingleton<IRuleEvaluator, RuleEvaluator>();
        services.TryAddSingleton<AlertRuleSource>();
        // Replaces the collectors' stored-rules-only scopes whichever was registered first.
        services.Replace(ServiceDescriptor.Singleton<IAlertRuleScopes, AlertingRuleScopes>());
        services.TryAddSingleton<NotificationDispatcher>();
        services.TryAddSingleton<IAlertingConsole, AlertingConsole>();
        services.TryAddSingleton<IAlertingConsoleReader>(sp => sp.GetRequiredService<IAlertingConsole>());
        services.TryAddSingleton<AlertingHealthRecorder>();
        // The process's id among those sharing the store, the same one its collectors' usage rows and leases carry.
        services.TryAddSingleton<CollectorsInstance>();

        // The rules file is read before the first cycle: hosted services start in order.
        services.AddHostedService(sp => sp.GetRequiredService<RulesFileLoader>());
        services.AddHostedService<AlertingHost>();
        return services;
    }
}
