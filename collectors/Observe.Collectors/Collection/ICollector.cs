using Observe.Collectors.Aws;

namespace Observe.Collectors.Collection;

/// <summary>One configured account and one of its regions: the unit a collector pass works on.</summary>
internal sealed record CollectionTarget(AwsAccountOptions Account, string Region)
{
    public string AccountId => Account.AccountId;

    /// <summary>The store checkpoint key for this target, e.g. <c>metrics/123456789012/eu-west-1</c>.</summary>
    public string CheckpointKey(string collector) => $"{collector}/{Account.AccountId}/{Region}";

    public override string ToString() => $"{Account.DisplayName} {Region}";
}

/// <summary>
/// A source the collectors host polls. The host runs one loop per collector and target, so one failing account or
/// region never stops the others; a pass that throws is retried at the next interval and its error is shown.
/// A pass must be resumable: it reads its checkpoint from the store, writes data before advancing the checkpoint,
/// and relies on the store's idempotent writes so a pass interrupted mid-way neither loses nor double-counts data.
/// A pass that runs to its end but skips rows it could not read, or a sub-step that failed, says so in its
/// <see cref="PassReport"/> and keeps its checkpoint before that data: it is degraded, never OK.
/// </summary>
internal interface ICollector
{
    /// <summary>Short stable name (<c>inventory</c>, <c>metrics</c>, <c>logs</c>, <c>traces</c>, <c>alarms</c>).</summary>
    string Name { get; }

    /// <summary>Time between the starts of two passes over the same target.</summary>
    TimeSpan Interval { get; }

    /// <summary>Collects what is new for one target since its checkpoint, noting skips and problems in <paramref name="report"/>.</summary>
    Task CollectAsync(CollectionTarget target, PassReport report, CancellationToken cancellationToken);
}
