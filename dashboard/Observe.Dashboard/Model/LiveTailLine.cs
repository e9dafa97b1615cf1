using System.Text.Json;
using System.Text.RegularExpressions;
using Observe.Collectors.LiveTail;

namespace Observe.Dashboard.Model;

/// <summary>How a line is highlighted; the level's word is shown beside the colour.</summary>
public enum LineLevel
{
    None,
    Debug,
    Info,
    Warning,
    Error,

    /// <summary>Lambda's own START, END, REPORT and INIT_START lines.</summary>
    Platform,
}

/// <summary>A piece of a line's text: plain, or an X-Ray trace id that links to its trace.</summary>
public sealed record LineSegment(string Text, bool IsTraceId);

/// <summary>A top-level field of a JSON line: strings as they are, other values as compact JSON, cut around trace ids.</summary>
public sealed record LineField(string Name, IReadOnlyList<LineSegment> Segments);

/// <summary>
/// One line on the Live tail page: a log event, or a marker (a gap, a filter change, dropped lines). Its level,
/// fields and trace ids are worked out on first display only: at 500 events a second most lines never are.
/// </summary>
internal sealed class LiveTailLine
{
    private LineParts? _parts;

    private LiveTailLine(long id, LiveTailEvent? logEvent, string? marker, DateTimeOffset at)
    {
        Id = id;
        Event = logEvent;
        Marker = marker;
        At = at;
    }

    /// <summary>Arrival order on this page, for keys and for where a pause holds.</summary>
    public long Id { get; }

    /// <summary>The log event; null on a marker.</summary>
    public LiveTailEvent? Event { get; }

    /// <summary>What the marker says; null on a log event.</summary>
    public string? Marker { get; }

    /// <summary>The event's timestamp, or when the marker was added.</summary>
    public DateTimeOffset At { get; }

    public LineParts Parts => _parts ??= Event is null ? LineParts.Empty : LineParts.Parse(Event.Message);

    public static LiveTailLine ForEvent(long id, LiveTailEvent logEvent) => new(id, logEvent, null, logEvent.Timestamp);

    public static LiveTailLine ForMarker(long id, string marker, DateTimeOffset at) => new(id, null, marker, at);
}

/// <summary>A line's level, its text cut around trace ids, and its JSON fields when it is a JSON object.</summary>
public sealed partial record LineParts(LineLevel Level, IReadOnlyList<LineSegment> Segments, IReadOnlyList<LineField> Fields)
{
    private static readonly string[] LevelNames = ["level", "severity", "loglevel", "log_level", "@l", "lvl"];

    public static LineParts Empty { get; } = new(LineLevel.None, [], []);

    public static LineParts Parse(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var segments = SplitTraceIds(message);
        var trimmed = message.AsSpan().Trim();
        if (trimmed.Length > 1 && trimmed[0] == '{' && trimmed[^1] == '}' && TryFields(message, out var fields, out var jsonLevel))
        {
            return new LineParts(jsonLevel ?? TextLevel(message), segments, fields);
        }

        return new LineParts(TextLevel(message), segments, []);
    }

    /// <summary>A level word (ERROR, WARN, INFO, DEBUG...) or Lambda's platform lines, as the .NET, Node and Python runtimes write them.</summary>
    public static LineLevel ToLevel(string? word) => word?.Trim().Trim('[', ']').ToUpperInvariant() switch
    {
        "ERROR" or "ERR" or "FATAL" or "CRITICAL" or "CRIT" or "FAIL" or "EMERGENCY" or "ALERT" => LineLevel.Error,
        "WARN" or "WARNING" => LineLevel.Warning,
        "INFO" or "INFORMATION" or "NOTICE" => LineLevel.Info,
        "DEBUG" or "TRACE" or "VERBOSE" or "DBUG" or "TRCE" => LineLevel.Debug,
        _ => LineLevel.None,
    };

    private static LineLevel TextLevel(string message)
    {
        if (message.StartsWith("START RequestId:", StringComparison.Ordinal) || message.StartsWith("END RequestId:", StringComparison.Ordinal)
            || message.StartsWith("REPORT RequestId:", StringComparison.Ordinal) || message.StartsWith("INIT_START", StringComparison.Ordinal))
        {
            return LineLevel.Platform;
        }

        // Lambda's text format: "timestamp\trequest id\tLEVEL\tmessage" (Node, .NET) or "[LEVEL]\ttimestamp\t..." (Python).
        var columns = message.Split('\t', 4);
        if (columns.Length >= 3)
        {
            var tabbed = ToLevel(columns[2]);
            tabbed = tabbed == LineLevel.None ? ToLevel(columns[0]) : tabbed;
            if (tabbed != LineLevel.None)
            {
                return tabbed;
            }
        }

        // Otherwise the first level word near the start: bracketed in any case ([Warning]), bare only in capitals, so
        // "no error" in a sentence is not an error line.
        var head = message.Length > 200 ? message[..200] : message;
        foreach (Match word in LevelWord().Matches(head))
        {
            var level = ToLevel(word.Groups[1].Success ? word.Groups[1].Value : word.Groups[2].Value);
            if (level != LineLevel.None)
            {
                return level;
            }
        }

        return LineLevel.None;
    }

    private static bool TryFields(string message, out IReadOnlyList<LineField> fields, out LineLevel? level)
    {
        fields = [];
        level = null;
        try
        {
            using var document = JsonDocument.Parse(message);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return false;
            }

            var list = new List<LineField>();
            foreach (var property in document.RootElement.EnumerateObject())
            {
                var value = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString() ?? "" : property.Value.GetRawText();
                var name = property.Name.ToLowerInvariant();
                if (level is null && LevelNames.Contains(name) && ToLevel(value) is var l && l != LineLevel.None)
                {
                    level = l;
                }

                list.Add(new LineField(property.Name, SplitTraceIds(value)));
            }

            fields = list;
            return true;
        }
        catch (JsonException)
        {
            // Looked like JSON but is not: shown as text.
            return false;
        }
    }

    private static List<LineSegment> SplitTraceIds(string message)
    {
        var segments = new List<LineSegment>();
        var at = 0;
        foreach (Match match in TraceId().Matches(message))
        {
            if (match.Index > at)
            {
                segments.Add(new LineSegment(message[at..match.Index], false));
            }

            segments.Add(new LineSegment(match.Value, true));
            at = match.Index + match.Length;
        }

        if (at < message.Length)
        {
            segments.Add(new LineSegment(message[at..], false));
        }

        return segments;
    }

    /// <summary>An X-Ray trace id (<c>1-5759e988-bd862e3fe1be46a994272793</c>), bare or in a <c>Root=</c> header.</summary>
    [GeneratedRegex(@"\b1-[0-9a-f]{8}-[0-9a-f]{24}\b", RegexOptions.CultureInvariant)]
    private static partial Regex TraceId();

    [GeneratedRegex(@"\[([A-Za-z]{3,11})\]|\b([A-Z]{3,11})\b", RegexOptions.CultureInvariant)]
    private static partial Regex LevelWord();
}
