using System.Globalization;
using Microsoft.Extensions.Logging;
using Observe.Collectors.Collection;
using Observe.Collectors.Logs;
using Observe.Store.Model;

namespace Observe.Collectors.LogCollection;

internal sealed partial class LogsCollector
{
    /// <summary>Rows a query returns at most (Insights' own ceiling).</summary>
    internal const int MaxQueryRows = 10_000;

    /// <summary>Queries one batch of log groups may take in one pass when each returns a full page.</summary>
    internal const int MaxQueriesPerBatch = 10;

    /// <summary>
    /// The lines FilterLogEvents' default pattern selects, read by the same parsers: every REPORT line and
    /// <c>platform.report</c> record (warm, cold, timeout, SnapStart restore; a malformed one is counted), every
    /// <c>platform.initReport</c> record, and anything
    /// that can be an error line. Both modes store the same reports from the same lines; a regular expression, not
    /// <c>@type</c>, so a REPORT line Lambda's own discovery cannot parse still reaches the parser and is counted.
    /// </summary>
    internal const string EventsQuery =
        "fields @timestamp, @message, @logStream, @log\n"
        + "| filter @message like /REPORT|platform\\.report|platform\\.initReport|ERROR|Error|error|Exception|exception|fail|crit|FATAL|CRITICAL|Traceback/\n"
        + "| sort @timestamp asc\n"
        + "| limit 10000";

    private const string UnreadableTime = "Insights row with an unreadable @timestamp";
    private const string UnknownGroup = "Insights row without a known log group";

    private async Task CollectWithInsightsAsync(
        CollectionTarget target, ICloudWatchLogsClient logs, IReadOnlyList<LambdaFunction> functions, DateTimeOffset now, PassTotals totals, PassReport report, CancellationToken cancellationToken)
    {
        // A query naming a group that does not exist fails whole, and Lambda creates a group only at the first invocation.
        var existing = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var group in logs.DescribeLogGroupsAsync(LambdaLogGroupPrefix, cancellationToken).ConfigureAwait(false))
        {
            existing.Add(group.LogGroupName);
        }

        foreach (var batch in functions.Chunk(CloudWatchLogsClient.MaxLogGroupsPerQuery))
        {
            await CollectBatchWithInsightsAsync(target, logs, batch, existing, now, totals, report, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task CollectBatchWithInsightsAsync(
        CollectionTarget target, ICloudWatchLogsClient logs, LambdaFunction[] batch, HashSet<string> existing, DateTimeOffset now, PassTotals totals, PassReport report, CancellationToken cancellationToken)
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

        var read = new BatchRead(groups.Keys);
        var present = groups.Keys.Where(existing.Contains).ToList();
        var end = to;
        if (present.Count > 0)
        {
            end = await ReadBatchAsync(target, logs, present, from, to, read, cancellationToken).ConfigureAwait(false);
        }

        if (read.HoldReason is { } reason)
        {
            report.Degraded(reason);
        }

        if (read.Unreadable > 0)
        {
            report.Skipped(UnreadableTime, read.UnreadableTimes);
            report.Skipped(UnknownGroup, read.UnknownGroups);
            report.Degraded(string.Create(CultureInfo.InvariantCulture,
                $"Logs Insights returned {read.Unreadable} rows this collector could not read ({read.UnreadableTimes} with an unreadable @timestamp, for example '{read.SampleTime}'; {read.UnknownGroups} without a known log group); the log groups they belong to keep their checkpoint and are read again next pass"));
        }

        foreach (var (name, (function, key, checkpoint)) in groups)
        {
            // A row that could not be placed holds back the group it belongs to, or every group when its group is unknown.
            var held = read.HoldsAll || read.Held.Contains(name);
            if (!held && end <= checkpoint.Position)
            {
                // A group ahead of the batch (the others are catching up): this read adds nothing to it, and its
                // checkpoint, seen ids included, must stay as it is.
                continue;
            }

            var reader = new GroupReader(function, checkpoint, checkpoint.Position - (long)_options.Overlap.TotalMilliseconds, held ? to : end, _options);
            foreach (var (id, timestamp, message) in read.Rows.GetValueOrDefault(name) ?? [])
            {
                await AddAsync(reader, id, timestamp, message, cancellationToken).ConfigureAwait(false);
            }

            await CommitAsync(key, reader, held ? null : end, totals, report, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Runs the events query over the batch's window, again from the last row's time while a page comes back full (up
    /// to <see cref="MaxQueriesPerBatch"/>), and sorts the rows by group. Returns where the read ended: the window's
    /// end, or the last row's time when the query cap cut it short (the next pass continues there).
    /// </summary>
    private async Task<long> ReadBatchAsync(
        CollectionTarget target, ICloudWatchLogsClient logs, List<string> present, long from, long to, BatchRead read, CancellationToken cancellationToken)
    {
        var start = from;
        for (var query = 1; ; query++)
        {
            var results = await RunQueryAsync(target, logs, new InsightsQuery(present, DateTimeOffset.FromUnixTimeMilliseconds(start), DateTimeOffset.FromUnixTimeMilliseconds(to), EventsQuery) { Limit = MaxQueryRows }, cancellationToken).ConfigureAwait(false);
            long? last = null;
            foreach (var row in results.Rows)
            {
                last = read.Add(row) ?? last;
            }

            if (results.Rows.Count < MaxQueryRows)
            {
                return to;
            }

            if (last is not { } next || next <= start)
            {
                // A full page whose rows cannot be placed past the start: continuing would read the same page again.
                read.HoldAll(string.Create(CultureInfo.InvariantCulture,
                    $"an Insights query returned a full page of {results.Rows.Count} rows that could not be continued past {DateTimeOffset.FromUnixTimeMilliseconds(start):O}; no log group of the batch moved past it"));
                return to;
            }

            if (query == MaxQueriesPerBatch)
            {
                logger.LogWarning("Logs for {Target}: {Queries} Insights queries returned full pages; this pass stops at {End} and the next continues there", target, query, DateTimeOffset.FromUnixTimeMilliseconds(next));
                return next;
            }

            // Insights' start time is whole seconds and inclusive: rows of that second come back again and are dropped by key.
            start = next;
        }
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

    /// <summary>The log group of a row: Insights writes <c>@log</c> as <c>{account id}:{log group}</c>, moto as the group alone.</summary>
    private static string? GroupOf(IReadOnlyDictionary<string, string> row)
    {
        var log = row.GetValueOrDefault("@log");
        var colon = log?.IndexOf(':', StringComparison.Ordinal) ?? -1;
        return colon < 0 ? log : log![(colon + 1)..];
    }

    /// <summary>
    /// An Insights time in UTC. AWS writes <c>2026-11-22 10:05:00.000</c>; emulators and other tools answer ISO 8601
    /// (<c>2026-11-22T10:05:00.000Z</c>) or epoch milliseconds (moto), so each is read. Null when it is none of them.
    /// </summary>
    internal static DateTimeOffset? ParseInsightsTime(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        value = value.Trim();
        if (DateTimeOffset.TryParseExact(value, ["yyyy-MM-dd HH:mm:ss.FFFFFFF", "yyyy-MM-dd HH:mm:ss"], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at)
            || (value.Contains('T', StringComparison.Ordinal) && DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out at)))
        {
            return at;
        }

        // Epoch milliseconds (13 digits for any date after 2001); a fraction, as some tools print, is dropped.
        return double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var ms) && ms >= 1e12 && ms < 1e14
            ? DateTimeOffset.FromUnixTimeMilliseconds((long)ms)
            : null;
    }

    /// <summary>The rows of one batch's queries by group, de-duplicated, with what could not be placed.</summary>
    private sealed class BatchRead(IEnumerable<string> groups)
    {
        private readonly HashSet<string> _groups = new(groups, StringComparer.Ordinal);
        private readonly HashSet<string> _keys = new(StringComparer.Ordinal);

        public Dictionary<string, List<(string Id, long Timestamp, string Message)>> Rows { get; } = new(StringComparer.Ordinal);

        /// <summary>Groups with a row whose time could not be read.</summary>
        public HashSet<string> Held { get; } = new(StringComparer.Ordinal);

        /// <summary>A row of no known group (or a page that could not be continued) holds back the whole batch.</summary>
        public bool HoldsAll { get; private set; }

        public long UnreadableTimes { get; private set; }

        public long UnknownGroups { get; private set; }

        public long Unreadable => UnreadableTimes + UnknownGroups;

        public string? SampleTime { get; private set; }

        /// <summary>Adds a row; returns its time when it could be read, so the caller knows where a full page ended.</summary>
        public long? Add(IReadOnlyDictionary<string, string> row)
        {
            var raw = row.GetValueOrDefault("@timestamp");
            var at = ParseInsightsTime(raw)?.ToUnixTimeMilliseconds();
            var group = GroupOf(row);
            if (group is null || !_groups.Contains(group))
            {
                UnknownGroups++;
                HoldsAll = true;
                return at;
            }

            if (at is not { } timestamp)
            {
                UnreadableTimes++;
                SampleTime ??= raw is null ? "(absent)" : raw.Length <= 40 ? raw : raw[..40];
                Held.Add(group);
                return null;
            }

            var message = row.GetValueOrDefault("@message") ?? "";
            var id = EventKey(row.GetValueOrDefault("@logStream"), timestamp, message);
            if (_keys.Add(id))
            {
                (Rows.TryGetValue(group, out var list) ? list : Rows[group] = []).Add((id, timestamp, message));
            }

            return timestamp;
        }

        /// <summary>Why the whole batch is held for a reason other than an unreadable row.</summary>
        public string? HoldReason { get; private set; }

        public void HoldAll(string reason)
        {
            HoldsAll = true;
            HoldReason = reason;
        }
    }
}
