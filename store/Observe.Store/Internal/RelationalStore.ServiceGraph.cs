using Observe.Store.Model;

namespace Observe.Store.Internal;

internal abstract partial class RelationalStore
{
    public async Task WriteServiceGraphAsync(IReadOnlyCollection<ServiceGraphWindow> windows, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(windows);
        if (windows.Count == 0)
        {
            return;
        }

        foreach (var window in windows)
        {
            if (window.End <= window.Start)
            {
                throw new ArgumentException(
                    $"service graph window of {window.AccountId} {window.Region} ends ({window.End:O}) before it starts ({window.Start:O})", nameof(windows));
            }
        }

        await using var scope = await BeginWriteAsync(WriteLock.None, cancellationToken);
        await using (var command = scope.Command("""
            INSERT INTO service_graph (account_id, region, start_ms, end_ms, nodes, edges)
            VALUES (@account, @region, @start, @end, @nodes, @edges)
            ON CONFLICT (account_id, region, start_ms) DO UPDATE SET
                end_ms = excluded.end_ms, nodes = excluded.nodes, edges = excluded.edges
            """))
        {
            foreach (var window in windows)
            {
                command.Parameters.Clear();
                command.AddText("@account", window.AccountId);
                command.AddText("@region", window.Region);
                command.AddInt64("@start", StoreTime.ToMs(window.Start));
                command.AddInt64("@end", StoreTime.ToMs(window.End));
                command.AddText("@nodes", StoreJson.Nodes(window.Nodes));
                command.AddText("@edges", StoreJson.Edges(window.Edges));
                await command.ExecuteNonQueryAsync(cancellationToken);
            }
        }

        // The graph is derived from traces: pages showing traces show it too.
        scope.Changed |= StoreChangeKind.Traces;
        await scope.CommitAsync(cancellationToken);
    }

    public async Task<ServiceGraph> GetServiceGraphAsync(FleetFilter filter, TimeRange range, CancellationToken cancellationToken)
    {
        await using var connection = await OpenReadConnectionAsync(cancellationToken);
        await using var command = connection.Command(null, "");
        var where = FilterSql(command, filter, "account_id", "region");
        command.CommandText = $"SELECT nodes, edges FROM service_graph WHERE start_ms >= @from AND start_ms < @to{where}";
        command.AddInt64("@from", StoreTime.ToMs(range.From));
        command.AddInt64("@to", StoreTime.ToMs(range.To));

        var nodes = new Dictionary<string, ServiceGraphNode>(StringComparer.Ordinal);
        var edges = new Dictionary<(string, string), ServiceGraphEdge>();
        var windows = 0;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            windows++;
            foreach (var node in StoreJson.Nodes(reader.GetString(0)))
            {
                nodes[node.Key] = nodes.TryGetValue(node.Key, out var seen)
                    ? seen with { Root = seen.Root || node.Root, Stats = seen.Stats + node.Stats }
                    : node;
            }

            foreach (var edge in StoreJson.Edges(reader.GetString(1)))
            {
                var key = (edge.SourceKey, edge.TargetKey);
                edges[key] = edges.TryGetValue(key, out var seen) ? seen with { Stats = seen.Stats + edge.Stats } : edge;
            }
        }

        return new ServiceGraph(
            [.. nodes.Values.OrderBy(n => n.Key, StringComparer.Ordinal)],
            [.. edges.Values.OrderBy(e => e.SourceKey, StringComparer.Ordinal).ThenBy(e => e.TargetKey, StringComparer.Ordinal)],
            windows);
    }
}
