using Observe.Dashboard.Fleet;
using Observe.Store.Model;

namespace Observe.Dashboard.Model;

/// <summary>One figure on a card: the value as queried, how it is shown, and the exact value for the tooltip.</summary>
public sealed record Figure(string Id, string Label, double? Value, string Display, string Exact, string? Note = null)
{
    /// <summary>The page that explains the figure (relative, without the time range, which the page adds); null for none.</summary>
    public string? Href { get; init; }
}

/// <summary>One bucket of a chart; <see cref="Time"/> is UTC (the charts label UTC).</summary>
/// <remarks>
/// <see cref="Value"/> is null when the figure is unknown (nothing was being collected), drawn as a gap.
/// <see cref="Partial"/>: the bucket is only partly counted, still filling at "now" or cut by the range's start or end;
/// drawn apart (dashed), so a bucket with fewer minutes does not read as a drop in traffic.
/// </remarks>
public sealed record ChartPoint(DateTime Time, double? Value, bool Partial = false);

/// <summary>Functions on runtimes past their deprecation date (<see cref="RuntimeCatalog"/>), by runtime.</summary>
public sealed record DeprecatedRuntimes(int Functions, IReadOnlyList<KeyValuePair<string, int>> ByRuntime)
{
    public static DeprecatedRuntimes Count(IEnumerable<LambdaFunction> functions, DateOnly today)
    {
        var byRuntime = functions
            .Where(f => RuntimeCatalog.Default.Classify(f.Runtime, f.PackageType, today, noticeDays: 0).Support == RuntimeSupport.Deprecated)
            .GroupBy(f => f.Runtime!, StringComparer.Ordinal)
            .Select(g => KeyValuePair.Create(g.Key, g.Count()))
            .OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal)
            .ToList();
        return new DeprecatedRuntimes(byRuntime.Sum(p => p.Value), byRuntime);
    }
}

/// <summary>What the Overview page shows for one range: fleet figures and three series.</summary>
/// <remarks>
/// Every series has one point per bucket from the range's start to its end (or to now, when the range ends later):
/// a bucket without rows is zero once the store holds data (<see cref="FleetOverview.FirstData"/>) and unknown
/// before, so the charts span the chosen range whatever the data.
/// </remarks>
public sealed record OverviewViewModel(
    TimeRange Range,
    TimeSpan Bucket,
    IReadOnlyList<Figure> Figures,
    IReadOnlyList<ChartPoint> Invocations,
    IReadOnlyList<ChartPoint> Errors,
    IReadOnlyList<ChartPoint> ColdStarts)
{
    /// <summary>A point of the charts is a partial bucket (see <see cref="ChartPoint.Partial"/>).</summary>
    public bool HasPartialBucket => Invocations.Any(p => p.Partial);

    /// <summary>
    /// The start of the minute in progress when the range includes it: its counts are still growing, so the page says
    /// so rather than let it read as a whole minute. Null for a range that ended before it.
    /// </summary>
    public DateTimeOffset? FillingMinute { get; init; }

    /// <param name="overview">The store's figures for the range.</param>
    /// <param name="range">The range shown.</param>
    /// <param name="bucket">The charts' bucket, as queried.</param>
    /// <param name="deprecated">Functions on deprecated runtimes, or null when not known.</param>
    /// <param name="now">The time of the query; buckets after it are not drawn. Default the range's end.</param>
    public static OverviewViewModel Create(FleetOverview overview, TimeRange range, TimeSpan bucket, DeprecatedRuntimes? deprecated, DateTimeOffset? now = null)
    {
        ArgumentNullException.ThrowIfNull(overview);

        var ran = overview.Invocations > 0;
        var at = now ?? range.To;

        // Inventory and alarm state are read as they are now, whatever the range: on a range that ended earlier
        // the cards say so, or a user would read today's count as the past's.
        var asOf = at - range.To > TimeSpan.FromMinutes(1) ? "now, not at the range's end" : "now";

        var figures = new List<Figure>
        {
            new("functions", "Functions", overview.Functions, FigureFormat.Count(overview.Functions), FigureFormat.ExactCount(overview.Functions), asOf)
                { Href = FigureLinks.Functions },
            new("invocations", "Invocations", overview.Invocations, FigureFormat.Count(overview.Invocations), FigureFormat.ExactCount(overview.Invocations))
                { Href = FigureLinks.BySort("invocations") },
            ErrorRate(overview, ran) with { Href = FigureLinks.BySort("errors") },
            ColdStartFigure(overview) with { Href = ColdStartsAddress.Path },
            new("throttles", "Throttles", overview.Throttles, FigureFormat.Count(overview.Throttles), FigureFormat.ExactCount(overview.Throttles))
                { Href = FigureLinks.ByFlag("Throttled") },
            new("alarms", "Alarms in ALARM", overview.AlarmsInAlarm, FigureFormat.Count(overview.AlarmsInAlarm), FigureFormat.ExactCount(overview.AlarmsInAlarm), asOf)
                { Href = FigureLinks.AlarmsInAlarm },
        };

        if (deprecated is not null)
        {
            var note = deprecated.Functions == 0
                ? asOf
                : $"{asOf}: " + string.Join(", ", deprecated.ByRuntime.Select(p => $"{p.Key}: {p.Value}"));
            figures.Add(new("deprecated-runtimes", "On deprecated runtimes", deprecated.Functions,
                FigureFormat.Count(deprecated.Functions), FigureFormat.ExactCount(deprecated.Functions) + " functions", note)
                { Href = FigureLinks.ByFlag("RuntimeDeprecated") });
        }

        var buckets = Buckets(overview, range, bucket, at);
        var minute = new DateTimeOffset(at.UtcTicks - (at.UtcTicks % TimeSpan.TicksPerMinute), TimeSpan.Zero);
        return new OverviewViewModel(
            range,
            bucket,
            figures,
            buckets.Select(b => b.Point(m => m.Invocations)).ToList(),
            // A bucket whose error counts were not all read has no error figure: a gap, not a count.
            buckets.Select(b => b.Point(m => m.UnreadErrorInvocations > 0 ? null : m.Errors)).ToList(),
            buckets.Select(b => b.Point(m => m.ColdStarts)).ToList())
        {
            FillingMinute = range.From <= at && range.To > minute ? minute : null,
        };
    }

    /// <summary>
    /// The cold-start rate, or, when invocations were not read (CloudWatch's count is missing while REPORT lines
    /// counted cold starts), the count that is known and what is missing: a dash would hide real cold starts.
    /// </summary>
    private static Figure ColdStartFigure(FleetOverview overview)
    {
        if (overview.Invocations > 0)
        {
            var rate = overview.ColdStartRate;
            return new("cold-start-rate", "Cold-start rate", rate, FigureFormat.Rate(rate), FigureFormat.ExactRate(rate),
                FigureFormat.ExactCount(overview.ColdStarts) + " cold starts");
        }

        if (overview.ColdStarts > 0)
        {
            return new("cold-start-rate", "Cold starts", overview.ColdStarts, FigureFormat.Count(overview.ColdStarts),
                FigureFormat.ExactCount(overview.ColdStarts) + " cold starts", "rate unknown: invocations not read");
        }

        return new("cold-start-rate", "Cold-start rate", null, FigureFormat.Rate(null), FigureFormat.ExactRate(null));
    }

    /// <summary>
    /// One entry per bucket the range touches, aligned as the store aligns them (multiples of the bucket since the
    /// epoch, counting whole minutes from the first one at or after the range's start).
    /// </summary>
    private static List<BucketSlot> Buckets(FleetOverview overview, TimeRange range, TimeSpan bucket, DateTimeOffset now)
    {
        var stored = overview.Series.ToDictionary(b => b.Start);
        var firstMinute = CeilMinute(range.From);
        var endMinute = CeilMinute(range.To);
        var slots = new List<BucketSlot>();
        for (var start = Floor(firstMinute, bucket); start < endMinute && start < now; start += bucket)
        {
            // Inside the store's history a bucket without rows had no invocations; before it nothing was collected.
            var known = stored.TryGetValue(start, out var row) || (overview.FirstData is { } first && start + bucket > first);
            // Partial: cut by the range, still filling, or collected only from part-way through (the first data).
            var partial = start < firstMinute || start + bucket > range.To || start + bucket > now
                || (overview.FirstData is { } from && from > start && from < start + bucket);
            var time = start < range.From ? range.From : start;
            slots.Add(new BucketSlot(time.UtcDateTime, known ? row : null, known, partial));
        }

        return slots;
    }

    private static DateTimeOffset Floor(DateTimeOffset t, TimeSpan bucket)
    {
        var ms = t.ToUnixTimeMilliseconds();
        var bucketMs = (long)bucket.TotalMilliseconds;
        return DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Floor(ms / (double)bucketMs) * bucketMs);
    }

    /// <summary>
    /// The error rate, or "unknown" with the reason when some invocations' error counts could not be read: computing
    /// it as if they were 0 is how the fleet showed "0% (0 errors)" where 1.11% had failed.
    /// </summary>
    private static Figure ErrorRate(FleetOverview overview, bool ran)
    {
        if (ran && !overview.ErrorsKnown)
        {
            var reason = $"errors not read for {FigureFormat.ExactCount(overview.UnreadErrorInvocations)} of {FigureFormat.ExactCount(overview.Invocations)} invocations";
            if (overview.Errors > 0)
            {
                reason += $"; at least {FigureFormat.ExactCount(overview.Errors)} errors";
            }

            return new("error-rate", "Error rate", null, FigureFormat.Unknown, FigureFormat.Unknown, reason);
        }

        double? rate = ran ? overview.ErrorRate : null;
        return new("error-rate", "Error rate", rate, FigureFormat.Rate(rate), FigureFormat.ExactRate(rate),
            ran ? FigureFormat.ExactCount(overview.Errors) + " errors" : null);
    }

    private static DateTimeOffset CeilMinute(DateTimeOffset t)
    {
        var remainder = t.UtcTicks % TimeSpan.TicksPerMinute;
        return new DateTimeOffset(t.UtcTicks - remainder + (remainder == 0 ? 0 : TimeSpan.TicksPerMinute), TimeSpan.Zero);
    }

    /// <summary>A bucket of the range: its stored row (null when it has none), whether its figures are known.</summary>
    private sealed record BucketSlot(DateTime Time, MetricBucket? Row, bool Known, bool Partial)
    {
        public ChartPoint Point(Func<MetricBucket, double?> value) =>
            new(Time, Known ? (Row is null ? 0 : value(Row)) : null, Partial);
    }
}

/// <summary>
/// Where each Overview figure is explained: the Functions grid sorted by the figure or filtered to the flag it counts
/// (the grid's <c>sort</c>, <c>dir</c> and <c>flag</c> parameters; flag names are <c>FlagKind</c>'s), or the Alarms page.
/// </summary>
public static class FigureLinks
{
    public const string Functions = "functions";

    public const string AlarmsInAlarm = "alarms?state=alarm";

    /// <summary>The Functions grid with the largest values of <paramref name="sortKey"/> first.</summary>
    public static string BySort(string sortKey) => $"functions?sort={Uri.EscapeDataString(sortKey)}&dir=desc";

    /// <summary>The Functions grid filtered to functions with the flag.</summary>
    public static string ByFlag(string flag) => $"functions?flag={Uri.EscapeDataString(flag)}";
}
