using System.Globalization;
using Observe.Store.Model;

namespace Observe.Dashboard.Model;

/// <summary>
/// A function's figures over one window beside a change, from its stored minutes. A null figure is unknown (see
/// <see cref="Unknown"/>), never zero: a rate needs invocations, an error rate needs every error count read.
/// </summary>
/// <param name="From">Start of the window, a whole minute.</param>
/// <param name="To">End of the window (excluded).</param>
/// <param name="Invocations">Invocations counted in the window; null when its minutes were not all collected.</param>
/// <param name="ErrorRate">Errors per invocation.</param>
/// <param name="DurationP99Ms">The highest per-minute p99 duration (an upper bound, as on the duration chart).</param>
/// <param name="ColdStartRate">Cold starts per invocation.</param>
/// <param name="Unknown">Why some figure is unknown, for people; null when all are known.</param>
public sealed record ChangeWindow(
    DateTimeOffset From,
    DateTimeOffset To,
    double? Invocations,
    double? ErrorRate,
    double? DurationP99Ms,
    double? ColdStartRate,
    string? Unknown);

/// <summary>
/// The changes the inventory collector saw in one minute (a deploy often changes code and configuration at once), and
/// the function's figures in equal windows before and after that minute.
/// </summary>
/// <param name="At">The minute of the changes (when the inventory collector saw them, so the deploy was at or before it).</param>
/// <param name="Changes">The changes of that minute.</param>
/// <param name="Window">Each window's length, whole minutes; zero when there is no room to compare.</param>
/// <param name="Limit">What set the length, for people: "1 hour", "the previous change", "the range's start" ...</param>
/// <param name="Before">The window ending at <see cref="At"/>; null when <see cref="Window"/> is zero.</param>
/// <param name="After">The window starting at <see cref="At"/>; null when <see cref="Window"/> is zero.</param>
public sealed record ChangeComparison(
    DateTimeOffset At,
    IReadOnlyList<FunctionChange> Changes,
    TimeSpan Window,
    string Limit,
    ChangeWindow? Before,
    ChangeWindow? After)
{
    /// <summary>The comparison in one sentence, for a tooltip or a screen reader.</summary>
    public string Describe()
    {
        var what = string.Join("; ", Changes.Select(c => $"{c.Kind}: {c.Description}"));
        var at = At.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC";
        if (Before is null || After is null)
        {
            return $"{at}, {what}. No comparison: no room for a window before and after it ({Limit}).";
        }

        var text = $"{at}, {what}. Before → after, windows of {WindowText}: error rate {FunctionDetailChanges.Rate(Before.ErrorRate)} → {FunctionDetailChanges.Rate(After.ErrorRate)}, " +
                   $"p99 duration {FunctionDetailChanges.Ms(Before.DurationP99Ms)} → {FunctionDetailChanges.Ms(After.DurationP99Ms)}, " +
                   $"cold starts {FunctionDetailChanges.Rate(Before.ColdStartRate)} → {FunctionDetailChanges.Rate(After.ColdStartRate)} of invocations " +
                   $"({FunctionDetailChanges.Count(Before.Invocations)} → {FunctionDetailChanges.Count(After.Invocations)} invocations).";
        var unknown = string.Join(" ", new[] { Before.Unknown is { } b ? $"Before: {b}." : null, After.Unknown is { } a ? $"After: {a}." : null }.Where(s => s is not null));
        return unknown.Length == 0 ? text : $"{text} {unknown}";
    }

    /// <summary>"30 minutes each, limited by the previous change".</summary>
    public string WindowText => Window == TimeSpan.Zero
        ? $"no window ({Limit})"
        : $"{Minutes(Window)} each" + (Limit == FunctionDetailChanges.MaxWindowLimit ? "" : $", limited by {Limit}");

    private static string Minutes(TimeSpan window) =>
        window == TimeSpan.FromHours(1) ? "1 hour"
        : window == TimeSpan.FromMinutes(1) ? "1 minute"
        : string.Create(CultureInfo.InvariantCulture, $"{(int)window.TotalMinutes} minutes");
}

/// <summary>
/// Compares a function's figures before and after each change (deploy marker) in equal windows: the shorter of an hour,
/// the time to the previous and to the next change, to the range's start and to its end (or now). Minutes, never the
/// chart's buckets, which may be hours.
/// </summary>
public static class FunctionDetailChanges
{
    /// <summary>The longest window: long enough to smooth a few quiet minutes, short enough to stay about the change.</summary>
    public static readonly TimeSpan MaxWindow = TimeSpan.FromHours(1);

    internal const string MaxWindowLimit = "1 hour";

    /// <param name="changes">The changes in the range, any order.</param>
    /// <param name="minutes">
    /// The function's stored minutes around the changes (at least an hour either side, within the range). The collectors
    /// write only minutes with invocations, so a minute without a row after <paramref name="firstData"/> had none.
    /// </param>
    /// <param name="firstData">The earliest time stored for the function; before it nothing was collected. Null when nothing is.</param>
    /// <param name="range">The page's range; windows stay inside it.</param>
    /// <param name="now">The time of the query; the after window ends at the last whole minute before it.</param>
    /// <param name="minutesFrom">The oldest minute the store still keeps as a minute (older ones are hourly rollups); null when all are.</param>
    public static IReadOnlyList<ChangeComparison> Compare(
        IReadOnlyList<FunctionChange> changes, IReadOnlyList<MetricBucket> minutes, DateTimeOffset? firstData,
        TimeRange range, DateTimeOffset now, DateTimeOffset? minutesFrom)
    {
        ArgumentNullException.ThrowIfNull(changes);
        ArgumentNullException.ThrowIfNull(minutes);

        var groups = changes
            .GroupBy(c => FloorMinute(c.At))
            .OrderBy(g => g.Key)
            .Select(g => (At: g.Key, Changes: (IReadOnlyList<FunctionChange>)g.OrderBy(c => c.Kind, StringComparer.Ordinal).ToList()))
            .ToList();
        var start = CeilMinute(range.From);
        var end = FloorMinute(range.To < now ? range.To : now);

        var result = new List<ChangeComparison>(groups.Count);
        for (var i = 0; i < groups.Count; i++)
        {
            var at = groups[i].At;
            var limits = new List<(TimeSpan Length, string Why)> { (MaxWindow, MaxWindowLimit) };
            if (i > 0)
            {
                limits.Add((at - groups[i - 1].At, "the previous change"));
            }

            if (i + 1 < groups.Count)
            {
                limits.Add((groups[i + 1].At - at, "the next change"));
            }

            limits.Add((at - start, "the range's start"));
            limits.Add((end - at, range.To < now ? "the range's end" : "now"));

            // Ties go to the first listed, so an hour that also fits exactly reads as the plain hour.
            var (length, why) = limits.Aggregate((a, b) => b.Length < a.Length ? b : a);
            if (length <= TimeSpan.Zero)
            {
                result.Add(new ChangeComparison(at, groups[i].Changes, TimeSpan.Zero, why, null, null));
                continue;
            }

            result.Add(new ChangeComparison(
                at, groups[i].Changes, length, why,
                Figures(minutes, at - length, at, firstData, minutesFrom),
                Figures(minutes, at, at + length, firstData, minutesFrom)));
        }

        return result;
    }

    private static ChangeWindow Figures(IReadOnlyList<MetricBucket> minutes, DateTimeOffset from, DateTimeOffset to, DateTimeOffset? firstData, DateTimeOffset? minutesFrom)
    {
        if (minutesFrom is { } kept && from < kept)
        {
            return new ChangeWindow(from, to, null, null, null, null,
                $"minutes before {Time(kept)} are kept only as hourly rollups, too coarse to compare");
        }

        if (firstData is not { } first || first > from)
        {
            return new ChangeWindow(from, to, null, null, null, null,
                firstData is { } f ? $"nothing was collected for this function before {Time(f)}" : "nothing was collected for this function");
        }

        var rows = minutes.Where(m => m.Start >= from && m.Start < to).ToList();
        var invocations = rows.Sum(m => m.Invocations);
        var unread = rows.Sum(m => m.UnreadErrorInvocations);
        var p99 = rows.Where(m => m.DurationP99Ms is not null).Select(m => m.DurationP99Ms!.Value).DefaultIfEmpty(double.NaN).Max();
        var reasons = new List<string>();
        if (invocations == 0)
        {
            reasons.Add("no invocations, so no rates");
        }
        else if (unread > 0)
        {
            reasons.Add($"the error counts of {Count(unread)} invocations could not be read");
        }

        if (double.IsNaN(p99) && invocations > 0)
        {
            reasons.Add("no duration percentiles were collected");
        }

        return new ChangeWindow(
            from, to, invocations,
            invocations > 0 && unread == 0 ? rows.Sum(m => m.Errors) / invocations : null,
            double.IsNaN(p99) ? null : p99,
            invocations > 0 ? rows.Sum(m => m.ColdStarts) / invocations : null,
            reasons.Count == 0 ? null : string.Join("; ", reasons));
    }

    /// <summary>"1.25%", or "unknown".</summary>
    public static string Rate(double? rate) => rate is { } r ? (r * 100).ToString("0.##", CultureInfo.InvariantCulture) + "%" : "unknown";

    /// <summary>"412 ms", or "unknown".</summary>
    public static string Ms(double? ms) => ms is { } v ? v.ToString("#,0.#", CultureInfo.InvariantCulture) + " ms" : "unknown";

    /// <summary>"1,204", or "unknown".</summary>
    public static string Count(double? count) => count is { } c ? c.ToString("#,0", CultureInfo.InvariantCulture) : "unknown";

    private static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC";

    private static DateTimeOffset FloorMinute(DateTimeOffset t) => new(t.UtcTicks - (t.UtcTicks % TimeSpan.TicksPerMinute), TimeSpan.Zero);

    private static DateTimeOffset CeilMinute(DateTimeOffset t)
    {
        var remainder = t.UtcTicks % TimeSpan.TicksPerMinute;
        return new DateTimeOffset(t.UtcTicks - remainder + (remainder == 0 ? 0 : TimeSpan.TicksPerMinute), TimeSpan.Zero);
    }
}
