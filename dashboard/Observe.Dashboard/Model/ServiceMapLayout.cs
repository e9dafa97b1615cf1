using System.Globalization;
using Observe.Store;
using Observe.Store.Model;

namespace Observe.Dashboard.Model;

/// <summary>A service placed on the map: its column (calls flow left to right) and row within the column.</summary>
public sealed record ServiceMapNode(ServiceGraphNode Node, int Layer, int Row, double X, double Y)
{
    public bool IsFunction => Node.Type is "AWS::Lambda::Function" or "AWS::Lambda";
}

/// <summary>Calls drawn from one placed service to another.</summary>
public sealed record ServiceMapEdge(ServiceGraphEdge Edge, ServiceMapNode Source, ServiceMapNode Target);

/// <summary>The service map over a range: the graph (filtered to one function's neighbourhood when asked) laid out in layers.</summary>
/// <param name="Range">The range the graph sums.</param>
/// <param name="Function">The function name the map is filtered to; null for the whole graph.</param>
/// <param name="Windows">How many collection windows the graph sums; 0 when nothing was collected in the range.</param>
/// <param name="TotalNodes">Services in the range before the function filter.</param>
/// <param name="Nodes">The services shown, placed, by column then row.</param>
/// <param name="Edges">The calls between the services shown.</param>
/// <param name="Width">The drawing's width, in SVG units.</param>
/// <param name="Height">The drawing's height, in SVG units.</param>
public sealed record ServiceMapViewModel(
    TimeRange Range,
    string? Function,
    int Windows,
    int TotalNodes,
    IReadOnlyList<ServiceMapNode> Nodes,
    IReadOnlyList<ServiceMapEdge> Edges,
    double Width,
    double Height)
{
    public const double NodeWidth = 200;
    public const double NodeHeight = 64;
    public const double ColumnGap = 90;
    public const double RowGap = 24;

    /// <summary>Requests a minute over the range; null when the range is empty.</summary>
    public double? PerMinute(ServiceGraphStats stats)
    {
        ArgumentNullException.ThrowIfNull(stats);
        var minutes = (Range.To - Range.From).TotalMinutes;
        return minutes > 0 ? stats.Requests / minutes : null;
    }

    /// <summary>A share of the requests; null (shown as no data, never 0%) when there were none.</summary>
    public static double? Share(long count, ServiceGraphStats stats) => stats.Requests > 0 ? (double)count / stats.Requests : null;

    /// <summary>The mean response time; null when there were no requests.</summary>
    public static double? AverageMs(ServiceGraphStats stats) => stats.Requests > 0 ? stats.ResponseTimeSumMs / stats.Requests : null;

    public static string Rate(double? perMinute) =>
        perMinute is { } v ? v.ToString(v < 10 ? "0.##" : "#,0", CultureInfo.InvariantCulture) + "/min" : FigureFormat.NoData;

    public static string Latency(ServiceGraphStats stats) => AverageMs(stats) is { } ms ? TraceWaterfall.FormatMs(ms) : FigureFormat.NoData;

    /// <summary>
    /// Lays the graph out: a service's column is the longest chain of calls leading to it from the entry points
    /// (roots, or services nothing calls), so every call that is not part of a loop points right. Rows are by name.
    /// </summary>
    public static ServiceMapViewModel Build(ServiceGraph graph, TimeRange range, string? function)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var nodes = graph.Nodes.ToDictionary(n => n.Key, StringComparer.Ordinal);
        var edges = graph.Edges.Where(e => nodes.ContainsKey(e.SourceKey) && nodes.ContainsKey(e.TargetKey)).ToList();
        if (function is not null)
        {
            var keep = Neighbourhood(nodes.Values.Where(n => n.Name == function).Select(n => n.Key), edges);
            nodes = nodes.Where(n => keep.Contains(n.Key)).ToDictionary(StringComparer.Ordinal);
            edges = edges.Where(e => keep.Contains(e.SourceKey) && keep.Contains(e.TargetKey)).ToList();
        }

        var ordered = nodes.Values.OrderBy(n => n.Name, StringComparer.Ordinal).ThenBy(n => n.Key, StringComparer.Ordinal).ToList();
        var layer = Layers(ordered, edges);

        var placed = new Dictionary<string, ServiceMapNode>(StringComparer.Ordinal);
        foreach (var column in ordered.GroupBy(n => layer[n.Key]).OrderBy(g => g.Key))
        {
            var row = 0;
            foreach (var node in column)
            {
                placed[node.Key] = new ServiceMapNode(node, column.Key, row, column.Key * (NodeWidth + ColumnGap), row * (NodeHeight + RowGap));
                row++;
            }
        }

        var width = placed.Count == 0 ? 0 : placed.Values.Max(n => n.X) + NodeWidth;
        var height = placed.Count == 0 ? 0 : placed.Values.Max(n => n.Y) + NodeHeight;
        return new ServiceMapViewModel(range, function, graph.Windows, graph.Nodes.Count,
            [.. placed.Values.OrderBy(n => n.Layer).ThenBy(n => n.Row)],
            [.. edges.Select(e => new ServiceMapEdge(e, placed[e.SourceKey], placed[e.TargetKey]))],
            width, height);
    }

    /// <summary>
    /// Longest-path columns: a depth-first walk from the entry points (then from whatever is left, a loop) drops the
    /// calls that close a loop, and what remains is ordered so each service sits one column right of its furthest caller.
    /// </summary>
    private static Dictionary<string, int> Layers(List<ServiceGraphNode> ordered, List<ServiceGraphEdge> edges)
    {
        var outgoing = edges.Where(e => e.SourceKey != e.TargetKey)
            .GroupBy(e => e.SourceKey, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(e => e.TargetKey).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList(), StringComparer.Ordinal);
        var called = edges.Where(e => e.SourceKey != e.TargetKey).Select(e => e.TargetKey).ToHashSet(StringComparer.Ordinal);
        var state = new Dictionary<string, bool>(StringComparer.Ordinal); // false: on the walk's path; true: done
        var forward = new List<(string From, string To)>();
        foreach (var root in ordered.Where(n => n.Root || !called.Contains(n.Key)).Concat(ordered).Select(n => n.Key))
        {
            if (state.ContainsKey(root))
            {
                continue;
            }

            var stack = new Stack<(string Key, int Next)>();
            stack.Push((root, 0));
            state[root] = false;
            while (stack.Count > 0)
            {
                var (key, next) = stack.Pop();
                var targets = outgoing.GetValueOrDefault(key) ?? [];
                if (next >= targets.Count)
                {
                    state[key] = true;
                    continue;
                }

                stack.Push((key, next + 1));
                var target = targets[next];
                if (!state.TryGetValue(target, out var done))
                {
                    forward.Add((key, target));
                    state[target] = false;
                    stack.Push((target, 0));
                }
                else if (done)
                {
                    forward.Add((key, target));
                }

                // A target still on the path closes a loop: that call is drawn, but does not push its target right.
            }
        }

        var layer = ordered.ToDictionary(n => n.Key, _ => 0, StringComparer.Ordinal);
        var incoming = forward.GroupBy(e => e.To, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var successors = forward.GroupBy(e => e.From, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Select(e => e.To).ToList(), StringComparer.Ordinal);
        var ready = new Queue<string>(ordered.Select(n => n.Key).Where(k => !incoming.ContainsKey(k)));
        while (ready.Count > 0)
        {
            var key = ready.Dequeue();
            foreach (var target in successors.GetValueOrDefault(key) ?? [])
            {
                layer[target] = Math.Max(layer[target], layer[key] + 1);
                if (--incoming[target] == 0)
                {
                    ready.Enqueue(target);
                }
            }
        }

        return layer;
    }

    /// <summary>The services the matched ones call (transitively) and those that call them (transitively).</summary>
    private static HashSet<string> Neighbourhood(IEnumerable<string> matched, List<ServiceGraphEdge> edges)
    {
        var start = matched.ToHashSet(StringComparer.Ordinal);
        var keep = new HashSet<string>(start, StringComparer.Ordinal);
        foreach (var forward in new[] { true, false })
        {
            // From the matched services each way apart: a table's other callers are not the function's neighbours.
            var reached = new HashSet<string>(start, StringComparer.Ordinal);
            var queue = new Queue<string>(start);
            while (queue.Count > 0)
            {
                var key = queue.Dequeue();
                foreach (var edge in edges)
                {
                    var (from, to) = forward ? (edge.SourceKey, edge.TargetKey) : (edge.TargetKey, edge.SourceKey);
                    if (from == key && reached.Add(to))
                    {
                        queue.Enqueue(to);
                    }
                }
            }

            keep.UnionWith(reached);
        }

        return keep;
    }
}

/// <summary>The service map's query: the graph summed over the range, laid out. The page sets <see cref="Function"/>.</summary>
public sealed class ServiceMapData(ITraceReader traces) : ILiveData<ServiceMapViewModel>
{
    public string? Function { get; set; }

    public StoreChangeKind Changes => StoreChangeKind.Traces;

    public bool UsesTimeRange => true;

    public bool RefreshOnTimer => false;

    public async Task<ServiceMapViewModel> LoadAsync(LiveQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var range = query.Range ?? throw new ArgumentException("the service map needs a time range", nameof(query));
        var graph = await traces.GetServiceGraphAsync(FleetFilter.All, range, cancellationToken);
        return ServiceMapViewModel.Build(graph, range, Function);
    }
}
