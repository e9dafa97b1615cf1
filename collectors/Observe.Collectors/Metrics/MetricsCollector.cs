using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Observe.Collectors.Aws;
using Observe.Collectors.CloudWatch;
using Observe.Collectors.Collection;
using Observe.Store;
using Observe.Store.Model;

namespace Observe.Collectors.Metrics;

/// <summary>
/// AWS/Lambda metrics per function at 1-minute resolution, priced as AWS bills GetMetricData: per metric requested,
/// whatever the number of points. So the cadence is decoupled from the resolution:
/// <list type="bullet">
/// <item>Cold tier, every <see cref="MetricsCollectorOptions.ColdInterval"/>: every recently active function, one query
/// per statistic covering every minute since the checkpoint (plus the late-data window). Invocations and throttles are
/// read first; the other statistics only for functions that had either.</item>
/// <item>Watched tier, every pass: dashboard-watched and alert-covered functions, covering the minutes since the cold
/// checkpoint, so it needs no checkpoint of its own.</item>
/// <item>Functions with no data in the last 3 hours (ListMetrics <c>RecentlyActive=PT3H</c>) are not queried at all,
/// and a function is asked only for the metrics it publishes.</item>
/// </list>
/// The checkpoint is the end of the last complete cold pass; points are written before it moves and the store merges
/// them idempotently, so an interrupted pass is simply read again.
/// </summary>
internal sealed partial class MetricsCollector(
    IAwsClientFactory clients,
    IObserveStore store,
    IWatchedFunctions watched,
    IOptions<MetricsCollectorOptions> options,
    TimeProvider time,
    ILogger<MetricsCollector> logger) : ICollector
{
    /// <summary>AWS's cap on data points in one GetMetricData response; calls are sized to stay within one page.</summary>
    internal const int MaxDatapointsPerCall = 100_800;

    /// <summary>What <c>RecentlyActive=PT3H</c> covers: a newly listed function is read this far back.</summary>
    internal static readonly TimeSpan ActivityHorizon = TimeSpan.FromHours(3);

    private readonly MetricsCollectorOptions _options = options.Value;
    private readonly ConcurrentDictionary<string, TargetState> _states = new(StringComparer.Ordinal);

    public string Name => "metrics";

    public TimeSpan Interval => _options.WatchedInterval;

    public async Task CollectAsync(CollectionTarget target, PassReport report, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        var checkpointKey = target.CheckpointKey(Name);
        var state = _states.GetOrAdd(checkpointKey, static _ => new TargetState());
        var client = clients.CloudWatch(target.AccountId, target.Region);
        var now = time.GetUtcNow();
        var end = UtcMinute.Floor(now);

        if (state.ListedAt is null || now - state.ListedAt >= _options.ActivityRefreshInterval)
        {
            state.Active = await ListActiveAsync(client, cancellationToken).ConfigureAwait(false);
            state.ListedAt = now;
        }

        var through = InstantCheckpoint.Parse(await store.GetCheckpointAsync(checkpointKey, cancellationToken).ConfigureAwait(false), checkpointKey, InitialLookbackSetting) is { } checkpoint
            ? UtcMinute.Floor(checkpoint)
            : end - _options.InitialLookback;

        if (end - through >= _options.ColdInterval)
        {
            await CollectColdAsync(target, client, state, through, end, cancellationToken).ConfigureAwait(false);
            await store.SetCheckpointAsync(checkpointKey, InstantCheckpoint.Format(end), cancellationToken).ConfigureAwait(false);
            return;
        }

        var watchedNames = await WatchedAsync(target, state, cancellationToken).ConfigureAwait(false);
        if (watchedNames.Count > 0)
        {
            // The cold tier has everything before its checkpoint; the watched tier reads from there (at least the
            // late-data window) to now: up to ColdInterval + LateDataWindow points per query, one metric each.
            var start = Min(through, end - _options.LateDataWindow);
            var plan = watchedNames.Select(f => (f, StatSet.Core.Union(state.Active.GetValueOrDefault(f)))).ToList();
            await QueryAsync(target, client, plan, start, end, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task CollectColdAsync(CollectionTarget target, ICloudWatchClient client, TargetState state, DateTimeOffset through, DateTimeOffset end, CancellationToken cancellationToken)
    {
        var start = through - _options.LateDataWindow;
        if (start < end - _options.MaxCatchUp)
        {
            LogGap(logger, target.ToString(), start, end - _options.MaxCatchUp, MetricsCollectorOptions.SectionName + ":" + nameof(MetricsCollectorOptions.MaxCatchUp));
            start = end - _options.MaxCatchUp;
        }

        // Functions not read through the checkpoint by this process (new in the listing, or every function after a
        // restart) are read back over the whole activity horizon: the same price, and nothing they did is missed.
        var newcomerStart = Min(start, end - ActivityHorizon);
        var groups = state.Active
            .GroupBy(f => state.Collected.Contains(f.Key) ? start : newcomerStart)
            .ToList();
        foreach (var group in groups)
        {
            var probe = group.Select(f => (f.Key, f.Value.Intersect(StatSet.Probe))).Where(p => !p.Item2.IsEmpty).ToList();
            var busy = await QueryAsync(target, client, probe, group.Key, end, cancellationToken).ConfigureAwait(false);

            // The rest for functions that ran or were throttled, and everything for functions the probe cannot judge.
            var detail = group
                .Where(f => busy.Contains(f.Key) || f.Value.Intersect(StatSet.Probe).IsEmpty)
                .Select(f => (f.Key, f.Value.Except(StatSet.Probe)))
                .Where(p => !p.Item2.IsEmpty)
                .ToList();
            await QueryAsync(target, client, detail, group.Key, end, cancellationToken).ConfigureAwait(false);
            LogColdPass(logger, target.ToString(), group.Key, end, group.Count(), detail.Count, probe.Sum(p => p.Item2.Count) + detail.Sum(p => p.Item2.Count));
        }

        state.Collected = [.. state.Active.Keys];
    }

    /// <summary>
    /// Reads the statistics of each function over [start, end) in calls of at most 500 queries (fewer when the window
    /// is long, so a call fits one page), writing each call's points before the next call. Returns the functions that
    /// had a non-zero value.
    /// </summary>
    private async Task<HashSet<string>> QueryAsync(
        CollectionTarget target, ICloudWatchClient client, IReadOnlyList<(string Function, StatSet Stats)> plan, DateTimeOffset start, DateTimeOffset end, CancellationToken cancellationToken)
    {
        var nonZero = new HashSet<string>(StringComparer.Ordinal);
        var queries = plan.SelectMany(p => p.Stats.Stats().Select(s => (p.Function, Stat: s))).ToList();
        if (queries.Count == 0)
        {
            return nonZero;
        }

        var minutes = Math.Max(1, (int)(end - start).TotalMinutes);
        var perCall = Math.Clamp(MaxDatapointsPerCall / minutes, 1, _options.QueriesPerCall);
        foreach (var chunk in queries.Chunk(perCall))
        {
            var request = new GetMetricDataRequest
            {
                StartTime = start,
                EndTime = end,
                ScanBy = "TimestampAscending",
                MetricDataQueries = [.. chunk.Select((q, i) => Query($"q{i}", q.Function, q.Stat))],
            };

            var points = new Dictionary<(string Function, DateTimeOffset Minute), PointBuilder>();
            await foreach (var result in client.GetMetricDataAsync(request, cancellationToken).ConfigureAwait(false))
            {
                var (function, stat) = chunk[int.Parse(result.Id.AsSpan(1), CultureInfo.InvariantCulture)];
                if (result.StatusCode is "InternalError" or "Forbidden")
                {
                    // Fails the pass so the checkpoint stays put and the host shows the error; the next pass reads again.
                    var message = string.Join("; ", result.Messages?.Select(m => $"{m.Code}: {m.Value}") ?? []);
                    var (metricName, statistic) = StatSet.Definition(stat);
                    throw new InvalidOperationException(
                        $"account {target.Account.DisplayName}, {target.Region}: GetMetricData answered {result.StatusCode} for {metricName} {statistic} of {function}{(message.Length > 0 ? $" ({message})" : "")}");
                }

                var timestamps = result.Timestamps ?? [];
                var values = result.Values ?? [];
                for (var i = 0; i < Math.Min(timestamps.Count, values.Count); i++)
                {
                    var minute = UtcMinute.Floor(timestamps[i]);
                    if (!points.TryGetValue((function, minute), out var builder))
                    {
                        builder = new PointBuilder(new FunctionKey(target.AccountId, target.Region, function), minute);
                        points.Add((function, minute), builder);
                    }

                    builder.Set(stat, values[i]);
                    if (values[i] != 0)
                    {
                        nonZero.Add(function);
                    }
                }
            }

            await store.WriteMetricsAsync([.. points.Values.Select(p => p.ToPoint())], cancellationToken).ConfigureAwait(false);
        }

        return nonZero;
    }

    /// <summary>Recently active functions and the Observe statistics each publishes.</summary>
    private static async Task<Dictionary<string, StatSet>> ListActiveAsync(ICloudWatchClient client, CancellationToken cancellationToken)
    {
        // No dimension filter in the request: a name-only filter is not understood by every implementation, and the
        // few account-level metrics it would exclude cost nothing to skip here.
        var active = new Dictionary<string, StatSet>(StringComparer.Ordinal);
        var request = new ListMetricsRequest { Namespace = StatSet.Namespace, RecentlyActive = "PT3H" };
        await foreach (var metric in client.ListMetricsAsync(request, cancellationToken).ConfigureAwait(false))
        {
            var function = metric.Dimensions?.FirstOrDefault(d => d.Name == StatSet.FunctionDimension)?.Value;
            var stats = StatSet.ForMetricName(metric.MetricName);
            if (!string.IsNullOrEmpty(function) && !stats.IsEmpty)
            {
                active[function] = active.GetValueOrDefault(function).Union(stats);
            }
        }

        return active;
    }

    /// <summary>Dashboard watches of this target first, then active functions under enabled alert rules, up to the cap.</summary>
    private async Task<IReadOnlyList<string>> WatchedAsync(CollectionTarget target, TargetState state, CancellationToken cancellationToken)
    {
        var names = watched.Snapshot()
            .Where(f => f.AccountId == target.AccountId && f.Region == target.Region)
            .Select(f => f.Name)
            .Order(StringComparer.Ordinal)
            .ToList();
        if (_options.WatchAlertRuleScopes)
        {
            var rules = await store.GetAlertRulesAsync(cancellationToken).ConfigureAwait(false);
            if (rules.Any(r => r.Enabled && (r.Scope.AccountId ?? target.AccountId) == target.AccountId && (r.Scope.Region ?? target.Region) == target.Region))
            {
                names.AddRange(state.Active.Keys.Order(StringComparer.Ordinal).Where(f => !names.Contains(f)));
            }
        }

        if (names.Count > _options.MaxWatchedFunctions)
        {
            if (state.LastCapped != names.Count)
            {
                LogWatchedCapped(logger, target.ToString(), names.Count, _options.MaxWatchedFunctions, MetricsCollectorOptions.SectionName + ":" + nameof(MetricsCollectorOptions.MaxWatchedFunctions));
            }

            state.LastCapped = names.Count;
            return names[.._options.MaxWatchedFunctions];
        }

        state.LastCapped = 0;
        return names;
    }

    private static MetricDataQuery Query(string id, string function, LambdaStat stat)
    {
        var (metric, statistic) = StatSet.Definition(stat);
        return new MetricDataQuery
        {
            Id = id,
            ReturnData = true,
            MetricStat = new MetricStat
            {
                Metric = new CloudWatchMetric { Namespace = StatSet.Namespace, MetricName = metric, Dimensions = [new() { Name = StatSet.FunctionDimension, Value = function }] },
                Period = 60,
                Stat = statistic,
            },
        };
    }

    private const string InitialLookbackSetting = MetricsCollectorOptions.SectionName + ":" + nameof(MetricsCollectorOptions.InitialLookback);

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    [LoggerMessage(Level = LogLevel.Debug, Message = "Metrics for {Target} from {From} to {To}: {Functions} active functions, {Busy} read in full, {Metrics} metrics requested")]
    private static partial void LogColdPass(ILogger logger, string target, DateTimeOffset from, DateTimeOffset to, int functions, int busy, int metrics);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Metrics for {Target}: minutes from {From} to {To} are older than {Setting} allows to catch up and are left out")]
    private static partial void LogGap(ILogger logger, string target, DateTimeOffset from, DateTimeOffset to, string setting);

    [LoggerMessage(Level = LogLevel.Information, Message = "Metrics for {Target}: {Count} functions are watched, {Max} are read every minute ({Setting}); the rest every cold interval")]
    private static partial void LogWatchedCapped(ILogger logger, string target, int count, int max, string setting);

    /// <summary>What one target's loop remembers between passes; only the host's single loop per target touches it.</summary>
    private sealed class TargetState
    {
        /// <summary>Recently active functions and their statistics, from the last ListMetrics.</summary>
        public Dictionary<string, StatSet> Active { get; set; } = new(StringComparer.Ordinal);

        public DateTimeOffset? ListedAt { get; set; }

        /// <summary>Functions the last cold pass of this process read through the checkpoint.</summary>
        public HashSet<string> Collected { get; set; } = new(StringComparer.Ordinal);

        public int LastCapped { get; set; }
    }
}
