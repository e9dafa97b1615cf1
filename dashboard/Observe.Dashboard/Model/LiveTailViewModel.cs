using System.Globalization;
using Observe.Collectors.LiveTail;

namespace Observe.Dashboard.Model;

/// <summary>
/// One Live tail page's lines: a ring of at most <c>BufferLines</c> (the oldest dropped first and counted), shown
/// newest first, <c>DisplayLines</c> at a time. A pause holds the view where it is while lines keep arriving behind it;
/// resuming shows them. Not thread-safe: the page touches it from its circuit's dispatcher only.
/// </summary>
internal sealed class LiveTailViewModel
{
    private readonly LiveTailLine[] _ring;
    private readonly int _displayLines;
    private int _start;
    private int _count;
    private long _nextId = 1;
    private long _pausedAt;
    private IReadOnlyList<string>? _terms;

    public LiveTailViewModel(int bufferLines, int displayLines)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bufferLines, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(displayLines, 1);
        _ring = new LiveTailLine[bufferLines];
        _displayLines = displayLines;
    }

    /// <summary>Log events received since the page opened (markers not counted).</summary>
    public long Received { get; private set; }

    /// <summary>Lines this page dropped from its own buffer, oldest first, to stay within <c>BufferLines</c>.</summary>
    public long DroppedLines { get; private set; }

    /// <summary>Updates the session dropped for this page because it read them more slowly than they came.</summary>
    public long DroppedBatches { get; private set; }

    /// <summary>Updates AWS sampled (more than 500 events a second matched) or a poll cut short.</summary>
    public long SampledBatches { get; private set; }

    /// <summary>When the last sampled update arrived; null when none was.</summary>
    public DateTimeOffset? LastSampledAt { get; private set; }

    /// <summary>Where the last update came from; null before the first.</summary>
    public LiveTailSource? Source { get; private set; }

    /// <summary>The log event received last, and when (by the server's clock): for "last line at".</summary>
    public DateTimeOffset? LastReceivedAt { get; private set; }

    public bool Paused => _pausedAt > 0;

    /// <summary>Lines kept that arrived after the pause and are not shown until resumed.</summary>
    public int Waiting
    {
        get
        {
            if (!Paused)
            {
                return 0;
            }

            var waiting = 0;
            for (var i = _count - 1; i >= 0 && At(i).Id > _pausedAt; i--)
            {
                waiting += At(i).Event is null ? 0 : 1;
            }

            return waiting;
        }
    }

    /// <summary>Lines kept (markers included).</summary>
    public int Count => _count;

    /// <summary>The plain terms of the filter applied to lines already on the page; null when the pattern is not plain terms.</summary>
    public IReadOnlyList<string>? Terms => _terms;

    public void Add(LiveTailBatch batch, DateTimeOffset receivedAt)
    {
        ArgumentNullException.ThrowIfNull(batch);
        Source = batch.Source;
        if (batch.DroppedBatches > 0)
        {
            DroppedBatches += batch.DroppedBatches;
            Mark(string.Create(CultureInfo.InvariantCulture, $"{batch.DroppedBatches:N0} update{(batch.DroppedBatches == 1 ? " was" : "s were")} dropped here: this page read them more slowly than they came (up to 500 lines each)."), receivedAt);
        }

        if (batch.Gap is { } gap)
        {
            Mark($"Events may be missing here: {gap}.", receivedAt);
        }

        if (batch.Sampled)
        {
            SampledBatches++;
            LastSampledAt = receivedAt;
        }

        foreach (var e in batch.Events)
        {
            Push(LiveTailLine.ForEvent(_nextId++, e));
        }

        if (batch.Events.Count > 0)
        {
            Received += batch.Events.Count;
            LastReceivedAt = receivedAt;
        }
    }

    /// <summary>A line of the page's own in the stream: a filter change, a stop, a gap.</summary>
    public void Mark(string text, DateTimeOffset at) => Push(LiveTailLine.ForMarker(_nextId++, text, at));

    public void Pause(DateTimeOffset at)
    {
        if (!Paused)
        {
            _pausedAt = _nextId - 1;
            if (_pausedAt == 0)
            {
                // Nothing arrived yet: hold at a marker, so the pause still has a place.
                Mark("Paused before any line arrived.", at);
                _pausedAt = _nextId - 1;
            }
        }
    }

    public void Resume() => _pausedAt = 0;

    /// <summary>
    /// Sets the filter pattern the tail now uses. Lines already here are shown only if they contain every term of a
    /// plain pattern (CloudWatch terms are case-sensitive); a pattern with JSON, quotes or operators cannot be checked
    /// here, so they stay and a marker says the lines after it are filtered.
    /// </summary>
    public void SetFilter(string pattern, DateTimeOffset at)
    {
        _terms = PlainTerms(pattern);
        Mark(pattern.Length == 0
            ? "Filter cleared: every event from here on."
            : _terms is null
                ? $"Filter pattern \"{pattern}\" applied by AWS from here on; lines before this are not filtered."
                : $"Filter \"{pattern}\" applied by AWS from here on; lines before it are filtered on this page.", at);
    }

    /// <summary>The lines to draw, newest first: at most <c>DisplayLines</c>, none after a pause, matching the filter's terms.</summary>
    public IReadOnlyList<LiveTailLine> Visible()
    {
        var shown = new List<LiveTailLine>(Math.Min(_displayLines, _count));
        for (var i = _count - 1; i >= 0 && shown.Count < _displayLines; i--)
        {
            var line = At(i);
            if (Paused && line.Id > _pausedAt)
            {
                continue;
            }

            if (line.Event is null || _terms is null || _terms.All(t => line.Event.Message.Contains(t, StringComparison.Ordinal)))
            {
                shown.Add(line);
            }
        }

        return shown;
    }

    /// <summary>The words of a pattern made only of plain terms (<c>ERROR timeout</c>); null for anything CloudWatch reads differently.</summary>
    internal static IReadOnlyList<string>? PlainTerms(string pattern)
    {
        var terms = pattern.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return terms.Any(t => t.IndexOfAny(['{', '}', '[', ']', '"', '?', '%', '=', '$', '*']) >= 0 || t.StartsWith('-')) ? null : terms;
    }

    private LiveTailLine At(int index) => _ring[(_start + index) % _ring.Length];

    private void Push(LiveTailLine line)
    {
        if (_count < _ring.Length)
        {
            _ring[(_start + _count) % _ring.Length] = line;
            _count++;
            return;
        }

        if (_ring[_start].Event is not null)
        {
            DroppedLines++;
        }

        _ring[_start] = line;
        _start = (_start + 1) % _ring.Length;
    }
}
