namespace Observe.Store.Model;

/// <summary>Request counts and summed response time of a service or an edge over one window, as X-Ray reports them.</summary>
public sealed record ServiceGraphStats
{
    public long Requests { get; init; }
    public long Ok { get; init; }

    /// <summary>Client errors (4xx) other than throttles.</summary>
    public long Errors { get; init; }

    /// <summary>Server faults (5xx).</summary>
    public long Faults { get; init; }

    /// <summary>Throttled requests (429).</summary>
    public long Throttles { get; init; }

    /// <summary>Response time summed over <see cref="Requests"/>, so averages combine exactly across windows.</summary>
    public double ResponseTimeSumMs { get; init; }

    public static ServiceGraphStats operator +(ServiceGraphStats left, ServiceGraphStats right)
    {
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);
        return new()
        {
            Requests = left.Requests + right.Requests,
            Ok = left.Ok + right.Ok,
            Errors = left.Errors + right.Errors,
            Faults = left.Faults + right.Faults,
            Throttles = left.Throttles + right.Throttles,
            ResponseTimeSumMs = left.ResponseTimeSumMs + right.ResponseTimeSumMs,
        };
    }
}

/// <summary>
/// A service in the graph. <see cref="Key"/> identifies it across windows (X-Ray's reference ids are only valid
/// within one response): <c>{account}/{type}/{name}</c>, the account empty for services outside any account.
/// </summary>
public sealed record ServiceGraphNode
{
    public required string Key { get; init; }
    public required string Name { get; init; }

    /// <summary>For example <c>AWS::Lambda::Function</c>, <c>AWS::DynamoDB::Table</c>, or null for a client.</summary>
    public string? Type { get; init; }

    public string? AccountId { get; init; }

    /// <summary>True for an entry point of the graph (a client or the first service called).</summary>
    public bool Root { get; init; }

    public ServiceGraphStats Stats { get; init; } = new();

    public static string KeyFor(string? accountId, string? type, string name) => $"{accountId}/{type}/{name}";
}

/// <summary>Calls from one service to another: the statistics are the caller's view of the downstream calls.</summary>
public sealed record ServiceGraphEdge
{
    public required string SourceKey { get; init; }
    public required string TargetKey { get; init; }
    public ServiceGraphStats Stats { get; init; } = new();
}

/// <summary>
/// The service graph of one account and region over one collection window [Start, End). Windows of one
/// account and region do not overlap, so graphs over a longer range are sums of windows.
/// </summary>
public sealed record ServiceGraphWindow
{
    public required string AccountId { get; init; }
    public required string Region { get; init; }
    public required DateTimeOffset Start { get; init; }
    public required DateTimeOffset End { get; init; }
    public IReadOnlyList<ServiceGraphNode> Nodes { get; init; } = [];
    public IReadOnlyList<ServiceGraphEdge> Edges { get; init; } = [];
}

/// <summary>The service graph over a range: nodes and edges summed over the windows that start in it.</summary>
public sealed record ServiceGraph(IReadOnlyList<ServiceGraphNode> Nodes, IReadOnlyList<ServiceGraphEdge> Edges, int Windows);
