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
/// <item>Functions whose layers (from the inventory) include the Lambda Insights extension are also asked for its
/// <c>LambdaInsights</c> statistics, in the same calls as the rest and only where the probe saw them run. A container
/// image carries the extension inside the image, where no layer shows it: for targets with active images, one
/// ListMetrics of <c>LambdaInsights</c> every <see cref="MetricsCollectorOptions.InsightsListingInterval"/> tells
/// which images publish it.</item>
/// </list>
/// The checkpoint is the end of the last complete cold pass; points are written before it moves and the store merges
/// them idempotently, so an interrupted pass is simply read again.
/// </summary>
internal sealed partial class MetricsCollector(
    IAwsClientFactory clients,
    IAlertRuleScopes alertRules,
    IInventoryReader inventory,
    IMetricsWriter metricsWriter,
    ICheckpointStore checkpoints,
    IFunctionWatchStore watched,
    IOptions<MetricsCollectorOptions> options,
    TimeProvider time,
    ILogger<MetricsCollector> logger) : ICollector
{
    /// <summary>The package type of a container image function.</summary>
    private const string ImagePackage = "Image";

    /// <summary>The Lambda Insights metric listed to learn which container images run the extension.</summary>
    private const string InsightsListedMetric = "memory_utilization";

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
        var state = _states.GetOrAdd(target.CheckpointKey(Name), static _ => new TargetState());
        var now = time.GetUtcNow();
        if (!state.Pass.IsDue(now))
        {
            // A failing target waits without calling AWS, and the pass still reports the failure rather than success.
            throw new InvalidOperationException(string.Create(
                CultureInfo.InvariantCulture,
                $"{state.Pass.LastError} (failed {state.Pass.Failures} times in a row; next attempt at {state.Pass.NextAt:HH:mm}Z, waits capped by {MaxRetryBackoffSetting})"));
        }

        try
        {
            await CollectDueAsync(target, state, now, cancellationToken).ConfigureAwait(false);
            state.Pass.Succeeded();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            state.Pass.Failed(now, _options.WatchedInterval, _options.MaxRetryBackoff, CollectorErrors.Describe(e, target));
            throw;
        }

        if (state.Unread.Count > 0)
        {
            // Stored what it could, but not everything: the pass is degraded, naming the statistics. Failing it would
            // hide that the rest arrives; calling it OK would hide the unknowns.
            report.Degraded(UnreadStatistics.Describe(target, state.Unread.Summarize(), state.Retry.NextAt));
        }
    }

    private async Task CollectDueAsync(CollectionTarget target, TargetState state, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var checkpointKey = target.CheckpointKey(Name);
        var client = clients.CloudWatch(target.AccountId, target.Region);
        var end = UtcMinute.Floor(now);

        // ListMetrics is cheap next to GetMetricData: listing at least every cold interval lets a newly active
        // function be read (and backfilled) at the next cold pass instead of up to ActivityRefreshInterval later.
        var refresh = _options.ActivityRefreshInterval < _options.ColdInterval ? _options.ActivityRefreshInterval : _options.ColdInterval;
        if (state.ListedAt is null || now - state.ListedAt >= refresh)
        {
            state.Active = await ListActiveAsync(client, cancellationToken).ConfigureAwait(false);
            await AddInsightsAsync(target, client, state, now, cancellationToken).ConfigureAwait(false);
            state.ListedAt = now;
            var dropped = state.Unread.Prune(state.Active, end - _options.MaxCatchUp);
            if (dropped > 0)
            {
                LogUnreadDropped(logger, target.ToString(), dropped);
            }
        }

        var through = InstantCheckpoint.Parse(await checkpoints.GetCheckpointAsync(checkpointKey, cancellationToken).ConfigureAwait(false), checkpointKey, InitialLookbackSetting) is { } checkpoint
            ? UtcMinute.Floor(checkpoint)
            : end - _options.InitialLookback;

        if (end - through >= _options.ColdInterval)
        {
            await CollectColdAsync(target, client, state, through, end, now, cancellationToken).ConfigureAwait(false);

            // Everything the pass could read is stored; what it could not is in state.Unread with its own start, so
            // the checkpoint moves and the statistics that were read are not asked for (and billed) again.
            await checkpoints.SetCheckpointAsync(checkpointKey, InstantCheckpoint.Format(end), cancellationToken).ConfigureAwait(false);
            await RetryUnreadAsync(target, client, state, end, now, cancellationToken).ConfigureAwait(false);
            return;
        }

        await RetryUnreadAsync(target, client, state, end, now, cancellationToken).ConfigureAwait(false);
        var watchedNames = await WatchedAsync(target, state, cancellationToken).ConfigureAwait(false);
        if (watchedNames.Count > 0)
        {
            // The cold tier has everything before its checkpoint; the watched tier reads from there (at least the
            // late-data window) to now: up to ColdInterval + LateDataWindow points per query, one metric each. Unread
            // statistics are left to their retry, which reads them from where they are missing.
            var start = Min(through, end - _options.LateDataWindow);
            var plan = watchedNames.Select(f => (f, StatSet.Core.Union(state.Active.GetValueOrDefault(f)).Except(state.Unread.Of(f)))).ToList();
            var read = await QueryAsync(target, client, plan, start, end, cancellationToken).ConfigureAwait(false);
            RecordFailures(state, read, start, now);
        }
    }

    private async Task CollectColdAsync(
        CollectionTarget target, ICloudWatchClient client, TargetState state, DateTimeOffset through, DateTimeOffset end, DateTimeOffset now, CancellationToken cancellationToken)
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
            // Statistics waiting for a retry are not asked for here: the retry reads them from where they are missing.
            var probe = group.Select(f => (f.Key, f.Value.Intersect(StatSet.Probe).Except(state.Unread.Of(f.Key)))).Where(p => !p.Item2.IsEmpty).ToList();
            var probed = await QueryAsync(target, client, probe, group.Key, end, cancellationToken).ConfigureAwait(false);
            RecordFailures(state, probed, group.Key, now);

            // The rest for functions that ran or were throttled, and everything for functions the probe cannot judge
            // (no probe statistic, or none of them could be read).
            var detail = group
                .Where(f => probed.NonZero.Contains(f.Key) || f.Value.Intersect(StatSet.Probe).Except(state.Unread.Of(f.Key)).IsEmpty)
                .Select(f => (f.Key, f.Value.Except(StatSet.Probe).Except(state.Unread.Of(f.Key))))
                .Where(p => !p.Item2.IsEmpty)
                .ToList();
            var detailed = await QueryAsync(target, client, detail, group.Key, end, cancellationToken).ConfigureAwait(false);
            RecordFailures(state, detailed, group.Key, now);
            LogColdPass(logger, target.ToString(), group.Key, end, group.Count(), detail.Count, probe.Sum(p => p.Item2.Count) + detail.Sum(p => p.Item2.Count));
        }

        state.Collected = [.. state.Active.Keys];
    }

    /// <summary>
    /// Asks again for the statistics that could not be read, from where each is missing to <paramref name="end"/>,
    /// once their backoff allows; one statistic per call, so one that keeps failing does not take the others down.
    /// </summary>
    private async Task RetryUnreadAsync(CollectionTarget target, ICloudWatchClient client, TargetState state, DateTimeOffset end, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (state.Unread.Count == 0 || !state.Retry.IsDue(now))
        {
            return;
        }

        var failed = false;
        foreach (var group in state.Unread.Queries().GroupBy(q => (q.Stat, q.From)).OrderBy(g => g.Key.Stat).ThenBy(g => g.Key.From))
        {
            var plan = group.Select(q => (q.Function, StatSet.Of(q.Stat))).ToList();
            var read = await QueryAsync(target, client, plan, group.Key.From, end, cancellationToken).ConfigureAwait(false);
            foreach (var query in group)
            {
                if (read.Failed.TryGetValue((query.Function, query.Stat), out var error))
                {
                    state.Unread.Add(query.Function, query.Stat, query.From, error);
                    failed = true;
                }
                else
                {
                    state.Unread.Remove(query.Function, query.Stat);
                }
            }
        }

        if (failed)
        {
            state.Retry.Failed(now, _options.WatchedInterval, _options.MaxRetryBackoff);
            LogUnreadRetryFailed(logger, target.ToString(), state.Unread.Count, state.Retry.NextAt!.Value, MaxRetryBackoffSetting);
        }
        else
        {
            state.Retry.Succeeded();
        }
    }

    /// <summary>
    /// Keeps what a read could not get for its retry. The first failure starts the backoff; later ones join the
    /// retries already waiting, so a pass never asks again right away for what it just failed to read.
    /// </summary>
    private void RecordFailures(TargetState state, ReadOutcome read, DateTimeOffset from, DateTimeOffset now)
    {
        if (read.Failed.Count == 0)
        {
            return;
        }

        var wasWaiting = state.Unread.Count > 0;
        foreach (var ((function, stat), error) in read.Failed)
        {
            state.Unread.Add(function, stat, from, error);
        }

        if (!wasWaiting)
        {
            state.Retry.Failed(now, _options.WatchedInterval, _options.MaxRetryBackoff);
        }
    }

    /// <summary>
    /// Reads the statistics of each function over [start, end) in calls of at most 500 queries (fewer when the window
    /// is long, so a call fits one page), writing each call's points before the next call. A call that fails is split
    /// (<see cref="ReadAsync"/>) so the queries that can be read are stored; the ones that cannot are returned.
    /// </summary>
    private async Task<ReadOutcome> QueryAsync(
        CollectionTarget target, ICloudWatchClient client, IReadOnlyList<(string Function, StatSet Stats)> plan, DateTimeOffset start, DateTimeOffset end, CancellationToken cancellationToken)
    {
        var outcome = new ReadOutcome();
        var queries = plan.SelectMany(p => p.Stats.Stats().Select(s => (p.Function, Stat: s))).ToList();
        if (queries.Count == 0)
        {
            return outcome;
        }

        var minutes = Math.Max(1, (int)(end - start).TotalMinutes);
        var perCall = Math.Clamp(MaxDatapointsPerCall / minutes, 1, _options.QueriesPerCall);
        foreach (var chunk in queries.Chunk(perCall))
        {
            await ReadAsync(target, client, chunk, start, end, outcome, cancellationToken).ConfigureAwait(false);
        }

        return outcome;
    }

    /// <summary>
    /// One GetMetricData call, its points written. When AWS rejects the whole call (one query can do that: a statistic
    /// the service does not answer, a bad dimension), it is split: per statistic first, then within a statistic the
    /// first and last query are tried alone. If both fail the statistic is taken as unreadable for the whole batch (a
    /// permission, an unsupported statistic) without a call per function; otherwise the rest is bisected. A query AWS
    /// answers with its own error status is failed alone. Returns whether every query was read.
    /// </summary>
    private async Task<bool> ReadAsync(
        CollectionTarget target, ICloudWatchClient client, IReadOnlyList<(string Function, LambdaStat Stat)> queries, DateTimeOffset start, DateTimeOffset end, ReadOutcome outcome, CancellationToken cancellationToken)
    {
        var request = new GetMetricDataRequest
        {
            StartTime = start,
            EndTime = end,
            ScanBy = "TimestampAscending",
            MetricDataQueries = [.. queries.Select((q, i) => Query($"q{i}", q.Function, q.Stat))],
        };

        var values = new List<(int Query, DateTimeOffset Minute, double Value)>();
        var status = new Dictionary<int, MetricDataResult>();
        try
        {
            await foreach (var result in client.GetMetricDataAsync(request, cancellationToken).ConfigureAwait(false))
            {
                var index = int.Parse(result.Id.AsSpan(1), CultureInfo.InvariantCulture);

                // A query's last page carries its final status; its points are kept only if that status is good.
                status[index] = result;
                var timestamps = result.Timestamps ?? [];
                var points = result.Values ?? [];
                for (var i = 0; i < Math.Min(timestamps.Count, points.Count); i++)
                {
                    values.Add((index, UtcMinute.Floor(timestamps[i]), points[i]));
                }
            }
        }
        catch (AwsServiceException e) when (e.StatusCode is not null && !e.IsCredentialError && !e.IsThrottling)
        {
            // Credentials, throttling and transport failures would fail every part alike: those fail the pass.
            return await SplitAsync(target, client, queries, start, end, outcome, Describe(e), cancellationToken).ConfigureAwait(false);
        }

        var failed = new HashSet<int>();
        foreach (var (index, result) in status)
        {
            if (result.StatusCode is "InternalError" or "Forbidden" or "PartialData")
            {
                var messages = string.Join("; ", result.Messages?.Select(m => $"{m.Code}: {m.Value}") ?? []);
                outcome.Failed[queries[index]] = $"GetMetricData answered {result.StatusCode}{(messages.Length > 0 ? $" ({messages})" : "")}";
                failed.Add(index);
            }
        }

        var builders = new Dictionary<(string Function, DateTimeOffset Minute), PointBuilder>();
        foreach (var (index, minute, value) in values)
        {
            if (failed.Contains(index))
            {
                continue;
            }

            var (function, stat) = queries[index];
            if (!builders.TryGetValue((function, minute), out var builder))
            {
                builder = new PointBuilder(new FunctionKey(target.AccountId, target.Region, function), minute);
                builders.Add((function, minute), builder);
            }

            builder.Set(stat, value);
            if (value != 0)
            {
                outcome.NonZero.Add(function);
            }
        }

        await metricsWriter.WriteMetricsAsync([.. builders.Values.Select(p => p.ToPoint())], cancellationToken).ConfigureAwait(false);
        return failed.Count == 0;
    }

    private async Task<bool> SplitAsync(
        CollectionTarget target, ICloudWatchClient client, IReadOnlyList<(string Function, LambdaStat Stat)> queries, DateTimeOffset start, DateTimeOffset end, ReadOutcome outcome, string error, CancellationToken cancellationToken)
    {
        if (queries.Count == 1)
        {
            outcome.Failed[queries[0]] = error;
            return false;
        }

        var byStat = queries.GroupBy(q => q.Stat).ToList();
        if (byStat.Count > 1)
        {
            var all = true;
            foreach (var stat in byStat)
            {
                all &= await ReadAsync(target, client, [.. stat], start, end, outcome, cancellationToken).ConfigureAwait(false);
            }

            return all;
        }

        var first = await ReadAsync(target, client, [queries[0]], start, end, outcome, cancellationToken).ConfigureAwait(false);
        var last = await ReadAsync(target, client, [queries[^1]], start, end, outcome, cancellationToken).ConfigureAwait(false);
        var middle = queries.Skip(1).Take(queries.Count - 2).ToList();
        if (middle.Count == 0)
        {
            return first && last;
        }

        if (!first && !last)
        {
            foreach (var query in middle)
            {
                outcome.Failed[query] = error;
            }

            return false;
        }

        var half = middle.Count / 2;
        var left = half == 0 || await ReadAsync(target, client, middle.GetRange(0, half), start, end, outcome, cancellationToken).ConfigureAwait(false);
        var right = await ReadAsync(target, client, middle.GetRange(half, middle.Count - half), start, end, outcome, cancellationToken).ConfigureAwait(false);
        return first && last && left && right;
    }

    private static string Describe(AwsServiceException e) => e.AwsMessage is { Length: > 0 } message
        ? $"{e.ErrorCode} (HTTP {(int)e.StatusCode!.Value}): {message}"
        : $"{e.ErrorCode} (HTTP {(int)e.StatusCode!.Value})";

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

    /// <summary>
    /// Adds the Lambda Insights statistics to the active functions that run the extension: those whose layers include
    /// it, and container images that publish its metrics. Read from the inventory with each activity listing, so a
    /// layer added or removed is seen within a cold interval.
    /// </summary>
    private async Task AddInsightsAsync(CollectionTarget target, ICloudWatchClient client, TargetState state, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var active = state.Active;
        var functions = await inventory.GetFunctionsAsync(new FleetFilter(target.AccountId, target.Region), cancellationToken).ConfigureAwait(false);

        // Only a target with an active image pays for the listing, and only once per interval: a fleet of zip
        // functions, where the layer list already says it, never makes the call.
        var images = functions.Where(f => f.PackageType == ImagePackage && active.ContainsKey(f.Key.Name)).ToList();
        if (images.Count > 0 && (state.InsightsListedAt is null || now - state.InsightsListedAt >= _options.InsightsListingInterval))
        {
            state.InsightsPublishers = await ListInsightsPublishersAsync(client, cancellationToken).ConfigureAwait(false);
            state.InsightsListedAt = now;
            LogInsightsImages(logger, target.ToString(), images.Count(f => state.InsightsPublishers.Contains(f.Key.Name)), images.Count);
        }

        var count = 0;
        foreach (var function in functions)
        {
            if (active.TryGetValue(function.Key.Name, out var stats) && RunsTheExtension(function, state.InsightsPublishers))
            {
                active[function.Key.Name] = stats.Union(StatSet.Insights);
                count++;
            }
        }

        LogInsightsFunctions(logger, target.ToString(), count, active.Count);
    }

    private static bool RunsTheExtension(LambdaFunction function, IReadOnlySet<string> imagePublishers) =>
        function.Layers.Any(LambdaInsightsLayer.IsExtension)
        || (function.PackageType == ImagePackage && imagePublishers.Contains(function.Key.Name));

    /// <summary>
    /// The functions that published Lambda Insights metrics in the last three hours. One metric name is enough (the
    /// extension publishes all of them on every invocation) and keeps the listing to a row or two per function.
    /// </summary>
    private static async Task<HashSet<string>> ListInsightsPublishersAsync(ICloudWatchClient client, CancellationToken cancellationToken)
    {
        var publishers = new HashSet<string>(StringComparer.Ordinal);
        var request = new ListMetricsRequest { Namespace = StatSet.InsightsNamespace, MetricName = InsightsListedMetric, RecentlyActive = "PT3H" };
        await foreach (var metric in client.ListMetricsAsync(request, cancellationToken).ConfigureAwait(false))
        {
            if (metric.Dimensions?.FirstOrDefault(d => d.Name == StatSet.InsightsFunctionDimension)?.Value is { Length: > 0 } function)
            {
                publishers.Add(function);
            }
        }

        return publishers;
    }

    /// <summary>Dashboard watches of this target first, then active functions under enabled alert rules, up to the cap.</summary>
    private async Task<IReadOnlyList<string>> WatchedAsync(CollectionTarget target, TargetState state, CancellationToken cancellationToken)
    {
        var watches = await watched.GetWatchedFunctionsAsync(time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        var names = watches
            .Where(f => f.AccountId == target.AccountId && f.Region == target.Region)
            .Select(f => f.Name)
            .Order(StringComparer.Ordinal)
            .ToList();
        if (_options.WatchAlertRuleScopes)
        {
            var scopes = await alertRules.GetEnabledScopesAsync(cancellationToken).ConfigureAwait(false);
            if (scopes.Any(s => (s.AccountId ?? target.AccountId) == target.AccountId && (s.Region ?? target.Region) == target.Region))
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
        var definition = StatSet.Definition(stat);
        return new MetricDataQuery
        {
            Id = id,
            ReturnData = true,
            MetricStat = new MetricStat
            {
                Metric = new CloudWatchMetric
                {
                    Namespace = definition.Namespace,
                    MetricName = definition.Metric,
                    Dimensions = [new() { Name = definition.Dimension, Value = function }],
                },
                Period = 60,
                Stat = definition.Stat,
            },
        };
    }

    private const string InitialLookbackSetting = MetricsCollectorOptions.SectionName + ":" + nameof(MetricsCollectorOptions.InitialLookback);
    private const string MaxRetryBackoffSetting = MetricsCollectorOptions.SectionName + ":" + nameof(MetricsCollectorOptions.MaxRetryBackoff);

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    [LoggerMessage(Level = LogLevel.Debug, Message = "Metrics for {Target} from {From} to {To}: {Functions} active functions, {Busy} read in full, {Metrics} metrics requested")]
    private static partial void LogColdPass(ILogger logger, string target, DateTimeOffset from, DateTimeOffset to, int functions, int busy, int metrics);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Metrics for {Target}: {Count} of {Active} active functions have the Lambda Insights extension; its metrics are read with theirs")]
    private static partial void LogInsightsFunctions(ILogger logger, string target, int count, int active);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Metrics for {Target}: {Count} of {Images} active container images publish Lambda Insights metrics")]
    private static partial void LogInsightsImages(ILogger logger, string target, int count, int images);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Metrics for {Target}: minutes from {From} to {To} are older than {Setting} allows to catch up and are left out")]
    private static partial void LogGap(ILogger logger, string target, DateTimeOffset from, DateTimeOffset to, string setting);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Metrics for {Target}: {Count} statistics still could not be read; asked again from {RetryAt} (waits capped by {Setting})")]
    private static partial void LogUnreadRetryFailed(ILogger logger, string target, int count, DateTimeOffset retryAt, string setting);

    [LoggerMessage(Level = LogLevel.Information, Message = "Metrics for {Target}: {Count} unread statistics of functions no longer active are given up; their minutes stay unknown")]
    private static partial void LogUnreadDropped(ILogger logger, string target, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Metrics for {Target}: {Count} functions are watched, {Max} are read every minute ({Setting}); the rest every cold interval")]
    private static partial void LogWatchedCapped(ILogger logger, string target, int count, int max, string setting);

    /// <summary>What one target's loop remembers between passes; only the host's single loop per target touches it.</summary>
    private sealed class TargetState
    {
        /// <summary>Recently active functions and their statistics, from the last ListMetrics.</summary>
        public Dictionary<string, StatSet> Active { get; set; } = new(StringComparer.Ordinal);

        public DateTimeOffset? ListedAt { get; set; }

        /// <summary>Functions that published Lambda Insights metrics at the last listing of them; empty before it.</summary>
        public IReadOnlySet<string> InsightsPublishers { get; set; } = new HashSet<string>(StringComparer.Ordinal);

        public DateTimeOffset? InsightsListedAt { get; set; }

        /// <summary>Functions the last cold pass of this process read through the checkpoint.</summary>
        public HashSet<string> Collected { get; set; } = new(StringComparer.Ordinal);

        public int LastCapped { get; set; }

        /// <summary>Whole-pass failures (the listing, the store, credentials): nothing is called until it is due.</summary>
        public RetryBackoff Pass { get; } = new();

        /// <summary>Statistics that could not be read, each from where it is missing.</summary>
        public UnreadStatistics Unread { get; } = new();

        /// <summary>When <see cref="Unread"/> is asked for again.</summary>
        public RetryBackoff Retry { get; } = new();
    }

    /// <summary>What one read got: the functions with a non-zero value, and the queries that could not be read, with why.</summary>
    private sealed class ReadOutcome
    {
        public HashSet<string> NonZero { get; } = new(StringComparer.Ordinal);

        public Dictionary<(string Function, LambdaStat Stat), string> Failed { get; } = [];
    }
}
