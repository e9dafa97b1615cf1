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
    IFunctionChangeReader changes) : ILiveData<FunctionDetailViewModel>
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

        // The configuration is read again only when the inventory changed; metrics writes come every minute.
        if (!_functionRead || (query.Changed & StoreChangeKind.Functions) != 0)
        {
            _function = await inventory.GetFunctionAsync(key, cancellationToken);
            _functionRead = true;
        }

        if (_function is null)
        {
            return new FunctionDetailViewModel(key, null, range, bucket, null, [], true, null, [], []);
        }

        // Buckets of an hour or more add up hourly rollups; shorter ones need the minutes.
        var resolution = bucket >= TimeSpan.FromHours(1) ? SeriesResolution.Hour : SeriesResolution.Minute;
        var series = await metrics.GetFunctionSeriesAsync(key, range, resolution, cancellationToken);
        DateTimeOffset? firstData = series.Count > 0 ? series[0].Start : null;
        if (series.Count == 0 || series[0].Start > range.From)
        {
            var before = await metrics.GetFunctionSeriesAsync(key, new TimeRange(range.From - HistoryLookback, range.From), SeriesResolution.Hour, cancellationToken);
            if (before.Count > 0)
            {
                firstData = before[0].Start;
            }
        }

        var reports = await invocations.GetInvocationReportsAsync(key, range, coldStartsOnly: false, ChartReports, cancellationToken);
        var complete = reports.Count < ChartReports;
        DateTimeOffset? reportsFrom = complete ? null : reports.Min(r => r.Timestamp);

        // Cold starts are few among many reports: when the read above was cut by its limit they are read apart, so their
        // init durations cover a longer stretch; otherwise they are among the reports already read.
        var cold = complete
            ? reports.Where(r => r.IsColdStart).ToList()
            : await invocations.GetInvocationReportsAsync(key, range, coldStartsOnly: true, ChartReports, cancellationToken);
        DateTimeOffset? coldFrom = cold.Count < ChartReports ? null : cold.Min(r => r.Timestamp);
        var charts = FunctionDetailSeries.Build(series, firstData, new ReportSample(reports, reportsFrom), new ReportSample(cold, coldFrom), range, bucket, query.Now);

        var all = await alarms.GetAlarmsAsync(new FleetFilter(key.AccountId, key.Region), null, cancellationToken);
        var own = all
            .Where(a => string.Equals(a.FunctionName, key.Name, StringComparison.Ordinal))
            .OrderBy(a => a.State == AlarmState.Alarm ? 0 : a.State == AlarmState.InsufficientData ? 1 : 2)
            .ThenBy(a => a.Name, StringComparer.Ordinal)
            .ToList();

        var changed = await changes.GetFunctionChangesAsync(new FleetFilter(key.AccountId, key.Region), key, range, MaxChanges, cancellationToken);
        return new FunctionDetailViewModel(key, _function, range, bucket, charts, reports.Take(RecentReports).ToList(), complete, reportsFrom, own, changed);
    }
}
