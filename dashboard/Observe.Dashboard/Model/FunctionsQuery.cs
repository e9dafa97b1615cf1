using System.Globalization;
using Microsoft.Extensions.Primitives;

namespace Observe.Dashboard.Model;

/// <summary>A column the Functions grid sorts by; <see cref="FunctionsQuery.SortTokens"/> spells each in the URL.</summary>
public enum FunctionSort
{
    Name,
    Account,
    Region,
    Runtime,
    Architecture,
    Memory,
    Timeout,
    Package,
    Size,
    Owner,
    Invocations,
    ErrorRate,
    P99,
    ColdStartRate,
    Cost,
    Flags,
}

/// <summary>A facet of the Functions grid: a column whose values the user picks from, with counts.</summary>
public enum FunctionFacet
{
    Account,
    Region,
    Runtime,
    Architecture,
    Package,
    Owner,
    Flag,

    /// <summary>Whether the inventory collector recorded a change of the function in the range (<see cref="FunctionsQuery.Changed"/>).</summary>
    Changed,
}

/// <summary>A parameter of the Functions address that cannot be used, and why.</summary>
public sealed record FunctionsQueryError(string Parameter, string Problem)
{
    public string Message => $"{Parameter}: {Problem}";
}

/// <summary>
/// The Functions grid's state as the address states it (<c>?q=&amp;account=&amp;region=&amp;runtime=&amp;arch=&amp;package=&amp;owner=&amp;flag=&amp;changed=&amp;sort=&amp;dir=&amp;page=&amp;size=&amp;columns=</c>,
/// the time range beside it). One parser for the page and the CSV export, so both show the same rows. A facet takes
/// several values (<c>?region=us-east-1&amp;region=eu-west-1</c>): a row matches any of them.
/// </summary>
public sealed record FunctionsQuery
{
    public const string SearchParameter = "q";
    public const string SortParameter = "sort";
    public const string DirectionParameter = "dir";
    public const string PageParameter = "page";
    public const string SizeParameter = "size";
    public const string ColumnsParameter = "columns";

    /// <summary>The <see cref="ColumnsParameter"/> value that adds the configuration columns.</summary>
    public const string AllColumns = "all";

    /// <summary>The <see cref="FunctionFacet.Changed"/> value of a function with a change recorded in the range.</summary>
    public const string Changed = "yes";

    /// <summary>The <see cref="FunctionFacet.Changed"/> value of a function with no change recorded in the range.</summary>
    public const string Unchanged = "no";

    /// <summary>The facet value of a function without one (a container image has no runtime, a function no owner tag).</summary>
    public const string NoValue = "(none)";

    public const int DefaultPageSize = 50;

    /// <summary>The page sizes offered; larger pages would make each round trip render thousands of cells.</summary>
    public static IReadOnlyList<int> PageSizes { get; } = [25, 50, 100, 200];

    public static IReadOnlyDictionary<FunctionFacet, string> FacetParameters { get; } = new Dictionary<FunctionFacet, string>
    {
        [FunctionFacet.Account] = "account",
        [FunctionFacet.Region] = "region",
        [FunctionFacet.Runtime] = "runtime",
        [FunctionFacet.Architecture] = "arch",
        [FunctionFacet.Package] = "package",
        [FunctionFacet.Owner] = "owner",
        [FunctionFacet.Flag] = "flag",
        [FunctionFacet.Changed] = "changed",
    };

    public static IReadOnlyDictionary<FunctionSort, string> SortTokens { get; } = new Dictionary<FunctionSort, string>
    {
        [FunctionSort.Name] = "name",
        [FunctionSort.Account] = "account",
        [FunctionSort.Region] = "region",
        [FunctionSort.Runtime] = "runtime",
        [FunctionSort.Architecture] = "arch",
        [FunctionSort.Memory] = "memory",
        [FunctionSort.Timeout] = "timeout",
        [FunctionSort.Package] = "package",
        [FunctionSort.Size] = "size",
        [FunctionSort.Owner] = "owner",
        [FunctionSort.Invocations] = "invocations",
        [FunctionSort.ErrorRate] = "error-rate",
        [FunctionSort.P99] = "p99",
        [FunctionSort.ColdStartRate] = "cold-start-rate",
        [FunctionSort.Cost] = "cost",
        [FunctionSort.Flags] = "flags",
    };

    private static readonly Dictionary<string, FunctionSort> SortByToken =
        SortTokens.ToDictionary(p => p.Value, p => p.Key, StringComparer.OrdinalIgnoreCase);

    private static readonly IReadOnlyList<string> NoValues = [];

    /// <summary>Every function, by name, first page.</summary>
    public static FunctionsQuery Default { get; } = new();

    /// <summary>Text searched in the name, the owner and the tags (keys and values), case-insensitively; empty for none.</summary>
    public string Search { get; init; } = "";

    /// <summary>The values picked per facet; a facet absent (or with no value) does not filter.</summary>
    public IReadOnlyDictionary<FunctionFacet, IReadOnlyList<string>> Facets { get; init; } = new Dictionary<FunctionFacet, IReadOnlyList<string>>();

    public FunctionSort Sort { get; init; } = FunctionSort.Name;

    public bool Descending { get; init; }

    /// <summary>1-based.</summary>
    public int Page { get; init; } = 1;

    public int PageSize { get; init; } = DefaultPageSize;

    /// <summary>
    /// Whether the grid shows the configuration columns (architecture, memory, timeout, package, size) as well: they
    /// are a choice because each column is 50 to 200 more cells to render on every page change; the CSV always has them.
    /// </summary>
    public bool AllColumnsShown { get; init; }

    /// <summary>The configuration columns are on screen: chosen, or needed to show the column the rows are sorted by.</summary>
    public bool ShowsConfiguration => AllColumnsShown || IsConfiguration(Sort);

    /// <summary>The columns shown only with <see cref="AllColumnsShown"/> (or when sorting by one of them).</summary>
    public static bool IsConfiguration(FunctionSort sort) => sort is FunctionSort.Architecture or FunctionSort.Memory
        or FunctionSort.Timeout or FunctionSort.Package or FunctionSort.Size;

    /// <summary>The values picked for <paramref name="facet"/> (none when it does not filter).</summary>
    public IReadOnlyList<string> Values(FunctionFacet facet) => Facets.TryGetValue(facet, out var values) ? values : NoValues;

    /// <summary>Anything narrows the rows (search or a facet); sort and page do not.</summary>
    public bool Filters => Search.Length > 0 || Facets.Values.Any(v => v.Count > 0);

    /// <summary>This query with <paramref name="value"/> picked or unpicked in <paramref name="facet"/>, back on page 1.</summary>
    public FunctionsQuery Toggle(FunctionFacet facet, string value)
    {
        var current = Values(facet);
        var next = current.Contains(value, StringComparer.Ordinal)
            ? current.Where(v => !string.Equals(v, value, StringComparison.Ordinal)).ToList()
            : current.Append(value).ToList();
        return WithFacet(facet, next);
    }

    /// <summary>This query with <paramref name="facet"/> set to exactly <paramref name="values"/>, back on page 1.</summary>
    public FunctionsQuery WithFacet(FunctionFacet facet, IReadOnlyList<string> values)
    {
        var facets = Facets.ToDictionary(p => p.Key, p => p.Value);
        if (values.Count == 0)
        {
            facets.Remove(facet);
        }
        else
        {
            facets[facet] = values;
        }

        return this with { Facets = facets, Page = 1 };
    }

    /// <summary>
    /// Sorting by <paramref name="sort"/>: a second click on the sorted column reverses it; a new column starts with
    /// the order people look for first (names A-Z, figures largest first).
    /// </summary>
    public FunctionsQuery SortBy(FunctionSort sort) => sort == Sort
        ? this with { Descending = !Descending, Page = 1 }
        : this with { Sort = sort, Descending = !IsText(sort), Page = 1 };

    /// <summary>
    /// This query with the configuration columns shown or not; hiding them also drops a sort by one of them (the
    /// rows would stay in an order no column on screen shows), back to the default order.
    /// </summary>
    public FunctionsQuery WithAllColumns(bool shown) => shown || !IsConfiguration(Sort)
        ? this with { AllColumnsShown = shown }
        : this with { AllColumnsShown = false, Sort = FunctionSort.Name, Descending = false, Page = 1 };

    /// <summary>The query parameters of this state, for <c>NavigationManager.GetUriWithQueryParameters</c>: defaults are left out (null removes them).</summary>
    public IReadOnlyDictionary<string, object?> ToParameters()
    {
        var parameters = new Dictionary<string, object?>
        {
            [SearchParameter] = Search.Length == 0 ? null : Search,
            [SortParameter] = Sort == FunctionSort.Name && !Descending ? null : SortTokens[Sort],
            [DirectionParameter] = Sort == FunctionSort.Name && !Descending ? null : Descending ? "desc" : "asc",
            [PageParameter] = Page == 1 ? null : Page.ToString(CultureInfo.InvariantCulture),
            [SizeParameter] = PageSize == DefaultPageSize ? null : PageSize.ToString(CultureInfo.InvariantCulture),
            [ColumnsParameter] = AllColumnsShown ? AllColumns : null,
        };
        foreach (var (facet, name) in FacetParameters)
        {
            var values = Values(facet);
            parameters[name] = values.Count == 0 ? null : values.ToArray();
        }

        return parameters;
    }

    /// <summary>The query string (without <c>?</c>) of this state, parameters in a fixed order; for links built outside a page (the CSV link).</summary>
    public string ToQueryString()
    {
        var parts = new List<string>();
        foreach (var (name, value) in ToParameters())
        {
            switch (value)
            {
                case string text:
                    parts.Add($"{name}={Uri.EscapeDataString(text)}");
                    break;
                case string[] values:
                    parts.AddRange(values.Select(v => $"{name}={Uri.EscapeDataString(v)}"));
                    break;
            }
        }

        return string.Join('&', parts);
    }

    /// <summary>
    /// Reads the grid's state from the address's parameters (others, like the range, are ignored). A value that
    /// cannot be used is an error naming the parameter, never silently replaced by the default.
    /// </summary>
    /// <param name="parameters">The query string's parameters.</param>
    /// <param name="isFlag">Whether a <c>flag</c> value names a flag; every value passes when null.</param>
    public static (FunctionsQuery? Query, FunctionsQueryError? Error) Parse(
        IEnumerable<KeyValuePair<string, StringValues>> parameters, Func<string, bool>? isFlag = null)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var all = parameters.ToDictionary(p => p.Key, p => p.Value, StringComparer.OrdinalIgnoreCase);
        string? Single(string name) => all.TryGetValue(name, out var v) ? v.LastOrDefault() : null;

        var facets = new Dictionary<FunctionFacet, IReadOnlyList<string>>();
        foreach (var (facet, name) in FacetParameters)
        {
            if (!all.TryGetValue(name, out var raw))
            {
                continue;
            }

            var values = raw.Where(v => !string.IsNullOrWhiteSpace(v)).Select(v => v!.Trim()).Distinct(StringComparer.Ordinal).ToList();
            if (facet == FunctionFacet.Flag && isFlag is not null && values.FirstOrDefault(v => !isFlag(v)) is { } unknown)
            {
                return (null, new FunctionsQueryError(name, $"\"{unknown}\" is not a flag; pick one from the Flag facet."));
            }

            if (facet == FunctionFacet.Changed && values.FirstOrDefault(v => v is not (Changed or Unchanged)) is { } notChoice)
            {
                return (null, new FunctionsQueryError(name, $"\"{notChoice}\" is not a choice; use {Changed} (changed in the range) or {Unchanged}."));
            }

            if (values.Count > 0)
            {
                facets[facet] = values;
            }
        }

        var sort = FunctionSort.Name;
        if (Single(SortParameter) is { Length: > 0 } sortText)
        {
            if (!SortByToken.TryGetValue(sortText.Trim(), out sort))
            {
                return (null, new FunctionsQueryError(SortParameter, $"\"{sortText}\" is not a column; use one of {string.Join(", ", SortTokens.Values)}."));
            }
        }

        var descending = !IsText(sort) && Single(SortParameter) is { Length: > 0 };
        if (Single(DirectionParameter) is { Length: > 0 } direction)
        {
            switch (direction.Trim().ToLowerInvariant())
            {
                case "asc":
                    descending = false;
                    break;
                case "desc":
                    descending = true;
                    break;
                default:
                    return (null, new FunctionsQueryError(DirectionParameter, $"\"{direction}\" is not a direction; use asc or desc."));
            }
        }

        var page = 1;
        if (Single(PageParameter) is { Length: > 0 } pageText
            && (!int.TryParse(pageText, NumberStyles.None, CultureInfo.InvariantCulture, out page) || page < 1))
        {
            return (null, new FunctionsQueryError(PageParameter, $"\"{pageText}\" is not a page number; pages count from 1."));
        }

        var size = DefaultPageSize;
        if (Single(SizeParameter) is { Length: > 0 } sizeText
            && (!int.TryParse(sizeText, NumberStyles.None, CultureInfo.InvariantCulture, out size) || !PageSizes.Contains(size)))
        {
            return (null, new FunctionsQueryError(SizeParameter, $"\"{sizeText}\" is not a page size; use {string.Join(", ", PageSizes)}."));
        }

        var allColumns = false;
        if (Single(ColumnsParameter) is { Length: > 0 } columnsText)
        {
            if (!string.Equals(columnsText.Trim(), AllColumns, StringComparison.OrdinalIgnoreCase))
            {
                return (null, new FunctionsQueryError(ColumnsParameter, $"\"{columnsText}\" is not a choice of columns; use {AllColumns}, or leave it out for the usual ones."));
            }

            allColumns = true;
        }

        return (new FunctionsQuery
        {
            Search = Single(SearchParameter)?.Trim() ?? "",
            Facets = facets,
            Sort = sort,
            Descending = descending,
            Page = page,
            PageSize = size,
            AllColumnsShown = allColumns,
        }, null);
    }

    /// <summary>Columns of text sort A-Z first; figures largest first.</summary>
    private static bool IsText(FunctionSort sort) => sort is FunctionSort.Name or FunctionSort.Account or FunctionSort.Region
        or FunctionSort.Runtime or FunctionSort.Architecture or FunctionSort.Package or FunctionSort.Owner;
}
