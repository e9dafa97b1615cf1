using System.Globalization;
using Observe.Store.Model;

namespace Observe.Dashboard.Model;

/// <summary>How many durations there are and their nearest-rank p50 and p99; null percentiles when there are none.</summary>
public sealed record DurationFigures(long Count, double? P50, double? P99, double TotalMs)
{
    public static DurationFigures None { get; } = new(0, null, null, 0);

    public static DurationFigures Of(IEnumerable<double> durations)
    {
        ArgumentNullException.ThrowIfNull(durations);
        var sorted = durations.Order().ToArray();
        return sorted.Length == 0 ? None : new(sorted.Length, Percentile(sorted, 0.50), Percentile(sorted, 0.99), sorted.Sum());
    }

    /// <summary>Nearest rank: the smallest value with at least <paramref name="p"/> of the values at or below it.</summary>
    public static double Percentile(IReadOnlyList<double> sorted, double p)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        return sorted[Math.Max(0, (int)Math.Ceiling(p * sorted.Count) - 1)];
    }
}

/// <summary>One function's cold starts in the range.</summary>
/// <param name="Function">The function.</param>
/// <param name="Inventory">Its configuration as the inventory collector last saw it; null when it has not.</param>
/// <param name="Invocations">Invocation reports in the range (the rate's denominator, the same source as the cold starts).</param>
/// <param name="Cold">Reports with an Init Duration: the cold starts a caller waited for.</param>
/// <param name="TypesKnown">
/// The function's logs named the initialisation type (JSON log format: init reports in the range), so its cold starts
/// are on-demand; false means the text format, where the type cannot be known.
/// </param>
/// <param name="Restores">Reports with a Restore Duration: SnapStart restores.</param>
/// <param name="Provisioned">Provisioned-concurrency inits (from init reports): no caller waited for them.</param>
/// <param name="SnapStartInits">SnapStart snapshot inits (at version publish).</param>
/// <param name="FailedInits">Init reports that ended in error or timeout.</param>
public sealed record ColdStartRow(
    FunctionKey Function,
    LambdaFunction? Inventory,
    long Invocations,
    DurationFigures Cold,
    bool TypesKnown,
    DurationFigures Restores,
    DurationFigures Provisioned,
    long SnapStartInits,
    long FailedInits)
{
    public double? Rate => Invocations > 0 ? (double)Cold.Count / Invocations : null;
}

/// <summary>Cold starts of the functions sharing one value of a configuration dimension.</summary>
public sealed record ColdStartGroup(string Value, int Functions, long Invocations, DurationFigures Cold)
{
    public double? Rate => Invocations > 0 ? (double)Cold.Count / Invocations : null;
}

/// <summary>One bar of the init-duration distribution: cold starts with an init duration in [From, To).</summary>
public sealed record DistributionBar(string Label, double FromMs, double? ToMs, long Count);

/// <summary>A change that follows from the data, with the expected effect as published (<see cref="ColdStartSources"/>).</summary>
public sealed record ColdStartSuggestion(string Kind, string Title, string Why, PublishedEffect Effect, IReadOnlyList<ColdStartRow> Functions);

/// <summary>
/// The Cold starts page: per function, grouped by runtime, memory, architecture and package size, the worst offenders,
/// the distribution of init durations and suggestions. Cold starts are the invocation reports that carry an Init
/// Duration; SnapStart restores and provisioned-concurrency inits are counted apart.
/// </summary>
public sealed record ColdStartsViewModel(
    TimeRange Range,
    IReadOnlyList<ColdStartRow> Rows,
    long Invocations,
    DurationFigures Cold,
    long OnDemand,
    long UnknownType,
    DurationFigures Restores,
    DurationFigures Provisioned,
    long SnapStartInits,
    long FailedInits,
    IReadOnlyDictionary<string, IReadOnlyList<ColdStartGroup>> Groups,
    IReadOnlyList<DistributionBar> Distribution,
    IReadOnlyList<ColdStartSuggestion> Suggestions,
    LogsCollectorSummary Collector,
    IReadOnlyList<string> Runtimes,
    IReadOnlyList<string> Architectures)
{
    /// <summary>Worst offenders shown: the functions whose callers waited longest in init over the range.</summary>
    public const int WorstShown = 10;

    /// <summary>Upper bounds (ms) of the distribution's bars; the last bar is open.</summary>
    public static IReadOnlyList<double> DistributionBounds { get; } = [100, 200, 400, 800, 1600, 3200];

    public double? Rate => Invocations > 0 ? (double)Cold.Count / Invocations : null;

    /// <summary>The functions with cold starts, most total init time first.</summary>
    public IReadOnlyList<ColdStartRow> Worst => Rows.Where(r => r.Cold.Count > 0).Take(WorstShown).ToList();

    public static ColdStartsViewModel Create(
        TimeRange range,
        IReadOnlyList<ColdStartFunction> stored,
        IReadOnlyList<LambdaFunction> inventory,
        ColdStartsAddress address,
        IEnumerable<CollectorStatus> statuses)
    {
        ArgumentNullException.ThrowIfNull(stored);
        ArgumentNullException.ThrowIfNull(inventory);
        ArgumentNullException.ThrowIfNull(address);
        var byKey = inventory.GroupBy(f => f.Key).ToDictionary(g => g.Key, g => g.First());

        // The facets offer what the inventory in the account and region filters has, so a filter can be widened back.
        var runtimes = inventory.Select(ColdStartsFormat.RuntimeLabel).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var architectures = inventory.Select(f => f.Architecture).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();

        var rows = stored
            .Select(s => (Stored: s, Inventory: byKey.GetValueOrDefault(s.Function)))
            .Where(p => address.Matches(p.Stored.Function, p.Inventory))
            .Select(p => ToRow(p.Stored, p.Inventory))
            .OrderByDescending(r => r.Cold.TotalMs).ThenByDescending(r => r.Invocations).ThenBy(r => r.Function.ToString(), StringComparer.Ordinal)
            .ToList();

        var allCold = stored.Where(s => rows.Any(r => r.Function == s.Function)).SelectMany(s => s.InitDurationsMs).ToList();
        var groups = new Dictionary<string, IReadOnlyList<ColdStartGroup>>(StringComparer.Ordinal)
        {
            ["Runtime"] = Group(rows, stored, r => ColdStartsFormat.RuntimeLabel(r.Inventory)),
            ["Memory"] = Group(rows, stored, r => r.Inventory is { } f ? string.Create(CultureInfo.InvariantCulture, $"{f.MemoryMb:0} MB") : "unknown", r => r.Inventory?.MemoryMb ?? int.MaxValue),
            ["Architecture"] = Group(rows, stored, r => r.Inventory?.Architecture ?? "unknown"),
            ["Package size"] = Group(rows, stored, r => ColdStartsFormat.PackageBucket(r.Inventory), r => ColdStartsFormat.PackageOrder(r.Inventory)),
        };

        return new ColdStartsViewModel(
            range,
            rows,
            rows.Sum(r => r.Invocations),
            DurationFigures.Of(allCold),
            rows.Where(r => r.TypesKnown).Sum(r => r.Cold.Count),
            rows.Where(r => !r.TypesKnown).Sum(r => r.Cold.Count),
            DurationFigures.Of(stored.Where(s => rows.Any(r => r.Function == s.Function)).SelectMany(s => s.RestoreDurationsMs)),
            DurationFigures.Of(stored.Where(s => rows.Any(r => r.Function == s.Function))
                .SelectMany(s => s.InitEventsMs.GetValueOrDefault(InitializationType.ProvisionedConcurrency) ?? [])),
            rows.Sum(r => r.SnapStartInits),
            rows.Sum(r => r.FailedInits),
            groups,
            DistributionOf(allCold),
            ColdStartSuggestions.For(rows),
            LogsCollectorSummary.From(statuses),
            runtimes,
            architectures);
    }

    private static ColdStartRow ToRow(ColdStartFunction s, LambdaFunction? inventory) => new(
        s.Function,
        inventory,
        s.Invocations,
        DurationFigures.Of(s.InitDurationsMs),
        s.InitEventsMs.Count > 0,
        DurationFigures.Of(s.RestoreDurationsMs),
        DurationFigures.Of(s.InitEventsMs.GetValueOrDefault(InitializationType.ProvisionedConcurrency) ?? []),
        s.InitEventsMs.GetValueOrDefault(InitializationType.SnapStart)?.Count ?? 0,
        s.FailedInits);

    private static List<ColdStartGroup> Group(List<ColdStartRow> rows, IReadOnlyList<ColdStartFunction> stored, Func<ColdStartRow, string> key, Func<ColdStartRow, long>? order = null)
    {
        var durations = stored.ToDictionary(s => s.Function, s => s.InitDurationsMs);
        return rows.GroupBy(key, StringComparer.Ordinal)
            .Select(g => (Order: order is null ? 0 : order(g.First()), Group: new ColdStartGroup(
                g.Key, g.Count(), g.Sum(r => r.Invocations), DurationFigures.Of(g.SelectMany(r => durations[r.Function])))))
            .OrderBy(g => g.Order).ThenByDescending(g => g.Group.Cold.Count).ThenBy(g => g.Group.Value, StringComparer.Ordinal)
            .Select(g => g.Group)
            .ToList();
    }

    private static List<DistributionBar> DistributionOf(IReadOnlyCollection<double> durations)
    {
        var bars = new List<DistributionBar>();
        var from = 0d;
        foreach (var to in DistributionBounds)
        {
            bars.Add(new DistributionBar(string.Create(CultureInfo.InvariantCulture, $"{from:0}–{to:0} ms"), from, to, durations.Count(d => d >= from && d < to)));
            from = to;
        }

        bars.Add(new DistributionBar(string.Create(CultureInfo.InvariantCulture, $"≥ {from:0} ms"), from, null, durations.Count(d => d >= from)));
        return bars;
    }
}

/// <summary>Words and buckets the page and the view model share.</summary>
public static class ColdStartsFormat
{
    private const long Megabyte = 1024 * 1024;

    /// <summary>The runtime as the facets and groups show it: container images have none of their own.</summary>
    public static string RuntimeLabel(LambdaFunction? function) => function switch
    {
        null => "unknown",
        { Runtime: { Length: > 0 } runtime } => runtime,
        { PackageType: "Image" } => "container image",
        _ => "unknown",
    };

    public static string PackageBucket(LambdaFunction? function) => function switch
    {
        null => "unknown",
        { PackageType: "Image" } => "container image",
        { CodeSizeBytes: < Megabyte } => "< 1 MB",
        { CodeSizeBytes: < 10 * Megabyte } => "1–10 MB",
        { CodeSizeBytes: < 50 * Megabyte } => "10–50 MB",
        _ => "≥ 50 MB",
    };

    public static long PackageOrder(LambdaFunction? function) => function switch
    {
        null => long.MaxValue,
        { PackageType: "Image" } => long.MaxValue - 1,
        _ => function.CodeSizeBytes,
    };

    /// <summary>A duration in ms for a table cell: "—" when there is none.</summary>
    public static string Ms(double? ms) => ms switch
    {
        null => "—",
        >= 10_000 => (ms.Value / 1000).ToString("0.0", CultureInfo.InvariantCulture) + " s",
        _ => ms.Value.ToString("#,0", CultureInfo.InvariantCulture) + " ms",
    };

    public static string Size(long bytes) => bytes switch
    {
        >= 1024 * 1024 => (bytes / 1024d / 1024d).ToString("0.#", CultureInfo.InvariantCulture) + " MB",
        _ => (bytes / 1024d).ToString("0", CultureInfo.InvariantCulture) + " KB",
    };
}
