using Observe.Store.Model;

namespace Observe.Dashboard.Model;

/// <summary>One figure on a card: the value as queried, how it is shown, and the exact value for the tooltip.</summary>
public sealed record Figure(string Id, string Label, double? Value, string Display, string Exact, string? Note = null);

/// <summary>One point of a chart; <see cref="Time"/> is UTC (the charts label UTC).</summary>
public sealed record ChartPoint(DateTime Time, double Value);

/// <summary>Functions on runtimes past their deprecation date, by runtime.</summary>
public sealed record DeprecatedRuntimes(int Functions, IReadOnlyList<KeyValuePair<string, int>> ByRuntime)
{
    public static DeprecatedRuntimes Count(IEnumerable<LambdaFunction> functions, DateOnly today)
    {
        var byRuntime = functions
            .Where(f => RuntimeDeprecation.IsDeprecated(f.Runtime, today))
            .GroupBy(f => f.Runtime!, StringComparer.Ordinal)
            .Select(g => KeyValuePair.Create(g.Key, g.Count()))
            .OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal)
            .ToList();
        return new DeprecatedRuntimes(byRuntime.Sum(p => p.Value), byRuntime);
    }
}

/// <summary>What the Overview page shows for one range: fleet figures and three series.</summary>
/// <remarks>
/// <see cref="PartialBucketOmitted"/>: a bucket only partly inside the range (the one still filling up at "now", or
/// one cut by the range's start) was left out of the charts, where it would look like a sudden drop in traffic. The
/// figures still count it.
/// </remarks>
public sealed record OverviewViewModel(
    TimeRange Range,
    TimeSpan Bucket,
    IReadOnlyList<Figure> Figures,
    IReadOnlyList<ChartPoint> Invocations,
    IReadOnlyList<ChartPoint> Errors,
    IReadOnlyList<ChartPoint> ColdStarts,
    bool PartialBucketOmitted)
{
    public static OverviewViewModel Create(FleetOverview overview, TimeRange range, TimeSpan bucket, DeprecatedRuntimes? deprecated)
    {
        var ran = overview.Invocations > 0;
        double? coldStartRate = ran ? overview.ColdStartRate : null;

        var figures = new List<Figure>
        {
            new("functions", "Functions", overview.Functions, FigureFormat.Count(overview.Functions), FigureFormat.ExactCount(overview.Functions)),
            new("invocations", "Invocations", overview.Invocations, FigureFormat.Count(overview.Invocations), FigureFormat.ExactCount(overview.Invocations)),
            ErrorRate(overview, ran),
            new("cold-start-rate", "Cold-start rate", coldStartRate, FigureFormat.Rate(coldStartRate), FigureFormat.ExactRate(coldStartRate),
                ran ? FigureFormat.ExactCount(overview.ColdStarts) + " cold starts" : null),
            new("throttles", "Throttles", overview.Throttles, FigureFormat.Count(overview.Throttles), FigureFormat.ExactCount(overview.Throttles)),
            new("alarms", "Alarms in ALARM", overview.AlarmsInAlarm, FigureFormat.Count(overview.AlarmsInAlarm), FigureFormat.ExactCount(overview.AlarmsInAlarm), "now"),
        };

        if (deprecated is not null)
        {
            var note = deprecated.Functions == 0
                ? "now"
                : string.Join(", ", deprecated.ByRuntime.Select(p => $"{p.Key}: {p.Value}"));
            figures.Add(new("deprecated-runtimes", "On deprecated runtimes", deprecated.Functions,
                FigureFormat.Count(deprecated.Functions), FigureFormat.ExactCount(deprecated.Functions) + " functions", note));
        }

        // The store counts whole minutes from the first one starting at or after From, in buckets aligned to the
        // epoch; a bucket is whole when all its minutes lie in the range.
        var firstMinute = CeilMinute(range.From);
        var whole = overview.Series.Where(b => b.Start >= firstMinute && b.Start + bucket <= range.To).ToList();

        return new OverviewViewModel(
            range,
            bucket,
            figures,
            whole.Select(b => new ChartPoint(b.Start.UtcDateTime, b.Invocations)).ToList(),
            // A bucket whose error counts were not all read has no error figure: left out rather than drawn as a count.
            whole.Where(b => b.UnreadErrorInvocations <= 0).Select(b => new ChartPoint(b.Start.UtcDateTime, b.Errors)).ToList(),
            whole.Select(b => new ChartPoint(b.Start.UtcDateTime, b.ColdStarts)).ToList(),
            whole.Count != overview.Series.Count);
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
}
