using Microsoft.AspNetCore.WebUtilities;

namespace Observe.Dashboard.Model;

/// <summary>
/// The Alerts page's state as the address holds it: <c>?state=&amp;severity=</c> (each may repeat), <c>q</c> (text in
/// the rule or the function), <c>group</c> (a notification's group, as its link gives it) and <c>function</c>,
/// <c>account</c>, <c>region</c> (the Function detail page's link). One alert's history is <c>alerts/alert?rule=&amp;labels=</c>.
/// The time range (<c>range</c>, <c>from</c>, <c>to</c>) is the dashboard's and is carried by every link built here.
/// </summary>
public sealed record AlertsAddress
{
    public const string StateParameter = "state";
    public const string SeverityParameter = "severity";
    public const string SearchParameter = "q";
    public const string GroupParameter = "group";
    public const string FunctionParameter = "function";
    public const string AccountParameter = "account";
    public const string RegionParameter = "region";
    public const string RuleParameter = "rule";
    public const string LabelsParameter = "labels";

    /// <summary>The page's path, relative to the base address.</summary>
    public const string Path = "alerts";

    /// <summary>One alert's history, relative to the base address.</summary>
    public const string AlertPath = "alerts/alert";

    /// <summary>The state filter's values: the two open states, and two marks an open alert may carry.</summary>
    public static readonly IReadOnlyList<string> States = ["firing", "pending", "acknowledged", "silenced"];

    /// <summary>The severities rules have, worst first.</summary>
    public static readonly IReadOnlyList<string> Severities = ["critical", "warning", "info"];

    private static readonly string[] RangeParameters = [TimeRangeQuery.RangeParameter, TimeRangeQuery.FromParameter, TimeRangeQuery.ToParameter];
    private static readonly string[] FilterParameters = [StateParameter, SeverityParameter, SearchParameter, GroupParameter, FunctionParameter, AccountParameter, RegionParameter];

    public IReadOnlySet<string> StateFilter { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    public IReadOnlySet<string> SeverityFilter { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>Text the rule's name or id, or the function, contains (any case); empty for none.</summary>
    public string Search { get; init; } = "";

    public string? Group { get; init; }

    public string? Function { get; init; }

    public string? Account { get; init; }

    public string? Region { get; init; }

    /// <summary>The opened alert's rule and labels key (on <see cref="AlertPath"/>); null elsewhere.</summary>
    public string? Rule { get; init; }

    public string? Labels { get; init; }

    /// <summary>What in the address could not be read, naming the parameter and the values it takes; null when all of it could.</summary>
    public string? Error { get; init; }

    /// <summary>The filters, in the order the address gives them, kept for links.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Filters { get; init; } = [];

    /// <summary>The time range parameters of the address, kept as they are for links.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Range { get; init; } = [];

    public bool Filtered => Filters.Count > 0;

    /// <summary>Reads an absolute address (the navigation manager's) relative to <paramref name="baseUri"/>.</summary>
    public static AlertsAddress Parse(string uri, string baseUri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        ArgumentNullException.ThrowIfNull(baseUri);
        var relative = uri.StartsWith(baseUri, StringComparison.Ordinal) ? uri[baseUri.Length..] : new Uri(uri).PathAndQuery.TrimStart('/');
        var queryStart = relative.IndexOf('?', StringComparison.Ordinal);
        var query = QueryHelpers.ParseQuery(queryStart < 0 ? "" : relative[queryStart..].Split('#')[0]);

        string? error = null;
        var states = Choices(query, StateParameter, States, ref error);
        var severities = Choices(query, SeverityParameter, Severities, ref error);
        return new AlertsAddress
        {
            StateFilter = states,
            SeverityFilter = severities,
            Search = First(query, SearchParameter) ?? "",
            Group = First(query, GroupParameter),
            Function = First(query, FunctionParameter),
            Account = First(query, AccountParameter),
            Region = First(query, RegionParameter),
            Rule = First(query, RuleParameter),
            Labels = First(query, LabelsParameter),
            Error = error,
            Filters = Pairs(query, FilterParameters),
            Range = Pairs(query, RangeParameters),
        };
    }

    /// <summary>The list with one state or severity added or, when present, removed.</summary>
    public string Toggle(string parameter, string value)
    {
        var present = Filters.Any(p => p.Key == parameter && p.Value == value);
        return Build(Path, present ? [.. Filters.Where(p => !(p.Key == parameter && p.Value == value))] : [.. Filters, KeyValuePair.Create(parameter, value)]);
    }

    /// <summary>The list showing only one state (the summary figures' links), keeping the range.</summary>
    public string OnlyState(string state) => Build(Path, [KeyValuePair.Create(StateParameter, state)]);

    /// <summary>The list without any value of <paramref name="parameter"/>.</summary>
    public string Without(string parameter) => Build(Path, [.. Filters.Where(p => p.Key != parameter)]);

    /// <summary>The list with the search text replaced.</summary>
    public string WithSearch(string search) =>
        Build(Path, [.. Filters.Where(p => p.Key != SearchParameter), .. string.IsNullOrWhiteSpace(search) ? [] : new[] { KeyValuePair.Create(SearchParameter, search) }]);

    /// <summary>The list without filters, at the same range.</summary>
    public string ClearedUri() => Build(Path, []);

    /// <summary>One alert's history at the same range.</summary>
    public string AlertUri(string ruleId, string labelsKey) =>
        Build(AlertPath, [KeyValuePair.Create(RuleParameter, ruleId), KeyValuePair.Create(LabelsParameter, labelsKey)]);

    /// <summary>A function's detail page at the same range.</summary>
    public string FunctionUri(Observe.Store.Model.FunctionKey function) => Build(FunctionDetailLinks.Page(function), []);

    /// <summary>The Alerts list of one function, as the Function detail page links to it.</summary>
    public static string ForFunction(Observe.Store.Model.FunctionKey function, IReadOnlyList<KeyValuePair<string, string>> range) =>
        new AlertsAddress { Range = range }.Build(Path,
        [
            KeyValuePair.Create(FunctionParameter, function.Name),
            KeyValuePair.Create(AccountParameter, function.AccountId),
            KeyValuePair.Create(RegionParameter, function.Region),
        ]);

    private string Build(string path, IReadOnlyList<KeyValuePair<string, string>> filters)
    {
        var pairs = filters.Concat(Range).Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}").ToList();
        return pairs.Count == 0 ? path : $"{path}?{string.Join('&', pairs)}";
    }

    private static HashSet<string> Choices(Dictionary<string, Microsoft.Extensions.Primitives.StringValues> query, string parameter, IReadOnlyList<string> allowed, ref string? error)
    {
        var chosen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var value in Values(query, parameter))
        {
            var token = value.ToLowerInvariant();
            if (allowed.Contains(token))
            {
                chosen.Add(token);
            }
            else
            {
                error ??= $"{parameter}: \"{value}\" is not one of {string.Join(", ", allowed)}.";
            }
        }

        return chosen;
    }

    private static string? First(Dictionary<string, Microsoft.Extensions.Primitives.StringValues> query, string key) => Values(query, key).FirstOrDefault();

    private static List<KeyValuePair<string, string>> Pairs(Dictionary<string, Microsoft.Extensions.Primitives.StringValues> query, string[] keys) =>
        [.. query.Where(p => keys.Contains(p.Key, StringComparer.Ordinal))
            .SelectMany(p => p.Value.Where(v => !string.IsNullOrWhiteSpace(v)).Select(v => KeyValuePair.Create(p.Key, v!.Trim())))];

    private static IEnumerable<string> Values(Dictionary<string, Microsoft.Extensions.Primitives.StringValues> query, string key) =>
        query.TryGetValue(key, out var values)
            ? values.Where(v => !string.IsNullOrWhiteSpace(v)).Select(v => v!.Trim())
            : [];
}
