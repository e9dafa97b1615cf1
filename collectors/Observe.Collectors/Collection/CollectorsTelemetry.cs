using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Observe.Collectors.Collection;

/// <summary>
/// The collectors' own traces and metrics: an activity per pass (<c>collector pass</c>, tagged with the collector,
/// account and region) and, under the meter of the same name, the pass duration, failed passes and rows skipped. Cheap
/// when nobody listens: the activity is not created and the instruments record nothing.
/// </summary>
public static class CollectorsTelemetry
{
    /// <summary>The activity source's and the meter's name, for a tracer or a meter provider to subscribe to.</summary>
    public const string Name = "Observe.Collectors";

    /// <summary>Histogram of pass durations in seconds, tagged with the collector, account, region and outcome.</summary>
    public const string PassDuration = "observe.collector.pass.duration";

    /// <summary>Counter of passes that failed (error or timeout), tagged with the collector, account and region.</summary>
    public const string PassFailures = "observe.collector.pass.failures";

    /// <summary>Counter of rows a pass read and could not store, tagged with the collector, account, region and reason.</summary>
    public const string SkippedRows = "observe.collector.skipped_rows";

    internal const string CollectorTag = "observe.collector";
    internal const string AccountTag = "cloud.account.id";
    internal const string RegionTag = "cloud.region";
    internal const string OutcomeTag = "observe.collector.outcome";
    internal const string ReasonTag = "observe.skip.reason";

    internal static readonly ActivitySource Source = new(Name);

    private static readonly Meter Meter = new(Name);

    internal static readonly Histogram<double> Duration = Meter.CreateHistogram<double>(PassDuration, "s", "How long a collector pass took, successful or not");

    internal static readonly Counter<long> Failures = Meter.CreateCounter<long>(PassFailures, "{pass}", "Collector passes that failed or timed out");

    internal static readonly Counter<long> Skipped = Meter.CreateCounter<long>(SkippedRows, "{row}", "Rows a collector pass read and could not store, by reason");
}
