using Observe.Collectors.XRay;
using Observe.Store.Model;

namespace Observe.Collectors.Traces;

/// <summary>GetServiceGraph's services (nodes with edges by reference id) as one stored window.</summary>
internal static class ServiceGraphs
{
    public static ServiceGraphWindow ToWindow(IReadOnlyList<XRayServiceNode> services, string accountId, string region, DateTimeOffset start, DateTimeOffset end)
    {
        // Reference ids are valid within one response only: stored edges name services by key.
        var keys = new Dictionary<int, string>();
        var nodes = new Dictionary<string, ServiceGraphNode>(StringComparer.Ordinal);
        foreach (var service in services)
        {
            var name = service.Name ?? service.Names?.FirstOrDefault() ?? "";
            var key = ServiceGraphNode.KeyFor(service.AccountId, service.Type, name);
            if (service.ReferenceId is { } id)
            {
                keys[id] = key;
            }

            var node = new ServiceGraphNode
            {
                Key = key,
                Name = name,
                Type = service.Type,
                AccountId = service.AccountId,
                Root = service.Root == true,
                Stats = Stats(service.SummaryStatistics),
            };

            // The same service can come back under two reference ids (for example one per client type).
            nodes[key] = nodes.TryGetValue(key, out var seen) ? seen with { Root = seen.Root || node.Root, Stats = seen.Stats + node.Stats } : node;
        }

        var edges = new Dictionary<(string, string), ServiceGraphEdge>();
        foreach (var service in services)
        {
            if (service.ReferenceId is not { } sourceId || !keys.TryGetValue(sourceId, out var source))
            {
                continue;
            }

            foreach (var edge in service.Edges ?? [])
            {
                if (edge.ReferenceId is { } targetId && keys.TryGetValue(targetId, out var target))
                {
                    var stats = Stats(edge.SummaryStatistics);
                    edges[(source, target)] = edges.TryGetValue((source, target), out var seen)
                        ? seen with { Stats = seen.Stats + stats }
                        : new ServiceGraphEdge { SourceKey = source, TargetKey = target, Stats = stats };
                }
            }
        }

        return new ServiceGraphWindow
        {
            AccountId = accountId,
            Region = region,
            Start = start,
            End = end,
            Nodes = [.. nodes.Values.OrderBy(n => n.Key, StringComparer.Ordinal)],
            Edges = [.. edges.Values.OrderBy(e => e.SourceKey, StringComparer.Ordinal).ThenBy(e => e.TargetKey, StringComparer.Ordinal)],
        };
    }

    private static ServiceGraphStats Stats(XRayStatistics? statistics)
    {
        if (statistics is null)
        {
            return new ServiceGraphStats();
        }

        var throttles = statistics.ErrorStatistics?.ThrottleCount ?? 0;
        return new ServiceGraphStats
        {
            Requests = statistics.TotalCount ?? 0,
            Ok = statistics.OkCount ?? 0,

            // X-Ray's error total includes throttles; stored apart so the four counts add up to the requests.
            Errors = (statistics.ErrorStatistics?.TotalCount ?? 0) - throttles,
            Faults = statistics.FaultStatistics?.TotalCount ?? 0,
            Throttles = throttles,
            ResponseTimeSumMs = (statistics.TotalResponseTime ?? 0) * 1000,
        };
    }
}
