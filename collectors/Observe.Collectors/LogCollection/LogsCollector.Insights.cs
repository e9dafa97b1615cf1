using System.Globalization;
using Microsoft.Extensions.Logging;
using Observe.Collectors.Collection;
using Observe.Collectors.Logs;
using Observe.Store.Model;

namespace Observe.Collectors.LogCollection;

public sealed partial class LogsCollector
{
    /// <summary>Rows a query returns at most (Insights' own ceiling).</summary>
    internal const int MaxQueryRows = 10_000;

    /// <summary>
    /// Cold starts per log group and minute from the REPORT lines, both formats: text lines carry the discovered
    /// field <c>@initDuration</c>, JSON <c>platform.report</c> records <c>record.metrics.initDurationMs</c>.
    /// Counting per whole minute makes each row a minute's complete figure, so writing it again is harmless.
    /// </summary>
    internal const string StatsQuery =
        "filter @type = \"REPORT\" or type = \"platform.report\"\n"
        + "| stats count(*) as reports, count(@initDuration) as textColdStarts, count(record.metrics.initDurationMs) as jsonColdStarts by @log, bin(1m)";

    /// <summary>Error lines and cold-start REPORT lines (for their init times), oldest first, read by the same parsers.</summary>
    internal const string EventsQuery =
        "fields @timestamp, @message, @logStream, @log\n"
        + "| filter ispresent(@initDuration) or ispresent(record.metrics.initDurationMs) or @message like /(?i)(error|exception|fail|crit|fatal|traceback)/\n"
        + "| sort @timestamp asc\n"
        + "| limit 10000";

    private async Task CollectWithInsightsAsync(CollectionTarget target, ICloudWatchLogsClient logs, IReadOnlyList<LambdaFunction> functions, DateTimeOffset now, PassTotals totals, CancellationToken cancellationToken)
    {
        // A query naming a group that does not exist fails whole, and Lambda creates a group only at the first invocation.
        var existing = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var group in logs.DescribeLogGroupsAsync(LambdaLogGroupPrefix, cancellationToken).ConfigureAwait(false))
        {
            existing.Add(group.LogGroupName);
        }

        foreach (var batch in functions.Chunk(CloudWatchLogsClient.MaxLogGroupsPerQuery))
        {
            await CollectBatchWithInsightsAsync(target, logs, batch, existing, now, totals, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task CollectBatchWithInsightsAsync(
        CollectionTarget target, ICloudWatchLogsClient logs, LambdaFunction[] batch, HashSet<string> existing, DateTimeOffset now, PassTotals totals, CancellationToken cancellationToken)
    {
        var groups = new Dictionary<string, (FunctionKey Function, string Key, LogGroupCheckpoint Checkpoint)>(StringComparer.Ordinal);
        foreach (var function in batch)
        {
            var name = LogGroupName(function.Key.Name);
            var key = CheckpointKey(target, name);
            groups[name] = (function.Key, key, await LoadCheckpointAsync(key, function.Key, now, cancellationToken).ConfigureAwait(false));
        }

        // One window for the batch, from the earliest checkpoint; each group still drops what it counted before.
        var earliest = groups.Values.Min(g => g.Checkpoint.Position);
        if (Window(new LogGroupCheckpoint { Position = earliest }, now) is not var (from, to))
        {
            return;
        }

        var present = groups.Keys.Where(existing.Contains).ToList();
        var end = to;
        var rows = new Dictionary<string, List<IReadOnlyDictionary<string, string>>>(StringComparer.Ordinal);
        if (present.Count > 0)
        {
            // Stats from the start of the window's first minute, so every minute it returns is counted whole.
            var statsFrom = UtcMinute.Floor(DateTimeOffset.FromUnixTimeMilliseconds(from));
            var stats = RunQueryAsync(target, logs, new InsightsQuery(present, statsFrom, DateTimeOffset.FromUnixTimeMilliseconds(to), StatsQuery) { Limit = MaxQueryRows }, cancellationToken);
            var events = RunQueryAsync(target, logs, new InsightsQuery(present, DateTimeOffset.FromUnixTimeMilliseconds(from), DateTimeOffset.FromUnixTimeMilliseconds(to), EventsQuery) { Limit = MaxQueryRows }, cancellationToken);
            // Both awaited together, so a failure of either is observed and fails the pass before anything is written.
            await Task.WhenAll(stats, events).ConfigureAwait(false);
            await WriteColdStartsAsync(target, groups, await stats.ConfigureAwait(false), totals, cancellationToken).ConfigureAwait(false);

            var eventRows = (await events.ConfigureAwait(false)).Rows;
            if (eventRows.Count >= MaxQueryRows)
            {
                // A full page may have left events out: stop at the last one returned; the next pass continues there.
                end = ParseInsightsTime(eventRows[^1].GetValueOrDefault("@timestamp"))?.ToUnixTimeMilliseconds() ?? to;
                logger.LogWarning("Logs for {Target}: an Insights query returned {Rows} rows, its ceiling; this pass stops at {End}", target, eventRows.Count, DateTimeOffset.FromUnixTimeMilliseconds(end));
            }

            foreach (var row in eventRows)
            {
                if (GroupOf(row) is { } name && groups.ContainsKey(name))
                {
                    (rows.TryGetValue(name, out var list) ? list : rows[name] = []).Add(row);
                }
            }
        }

        foreach (var (name, (function, key, checkpoint)) in groups)
        {
            if (end <= checkpoint.Position)
            {
                // A group ahead of the batch (the others are catching up): this read adds nothing to it, and its
                // checkpoint, seen ids included, must stay as it is.
                continue;
            }

            var reader = new GroupReader(function, checkpoint, checkpoint.Position - (long)_options.Overlap.TotalMilliseconds, end, _options);
            foreach (var row in rows.GetValueOrDefault(name) ?? [])
            {
                if (ParseInsightsTime(row.GetValueOrDefault("@timestamp")) is not { } at)
                {
                    continue;
                }

                var message = row.GetValueOrDefault("@message") ?? "";
                var timestamp = at.ToUnixTimeMilliseconds();
                reader.Add(EventKey(row.GetValueOrDefault("@logStream"), timestamp, message), timestamp, message);
            }

            await CommitAsync(key, reader, end, recountColdStarts: false, totals, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task WriteColdStartsAsync(
        CollectionTarget target, Dictionary<string, (FunctionKey Function, string Key, LogGroupCheckpoint Checkpoint)> groups, InsightsQueryResults stats, PassTotals totals, CancellationToken cancellationToken)
    {
        var points = new List<MetricPoint>(stats.Rows.Count);
        long reports = 0;
        foreach (var row in stats.Rows)
        {
            if (GroupOf(row) is not { } name || !groups.TryGetValue(name, out var group)
                || ParseInsightsTime(row.GetValueOrDefault("bin(1m)")) is not { } minute)
            {
                logger.LogWarning("Logs for {Target}: an Insights stats row without a known log group or minute was left out", target);
                continue;
            }

            reports += Count(row, "reports");
            points.Add(new MetricPoint
            {
                Function = group.Function,
                Minute = UtcMinute.Floor(minute),
                ColdStarts = Count(row, "textColdStarts") + Count(row, "jsonColdStarts"),
            });
        }

        await store.WriteMetricsAsync(points, cancellationToken).ConfigureAwait(false);

        // Reports read by stats are events a FilterLogEvents pass would have fetched: the cost model compares with them.
        totals.Add(reports, 0, 0, 0);
    }

    private async Task<InsightsQueryResults> RunQueryAsync(CollectionTarget target, ICloudWatchLogsClient logs, InsightsQuery query, CancellationToken cancellationToken)
    {
        var id = await logs.StartQueryAsync(query, cancellationToken).ConfigureAwait(false);
        var deadline = time.GetUtcNow() + _options.InsightsQueryTimeout;
        while (true)
        {
            var results = await logs.GetQueryResultsAsync(id, cancellationToken).ConfigureAwait(false);
            if (results.IsFinished)
            {
                return results.Status == "Complete"
                    ? results
                    : throw new InvalidOperationException($"Logs for {target}: Insights query {id} ended {results.Status}; the pass is retried at the next interval");
            }

            if (time.GetUtcNow() >= deadline)
            {
                throw new TimeoutException($"Logs for {target}: Insights query {id} still {results.Status} after {_options.InsightsQueryTimeout} ({LogsCollectorOptions.SectionName}:InsightsQueryTimeout)");
            }

            await Task.Delay(_options.InsightsPollInterval, time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The log group of a row: Insights writes <c>@log</c> as <c>{account id}:{log group}</c>.</summary>
    private static string? GroupOf(IReadOnlyDictionary<string, string> row)
    {
        var log = row.GetValueOrDefault("@log");
        var colon = log?.IndexOf(':', StringComparison.Ordinal) ?? -1;
        return colon < 0 ? log : log![(colon + 1)..];
    }

    private static long Count(IReadOnlyDictionary<string, string> row, string field) =>
        long.TryParse(row.GetValueOrDefault(field), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : 0;

    /// <summary>Insights writes times as <c>2026-11-22 10:05:00.000</c>, in UTC.</summary>
    internal static DateTimeOffset? ParseInsightsTime(string? value) =>
        DateTimeOffset.TryParseExact(value, ["yyyy-MM-dd HH:mm:ss.fff", "yyyy-MM-dd HH:mm:ss"], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at)
            ? at
            : null;
}
