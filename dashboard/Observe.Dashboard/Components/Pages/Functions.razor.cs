using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.WebUtilities;
using MudBlazor;
using Observe.Dashboard.Model;

namespace Observe.Dashboard.Components.Pages;

/// <summary>
/// Every function of the fleet in one grid. The address is the grid's state (filters, sort, page, page size), so a
/// link shares it and the back button restores it; the rows come from the shared snapshot of the range
/// (<see cref="FunctionsSnapshots"/>), filtered, sorted and paged in memory on each address change.
/// </summary>
public sealed partial class Functions : LivePage<FunctionsSnapshot>
{
    /// <summary>Values a facet lists before "n more": owners can number in the hundreds.</summary>
    private const int FacetValuesShown = 8;

    private readonly HashSet<FunctionFacet> _expanded = [];
    private string? _parsedUri;
    private FunctionsQuery? _query;
    private FunctionsQueryError? _queryError;
    private FunctionsView? _view;
    private (FunctionsSnapshot Snapshot, FunctionsQuery Query)? _viewOf;
    private FilteredSummary? _summary;
    private (FunctionsSnapshot Snapshot, string Filter)? _summaryOf;
    private FunctionsGridRow.FocusedFlag? _focusedFlag;

    /// <summary>The grid's state from the address; null while it is invalid.</summary>
    private FunctionsQuery? Query
    {
        get
        {
            Parse();
            return _query;
        }
    }

    private FunctionsQueryError? QueryError
    {
        get
        {
            Parse();
            return _queryError;
        }
    }

    /// <summary>The rows for the address's state over the current snapshot, computed once per (snapshot, state).</summary>
    private FunctionsView? View
    {
        get
        {
            if (Model is null || Query is null)
            {
                return null;
            }

            if (_viewOf is not { } of || !ReferenceEquals(of.Snapshot, Model) || of.Query != Query)
            {
                _view = FunctionsView.Create(Model, Query);
                _viewOf = (Model, Query);
            }

            return _view;
        }
    }

    /// <summary>The page's range as query parameters, carried by its links to the export and to each function.</summary>
    private string RangeParameters =>
        string.Join('&', Selection?.ToQuery().Where(p => p.Value is not null).Select(p => $"{p.Key}={System.Uri.EscapeDataString((string)p.Value!)}") ?? []);

    private string CsvUri
    {
        get
        {
            var query = Query?.ToQueryString();
            return "functions/export.csv?" + string.Join('&', new[] { RangeParameters, query }.Where(p => !string.IsNullOrEmpty(p)));
        }
    }

    private void Parse()
    {
        var uri = Navigation.Uri;
        if (string.Equals(uri, _parsedUri, StringComparison.Ordinal))
        {
            return;
        }

        var parameters = QueryHelpers.ParseQuery(new System.Uri(uri).Query);
        (_query, _queryError) = FunctionsQuery.Parse(parameters, IsFlag);
        _parsedUri = uri;
    }

    /// <summary>A flag token in the address is valid when the rules know it (the snapshot lists every flag, raised or not).</summary>
    private bool IsFlag(string token) => Model is null || Model.FlagLegend.Any(p => string.Equals(p.Token, token, StringComparison.Ordinal));

    // Relative to the base (functions?...): every link on the page carries the address, and a change rewrites most of them.
    private string Link(FunctionsQuery query) => Navigation.ToBaseRelativePath(Navigation.GetUriWithQueryParameters(query.ToParameters()));

    private string SortUri(FunctionSort sort) => Link(Query!.SortBy(sort));

    private string ColumnsUri => Link(Query!.WithAllColumns(!Query.ShowsConfiguration));

    private string PageUri(int page) => Link(Query! with { Page = page });

    private string SizeUri(int size) => Link(Query! with { PageSize = size, Page = 1 });

    /// <summary>Picks or unpicks a facet value; <paramref name="only"/> makes it the facet's one value (the summary cards).</summary>
    private string FacetUri(FunctionFacet facet, string value, bool only = false) =>
        Link(only ? Query!.WithFacet(facet, [value]) : Query!.Toggle(facet, value));

    private string WithoutParameter(string parameter) => Navigation.GetUriWithQueryParameter(parameter, (string?)null);

    private string DetailUri(FunctionRow row)
    {
        var range = RangeParameters;
        return FunctionDetailLinks.Page(row.Function.Key) + (range.Length > 0 ? "?" + range : "");
    }

    private void FocusFlag(FunctionsGridRow.FocusedFlag flag) => _focusedFlag = flag;

    private Task SearchAsync(string? text)
    {
        var search = text?.Trim() ?? "";
        if (Query is { } query && !string.Equals(search, query.Search, StringComparison.Ordinal))
        {
            // Typing replaces the entry rather than adding one per pause: back goes to before the search.
            Navigation.NavigateTo(Link(query with { Search = search, Page = 1 }), replace: !string.IsNullOrEmpty(query.Search));
        }

        return Task.CompletedTask;
    }

    private int FacetLimit(FunctionFacet facet, IReadOnlyList<FacetValue> values) =>
        _expanded.Contains(facet) ? values.Count : Math.Max(FacetValuesShown, values.Count(v => v.Selected));

    private static string FacetTitle(FunctionFacet facet) => facet switch
    {
        FunctionFacet.Architecture => "Architecture",
        FunctionFacet.Package => "Package type",
        FunctionFacet.Owner => "Owner",
        FunctionFacet.Changed => "Changed in range",
        _ => facet.ToString(),
    };

    /// <summary>
    /// The summary cards' figures over the filtered rows, in one pass, kept while only the sort, page or columns change
    /// (the same rows in another order).
    /// </summary>
    private FilteredSummary Summary(FunctionsView view)
    {
        var filter = (view.Query with { Sort = FunctionSort.Name, Descending = false, Page = 1, PageSize = FunctionsQuery.DefaultPageSize, AllColumnsShown = false })
            .ToQueryString();
        if (_summary is null || _summaryOf is not { } of || !ReferenceEquals(of.Snapshot, Model) || !string.Equals(of.Filter, filter, StringComparison.Ordinal))
        {
            _summary = FilteredSummary.Of(view.Rows);
            _summaryOf = (Model!, filter);
        }

        return _summary;
    }

    private int FlagCount(FunctionsView view, string token) => Summary(view).FlagCounts.GetValueOrDefault(token);

    private (decimal? Known, int Unknown) Cost(FunctionsView view) => (Summary(view).KnownCost, Summary(view).UnknownCost);

    private string CostTitle(FunctionsView view)
    {
        var (known, unknown) = Cost(view);
        var total = known is { } k ? k.ToString("#,0.00", CultureInfo.InvariantCulture) + " USD per month" : "not estimated";
        return unknown > 0 ? $"{total}; {unknown} functions not estimated (not counted)" : total;
    }

    private IReadOnlyList<FunctionRow> TopSpenders(FunctionsView view) => Summary(view).TopSpenders;

    /// <summary>Flags raised, estimated cost (and how many functions have none) and the top spenders of some rows.</summary>
    private sealed record FilteredSummary(IReadOnlyDictionary<string, int> FlagCounts, decimal? KnownCost, int UnknownCost, IReadOnlyList<FunctionRow> TopSpenders)
    {
        public static FilteredSummary Of(IReadOnlyList<FunctionRow> rows)
        {
            var flags = new Dictionary<string, int>(StringComparer.Ordinal);
            decimal? known = null;
            var unknown = 0;
            foreach (var row in rows)
            {
                foreach (var flag in row.Flags)
                {
                    flags[flag.Token] = flags.GetValueOrDefault(flag.Token) + 1;
                }

                if (row.MonthlyCost is { } cost)
                {
                    known = (known ?? 0) + cost;
                }
                else
                {
                    unknown++;
                }
            }

            var top = rows.Where(r => r.MonthlyCost > 0)
                .OrderByDescending(r => r.MonthlyCost)
                .ThenBy(r => r.Function.Key.Name, StringComparer.Ordinal)
                .Take(5)
                .ToList();
            return new FilteredSummary(flags, known, unknown, top);
        }
    }

    private static string FormatCost(decimal? value) => FunctionsFormat.Cost(value);

    /// <summary>The filters that emptied the grid, for "No function matches ..."</summary>
    private string EmptiedByText(FunctionsView view) => view.EmptiedBy.Count switch
    {
        0 => "all these filters together",
        1 => $"the {Describe(view.EmptiedBy[0])} filter",
        _ => "the " + string.Join(" or the ", view.EmptiedBy.Select(Describe)) + " filter",
    };

    private string Describe(string parameter)
    {
        if (parameter == FunctionsQuery.SearchParameter)
        {
            return $"search \"{Query!.Search}\"";
        }

        var facet = FunctionsQuery.FacetParameters.First(p => p.Value == parameter).Key;
        if (facet == FunctionFacet.Changed)
        {
            return string.Join(" or ", Query!.Values(facet).Select(v => v == FunctionsQuery.Changed ? "\"changed in the range\"" : "\"no change recorded\""));
        }

        return $"{FacetTitle(facet).ToLowerInvariant()} ({string.Join(", ", Query!.Values(facet))})";
    }

    /// <summary>Clears the one filter that emptied the grid, or every filter when several did.</summary>
    private string ClearUri(FunctionsView view)
    {
        if (view.EmptiedBy.Count == 1)
        {
            var parameter = view.EmptiedBy[0];
            return parameter == FunctionsQuery.SearchParameter
                ? Link(Query! with { Search = "", Page = 1 })
                : Link(Query!.WithFacet(FunctionsQuery.FacetParameters.First(p => p.Value == parameter).Key, []));
        }

        return Link(FunctionsQuery.Default with { Sort = Query!.Sort, Descending = Query.Descending, PageSize = Query.PageSize });
    }

    private static string ClearText(FunctionsView view) => view.EmptiedBy.Count == 1 ? "Clear that filter" : "Clear every filter";
}
