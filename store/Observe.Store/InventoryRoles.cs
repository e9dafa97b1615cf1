using Observe.Store.Model;

namespace Observe.Store;

/// <summary>The functions the inventory recorded: pages list them, the logs collector follows them.</summary>
public interface IInventoryReader
{
    /// <summary>Live functions (not deleted) matching the filter, ordered by account, region, name.</summary>
    Task<IReadOnlyList<LambdaFunction>> GetFunctionsAsync(FleetFilter filter, CancellationToken cancellationToken);

    /// <summary>One function as last seen, deleted or not (a deleted one has <see cref="LambdaFunction.DeletedAt"/>); null when never seen.</summary>
    Task<LambdaFunction?> GetFunctionAsync(FunctionKey function, CancellationToken cancellationToken);
}

/// <summary>What the inventory collector writes.</summary>
public interface IInventoryWriter
{
    /// <summary>Inserts or replaces functions by key; clears <c>DeletedAt</c> on a function that reappears.</summary>
    Task UpsertFunctionsAsync(IReadOnlyCollection<LambdaFunction> functions, CancellationToken cancellationToken);

    /// <summary>
    /// After a complete listing of one account and region: marks as deleted every live function there that is not
    /// in <paramref name="present"/>. Returns how many were marked.
    /// </summary>
    Task<int> MarkDeletedExceptAsync(string accountId, string region, IReadOnlyCollection<string> present, DateTimeOffset at, CancellationToken cancellationToken);
}
