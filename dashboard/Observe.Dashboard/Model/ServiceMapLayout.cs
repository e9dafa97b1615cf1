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
    /// Lays the graph out: a service's column is its distance from the entry points (roots, or services nothing
    /// calls); services only reachable through a loop start a column of their own. Rows are by name.
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

        var outgoing = edges.GroupBy(e => e.SourceKey, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Select(e => e.TargetKey).ToList(), StringComparer.Ordinal);
        var called = edges.Where(e => e.SourceKey != e.TargetKey).Select(e => e.TargetKey).ToHashSet(StringComparer.Ordinal);
        var layer = new Dictionary<string, int>(StringComparer.Ordinal);
        var queue = new Queue<string>();
        void Start(IEnumerable<string> keys)
        {
            foreach (var key in keys.Where(k => !layer.ContainsKey(k)))
            {
                layer[key] = 0;
                queue.Enqueue(key);
            }

            while (queue.Count > 0)
            {
                var key = queue.Dequeue();
                foreach (var target in outgoing.GetValueOrDefault(key) ?? [])
                {
                    if (!layer.ContainsKey(target))
                    {
                        layer[target] = layer[key] + 1;
                        queue.Enqueue(target);
                    }
                }
            }
        }

        var ordered = nodes.Values.OrderBy(n => n.Name, StringComparer.Ordinal).ThenBy(n => n.Key, StringComparer.Ordinal).ToList();
        Start(ordered.Where(n => n.Root || !called.Contains(n.Key)).Select(n => n.Key));
        foreach (var node in ordered.Where(n => !layer.ContainsKey(n.Key)))
        {
            Start([node.Key]);
        }

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
