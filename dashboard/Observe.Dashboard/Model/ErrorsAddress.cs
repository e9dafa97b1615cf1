using Microsoft.AspNetCore.WebUtilities;
using Observe.Store.Model;

namespace Observe.Dashboard.Model;

/// <summary>
/// The Errors page's state as the address holds it: <c>errors/{fingerprint}</c> opens one error, and
/// <c>?function=&amp;account=&amp;region=&amp;status=&amp;q=&amp;sort=</c> filter and order the list, <c>page=</c> pages it
/// (a new filter or order starts again at the first page). The time range
/// (<c>range</c>, <c>from</c>, <c>to</c>) is the dashboard's and is carried by every link built here.
/// </summary>
public sealed record ErrorsAddress
{
    public const string FunctionParameter = "function";
    public const string AccountParameter = "account";
    public const string RegionParameter = "region";
    public const string StatusParameter = "status";
    public const string SearchParameter = "q";
    public const string SortParameter = "sort";
    public const string PageParameter = "page";

    /// <summary>The furthest page the address may ask for: past it, the filters narrow the list better than paging.</summary>
    public const int MaxPage = 100;

    /// <summary>The page's path, relative to the base address.</summary>
    public const string Path = "errors";

    private static readonly string[] RangeParameters = [TimeRangeQuery.RangeParameter, TimeRangeQuery.FromParameter, TimeRangeQuery.ToParameter];

    public string? FunctionName { get; init; }

    public string? Account { get; init; }

    public string? Region { get; init; }

    public ErrorStatus? Status { get; init; }

    /// <summary>Text every shown error contains (message, type or fingerprint); empty for none.</summary>
    public string Search { get; init; } = "";

    public ErrorSort Sort { get; init; } = ErrorSort.Count;

    /// <summary>The list's page, from 1.</summary>
    public int Page { get; init; } = 1;

    /// <summary>The error whose view is open; null on the list.</summary>
    public string? Fingerprint { get; init; }

    /// <summary>What in the address could not be read, naming the parameter and the values it takes; null when all of it could.</summary>
    public string? Error { get; init; }

    /// <summary>The time range parameters of the address, kept as they are for links.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Range { get; init; } = [];

    public bool Filtered => FunctionName is not null || Account is not null || Region is not null || Status is not null || Search.Length > 0;

    /// <summary>The filters and order without the range: a different key means a different query.</summary>
    public string QueryKey => string.Join('&', Filters(this, withPage: true).Select(p => $"{p.Key}={p.Value}")) + "#" + Fingerprint;

    /// <summary>The store's query for these filters.</summary>
    public ErrorQuery ToQuery() => new()
    {
        Filter = new FleetFilter(Account, Region),
        FunctionName = FunctionName,
        Status = Status,
        Text = Search.Length > 0 ? Search : null,
        Sort = Sort,
    };

    /// <summary>Reads an absolute address (the navigation manager's) relative to <paramref name="baseUri"/>.</summary>
    public static ErrorsAddress Parse(string uri, string baseUri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        ArgumentNullException.ThrowIfNull(baseUri);
        var relative = uri.StartsWith(baseUri, StringComparison.Ordinal) ? uri[baseUri.Length..] : new Uri(uri).PathAndQuery.TrimStart('/');
        var queryStart = relative.IndexOfAny(['?', '#']);
        var path = queryStart < 0 ? relative : relative[..queryStart];
        var query = QueryHelpers.ParseQuery(queryStart < 0 || relative[queryStart] == '#' ? "" : relative[queryStart..].Split('#')[0]);

        string? fingerprint = null;
        var prefix = Path + "/";
        if (path.StartsWith(prefix, StringComparison.Ordinal) && path.Length > prefix.Length)
        {
            fingerprint = Uri.UnescapeDataString(path[prefix.Length..]);
        }

        string? error = null;
        ErrorStatus? status = null;
        if (Value(query, StatusParameter) is { } statusText)
        {
            status = ParseStatus(statusText);
            if (status is null)
            {
                error = $"{StatusParameter}: \"{statusText}\" is not an error status; use active, ignored or resolved.";
            }
        }

        var sort = ErrorSort.Count;
        if (Value(query, SortParameter) is { } sortText)
        {
            if (ParseSort(sortText) is { } parsed)
            {
                sort = parsed;
            }
            else
            {
                error ??= $"{SortParameter}: \"{sortText}\" is not an order; use count, last-seen or first-seen.";
            }
        }

        var page = 1;
        if (Value(query, PageParameter) is { } pageText)
        {
            if (int.TryParse(pageText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var parsed) && parsed is >= 1 and <= MaxPage)
            {
                page = parsed;
            }
            else
            {
                error ??= $"{PageParameter}: \"{pageText}\" is not a page; use a whole number from 1 to {MaxPage} (filter the list to narrow it further).";
            }
        }

        return new ErrorsAddress
        {
            FunctionName = Value(query, FunctionParameter),
            Account = Value(query, AccountParameter),
            Region = Value(query, RegionParameter),
            Status = status,
            Search = Value(query, SearchParameter) ?? "",
            Sort = sort,
            Page = page,
            Fingerprint = fingerprint,
            Error = error,
            Range = query.Where(p => RangeParameters.Contains(p.Key, StringComparer.Ordinal))
                .SelectMany(p => p.Value.Select(v => KeyValuePair.Create(p.Key, v ?? "")))
                .ToList(),
        };
    }

    public static string StatusToken(ErrorStatus status) => status switch
    {
        ErrorStatus.Ignored => "ignored",
        ErrorStatus.Resolved => "resolved",
        _ => "active",
    };

    public static ErrorStatus? ParseStatus(string value) => value.Trim().ToLowerInvariant() switch
    {
        "active" => ErrorStatus.Active,
        "ignored" => ErrorStatus.Ignored,
        "resolved" => ErrorStatus.Resolved,
        _ => null,
    };

    public static string SortToken(ErrorSort sort) => sort switch
    {
        ErrorSort.LastSeen => "last-seen",
        ErrorSort.FirstSeen => "first-seen",
        _ => "count",
    };

    public static ErrorSort? ParseSort(string value) => value.Trim().ToLowerInvariant() switch
    {
        "count" => ErrorSort.Count,
        "last-seen" => ErrorSort.LastSeen,
        "first-seen" => ErrorSort.FirstSeen,
        _ => null,
    };

    /// <summary>The list with these filters (no error open).</summary>
    public string ListUri() => Build(Path, Filters(this));

    /// <summary>The list at another page, with the same filters and order.</summary>
    public string PageUri(int page) => Build(Path,
        [.. Filters(this), .. page > 1 ? new[] { KeyValuePair.Create(PageParameter, page.ToString(System.Globalization.CultureInfo.InvariantCulture)) } : []]);

    /// <summary>The list with one parameter set (or removed when <paramref name="value"/> is empty), from its first page.</summary>
    public string With(string parameter, string? value) => Build(Path,
        [.. Filters(this).Where(p => p.Key != parameter), .. string.IsNullOrWhiteSpace(value) ? [] : new[] { KeyValuePair.Create(parameter, value.Trim()) }]);

    /// <summary>The list without filters (the order kept), at the same range.</summary>
    public string ClearedUri() => Build(Path, Sort == ErrorSort.Count ? [] : [KeyValuePair.Create(SortParameter, SortToken(Sort))]);

    /// <summary>One error's view, keeping the list's filters and the range.</summary>
    public string ErrorUri(string fingerprint) => Build($"{Path}/{Uri.EscapeDataString(fingerprint)}", Filters(this));

    /// <summary>A function's detail page at the same range.</summary>
    public string FunctionUri(FunctionKey function) => Build(FunctionDetailLinks.Page(function), []);

    /// <summary>The trace's page (built by the Traces page), at the same range.</summary>
    public string TraceUri(string traceId) => Build($"traces/{Uri.EscapeDataString(traceId)}", []);

    /// <summary>The Errors list filtered to one function, at the range given as query parameters (the Function detail page's link).</summary>
    public static string ForFunction(FunctionKey function, string rangeQuery) =>
        $"{Path}?{AccountParameter}={Uri.EscapeDataString(function.AccountId)}&{RegionParameter}={Uri.EscapeDataString(function.Region)}" +
        $"&{FunctionParameter}={Uri.EscapeDataString(function.Name)}{(string.IsNullOrEmpty(rangeQuery) ? "" : "&" + rangeQuery.TrimStart('?'))}";

    private static List<KeyValuePair<string, string>> Filters(ErrorsAddress a, bool withPage = false)
    {
        var filters = new List<KeyValuePair<string, string>>();
        void Add(string key, string? value)
        {
            if (!string.IsNullOrEmpty(value))
            {
                filters.Add(KeyValuePair.Create(key, value));
            }
        }

        Add(FunctionParameter, a.FunctionName);
        Add(AccountParameter, a.Account);
        Add(RegionParameter, a.Region);
        Add(StatusParameter, a.Status is { } s ? StatusToken(s) : null);
        Add(SearchParameter, a.Search);
        Add(SortParameter, a.Sort == ErrorSort.Count ? null : SortToken(a.Sort));
        if (withPage && a.Page > 1)
        {
            Add(PageParameter, a.Page.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        return filters;
    }

    private string Build(string path, IReadOnlyList<KeyValuePair<string, string>> filters)
    {
        var pairs = filters.Concat(Range).Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}").ToList();
        return pairs.Count == 0 ? path : $"{path}?{string.Join('&', pairs)}";
    }

    private static string? Value(Dictionary<string, Microsoft.Extensions.Primitives.StringValues> query, string key) =>
        query.TryGetValue(key, out var values) ? values.Where(v => !string.IsNullOrWhiteSpace(v)).Select(v => v!.Trim()).FirstOrDefault() : null;
}
