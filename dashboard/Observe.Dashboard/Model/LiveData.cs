using Observe.Store;
using Observe.Store.Model;

namespace Observe.Dashboard.Model;

/// <summary>What a live page's query is asked for one load.</summary>
/// <param name="Now">The time of the load.</param>
/// <param name="Range">The page's range resolved at <paramref name="Now"/>; null for a page without a time range.</param>
/// <param name="Changed">
/// The store changes (of those the source listens to) since the last load that worked; <see cref="StoreChangeKind.None"/>
/// on the first load and on timer refreshes. A source caching a slow-changing part (the inventory) re-reads it when this says so.
/// </param>
public sealed record LiveQuery(DateTimeOffset Now, TimeRange? Range, StoreChangeKind Changed);

/// <summary>
/// A live page's query: builds its view model from the store. Registered in DI (transient: one per page instance, so
/// a source may cache between its page's loads); the page base (<c>LivePage</c>) decides when to call it.
/// </summary>
public interface ILiveData<TModel>
    where TModel : class
{
    /// <summary>The store writes that make the model stale; the page reloads (throttled) on them.</summary>
    StoreChangeKind Changes { get; }

    /// <summary>The page shows the dashboard's time range from the address (the query gets a <see cref="LiveQuery.Range"/>).</summary>
    bool UsesTimeRange { get; }

    /// <summary>
    /// Reload every <c>SlideInterval</c> even on a fixed range: for figures that change without a store notification
    /// (collector status). Relative ranges always reload on the timer, so they slide with the clock.
    /// </summary>
    bool RefreshOnTimer { get; }

    /// <summary>Queries the store and builds the model. Throws when the store fails; the page keeps the last model and says so.</summary>
    Task<TModel> LoadAsync(LiveQuery query, CancellationToken cancellationToken);
}

/// <summary>Registers every live page's query.</summary>
public static class LiveDataServices
{
    public static IServiceCollection AddLiveData(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddTransient<ILiveData<OverviewViewModel>, OverviewData>();
        services.AddTransient<ILiveData<CollectorsViewModel>, CollectorsData>();
        services.AddSingleton<FunctionsSnapshots>().AddTransient<ILiveData<FunctionsSnapshot>, FunctionsData>();
        services.AddTransient<ILiveData<FunctionDetailViewModel>, FunctionDetailData>();
        services.AddTransient<ILiveData<AlarmsViewModel>, AlarmsData>().AddTransient<ILiveData<AlarmHistoryViewModel>, AlarmHistoryData>();
        services.AddTransient<ILiveData<ErrorsViewModel>, ErrorsData>().AddTransient<ILiveData<ErrorDetailViewModel>, ErrorDetailData>();
        services.AddTransient<ILiveData<TracesViewModel>, TracesData>().AddTransient<ILiveData<TraceViewModel>, TraceData>();
        services.AddTransient<ILiveData<ServiceMapViewModel>, ServiceMapData>();
        services.AddTransient<ILiveData<ColdStartsViewModel>, ColdStartsData>();
        services.AddSingleton(sp => new AlertRuleCatalog(
            sp.GetRequiredService<Observe.Alerting.Hosting.AlertRuleSource>(), sp.GetRequiredService<IAlertRuleReader>()));
        services.AddTransient<ILiveData<AlertsViewModel>, AlertsData>().AddTransient<ILiveData<AlertDetailViewModel>, AlertDetailData>();
        // The alerting Rules and Channels pages.
        services.AddTransient<ILiveData<AlertRulesViewModel>, AlertRulesData>().AddTransient<ILiveData<AlertChannelsViewModel>, AlertChannelsData>();
        return services;
    }
}
