using System.Globalization;
using Observe.Store.Model;

namespace Observe.Dashboard.Model;

/// <summary>What a waterfall row stands for, which decides how it is drawn.</summary>
public enum WaterfallKind
{
    /// <summary>A segment a service sent (it has an origin such as <c>AWS::Lambda::Function</c>).</summary>
    Segment,

    /// <summary>One of the Lambda service's own subsegments: <c>Initialization</c>, <c>Invocation</c>, <c>Overhead</c> (and SnapStart's <c>Restore</c>).</summary>
    LambdaPhase,

    /// <summary>A call out of the function: to an AWS service or over HTTP.</summary>
    Downstream,

    /// <summary>Any other subsegment (code the function timed itself).</summary>
    Subsegment,
}

/// <summary>
/// One span of the waterfall, in tree order (a parent before its children, siblings by start).
/// </summary>
/// <param name="Segment">The span as stored.</param>
/// <param name="Depth">How far it is indented: 0 for a root (or a span whose parent is missing).</param>
/// <param name="OffsetMs">Its start after the trace's first start.</param>
/// <param name="DurationMs">How long it ran; null when it never closed (no end time).</param>
/// <param name="Left">Where its bar starts on the shared axis, 0 to 100.</param>
/// <param name="Width">Its bar's width on the axis, 0 to 100: an unclosed span reaches the axis's end.</param>
/// <param name="MissingParent">It names a parent the trace does not hold (not sent, or not yet collected).</param>
/// <param name="Kind">What it stands for.</param>
/// <param name="Outcome">ok, error, fault or throttle.</param>
public sealed record WaterfallRow(
    TraceSegment Segment,
    int Depth,
    double OffsetMs,
    double? DurationMs,
    double Left,
    double Width,
    bool MissingParent,
    WaterfallKind Kind,
    string Outcome)
{
    public const string AnnotationPrefix = "annotation.";

    /// <summary>The traces collector's prefix for X-Ray metadata (<c>metadata.{namespace}.{key}</c>).</summary>
    public const string MetadataPrefix = "metadata.";

    public bool Unclosed => DurationMs is null;

    /// <summary>The HTTP status the span recorded, if any.</summary>
    public string? HttpStatus => Segment.Attributes.GetValueOrDefault("http.status");

    /// <summary>What a downstream call called: the AWS operation and resource, or the HTTP method and URL.</summary>
    public string? Call
    {
        get
        {
            var a = Segment.Attributes;
            if (a.GetValueOrDefault("aws.operation") is { } operation)
            {
                return a.GetValueOrDefault("aws.resource") is { } resource ? $"{operation} {resource}" : operation;
            }

            return a.GetValueOrDefault("http.url") is { } url ? $"{a.GetValueOrDefault("http.method")} {url}".Trim() : null;
        }
    }

    /// <summary>The span's annotations (X-Ray's indexed key-value pairs), by name.</summary>
    public IEnumerable<KeyValuePair<string, string>> Annotations =>
        Segment.Attributes.Where(a => a.Key.StartsWith(AnnotationPrefix, StringComparison.Ordinal))
            .Select(a => KeyValuePair.Create(a.Key[AnnotationPrefix.Length..], a.Value))
            .OrderBy(a => a.Key, StringComparer.Ordinal);

    /// <summary>The span's metadata (X-Ray's non-indexed values, by namespace), as <c>{namespace}.{key}</c>.</summary>
    public IEnumerable<KeyValuePair<string, string>> Metadata =>
        Segment.Attributes.Where(a => a.Key.StartsWith(MetadataPrefix, StringComparison.Ordinal))
            .Select(a => KeyValuePair.Create(a.Key[MetadataPrefix.Length..], a.Value))
            .OrderBy(a => a.Key, StringComparer.Ordinal);

    /// <summary>Everything else the collector kept of the span (HTTP, AWS call, error cause), by name.</summary>
    public IEnumerable<KeyValuePair<string, string>> Fields =>
        Segment.Attributes.Where(a => !a.Key.StartsWith(AnnotationPrefix, StringComparison.Ordinal) && !a.Key.StartsWith(MetadataPrefix, StringComparison.Ordinal))
            .OrderBy(a => a.Key, StringComparer.Ordinal);
}

/// <summary>
/// A trace laid out as a waterfall: every span nested under its parent on one time axis, from the trace's first
/// start to its last end. Nothing is dropped: a span whose parent is missing is shown at the top level and marked, a
/// span that never closed runs to the axis's end and is marked, and spans caught in a parent loop are shown as
/// missing their parent.
/// </summary>
public sealed record TraceWaterfall(TraceSummary Summary, DateTimeOffset Start, double TotalMs, IReadOnlyList<WaterfallRow> Rows)
{
    /// <summary>The Lambda service's own subsegment names.</summary>
    public static readonly IReadOnlySet<string> LambdaPhases = new HashSet<string>(StringComparer.Ordinal) { "Initialization", "Invocation", "Overhead", "Restore" };

    public int MissingParents => Rows.Count(r => r.MissingParent);

    public int Unclosed => Rows.Count(r => r.Unclosed);

    /// <summary>The trace has an Initialization subsegment: the function started cold.</summary>
    public bool ColdStart => Rows.Any(r => r.Kind == WaterfallKind.LambdaPhase && r.Segment.Name == "Initialization");

    public WaterfallRow? Find(string? id) => id is null ? null : Rows.FirstOrDefault(r => r.Segment.Id == id);

    public static TraceWaterfall Build(TraceTree trace)
    {
        ArgumentNullException.ThrowIfNull(trace);
        var segments = trace.Segments;
        if (segments.Count == 0)
        {
            return new TraceWaterfall(trace.Summary, trace.Summary.Start, trace.Summary.DurationMs, []);
        }

        var start = segments.Min(s => s.Start);
        var end = segments.Max(s => s.End ?? s.Start);
        var summaryEnd = trace.Summary.Start.AddMilliseconds(trace.Summary.DurationMs);
        if (summaryEnd > end)
        {
            end = summaryEnd;
        }

        var total = (end - start).TotalMilliseconds;

        // Ids are unique in a well-formed trace; with a duplicate, children hang under the first holder of the id.
        var byId = new Dictionary<string, TraceSegment>(StringComparer.Ordinal);
        foreach (var segment in segments)
        {
            byId.TryAdd(segment.Id, segment);
        }

        var children = segments
            .Where(s => s.ParentId is not null && byId.ContainsKey(s.ParentId) && s.ParentId != s.Id)
            .GroupBy(s => s.ParentId!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.OrderBy(s => s.Start).ThenBy(s => s.Name, StringComparer.Ordinal).ToList(), StringComparer.Ordinal);

        var rows = new List<WaterfallRow>(segments.Count);
        var placed = new HashSet<TraceSegment>(ReferenceEqualityComparer.Instance);
        void Place(TraceSegment root, bool missingParent)
        {
            // Depth-first without recursion: a deep trace must not exhaust the stack.
            var stack = new Stack<(TraceSegment Segment, int Depth, bool Missing)>();
            stack.Push((root, 0, missingParent));
            while (stack.Count > 0)
            {
                var (segment, depth, missing) = stack.Pop();
                if (!placed.Add(segment))
                {
                    continue;
                }

                rows.Add(Row(segment, depth, missing, start, total));
                if (byId.TryGetValue(segment.Id, out var holder) && ReferenceEquals(holder, segment) && children.TryGetValue(segment.Id, out var kids))
                {
                    for (var i = kids.Count - 1; i >= 0; i--)
                    {
                        stack.Push((kids[i], depth + 1, false));
                    }
                }
            }
        }

        var ordered = segments.OrderBy(s => s.Start).ThenBy(s => s.Name, StringComparer.Ordinal).ToList();
        foreach (var segment in ordered.Where(s => s.ParentId is null || s.ParentId == s.Id))
        {
            Place(segment, missingParent: false);
        }

        foreach (var segment in ordered.Where(s => s.ParentId is not null && s.ParentId != s.Id && !byId.ContainsKey(s.ParentId)))
        {
            Place(segment, missingParent: true);
        }

        // What is left hangs in a loop of parents (a names b, b names a): shown, marked as missing a real parent.
        foreach (var segment in ordered.Where(s => !placed.Contains(s)))
        {
            Place(segment, missingParent: true);
        }

        return new TraceWaterfall(trace.Summary, start, total, rows);
    }

    /// <summary>A duration with 3 significant figures: 0.412 ms, 41.2 ms, 412 ms, 4.12 s, 41.2 s.</summary>
    public static string FormatMs(double ms)
    {
        var culture = CultureInfo.InvariantCulture;
        return ms switch
        {
            < 1 => ms.ToString("0.###", culture) + " ms",
            < 10 => ms.ToString("0.##", culture) + " ms",
            < 100 => ms.ToString("0.#", culture) + " ms",
            < 1_000 => ms.ToString("0", culture) + " ms",
            < 10_000 => (ms / 1_000).ToString("0.##", culture) + " s",
            < 100_000 => (ms / 1_000).ToString("0.#", culture) + " s",
            _ => (ms / 1_000).ToString("#,0", culture) + " s",
        };
    }

    private static WaterfallRow Row(TraceSegment segment, int depth, bool missingParent, DateTimeOffset start, double total)
    {
        var offset = (segment.Start - start).TotalMilliseconds;
        double? duration = segment.End is { } end ? Math.Max(0, (end - segment.Start).TotalMilliseconds) : null;
        var left = total > 0 ? Math.Clamp(offset / total * 100, 0, 100) : 0;
        var width = total > 0 ? Math.Clamp((duration ?? (total - offset)) / total * 100, 0, 100 - left) : 0;
        return new WaterfallRow(segment, depth, offset, duration, left, width, missingParent, KindOf(segment, depth),
            TraceOutcome.Of(segment.Fault, segment.Throttle, segment.Error));
    }

    private static WaterfallKind KindOf(TraceSegment segment, int depth)
    {
        if (segment.Origin is not null)
        {
            return WaterfallKind.Segment;
        }

        if (LambdaPhases.Contains(segment.Name) && depth > 0)
        {
            return WaterfallKind.LambdaPhase;
        }

        var a = segment.Attributes;
        return a.ContainsKey("aws.operation") || a.ContainsKey("http.url") || a.ContainsKey("http.status") ||
               a.GetValueOrDefault("namespace") is "aws" or "remote"
            ? WaterfallKind.Downstream
            : WaterfallKind.Subsegment;
    }
}
