using Microsoft.Extensions.Options;
using Observe.Store;
using Observe.Store.Model;

namespace Observe.Dashboard.Model;

/// <summary>
/// The Function detail page's query: the function as the inventory last saw it, its series, reports and alarms over
/// the range. The page sets <see cref="Function"/> before its first load (one source per page instance).
/// </summary>
public sealed class FunctionDetailData(
    IInventoryReader inventory,
    IMetricsReader metrics,
    IInvocationReader invocations,
    IAlarmReader alarms,
    IFunctionChangeReader changes,
    ITraceReader traces,
    IOptions<StoreOptions> storeOptions) : ILiveData<FunctionDetailViewModel>
{
    /// <summary>Reports listed on the page, newest first.</summary>
    public const int RecentReports = 50;

    /// <summary>
    /// Reports read for the init-duration and memory charts. A busy function stores more over a long range; the
    /// charts then start at the oldest one read and say so, rather than count missing reports as nothing.
    /// </summary>
    public const int ChartReports = 5_000;

    /// <summary>Deploy markers drawn on the charts and listed, newest first.</summary>
    public const int MaxChanges = 100;

    /// <summary>How far before the range the page looks for earlier data, to tell "no invocations" from "not collected".</summary>
    public static readonly TimeSpan HistoryLookback = TimeSpan.FromDays(1);

    private LambdaFunction? _function;
    private bool _functionRead;

    /// <summary>The function the page shows. Required before the first load.</summary>
    public FunctionKey? Function { get; set; }

    public StoreChangeKind Changes => StoreChangeKind.Functions | StoreChangeKind.Metrics | StoreChangeKind.Invocations | StoreChangeKind.Alarms;

    public bool UsesTimeRange => true;

    public bool RefreshOnTimer => false;

    public async Task<FunctionDetailViewModel> LoadAsync(LiveQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var key = Function ?? throw new InvalidOperationException("the Function detail page sets its function before loading");
        var range = query.Range ?? throw new ArgumentException("the Function detail page needs a time range", nameof(query));
        var bucket = SeriesBuckets.Choose(range.Length);
        var place = new FleetFilter(key.AccountId, key.Region);

        // The reads are independent, each on its own connection (SQLite in WAL mode and PostgreSQL both serve concurrent
        // readers), so the page waits for the slowest rather than for their sum. The configuration is read again only
        // when the inventory changed; metrics writes come every minute. Buckets of an hour or more add up hourly
        // rollups; shorter ones need the minutes.
        var functionRead = !_functionRead || (query.Changed & StoreChangeKind.Functions) != 0
            ? inventory.GetFunctionAsync(key, cancellationToken)
            : Task.FromResult(_function);
        var resolution = bucket >= TimeSpan.FromHours(1) ? SeriesResolution.Hour : SeriesResolution.Minute;
        var seriesRead = metrics.GetFunctionSeriesAsync(key, range, resolution, cancellationToken);
        var reportsRead = invocations.GetInvocationReportsAsync(key, range, coldStartsOnly: false, ChartReports, cancellationToken);
        var alarmsRead = alarms.GetAlarmsAsync(place, null, cancellationToken);
        var changesRead = changes.GetFunctionChangesAsync(place, key, range, MaxChanges, cancellationToken);
        await Task.WhenAll(functionRead, seriesRead, reportsRead, alarmsRead, changesRead);

        _function = await functionRead;
        _functionRead = true;
        if (_function is null)
        {
            return new FunctionDetailViewModel(key, null, range, bucket, null, [], true, null, [], [], []);
        }

        var series = await seriesRead;
        var reports = await reportsRead;
        var changed = await changesRead;

        // Second round, again concurrent, each only when the first round calls for it.
        var lookback = series.Count == 0 || series[0].Start > range.From
            ? metrics.GetFunctionSeriesAsync(key, new TimeRange(range.From - HistoryLookback, range.From), SeriesResolution.Hour, cancellationToken)
            : Task.FromResult<IReadOnlyList<MetricBucket>>([]);

        // Cold starts are few among many reports: when the read above was cut by its limit they are read apart, so their
        // init durations cover a longer stretch; otherwise they are among the reports already read.
        var complete = reports.Count < ChartReports;
        var coldRead = complete
            ? Task.FromResult<IReadOnlyList<InvocationReport>>([.. reports.Where(r => r.IsColdStart)])
            : invocations.GetInvocationReportsAsync(key, range, coldStartsOnly: true, ChartReports, cancellationToken);

        // The before/after comparisons need minutes: the series already has them unless its buckets are hours.
        var minutesRead = changed.Count == 0 || resolution == SeriesResolution.Minute
            ? Task.FromResult(series)
            : metrics.GetFunctionSeriesAsync(key, ComparisonSpan(changed, range), SeriesResolution.Minute, cancellationToken);
        await Task.WhenAll(lookback, coldRead, minutesRead);

        var before = await lookback;
        DateTimeOffset? firstData = before.Count > 0 ? before[0].Start : series.Count > 0 ? series[0].Start : null;
        DateTimeOffset? reportsFrom = complete ? null : reports.Min(r => r.Timestamp);
        var cold = await coldRead;
        DateTimeOffset? coldFrom = cold.Count < ChartReports ? null : cold.Min(r => r.Timestamp);
        var charts = FunctionDetailSeries.Build(series, firstData, new ReportSample(reports, reportsFrom), new ReportSample(cold, coldFrom), range, bucket, query.Now);

        var own = (await alarmsRead)
            .Where(a => string.Equals(a.FunctionName, key.Name, StringComparison.Ordinal))
            .OrderBy(a => a.State == AlarmState.Alarm ? 0 : a.State == AlarmState.InsufficientData ? 1 : 2)
            .ThenBy(a => a.Name, StringComparer.Ordinal)
            .ToList();

        var comparisons = FunctionDetailChanges.Compare(changed, await minutesRead, firstData, range, query.Now, query.Now - storeOptions.Value.RawRetention);
        var recent = reports.Take(RecentReports).ToList();
        // A report's trace id links to its waterfall only when the traces collector stored that trace (most are sampled out).
        var storedTraces = await traces.GetStoredTraceIdsAsync([.. recent.Select(r => r.TraceId).OfType<string>()], cancellationToken);
        return new FunctionDetailViewModel(key, _function, range, bucket, charts, recent, complete, reportsFrom, own, changed, comparisons) { StoredTraceIds = storedTraces };
    }

    /// <summary>The range's part within the longest window of any change: all the minutes the comparisons can use.</summary>
    private static TimeRange ComparisonSpan(IReadOnlyList<FunctionChange> changed, TimeRange range)
    {
        var from = changed.Min(c => c.At) - FunctionDetailChanges.MaxWindow;
        var to = changed.Max(c => c.At) + FunctionDetailChanges.MaxWindow;
        return new TimeRange(from < range.From ? range.From : from, to > range.To ? range.To : to);
    }
}
