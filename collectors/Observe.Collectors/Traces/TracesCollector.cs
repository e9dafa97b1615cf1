using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Observe.Collectors.Aws;
using Observe.Collectors.Collection;
using Observe.Collectors.Logs;
using Observe.Collectors.XRay;
using Observe.Store;
using Observe.Store.Model;

namespace Observe.Collectors.Traces;

/// <summary>
/// Collects traces and the service graph of one account and region per pass. Traces come from X-Ray
/// (GetTraceSummaries, then BatchGetTraces 5 ids a call) or, for Transaction Search accounts, from the spans in
/// <c>aws/spans</c>; both become the same <see cref="TraceTree"/>. The pass walks contiguous windows from its
/// checkpoint (minus <see cref="TracesCollectorOptions.LateArrival"/>) to now, writing each window's traces before
/// moving the checkpoint past it: a restart resumes with no gap, and re-read traces replace themselves by id.
/// </summary>
internal sealed class TracesCollector(
    IAwsClientFactory clients,
    ITraceReader traceReader,
    ITraceWriter traceWriter,
    ICheckpointStore checkpoints,
    IOptions<TracesCollectorOptions> options,
    TimeProvider time,
    ILogger<TracesCollector> logger) : ICollector
{
    /// <summary>Asks X-Ray for the traces that are always collected.</summary>
    public const string FaultFilterExpression = "fault = true OR error = true OR throttle = true";

    /// <summary>Service graph windows written (and checkpointed) together.</summary>
    private const int GraphWindowsPerWrite = 12;

    private readonly TracesCollectorOptions _options = options.Value;

    public string Name => "traces";

    public TimeSpan Interval => _options.Interval;

    public async Task CollectAsync(CollectionTarget target, PassReport report, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        var key = target.CheckpointKey(Name);
        var checkpoint = TracesCheckpoint.Parse(await checkpoints.GetCheckpointAsync(key, cancellationToken).ConfigureAwait(false), key);
        var now = time.GetUtcNow();
        var pass = new PassState(target, key, _options.MaxTracesPerPass, report);

        checkpoint = _options.TransactionSearchAccounts.Contains(target.AccountId, StringComparer.Ordinal)
            ? await CollectSpansAsync(pass, checkpoint, now, cancellationToken).ConfigureAwait(false)
            : await CollectXRayAsync(pass, checkpoint, now, cancellationToken).ConfigureAwait(false);

        var graphWindows = _options.ServiceGraph ? await CollectServiceGraphAsync(pass, checkpoint, now, cancellationToken).ConfigureAwait(false) : 0;
        logger.LogInformation(
            "Traces {Target}: {Traces} traces ({Faulty} with a fault, error or throttle) from {Windows} windows, {CutWindows} of them cut at MaxTracesPerPass, {Pending} trace ids left for the next pass, {Skipped} unreadable segments or spans skipped; {GraphWindows} service graph windows",
            target, pass.Written, pass.Faulty, pass.Windows, pass.CutWindows, pass.Pending, pass.Skipped, graphWindows);
        report.Skipped(UnreadableSkip, pass.Skipped);
        if (pass.CutWindows > 0)
        {
            // Traces were left behind and the checkpoint moved past them: the pass did not do all of its work.
            report.Degraded($"{pass.CutWindows} query windows held more traces than {TracesCollectorOptions.SectionName}:MaxTracesPerPass ({_options.MaxTracesPerPass}); the rest of them was not collected");
            logger.LogWarning("Traces {Target}: a query window held more traces than MaxTracesPerPass ({Max}); the rest of it was not collected", target, _options.MaxTracesPerPass);
        }
    }

    // X-Ray

    private async Task<TracesCheckpoint> CollectXRayAsync(PassState pass, TracesCheckpoint checkpoint, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var xray = clients.XRay(pass.Target.AccountId, pass.Target.Region);

        // Ids X-Ray had not finished last pass get one more chance, ahead of this pass's windows.
        var retry = checkpoint.Pending.Distinct(StringComparer.Ordinal).Take(pass.Budget).ToList();
        var carried = new List<string>();
        foreach (var (start, end) in Windows(checkpoint.TracesUntilMs, now, pass))
        {
            var selected = new Dictionary<string, XRayTraceSummary?>(StringComparer.Ordinal);
            foreach (var id in retry)
            {
                selected[id] = null;
            }

            if (!await SelectSummariesAsync(xray, start, end, selected, pass.Budget, cancellationToken).ConfigureAwait(false))
            {
                if (pass.Written > 0)
                {
                    // Over this pass's budget: the next pass starts at this window instead of dropping its traces.
                    break;
                }

                // The window alone holds more than a pass may fetch: keep the first (faulty first), move on.
                pass.CutWindows++;
            }

            var batch = await xray.BatchGetTracesAsync(selected.Keys.ToList(), cancellationToken).ConfigureAwait(false);
            var trees = new List<TraceTree>(batch.Traces.Count);
            foreach (var trace in batch.Traces)
            {
                selected.TryGetValue(trace.Id, out var summary);
                trees.Add(XRayTraceTrees.Build(trace, summary, pass.Target.AccountId, pass.Target.Region, out var skipped, out var cut));
                pass.Skipped += skipped;
                if (cut > 0)
                {
                    pass.Report.Skipped(MetadataCutSkip, cut);
                }
            }

            await WriteAsync(pass, trees, cancellationToken).ConfigureAwait(false);

            var unprocessed = batch.UnprocessedTraceIds.ToHashSet(StringComparer.Ordinal);
            var abandoned = retry.Count(unprocessed.Contains);
            if (abandoned > 0)
            {
                pass.Report.Skipped(AbandonedSkip, abandoned);
                logger.LogWarning("Traces {Target}: X-Ray still had not processed {Count} trace ids after a second pass; they are not collected", pass.Target, abandoned);
            }

            carried.AddRange(batch.UnprocessedTraceIds.Where(id => !retry.Contains(id, StringComparer.Ordinal)));
            if (carried.Count > _options.MaxPendingTraceIds)
            {
                pass.Report.Skipped(OverPendingSkip, carried.Count - _options.MaxPendingTraceIds);
                logger.LogWarning("Traces {Target}: {Count} unprocessed trace ids over MaxPendingTraceIds dropped", pass.Target, carried.Count - _options.MaxPendingTraceIds);
                carried.RemoveRange(0, carried.Count - _options.MaxPendingTraceIds);
            }

            retry = [];
            checkpoint = checkpoint with { TracesUntilMs = end.ToUnixTimeMilliseconds(), Pending = [.. carried] };
            await checkpoints.SetCheckpointAsync(pass.Key, checkpoint.Serialize(), cancellationToken).ConfigureAwait(false);
            pass.Windows++;
        }

        pass.Pending = carried.Count;
        return checkpoint;
    }

    /// <summary>
    /// Adds to <paramref name="selected"/> the window's traces to fetch: those with a fault, error or throttle
    /// first, then the sampled rest, up to <paramref name="budget"/>. Returns false when the window holds more
    /// than that (paging stops there: the rest would not be fetched anyway).
    /// </summary>
    private async Task<bool> SelectSummariesAsync(
        IXRayClient xray, DateTimeOffset start, DateTimeOffset end, Dictionary<string, XRayTraceSummary?> selected, int budget, CancellationToken cancellationToken)
    {
        var request = new GetTraceSummariesRequest { StartTime = start, EndTime = end, TimeRangeType = _options.TimeRangeType, FilterExpression = _options.FilterExpression };
        if (_options.SampleRate >= 1)
        {
            // Everything is wanted: one unfiltered query, faulty traces ranked first afterwards.
            var all = new List<XRayTraceSummary>();
            await foreach (var summary in xray.GetTraceSummariesAsync(request, cancellationToken).ConfigureAwait(false))
            {
                all.Add(summary);
            }

            var fits = true;
            foreach (var summary in all.OrderByDescending(IsFaulty))
            {
                fits &= Add(selected, summary, budget);
            }

            return fits;
        }

        var faulty = request with { FilterExpression = _options.FilterExpression is { } scope ? $"({scope}) AND ({FaultFilterExpression})" : FaultFilterExpression };
        await foreach (var summary in xray.GetTraceSummariesAsync(faulty, cancellationToken).ConfigureAwait(false))
        {
            if (!Add(selected, summary, budget))
            {
                return false;
            }
        }

        if (_options.SampleRate > 0 && selected.Count < budget)
        {
            var sampled = request with { Sampling = true, SamplingStrategy = new XRaySamplingStrategy("FixedRate", _options.SampleRate) };
            await foreach (var summary in xray.GetTraceSummariesAsync(sampled, cancellationToken).ConfigureAwait(false))
            {
                // A sample is a sample: once the budget is used the rest of the window is simply not sampled.
                if (!Add(selected, summary, budget))
                {
                    break;
                }
            }
        }

        return true;
    }

    /// <summary>False when <paramref name="summary"/> is new and there is no room left for it.</summary>
    private static bool Add(Dictionary<string, XRayTraceSummary?> selected, XRayTraceSummary summary, int budget)
    {
        if (selected.ContainsKey(summary.Id))
        {
            selected[summary.Id] = summary;
            return true;
        }

        if (selected.Count >= budget)
        {
            return false;
        }

        selected[summary.Id] = summary;
        return true;
    }

    private static bool IsFaulty(XRayTraceSummary summary) => summary.HasFault == true || summary.HasError == true || summary.HasThrottle == true;

    // Transaction Search

    private async Task<TracesCheckpoint> CollectSpansAsync(PassState pass, TracesCheckpoint checkpoint, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var logs = clients.Logs(pass.Target.AccountId, pass.Target.Region);
        foreach (var (start, end) in Windows(checkpoint.TracesUntilMs, now, pass))
        {
            var traces = await ReadSpansAsync(logs, pass, start, end, cancellationToken).ConfigureAwait(false);
            var ranked = traces
                .Select(t => (Id: t.Key, Spans: t.Value, Faulty: t.Value.Any(s => s.Segment.Fault || s.Segment.Error || s.Segment.Throttle)))
                .Where(t => t.Faulty || TraceSampler.Keep(t.Id, _options.SampleRate))
                .OrderByDescending(t => t.Faulty)
                .ThenBy(t => t.Id, StringComparer.Ordinal)
                .ToList();
            if (ranked.Count > pass.Budget)
            {
                if (pass.Written > 0)
                {
                    break;
                }

                pass.CutWindows++;
            }

            var trees = new List<TraceTree>();
            foreach (var (id, spans, _) in ranked.Take(pass.Budget))
            {
                // A trace's spans can straddle windows: what an earlier window stored is merged, not replaced.
                var stored = await traceReader.GetTraceAsync(id, cancellationToken).ConfigureAwait(false);
                trees.Add(SpanTraceTrees.Build(id, spans, stored));
            }

            await WriteAsync(pass, trees, cancellationToken).ConfigureAwait(false);
            checkpoint = checkpoint with { TracesUntilMs = end.ToUnixTimeMilliseconds(), Pending = [] };
            await checkpoints.SetCheckpointAsync(pass.Key, checkpoint.Serialize(), cancellationToken).ConfigureAwait(false);
            pass.Windows++;
        }

        return checkpoint;
    }

    private async Task<Dictionary<string, List<ParsedSpan>>> ReadSpansAsync(ICloudWatchLogsClient logs, PassState pass, DateTimeOffset start, DateTimeOffset end, CancellationToken cancellationToken)
    {
        var traces = new Dictionary<string, List<ParsedSpan>>(StringComparer.Ordinal);
        try
        {
            await foreach (var logEvent in logs.FilterLogEventsAsync(new LogEventFilter(_options.SpansLogGroup, start, end), cancellationToken).ConfigureAwait(false))
            {
                if (SpanTraceTrees.Parse(logEvent.Message, pass.Target.AccountId, pass.Target.Region) is not { } span)
                {
                    pass.Skipped++;
                    continue;
                }

                if (!traces.TryGetValue(span.TraceId, out var spans))
                {
                    traces[span.TraceId] = spans = [];
                }

                spans.Add(span);
            }
        }
        catch (AwsServiceException e) when (e.IsNotFound)
        {
            throw new InvalidOperationException(
                $"{pass.Target}: the log group {_options.SpansLogGroup} does not exist, so CloudWatch Transaction Search is not enabled there; " +
                $"remove {pass.Target.AccountId} from {TracesCollectorOptions.SectionName}:TransactionSearchAccounts to read X-Ray instead", e);
        }

        return traces;
    }

    // Service graph

    private async Task<int> CollectServiceGraphAsync(PassState pass, TracesCheckpoint checkpoint, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var xray = clients.XRay(pass.Target.AccountId, pass.Target.Region);
        var length = _options.ServiceGraphWindow;

        // Windows are aligned to the epoch so they never overlap; the late-arrival re-read replaces whole windows.
        var from = Floor(checkpoint.GraphUntilMs is { } until ? DateTimeOffset.FromUnixTimeMilliseconds(until) - _options.LateArrival : now - _options.InitialLookback, length);
        var oldest = Floor(now - _options.MaxLookback, length);
        if (from < oldest)
        {
            logger.LogWarning("Traces {Target}: service graph from {From:O} to {Oldest:O} is older than MaxLookback and is skipped", pass.Target, from, oldest);
            pass.Report.Degraded(string.Create(CultureInfo.InvariantCulture, $"service graph from {from:O} to {oldest:O} is older than {TracesCollectorOptions.SectionName}:MaxLookback and was left out"));
            from = oldest;
        }

        var windows = new List<ServiceGraphWindow>();
        var written = 0;
        for (var start = from; start + length <= now; start += length)
        {
            var services = new List<XRayServiceNode>();
            await foreach (var service in xray.GetServiceGraphAsync(start, start + length, _options.ServiceGraphGroupName, cancellationToken).ConfigureAwait(false))
            {
                services.Add(service);
            }

            windows.Add(ServiceGraphs.ToWindow(services, pass.Target.AccountId, pass.Target.Region, start, start + length));
            if (windows.Count == GraphWindowsPerWrite || start + length + length > now)
            {
                await traceWriter.WriteServiceGraphAsync(windows, cancellationToken).ConfigureAwait(false);
                checkpoint = checkpoint with { GraphUntilMs = (start + length).ToUnixTimeMilliseconds() };
                await checkpoints.SetCheckpointAsync(pass.Key, checkpoint.Serialize(), cancellationToken).ConfigureAwait(false);
                written += windows.Count;
                windows.Clear();
            }
        }

        return written;
    }

    // Shared

    /// <summary>Contiguous query windows of at most QueryWindow from the checkpoint (minus the late-arrival overlap) to now.</summary>
    private IEnumerable<(DateTimeOffset Start, DateTimeOffset End)> Windows(long? untilMs, DateTimeOffset now, PassState pass)
    {
        var from = untilMs is { } until ? DateTimeOffset.FromUnixTimeMilliseconds(until) - _options.LateArrival : now - _options.InitialLookback;
        var oldest = now - _options.MaxLookback;
        if (from < oldest)
        {
            logger.LogWarning("Traces {Target}: traces from {From:O} to {Oldest:O} are older than MaxLookback and are skipped", pass.Target, from, oldest);
            pass.Report.Degraded(string.Create(CultureInfo.InvariantCulture, $"traces from {from:O} to {oldest:O} are older than {TracesCollectorOptions.SectionName}:MaxLookback and were left out"));
            from = oldest;
        }

        for (var start = from; start < now; start += _options.QueryWindow)
        {
            yield return (start, start + _options.QueryWindow < now ? start + _options.QueryWindow : now);
        }
    }

    private async Task WriteAsync(PassState pass, List<TraceTree> trees, CancellationToken cancellationToken)
    {
        await traceWriter.WriteTracesAsync(trees, cancellationToken).ConfigureAwait(false);
        pass.Written += trees.Count;
        pass.Faulty += trees.Count(t => t.Summary.HasFault || t.Summary.HasError || t.Summary.HasThrottle);
    }

    private static DateTimeOffset Floor(DateTimeOffset at, TimeSpan length) =>
        new(at.UtcTicks - ((at.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) % length.Ticks), TimeSpan.Zero);

    /// <summary>Skip reason: a segment document or span that could not be read.</summary>
    internal const string UnreadableSkip = "unreadable segment or span";

    /// <summary>Skip reason: a span's metadata value cut at its size cap, or left out over the span's cap (the span says so).</summary>
    internal const string MetadataCutSkip = "span metadata value cut at its size cap";

    /// <summary>Skip reason: a trace id X-Ray still had not processed when it was asked a second time.</summary>
    internal const string AbandonedSkip = "trace X-Ray had not processed after two passes";

    /// <summary>Skip reason: an unprocessed trace id over MaxPendingTraceIds, not carried to the next pass.</summary>
    internal const string OverPendingSkip = "unprocessed trace id over MaxPendingTraceIds";

    /// <summary>What one pass over one target did so far.</summary>
    private sealed class PassState(CollectionTarget target, string key, int maxTraces, PassReport report)
    {
        public CollectionTarget Target { get; } = target;
        public PassReport Report { get; } = report;
        public string Key { get; } = key;
        public int Budget => Math.Max(0, maxTraces - Written);
        public int Written { get; set; }
        public int Faulty { get; set; }
        public int Windows { get; set; }
        public int CutWindows { get; set; }
        public int Pending { get; set; }
        public int Skipped { get; set; }
    }
}
