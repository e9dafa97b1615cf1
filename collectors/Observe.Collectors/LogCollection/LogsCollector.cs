using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Observe.Collectors.Aws;
using Observe.Collectors.Collection;
using Observe.Collectors.Logs;
using Observe.Collectors.Parsing;
using Observe.Store;
using Observe.Store.Model;

namespace Observe.Collectors.LogCollection;

/// <summary>
/// Reads the Lambda log groups of one account and region into invocation reports, cold starts per minute and error
/// groups. The functions come from the store's inventory; each function's log group is <c>/aws/lambda/{name}</c>
/// (the inventory does not record a custom LoggingConfig group). Each log group has its own checkpoint, advanced only
/// after its data is written, so a pass stopped anywhere resumes with no gap and no double count.
/// </summary>
internal sealed partial class LogsCollector(
    IAwsClientFactory clients,
    IInventoryReader inventoryReader,
    IInvocationReader invocationReader,
    IInvocationWriter invocationWriter,
    IMetricsWriter metricsWriter,
    ICheckpointStore checkpoints,
    IOptions<LogsCollectorOptions> options,
    TimeProvider time,
    ILogger<LogsCollector> logger) : ICollector
{
    public const string CollectorName = "logs";

    private const string LambdaLogGroupPrefix = "/aws/lambda/";

    /// <summary>Reports written per store transaction, and the most a group's read holds before writing them.</summary>
    internal const int ReportChunk = 1_000;

    private readonly LogsCollectorOptions _options = options.Value;

    public string Name => CollectorName;

    public TimeSpan Interval => _options.Interval;

    /// <summary>The log group Lambda writes a function's logs to by default.</summary>
    public static string LogGroupName(string functionName) => LambdaLogGroupPrefix + functionName;

    /// <summary>The store key of one log group's checkpoint.</summary>
    public static string CheckpointKey(CollectionTarget target, string logGroup)
    {
        ArgumentNullException.ThrowIfNull(target);
        return $"{target.CheckpointKey(CollectorName)}/{logGroup}";
    }

    /// <summary>The mode the last pass over <paramref name="target"/> used and why, or null before the first pass.</summary>
    public async Task<LogsCollectionStatus?> GetStatusAsync(CollectionTarget target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        return LogsCollectionStatus.Parse(await checkpoints.GetCheckpointAsync(target.CheckpointKey(CollectorName), cancellationToken).ConfigureAwait(false));
    }

    public async Task CollectAsync(CollectionTarget target, PassReport report, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        var functions = await inventoryReader.GetFunctionsAsync(new FleetFilter(target.AccountId, target.Region), cancellationToken).ConfigureAwait(false);
        if (functions.Count == 0)
        {
            logger.LogDebug("Logs for {Target}: no functions in the inventory yet", target);
            return;
        }

        // Whole milliseconds, CloudWatch Logs' resolution, so positions compare exactly with event timestamps.
        var now = DateTimeOffset.FromUnixTimeMilliseconds(time.GetUtcNow().ToUnixTimeMilliseconds());
        var previous = await GetStatusAsync(target, cancellationToken).ConfigureAwait(false);
        var plan = LogsCostModel.Choose(functions.Count, previous?.EventsPerGroup ?? _options.ExpectedEventsPerGroup, _options, now);
        if (previous?.Mode != plan.Mode)
        {
            logger.LogInformation("Logs for {Target}: reading with {Mode} ({Reason})", target, plan.Mode, plan.Reason);
        }

        var logs = clients.Logs(target.AccountId, target.Region);
        var totals = new PassTotals();
        if (plan.Mode == LogsReadMode.Insights)
        {
            await CollectWithInsightsAsync(target, logs, functions, now, totals, report, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await CollectWithFilterAsync(target, logs, functions, now, totals, report, cancellationToken).ConfigureAwait(false);
        }

        // A moving average of what a group yields per pass keeps the cost model close to the fleet as it changes.
        var measured = totals.Events / (double)functions.Count;
        var eventsPerGroup = previous is null ? measured : (previous.EventsPerGroup + measured) / 2;
        await checkpoints.SetCheckpointAsync(target.CheckpointKey(CollectorName), (plan with { EventsPerGroup = eventsPerGroup, LastPass = totals.Counts() }).ToJson(), cancellationToken).ConfigureAwait(false);
        logger.LogInformation(
            "Logs pass for {Target} with {Mode}: {Groups} log groups, {Events} events, {Reports} reports, {Errors} errors, {Skipped} lines skipped",
            target, plan.Mode, functions.Count, totals.Events, totals.Reports, totals.Errors, totals.Skipped);
        totals.ThrowIfFailed(target);
    }

    // ---- FilterLogEvents ------------------------------------------------------------------------------------------

    private async Task CollectWithFilterAsync(
        CollectionTarget target, ICloudWatchLogsClient logs, IReadOnlyList<LambdaFunction> functions, DateTimeOffset now, PassTotals totals, PassReport report, CancellationToken cancellationToken)
    {
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = _options.MaxParallelGroups, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(functions, parallel, async (function, ct) =>
        {
            try
            {
                await CollectGroupAsync(target, logs, function.Key, now, totals, report, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // One unreadable group (access denied, a malformed answer) must not stop the others.
                totals.Fail(function.Key, e);
                logger.LogWarning(e, "Logs for {Function}: reading {LogGroup} failed", function.Key, LogGroupName(function.Key.Name));
            }
        }).ConfigureAwait(false);
    }

    private async Task CollectGroupAsync(
        CollectionTarget target, ICloudWatchLogsClient logs, FunctionKey function, DateTimeOffset now, PassTotals totals, PassReport report, CancellationToken cancellationToken)
    {
        var group = LogGroupName(function.Name);
        var key = CheckpointKey(target, group);
        var checkpoint = await LoadCheckpointAsync(key, function, now, cancellationToken).ConfigureAwait(false);
        var window = Window(checkpoint, now);
        if (window is not var (from, to))
        {
            return;
        }

        var reader = new GroupReader(function, checkpoint, from, to, _options);
        var filter = new LogEventFilter(group, DateTimeOffset.FromUnixTimeMilliseconds(from), DateTimeOffset.FromUnixTimeMilliseconds(to))
        {
            FilterPattern = string.IsNullOrWhiteSpace(_options.FilterPattern) ? null : _options.FilterPattern,

            // Lambda creates the group at the first invocation: a function that never ran has none, which means no
            // events, and is not a failed call in the usage figures either.
            MissingLogGroupIsEmpty = true,
        };
        await foreach (var e in logs.FilterLogEventsAsync(filter, cancellationToken).ConfigureAwait(false))
        {
            // Every returned event has an id; the fallback only guards against a malformed answer.
            await AddAsync(reader, e.EventId ?? EventKey(e.LogStreamName, e.Timestamp, e.Message), e.Timestamp, e.Message, cancellationToken).ConfigureAwait(false);
        }

        await CommitAsync(key, reader, to, totals, report, cancellationToken).ConfigureAwait(false);
    }

    // ---- shared -------------------------------------------------------------------------------------------------

    /// <summary>The pass's read window in epoch milliseconds, or null when the clock is behind the checkpoint.</summary>
    private (long From, long To)? Window(LogGroupCheckpoint checkpoint, DateTimeOffset now)
    {
        var to = Math.Min(now.ToUnixTimeMilliseconds(), checkpoint.Position + (long)_options.MaxCatchUp.TotalMilliseconds);
        return to < checkpoint.Position ? null : (checkpoint.Position - (long)_options.Overlap.TotalMilliseconds, to);
    }

    /// <summary>The group's checkpoint; a pass that stopped between its two checkpoint writes has its errors written now.</summary>
    private async Task<LogGroupCheckpoint> LoadCheckpointAsync(string key, FunctionKey function, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var checkpoint = LogGroupCheckpoint.Parse(key, await checkpoints.GetCheckpointAsync(key, cancellationToken).ConfigureAwait(false))
            ?? new LogGroupCheckpoint { Position = (now - _options.InitialLookback).ToUnixTimeMilliseconds() };
        if (checkpoint.Pending is not { Count: > 0 } pending)
        {
            return checkpoint;
        }

        await invocationWriter.RecordErrorsAsync(pending.Select(p => p.ToOccurrences(function)).ToList(), cancellationToken).ConfigureAwait(false);
        checkpoint = checkpoint with { Pending = null };
        await checkpoints.SetCheckpointAsync(key, checkpoint.ToJson(), cancellationToken).ConfigureAwait(false);
        logger.LogInformation("Logs for {Function}: wrote the {Groups} error groups of a pass that stopped before finishing", function, pending.Count);
        return checkpoint;
    }

    /// <summary>
    /// Writes what a group's read found, then moves its checkpoint to <paramref name="position"/>. Order matters:
    /// reports (idempotent by request id) and cold-start minutes (recounted, so idempotent) go first; the errors, which
    /// the store counts per pass window, are parked in the checkpoint together with the new position before they are
    /// written, so a stop at any point either repeats the read (nothing of the errors written yet) or replays the very
    /// same error windows. A null position holds the group where it is (rows of it could not be read): its reports
    /// are written, its errors wait for the read that can move it.
    /// </summary>
    private async Task CommitAsync(string key, GroupReader reader, long? position, PassTotals totals, PassReport report, CancellationToken cancellationToken)
    {
        var batch = reader.Batch;
        await WriteReportsAsync(reader, cancellationToken).ConfigureAwait(false);
        foreach (var (reason, count) in batch.Stats.SkippedByReason)
        {
            report.Skipped(Describe(reason), count);
        }

        if (batch.Stats.Skipped > 0)
        {
            logger.LogWarning(
                "Logs for {Function}: skipped {Skipped} unreadable lines ({Reasons}), for example: {Sample}",
                reader.Function, batch.Stats.Skipped, string.Join(", ", batch.Stats.SkippedByReason.Select(r => $"{r.Key} {r.Value}")), batch.Stats.SkippedSamples.FirstOrDefault());
        }

        totals.Add(reader.EventsRead, reader.ReportsRead, batch.Stats.Errors, batch.Stats.Skipped);
        if (position is not { } end)
        {
            return;
        }

        var errors = batch.ErrorOccurrences();
        var next = new LogGroupCheckpoint
        {
            Position = end,
            Seen = reader.NextSeen,
            Skipped = reader.Checkpoint.Skipped + batch.Stats.Skipped,
            Pending = errors.Count > 0 ? errors.Select(PendingErrors.From).ToList() : null,
        };
        await checkpoints.SetCheckpointAsync(key, next.ToJson(), cancellationToken).ConfigureAwait(false);
        if (errors.Count > 0)
        {
            await invocationWriter.RecordErrorsAsync(errors, cancellationToken).ConfigureAwait(false);
            await checkpoints.SetCheckpointAsync(key, (next with { Pending = null }).ToJson(), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Feeds one event to the group's reader, writing its reports once a chunk's worth has gathered.</summary>
    private async ValueTask AddAsync(GroupReader reader, string id, long timestamp, string message, CancellationToken cancellationToken)
    {
        reader.Add(id, timestamp, message);
        if (reader.Batch.Reports.Count >= ReportChunk)
        {
            await WriteReportsAsync(reader, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Writes the reports read so far and recounts the cold starts of their minutes, then lets them go: a busy group's
    /// hour is written in chunks of <see cref="ReportChunk"/>, each its own transaction, never held whole in memory.
    /// </summary>
    private async Task WriteReportsAsync(GroupReader reader, CancellationToken cancellationToken)
    {
        // Init events are few (one per execution environment) and idempotent in the store, like reports.
        var initEvents = reader.Batch.TakeInitEvents();
        if (initEvents.Count > 0)
        {
            await invocationWriter.WriteInitEventsAsync(initEvents, cancellationToken).ConfigureAwait(false);
        }

        var reports = reader.Batch.TakeReports();
        if (reports.Count == 0)
        {
            return;
        }

        await invocationWriter.WriteInvocationReportsAsync(reports, cancellationToken).ConfigureAwait(false);
        await RecountColdStartsAsync(reader.Function, reports, cancellationToken).ConfigureAwait(false);
        reader.ReportsRead += reports.Count;
    }

    /// <summary>
    /// Cold starts of every minute these reports fall in, counted by the store from the stored reports: the store holds
    /// each invocation once whatever the passes read, so the count is the minute's complete figure and writing it again
    /// (another pass, a late report, a restart, the other read mode) only ever overwrites it with the same or a more
    /// complete number.
    /// </summary>
    private async Task RecountColdStartsAsync(FunctionKey function, IReadOnlyList<InvocationReport> reports, CancellationToken cancellationToken)
    {
        var minutes = reports.Select(r => UtcMinute.Floor(r.Timestamp)).Distinct().ToList();
        var range = new TimeRange(minutes.Min(), minutes.Max().AddMinutes(1));
        var perMinute = await invocationReader.CountColdStartsAsync(function, range, cancellationToken).ConfigureAwait(false);
        var points = minutes.Select(m => new MetricPoint { Function = function, Minute = m, ColdStarts = perMinute.GetValueOrDefault(m) }).ToList();
        await metricsWriter.WriteMetricsAsync(points, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The words the Collectors page shows for a skip reason.</summary>
    private static string Describe(SkipReason reason) => reason switch
    {
        SkipReason.MalformedReport => "malformed REPORT line",
        SkipReason.MalformedJson => "malformed JSON log line",
        SkipReason.TooLong => "log line too long to read",
        SkipReason.MalformedInitReport => "malformed platform.initReport record",
        _ => reason.ToString(),
    };

    /// <summary>An event's identity when AWS gives no event id (Insights rows): stream, time and text.</summary>
    internal static string EventKey(string? stream, long timestamp, string message)
    {
        Span<byte> hash = stackalloc byte[32];
        System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{stream}\n{timestamp}\n{message}"), hash);
        return "h" + Convert.ToHexString(hash[..12]);
    }

    /// <summary>
    /// One group's events of one pass: skips the events already counted, feeds the rest to the parsers, and keeps
    /// the ids the next pass's overlap will meet again.
    /// </summary>
    private sealed class GroupReader(FunctionKey function, LogGroupCheckpoint checkpoint, long from, long to, LogsCollectorOptions options)
    {
        private readonly HashSet<string> _seen = new(checkpoint.Seen, StringComparer.Ordinal);
        private readonly long _keepFrom = to - (long)options.Overlap.TotalMilliseconds;

        public FunctionKey Function => function;
        public LogGroupCheckpoint Checkpoint => checkpoint;
        public LambdaLogBatch Batch { get; } = new(options.MaxSkippedSamples);
        public List<string> NextSeen { get; } = [];
        public long EventsRead { get; private set; }

        /// <summary>Reports written so far (the batch lets them go once written).</summary>
        public long ReportsRead { get; set; }

        public void Add(string id, long timestamp, string message)
        {
            // A query over several groups starts at the earliest group's overlap; earlier events of this group were
            // counted before and are no longer in its seen set.
            if (timestamp < from || timestamp > to)
            {
                return;
            }

            EventsRead++;
            var keep = timestamp >= _keepFrom;
            if (_seen.Contains(id))
            {
                if (keep)
                {
                    NextSeen.Add(id);
                }

                return;
            }

            var stats = Batch.Stats;
            var (errors, skipped) = (stats.Errors, stats.Skipped);
            Batch.Add(function, DateTimeOffset.FromUnixTimeMilliseconds(timestamp), message);
            if (keep && (stats.Errors != errors || stats.Skipped != skipped))
            {
                NextSeen.Add(id);
            }
        }
    }

    /// <summary>Counts over one pass, added to from parallel group reads.</summary>
    private sealed class PassTotals
    {
        private readonly object _gate = new();
        private readonly List<(FunctionKey Function, Exception Error)> _failures = [];

        public long Events { get; private set; }
        public long Reports { get; private set; }
        public long Errors { get; private set; }
        public long Skipped { get; private set; }

        public void Add(long events, long reports, long errors, long skipped)
        {
            lock (_gate)
            {
                Events += events;
                Reports += reports;
                Errors += errors;
                Skipped += skipped;
            }
        }

        public LogsPassCounts Counts()
        {
            lock (_gate)
            {
                return new LogsPassCounts(Events, Reports, Errors, Skipped, _failures.Count);
            }
        }

        public void Fail(FunctionKey function, Exception error)
        {
            lock (_gate)
            {
                _failures.Add((function, error));
            }
        }

        /// <summary>After the other groups are done: a failed group fails the pass, so the host shows its error.</summary>
        public void ThrowIfFailed(CollectionTarget target)
        {
            if (_failures.Count > 0)
            {
                var (function, error) = _failures[0];
                throw new InvalidOperationException(
                    $"Logs for {target}: {_failures.Count} log group(s) could not be read, first {LogGroupName(function.Name)}: {error.Message}", error);
            }
        }
    }
}
