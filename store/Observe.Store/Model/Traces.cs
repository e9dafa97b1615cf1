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
