using Observe.Store.Model;

namespace Observe.Store;

/// <summary>How the collectors themselves are doing: the Collectors page reads it, and the host reads its last statuses back at start.</summary>
public interface ICollectorStatusReader
{
    /// <summary>Every recorded status, ordered by collector, account, region.</summary>
    Task<IReadOnlyList<CollectorStatus>> GetCollectorStatusAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Usage on the UTC days from <paramref name="from"/> to <paramref name="to"/> (both included), summed over
    /// processes, ordered by day, account, region, service, operation.
    /// </summary>
    Task<IReadOnlyList<ApiUsage>> GetApiUsageAsync(DateOnly from, DateOnly to, CancellationToken cancellationToken);
}

/// <summary>What the collectors' host writes about its passes and its AWS API calls.</summary>
public interface ICollectorStatusWriter
{
    /// <summary>Inserts or replaces the status of one collector on one account and region.</summary>
    Task UpsertCollectorStatusAsync(CollectorStatus status, CancellationToken cancellationToken);

    /// <summary>
    /// Inserts or replaces one process's running totals by (day, account, region, service, operation,
    /// <paramref name="instanceId"/>). Values are absolute, so writing the same totals again changes nothing, and
    /// processes never overwrite each other. An instance id must be unique per process lifetime: a restarted process
    /// counts from zero again and must not replace what it counted before.
    /// </summary>
    Task UpsertApiUsageAsync(string instanceId, IReadOnlyCollection<ApiUsage> usage, CancellationToken cancellationToken);
}
