using Microsoft.AspNetCore.WebUtilities;
using Observe.Store.Model;

namespace Observe.Dashboard.Model;

/// <summary>
/// The Cold starts page's filters as the address holds them: <c>?account=&amp;region=&amp;runtime=&amp;arch=&amp;q=</c>
/// (<c>q</c>: text the function name contains). The time range parameters are the dashboard's, kept on every link.
/// </summary>
public sealed record ColdStartsAddress
{
    public const string Path = "cold-starts";
    public const string AccountParameter = "account";
    public const string RegionParameter = "region";
    public const string RuntimeParameter = "runtime";
    public const string ArchitectureParameter = "arch";
    public const string SearchParameter = "q";

    private static readonly string[] RangeParameters = [TimeRangeQuery.RangeParameter, TimeRangeQuery.FromParameter, TimeRangeQuery.ToParameter];

    public string? Account { get; init; }

    public string? Region { get; init; }

    public string? Runtime { get; init; }

    public string? Architecture { get; init; }

    /// <summary>Text the function's name contains (case-insensitive); empty for none.</summary>
    public string Search { get; init; } = "";

    /// <summary>The time range parameters, kept as they are for links.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Range { get; init; } = [];

    public bool Filtered => Account is not null || Region is not null || Runtime is not null || Architecture is not null || Search.Length > 0;

    /// <summary>The filters without the range: a different key means a different query.</summary>
    public string QueryKey => string.Join('&', Filters(this).Select(p => $"{p.Key}={p.Value}"));

    public FleetFilter Filter => new(Account, Region);

    /// <summary>Whether a function passes the filters the store does not apply (runtime, architecture, name text).</summary>
    public bool Matches(FunctionKey key, LambdaFunction? function) =>
        (Runtime is null || string.Equals(ColdStartsFormat.RuntimeLabel(function), Runtime, StringComparison.Ordinal))
        && (Architecture is null || string.Equals(function?.Architecture, Architecture, StringComparison.Ordinal))
        && (Search.Length == 0 || key.Name.Contains(Search, StringComparison.OrdinalIgnoreCase));

    public static ColdStartsAddress Parse(string uri, string baseUri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        ArgumentNullException.ThrowIfNull(baseUri);
        var relative = uri.StartsWith(baseUri, StringComparison.Ordinal) ? uri[baseUri.Length..] : new Uri(uri).PathAndQuery.TrimStart('/');
        var queryStart = relative.IndexOf('?', StringComparison.Ordinal);
        var query = QueryHelpers.ParseQuery(queryStart < 0 ? "" : relative[queryStart..].Split('#')[0]);
        return new ColdStartsAddress
        {
            Account = Value(query, AccountParameter),
            Region = Value(query, RegionParameter),
            Runtime = Value(query, RuntimeParameter),
            Architecture = Value(query, ArchitectureParameter),
            Search = Value(query, SearchParameter) ?? "",
            Range = query.Where(p => RangeParameters.Contains(p.Key, StringComparer.Ordinal))
                .SelectMany(p => p.Value.Select(v => KeyValuePair.Create(p.Key, v ?? "")))
                .ToList(),
        };
    }

    /// <summary>The page with one filter set (or removed when <paramref name="value"/> is empty).</summary>
    public string With(string parameter, string? value) => Build(Path,
        [.. Filters(this).Where(p => p.Key != parameter), .. string.IsNullOrWhiteSpace(value) ? [] : new[] { KeyValuePair.Create(parameter, value.Trim()) }]);

    /// <summary>The page without filters, at the same range.</summary>
    public string ClearedUri() => Build(Path, []);

    /// <summary>A function's detail page at the same range.</summary>
    public string FunctionUri(FunctionKey function) => Build(FunctionDetailLinks.Page(function), []);

    /// <summary>The page filtered to one function (its account, region and exact name as the text), at the range given as a query (the Function detail page's link).</summary>
    public static string ForFunction(FunctionKey function, string rangeQuery) =>
        $"{Path}?{AccountParameter}={Uri.EscapeDataString(function.AccountId)}&{RegionParameter}={Uri.EscapeDataString(function.Region)}" +
        $"&{SearchParameter}={Uri.EscapeDataString(function.Name)}{(string.IsNullOrEmpty(rangeQuery) ? "" : "&" + rangeQuery.TrimStart('?'))}";

    private static List<KeyValuePair<string, string>> Filters(ColdStartsAddress a)
    {
        var filters = new List<KeyValuePair<string, string>>();
        void Add(string key, string? value)
        {
            if (!string.IsNullOrEmpty(value))
            {
                filters.Add(KeyValuePair.Create(key, value));
            }
        }

        Add(AccountParameter, a.Account);
        Add(RegionParameter, a.Region);
        Add(RuntimeParameter, a.Runtime);
        Add(ArchitectureParameter, a.Architecture);
        Add(SearchParameter, a.Search);
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
