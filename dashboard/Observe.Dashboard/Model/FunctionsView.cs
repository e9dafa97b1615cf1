using System.Globalization;

namespace Observe.Dashboard.Model;

/// <summary>One value of a facet with the rows it would show, given the other facets and the search.</summary>
public sealed record FacetValue(string Value, string Label, int Count, bool Selected);

/// <summary>
/// What the Functions grid shows for one query over one snapshot: the filtered rows in order, the page of them, and
/// each facet's values with counts. Computed in memory (the snapshot is shared and immutable), the same way for the
/// page and the CSV export.
/// </summary>
public sealed class FunctionsView
{
    private static readonly FunctionFacet[] AllFacets = Enum.GetValues<FunctionFacet>();

    private FunctionsView(FunctionsQuery query, IReadOnlyList<FunctionRow> rows, IReadOnlyDictionary<FunctionFacet, IReadOnlyList<FacetValue>> facets)
    {
        Query = query;
        Rows = rows;
        Facets = facets;
        PageCount = Math.Max(1, (rows.Count + query.PageSize - 1) / query.PageSize);
        var start = (query.Page - 1) * query.PageSize;
        PageRows = start < rows.Count ? rows.Skip(start).Take(query.PageSize).ToList() : [];
    }

    public FunctionsQuery Query { get; }

    /// <summary>Every row the filters let through, sorted: what the CSV exports.</summary>
    public IReadOnlyList<FunctionRow> Rows { get; }

    /// <summary>The rows of <see cref="FunctionsQuery.Page"/>; empty past the last page.</summary>
    public IReadOnlyList<FunctionRow> PageRows { get; }

    public int PageCount { get; }

    /// <summary>Each facet's values, most rows first (the picked ones always listed, even at 0).</summary>
    public IReadOnlyDictionary<FunctionFacet, IReadOnlyList<FacetValue>> Facets { get; }

    /// <summary>The page asked for is past the last one (the fleet shrank, or a hand-edited address).</summary>
    public bool PastLastPage => Query.Page > PageCount;

    /// <summary>
    /// When nothing matches, the filters that emptied the grid: those whose removal alone would bring rows back.
    /// Empty when the rows are there, or when no single filter does it (only clearing several would).
    /// </summary>
    public IReadOnlyList<string> EmptiedBy { get; private init; } = [];

    /// <summary>Filters, sorts and pages <paramref name="snapshot"/> by <paramref name="query"/>.</summary>
    public static FunctionsView Create(FunctionsSnapshot snapshot, FunctionsQuery query)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(query);

        var search = query.Search.ToLowerInvariant();
        var flagTitles = snapshot.FlagLegend.ToDictionary(p => p.Token, p => p.Title, StringComparer.Ordinal);
        var picked = AllFacets.ToDictionary(f => f, f => query.Values(f).ToHashSet(StringComparer.Ordinal));
        var pickedByIndex = AllFacets.Select(f => picked[f]).ToArray();
        var countsByIndex = new Dictionary<string, int>[AllFacets.Length];
        var counts = AllFacets.ToDictionary(f => f, _ => new Dictionary<string, int>(StringComparer.Ordinal));
        for (var i = 0; i < AllFacets.Length; i++)
        {
            countsByIndex[i] = counts[AllFacets[i]];
        }

        var failingAlone = new Dictionary<string, int>(StringComparer.Ordinal);
        var passing = new List<FunctionRow>();

        foreach (var row in snapshot.Sorted(query.Sort, query.Descending))
        {
            // Bit i: the row fails facet i's filter; the last bit: it fails the search.
            var failed = 0;
            for (var i = 0; i < AllFacets.Length; i++)
            {
                var set = pickedByIndex[i];
                if (set.Count > 0 && !Matches(row, AllFacets[i], set))
                {
                    failed |= 1 << i;
                }
            }

            var searchBit = 1 << AllFacets.Length;
            if (search.Length > 0 && !row.SearchText.Contains(search, StringComparison.Ordinal))
            {
                failed |= searchBit;
            }

            if (failed == 0)
            {
                passing.Add(row);
            }

            // A facet's counts: the rows every other filter lets through.
            for (var i = 0; i < AllFacets.Length; i++)
            {
                if ((failed & ~(1 << i)) != 0)
                {
                    continue;
                }

                if (AllFacets[i] == FunctionFacet.Flag)
                {
                    foreach (var flag in row.Flags)
                    {
                        CollectionsMarshalAdd(countsByIndex[i], flag.Token);
                    }
                }
                else
                {
                    CollectionsMarshalAdd(countsByIndex[i], ValueOf(row, AllFacets[i]));
                }
            }

            // A row failing exactly one filter is what that filter alone takes away.
            if (failed != 0 && (failed & (failed - 1)) == 0)
            {
                var name = failed == searchBit ? FunctionsQuery.SearchParameter : FunctionsQuery.FacetParameters[AllFacets[System.Numerics.BitOperations.Log2((uint)failed)]];
                CollectionsMarshalAdd(failingAlone, name);
            }
        }

        // "Changed in the range" is listed even when nothing changed: its 0 answers the question the facet asks.
        counts[FunctionFacet.Changed].TryAdd(FunctionsQuery.Changed, 0);
        var facets = AllFacets.ToDictionary(f => f, f => (IReadOnlyList<FacetValue>)counts[f]
            .Select(p => new FacetValue(p.Key, Label(f, p.Key, flagTitles), p.Value, picked[f].Contains(p.Key)))
            .Concat(picked[f].Where(v => !counts[f].ContainsKey(v)).Select(v => new FacetValue(v, Label(f, v, flagTitles), 0, true)))
            .OrderByDescending(v => v.Count).ThenBy(v => v.Label, StringComparer.OrdinalIgnoreCase)
            .ToList());

        return new FunctionsView(query, passing, facets)
        {
            EmptiedBy = passing.Count == 0 && query.Filters
                ? failingAlone.Keys.Order(StringComparer.Ordinal).ToList()
                : [],
        };
    }

    /// <summary>How a facet value reads: the account with its name, and "(none)" spelled out.</summary>
    private static string Label(FunctionFacet facet, string value, Dictionary<string, string> flagTitles) => (facet, value) switch
    {
        (FunctionFacet.Flag, _) => flagTitles.GetValueOrDefault(value, value),
        (FunctionFacet.Runtime, FunctionsQuery.NoValue) => "none (container image)",
        (FunctionFacet.Owner, FunctionsQuery.NoValue) => "no owner tag",
        (FunctionFacet.Changed, FunctionsQuery.Changed) => "changed in the range",
        (FunctionFacet.Changed, FunctionsQuery.Unchanged) => "no change recorded",
        _ => value,
    };

    private static void CollectionsMarshalAdd(Dictionary<string, int> counts, string key)
    {
        ref var count = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(counts, key, out _);
        count++;
    }

    private static bool Matches(FunctionRow row, FunctionFacet facet, HashSet<string> values)
    {
        if (facet != FunctionFacet.Flag)
        {
            return values.Contains(ValueOf(row, facet));
        }

        foreach (var flag in row.Flags)
        {
            if (values.Contains(flag.Token))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The value of a single-valued facet (every facet but flags, of which a row has any number).</summary>
    internal static string ValueOf(FunctionRow row, FunctionFacet facet) => facet switch
    {
        FunctionFacet.Account => row.Function.Key.AccountId,
        FunctionFacet.Region => row.Function.Key.Region,
        FunctionFacet.Runtime => row.Function.Runtime ?? FunctionsQuery.NoValue,
        FunctionFacet.Architecture => row.Function.Architecture,
        FunctionFacet.Package => row.Function.PackageType,
        FunctionFacet.Owner => row.Owner ?? FunctionsQuery.NoValue,
        FunctionFacet.Changed => row.ChangesInRange > 0 ? FunctionsQuery.Changed : FunctionsQuery.Unchanged,
        _ => throw new ArgumentOutOfRangeException(nameof(facet), facet, "flags are many per row"),
    };

    /// <summary>The order of <paramref name="sort"/>: unknown figures last whichever the direction, then account, region, name.</summary>
    internal static Comparison<FunctionRow> Comparer(FunctionSort sort, bool descending)
    {
        Comparison<FunctionRow> primary = sort switch
        {
            FunctionSort.Name => (a, b) => Text(a.Function.Key.Name, b.Function.Key.Name),
            FunctionSort.Account => (a, b) => Text(a.Account, b.Account),
            FunctionSort.Region => (a, b) => Text(a.Function.Key.Region, b.Function.Key.Region),
            FunctionSort.Runtime => (a, b) => Nullable(a.Function.Runtime, b.Function.Runtime, descending, Text),
            FunctionSort.Architecture => (a, b) => Text(a.Function.Architecture, b.Function.Architecture),
            FunctionSort.Memory => (a, b) => a.Function.MemoryMb.CompareTo(b.Function.MemoryMb),
            FunctionSort.Timeout => (a, b) => a.Function.TimeoutSeconds.CompareTo(b.Function.TimeoutSeconds),
            FunctionSort.Package => (a, b) => Text(a.Function.PackageType, b.Function.PackageType),
            FunctionSort.Size => (a, b) => a.Function.CodeSizeBytes.CompareTo(b.Function.CodeSizeBytes),
            FunctionSort.Owner => (a, b) => Nullable(a.Owner, b.Owner, descending, Text),
            FunctionSort.Invocations => (a, b) => Nullable(a.Invocations, b.Invocations, descending),
            FunctionSort.ErrorRate => (a, b) => Nullable(a.ErrorRate, b.ErrorRate, descending),
            FunctionSort.P99 => (a, b) => Nullable(a.P99Ms, b.P99Ms, descending),
            FunctionSort.ColdStartRate => (a, b) => Nullable(a.ColdStartRate, b.ColdStartRate, descending),
            FunctionSort.Cost => (a, b) => Nullable(a.MonthlyCost, b.MonthlyCost, descending),
            FunctionSort.Flags => (a, b) => a.FlagWeight.CompareTo(b.FlagWeight),
            _ => throw new ArgumentOutOfRangeException(nameof(sort), sort, "not a column"),
        };

        return (a, b) =>
        {
            var order = primary(a, b);
            if (order != 0)
            {
                return descending ? -order : order;
            }

            order = string.CompareOrdinal(a.Function.Key.AccountId, b.Function.Key.AccountId);
            order = order != 0 ? order : string.CompareOrdinal(a.Function.Key.Region, b.Function.Key.Region);
            return order != 0 ? order : string.CompareOrdinal(a.Function.Key.Name, b.Function.Key.Name);
        };
    }

    private static int Text(string a, string b) => string.Compare(a, b, StringComparison.OrdinalIgnoreCase);

    /// <summary>Orders known values; an unknown one goes last (the caller's reversal for descending is undone for it).</summary>
    private static int Nullable<T>(T? a, T? b, bool descending, Func<T, T, int> compare)
        where T : class
    {
        if (a is null || b is null)
        {
            return a is null == b is null ? 0 : (a is null ? 1 : -1) * (descending ? -1 : 1);
        }

        return compare(a, b);
    }

    private static int Nullable<T>(T? a, T? b, bool descending)
        where T : struct, IComparable<T>
    {
        if (a is null || b is null)
        {
            return a is null == b is null ? 0 : (a is null ? 1 : -1) * (descending ? -1 : 1);
        }

        return a.Value.CompareTo(b.Value);
    }

    /// <summary>For the page's caption: "rows 51–100 of 2,345".</summary>
    public string Describe()
    {
        if (Rows.Count == 0)
        {
            return "no function";
        }

        var first = (Query.Page - 1) * Query.PageSize + 1;
        var last = first + PageRows.Count - 1;
        var total = Rows.Count.ToString("#,0", CultureInfo.InvariantCulture);
        return PageRows.Count == 0
            ? $"page {Query.Page} is past the last page ({PageCount}) of {total} functions"
            : string.Create(CultureInfo.InvariantCulture, $"{first:#,0}–{last:#,0} of {total} functions");
    }
}
