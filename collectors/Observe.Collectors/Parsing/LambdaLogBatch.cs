using Observe.Store.Model;

namespace Observe.Collectors.Parsing;

/// <summary>How a batch of log events was read: what became reports and errors, and what was skipped and why.</summary>
internal sealed class LogParseStats
{
    private readonly Dictionary<SkipReason, long> _skippedByReason = [];
    private readonly List<string> _samples = [];
    private readonly int _maxSamples;

    public LogParseStats(int maxSamples) => _maxSamples = maxSamples;

    public long Events { get; private set; }
    public long Reports { get; private set; }
    public long InitEvents { get; private set; }
    public long Errors { get; private set; }
    public long Skipped { get; private set; }

    public IReadOnlyDictionary<SkipReason, long> SkippedByReason => _skippedByReason;

    /// <summary>The first skipped events (cut to 200 characters), to show the user what could not be read.</summary>
    public IReadOnlyList<string> SkippedSamples => _samples;

    internal void CountEvent() => Events++;

    internal void CountReport() => Reports++;

    internal void CountInitEvent() => InitEvents++;

    internal void CountError() => Errors++;

    internal void CountSkipped(SkipReason reason, string message)
    {
        Skipped++;
        _skippedByReason[reason] = _skippedByReason.GetValueOrDefault(reason) + 1;
        if (_samples.Count < _maxSamples)
        {
            _samples.Add(message.Length <= 200 ? message : message[..200]);
        }
    }
}

/// <summary>
/// Reads a batch of one pass's Lambda log events into invocation reports, init events and error occurrences grouped by
/// (function, fingerprint), the shapes <c>IObserveStore</c> stores. Not thread-safe: one batch per pass.
/// </summary>
internal sealed class LambdaLogBatch
{
    private readonly List<InvocationReport> _reports = [];
    private readonly List<InitEvent> _initEvents = [];
    private readonly Dictionary<(FunctionKey Function, string Fingerprint), Group> _errors = [];

    public LambdaLogBatch(int maxSkippedSamples = 5) => Stats = new LogParseStats(maxSkippedSamples);

    public IReadOnlyList<InvocationReport> Reports => _reports;

    /// <summary>The reports read so far, which the batch then lets go (they stay counted in <see cref="Stats"/>).</summary>
    public IReadOnlyList<InvocationReport> TakeReports()
    {
        var taken = _reports.ToList();
        _reports.Clear();
        return taken;
    }

    /// <summary>Init events (<c>platform.initReport</c>) read so far.</summary>
    public IReadOnlyList<InitEvent> InitEvents => _initEvents;

    /// <summary>The init events read so far, which the batch then lets go (they stay counted in <see cref="Stats"/>).</summary>
    public IReadOnlyList<InitEvent> TakeInitEvents()
    {
        var taken = _initEvents.ToList();
        _initEvents.Clear();
        return taken;
    }

    public LogParseStats Stats { get; }

    /// <summary>Reads one log event of <paramref name="function"/>. Never throws.</summary>
    public void Add(FunctionKey function, DateTimeOffset timestamp, string? message)
    {
        Stats.CountEvent();
        switch (LambdaReportParser.Parse(message, function, timestamp, out var report, out var skipped))
        {
            case ReportParseOutcome.Parsed:
                _reports.Add(report!);
                Stats.CountReport();
                return;
            case ReportParseOutcome.Skipped:
                Stats.CountSkipped(skipped, message!);
                return;
        }

        switch (LambdaInitParser.Parse(message, function, timestamp, out var initEvent, out skipped))
        {
            case ReportParseOutcome.Parsed:
                _initEvents.Add(initEvent!);
                Stats.CountInitEvent();
                return;
            case ReportParseOutcome.Skipped:
                Stats.CountSkipped(skipped, message!);
                return;
        }

        if (ErrorEventParser.TryParse(message, out var error, out var malformed))
        {
            Stats.CountError();
            var key = (function, error!.Fingerprint);
            if (_errors.TryGetValue(key, out var group))
            {
                group.Add(timestamp, error);
            }
            else
            {
                _errors[key] = new Group(timestamp, error);
            }
        }
        else if (malformed)
        {
            Stats.CountSkipped(SkipReason.MalformedJson, message!);
        }
    }

    /// <summary>The errors seen, one entry per function and fingerprint, with the most recent occurrence as the sample.</summary>
    public IReadOnlyList<ErrorOccurrences> ErrorOccurrences() =>
        _errors.Select(e => new ErrorOccurrences(
                e.Key.Function,
                e.Key.Fingerprint,
                e.Value.Latest.ErrorType,
                e.Value.Latest.Message,
                e.Value.First,
                e.Value.Last,
                e.Value.Count,
                e.Value.Latest.StackTrace,
                e.Value.Latest.RequestId,
                e.Value.Latest.TraceId))
            .ToList();

    private sealed class Group(DateTimeOffset at, ErrorEvent error)
    {
        public DateTimeOffset First { get; private set; } = at;
        public DateTimeOffset Last { get; private set; } = at;
        public long Count { get; private set; } = 1;
        public ErrorEvent Latest { get; private set; } = error;

        public void Add(DateTimeOffset at, ErrorEvent error)
        {
            Count++;
            if (at < First)
            {
                First = at;
            }

            // Events can arrive out of order across log streams: the sample is the newest by time, not by arrival.
            if (at >= Last)
            {
                Last = at;
                Latest = error;
            }
        }
    }
}
