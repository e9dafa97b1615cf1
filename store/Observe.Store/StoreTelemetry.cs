using System.Diagnostics;

namespace Observe.Store;

/// <summary>
/// The store's traces: one activity per store operation (a read from opening its connection to closing it, a write
/// from its transaction's start to its end), named after the operation (<c>GetOverview</c>, <c>WriteMetrics</c>).
/// Starting one costs a check of whether anybody listens; a process that exports nothing pays no more.
/// </summary>
public static class StoreTelemetry
{
    /// <summary>The activity source's name, for a tracer to subscribe to.</summary>
    public const string ActivitySourceName = "Observe.Store";

    internal static readonly ActivitySource Source = new(ActivitySourceName);

    /// <summary>Starts an operation's activity, or returns null when nobody listens.</summary>
    internal static Activity? Start(string operation, StoreKind? kind, bool write)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var name = operation.EndsWith("Async", StringComparison.Ordinal) ? operation[..^"Async".Length] : operation;
        var activity = Source.StartActivity(name, ActivityKind.Client);
        activity?.SetTag("db.system.name", kind == StoreKind.PostgreSql ? "postgresql" : "sqlite");
        activity?.SetTag("db.operation.name", name);
        activity?.SetTag("observe.store.access", write ? "write" : "read");
        return activity;
    }
}
