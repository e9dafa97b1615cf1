namespace Observe.Collectors.Collection;

/// <summary>
/// How the collectors host runs the collectors. Bound from <c>Observe:Collectors</c> and validated at start by
/// <see cref="CollectorsOptionsValidator"/>; each collector has its own sub-section (<c>Observe:Collectors:Metrics</c>).
/// </summary>
public sealed class CollectorsOptions
{
    public const string SectionName = "Observe:Collectors";

    /// <summary>Runs the collectors at all. Default true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// The dashboard hosts the collectors itself when accounts are configured. Set false when a separate
    /// <c>Observe.Collectors.Worker</c> writes to the shared PostgreSQL store instead. Default true.
    /// </summary>
    public bool InProcess { get; set; } = true;

    /// <summary>Targets (account x region) one collector works on at once; the others wait their turn. Default 8.</summary>
    public int MaxConcurrentTargets { get; set; } = 8;

    /// <summary>
    /// First passes of a collector are spread evenly over this time (or its interval, if shorter), so 100 targets
    /// do not all call AWS in the same second at start. Default 30 s.
    /// </summary>
    public TimeSpan StartSpread { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A pass running longer is cancelled and counted as failed, so one stuck call cannot stop a target for good. Default 15 min.</summary>
    public TimeSpan PassTimeout { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// Several workers share one PostgreSQL store and spread the targets (collector x account x region) between them
    /// with leases in the store: each target is collected by one worker at a time, and a dead worker's targets are
    /// taken over within <see cref="TargetLeaseDuration"/>. Default false: this process collects every target.
    /// </summary>
    public bool ShareTargets { get; set; }

    /// <summary>How long a worker's hold on a target lasts without renewal (renewed every third of it). Default 1 min.</summary>
    public TimeSpan TargetLeaseDuration { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How often this process writes its API usage totals to the store (and once more at stop). Default 1 min.</summary>
    public TimeSpan UsageFlushInterval { get; set; } = TimeSpan.FromMinutes(1);
}
