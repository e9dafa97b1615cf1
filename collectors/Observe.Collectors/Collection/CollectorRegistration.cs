using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Observe.Collectors.Collection;

/// <summary>The registration steps every collector's <c>AddObserveXxx</c> method shares.</summary>
internal static class CollectorRegistration
{
    /// <summary>
    /// Binds <typeparamref name="TOptions"/> from <paramref name="sectionName"/> and validates it with
    /// <typeparamref name="TValidator"/> at start, so a bad setting stops the host before any collection.
    /// </summary>
    public static IServiceCollection AddValidatedOptions<TOptions, TValidator>(
        this IServiceCollection services, IConfiguration configuration, string sectionName)
        where TOptions : class
        where TValidator : class, IValidateOptions<TOptions>
    {
        services.AddOptions<TOptions>().Bind(configuration.GetSection(sectionName)).ValidateOnStart();
        // TryAddEnumerable keeps one validator when the same Add method is called twice.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>, TValidator>());
        return services;
    }

    /// <summary>
    /// Registers validated options as <see cref="AddValidatedOptions{TOptions, TValidator}"/> does, the system
    /// <see cref="TimeProvider"/> unless one is already registered, and <typeparamref name="TCollector"/> once as an
    /// <see cref="ICollector"/>.
    /// </summary>
    public static IServiceCollection AddCollector<TCollector, TOptions, TValidator>(
        this IServiceCollection services, IConfiguration configuration, string sectionName)
        where TCollector : class, ICollector
        where TOptions : class
        where TValidator : class, IValidateOptions<TOptions>
    {
        services.AddValidatedOptions<TOptions, TValidator>(configuration, sectionName);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ICollector, TCollector>());
        return services;
    }
}
