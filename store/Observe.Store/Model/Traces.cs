namespace Observe.Store.Model;

/// <summary>One X-Ray trace as GetTraceSummaries describes it.</summary>
public sealed record TraceSummary
{
    /// <summary>X-Ray form: <c>1-5759e988-bd862e3fe1be46a994272793</c>.</summary>
    public required string TraceId { get; init; }

    public required DateTimeOffset Start { get; init; }
    public double DurationMs { get; init; }
    public bool HasError { get; init; }
    public bool HasFault { get; init; }
    public bool HasThrottle { get; init; }

    /// <summary>Entry point, for example the API Gateway route or the function name.</summary>
    public string? EntryPoint { get; init; }

    public string? HttpStatus { get; init; }
    public IReadOnlyList<FunctionKey> Functions { get; init; } = [];
}

/// <summary>A segment or subsegment in a trace tree.</summary>
public sealed record TraceSegment
{
    public required string Id { get; init; }
    public string? ParentId { get; init; }
    public required string Name { get; init; }

    /// <summary>Origin such as <c>AWS::Lambda::Function</c>, or null for subsegments.</summary>
    public string? Origin { get; init; }

    public required DateTimeOffset Start { get; init; }
    public DateTimeOffset? End { get; init; }
    public bool Error { get; init; }
    public bool Fault { get; init; }
    public bool Throttle { get; init; }

    /// <summary>Annotations and selected attributes (http.status, aws.operation), flattened to strings.</summary>
    public IReadOnlyDictionary<string, string> Attributes { get; init; } = new Dictionary<string, string>();
}

/// <summary>A whole trace: its summary and every segment, parents before children not guaranteed.</summary>
public sealed record TraceTree(TraceSummary Summary, IReadOnlyList<TraceSegment> Segments);

/// <summary>Trace outcomes a search can ask for; several are read as "any of them". None asks for every trace.</summary>
[Flags]
public enum TraceStatuses
{
    None = 0,

    /// <summary>No error, fault or throttle anywhere in the trace.</summary>
    Ok = 1,

    /// <summary>A client error (4xx) somewhere in the trace.</summary>
    Error = 2,

    /// <summary>A server fault (5xx) somewhere in the trace.</summary>
    Fault = 4,

    /// <summary>A throttled call (429) somewhere in the trace.</summary>
    Throttle = 8,
}

/// <summary>The order of a trace search's results; ties are broken by trace id so pages never overlap.</summary>
public enum TraceSort
{
    Newest,
    Oldest,
    Slowest,
    Fastest,
}

/// <summary>What the Traces page searches for: traces starting in <see cref="Range"/> that match every set field.</summary>
public sealed record TraceSearch
{
    public required TimeRange Range { get; init; }

    /// <summary>Only traces through a function of this name (in the <see cref="Fleet"/>'s accounts and regions); null for any.</summary>
    public string? FunctionName { get; init; }

    /// <summary>Only traces through a function of these accounts and regions.</summary>
    public FleetFilter Fleet { get; init; } = FleetFilter.All;

    /// <summary>Inclusive lower bound of the trace's duration; null for none.</summary>
    public double? MinDurationMs { get; init; }

    /// <summary>Inclusive upper bound of the trace's duration; null for none.</summary>
    public double? MaxDurationMs { get; init; }

    public TraceStatuses Statuses { get; init; }

    /// <summary>Exactly this trace id; null for any.</summary>
    public string? TraceId { get; init; }

    public TraceSort Sort { get; init; }

    /// <summary>Results skipped before the page (rows of earlier pages).</summary>
    public int Offset { get; init; }

    /// <summary>The page's size.</summary>
    public int Limit { get; init; } = 50;
}

/// <summary>One page of a trace search, and whether later pages have more.</summary>
public sealed record TraceSearchResult(IReadOnlyList<TraceSummary> Traces, bool HasMore);
