using Observe.Store.Model;

namespace Observe.Dashboard.Model;

/// <summary>
/// One row of the Functions grid: the function as the inventory has it now and its figures over the range. A figure
/// that is not known is null (shown as unknown or "–", exported empty), never 0.
/// </summary>
public sealed record FunctionRow
{
    public required LambdaFunction Function { get; init; }

    /// <summary>The account as people know it: "id (name)" when the configuration names it, else the id.</summary>
    public required string Account { get; init; }

    /// <summary>The figures stored for the range; null when nothing was stored for this function in it.</summary>
    public FunctionStats? Stats { get; init; }

    /// <summary>When the function last had invocations (over everything stored); null when never seen invoked.</summary>
    public DateTimeOffset? LastInvocation { get; init; }

    /// <summary>
    /// Invocations in the range; null when nothing was stored for the function in the range, or only its invocation
    /// reports (no per-minute figures read: unknown, not 0).
    /// </summary>
    public double? Invocations => Stats is { SeriesRead: true } s ? s.Invocations : null;

    /// <summary>
    /// Errors / invocations; null when nothing ran, and when some invocations' errors were not read (the rate would
    /// be a guess: <see cref="ErrorsUnknownReason"/> says why).
    /// </summary>
    public double? ErrorRate => Stats is { SeriesRead: true, Invocations: > 0 } s && s.UnreadErrorInvocations == 0 ? s.Errors / s.Invocations : null;

    /// <summary>Why the error rate is unknown although the function ran; null otherwise.</summary>
    public string? ErrorsUnknownReason => Stats is { Invocations: > 0, UnreadErrorInvocations: > 0 } s
        ? $"errors not read for {FigureFormat.ExactCount(s.UnreadErrorInvocations)} of {FigureFormat.ExactCount(s.Invocations)} invocations" +
          (s.Errors > 0 ? $"; at least {FigureFormat.ExactCount(s.Errors)} errors" : "")
        : null;

    /// <summary>The highest per-minute p99 in the range: an upper bound of the range's p99.</summary>
    public double? P99Ms => Stats?.DurationP99MaxMs;

    public double? ColdStartRate => Stats is { SeriesRead: true, Invocations: > 0 } s ? s.ColdStarts / s.Invocations : null;

    /// <summary>Why the runtime needs attention (deprecated, soon, unknown); null when it is supported.</summary>
    public FlagChip? RuntimeStatus { get; init; }

    /// <summary>The value of the first owner tag key the configuration lists; null when the function has none.</summary>
    public string? Owner { get; init; }

    /// <summary>Estimated cost per month at the range's rate; null when it cannot be estimated.</summary>
    public decimal? MonthlyCost { get; init; }

    /// <summary>
    /// Changes (deploy markers) the inventory collector recorded for the function in the range; 0 when it recorded
    /// none, which is not proof of none (the collector sees changes only while it runs).
    /// </summary>
    public int ChangesInRange { get; init; }

    /// <summary>The flags raised on the function, worst first.</summary>
    public IReadOnlyList<FlagChip> Flags { get; init; } = [];

    /// <summary>Sorts by flags: critical ones outweigh any number of warnings, warnings any number of notes.</summary>
    public int FlagWeight => Flags.Sum(f => f.Severity switch { FlagChip.Critical => 10_000, FlagChip.Warning => 100, _ => 1 });

    /// <summary>Lower-case name, owner and tags, for the search box.</summary>
    public required string SearchText { get; init; }
}

/// <summary>A flag as the grid shows it: its URL token, its title, the rule with the figures that raised it, and its severity.</summary>
/// <param name="Token">The flag in the address (<c>?flag=near-timeout</c>).</param>
/// <param name="Title">Its name.</param>
/// <param name="Rule">The rule that raised it, with the figures and the setting holding the threshold.</param>
/// <param name="Severity">One of <see cref="Critical"/>, <see cref="Warning"/>, <see cref="Info"/>.</param>
public sealed record FlagChip(string Token, string Title, string Rule, string Severity)
{
    public const string Critical = "critical";
    public const string Warning = "warning";
    public const string Info = "info";
}

/// <summary>
/// Every live function with its figures for one range, as read at <see cref="ReadAt"/>: immutable, so one copy
/// answers every open page's filter, sort and page without touching the store.
/// </summary>
public sealed record FunctionsSnapshot(TimeRange Range, DateTimeOffset ReadAt, IReadOnlyList<FunctionRow> Rows)
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(FunctionSort, bool), Lazy<FunctionRow[]>> _sorted = new();

    /// <summary>
    /// Every row in the order of <paramref name="sort"/>, sorted once per snapshot and order and shared: paging and
    /// filtering then keep that order without sorting 10,000 rows again on each click.
    /// </summary>
    internal FunctionRow[] Sorted(FunctionSort sort, bool descending) =>
        _sorted.GetOrAdd((sort, descending), key => new Lazy<FunctionRow[]>(() =>
        {
            var rows = Rows.ToArray();
            Array.Sort(rows, FunctionsView.Comparer(key.Item1, key.Item2));
            return rows;
        })).Value;

    /// <summary>Why there is no function at all, when there is none: what to do about it.</summary>
    public FunctionsEmptyReason? Empty { get; init; }

    /// <summary>Every flag kind (raised or not) with its title and rule at the thresholds in force, for the Flag facet and the summary cards.</summary>
    public IReadOnlyList<FlagChip> FlagLegend { get; init; } = [];

    /// <summary>Where the runtime dates come from and when they were last checked, for the page to state.</summary>
    public string? RuntimeTable { get; init; }

    /// <summary>How <see cref="FunctionRow.MonthlyCost"/> is estimated (prices and their date), for the page to state; null when no cost is estimated.</summary>
    public string? CostMethod { get; init; }
}

/// <summary>Why the inventory holds no function.</summary>
public enum FunctionsEmptyReason
{
    /// <summary>No AWS account is configured and the demo is off.</summary>
    NoAccounts,

    /// <summary>Accounts are configured (or the demo runs) but no function was recorded yet.</summary>
    NotCollectedYet,
}
