using Microsoft.AspNetCore.WebUtilities;
using Observe.Store.Model;

namespace Observe.Dashboard.Model;

/// <summary>
/// The Alarms page's state as the address holds it: <c>alarms/{escaped ARN}</c> opens one alarm's history, and
/// <c>?state=&amp;account=&amp;region=&amp;q=</c> filter the list (a facet may repeat: <c>state=alarm&amp;state=ok</c>).
/// The time range (<c>range</c>, <c>from</c>, <c>to</c>) is the dashboard's and is carried by every link built here.
/// </summary>
public sealed record AlarmsAddress
{
    public const string StateParameter = "state";
    public const string AccountParameter = "account";
    public const string RegionParameter = "region";
    public const string SearchParameter = "q";

    /// <summary>The page's path, relative to the base address.</summary>
    public const string Path = "alarms";

    private static readonly string[] RangeParameters = [TimeRangeQuery.RangeParameter, TimeRangeQuery.FromParameter, TimeRangeQuery.ToParameter];

    public IReadOnlySet<AlarmState> States { get; init; } = new HashSet<AlarmState>();

    public IReadOnlySet<string> Accounts { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    public IReadOnlySet<string> Regions { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>Text every shown alarm contains (name, function, metric, namespace or reason); empty for none.</summary>
    public string Search { get; init; } = "";

    /// <summary>The alarm whose history is open; null on the list alone.</summary>
    public string? Arn { get; init; }

    /// <summary>What in the address could not be read, naming the parameter and the values it takes; null when all of it could.</summary>
    public string? Error { get; init; }

    /// <summary>The time range parameters of the address, kept as they are for links.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Range { get; init; } = [];

    public bool Filtered => States.Count > 0 || Accounts.Count > 0 || Regions.Count > 0 || Search.Length > 0;

    /// <summary>Reads an absolute address (the navigation manager's) relative to <paramref name="baseUri"/>.</summary>
    public static AlarmsAddress Parse(string uri, string baseUri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        ArgumentNullException.ThrowIfNull(baseUri);
        var relative = uri.StartsWith(baseUri, StringComparison.Ordinal) ? uri[baseUri.Length..] : new Uri(uri).PathAndQuery.TrimStart('/');
        var queryStart = relative.IndexOfAny(['?', '#']);
        var path = queryStart < 0 ? relative : relative[..queryStart];
        var query = QueryHelpers.ParseQuery(queryStart < 0 || relative[queryStart] == '#' ? "" : relative[queryStart..].Split('#')[0]);

        string? arn = null;
        var prefix = Path + "/";
        if (path.StartsWith(prefix, StringComparison.Ordinal) && path.Length > prefix.Length)
        {
            // One escaped segment (the links escape ':' and '/'); an ARN typed with raw slashes reads the same.
            arn = Uri.UnescapeDataString(path[prefix.Length..]);
        }

        var states = new HashSet<AlarmState>();
        string? error = null;
        foreach (var value in Values(query, StateParameter))
        {
            if (ParseState(value) is { } state)
            {
                states.Add(state);
            }
            else
            {
                error ??= $"{StateParameter}: \"{value}\" is not an alarm state; use alarm, insufficient-data or ok.";
            }
        }

        return new AlarmsAddress
        {
            States = states,
            Accounts = Values(query, AccountParameter).ToHashSet(StringComparer.Ordinal),
            Regions = Values(query, RegionParameter).ToHashSet(StringComparer.Ordinal),
            Search = Values(query, SearchParameter).FirstOrDefault() ?? "",
            Arn = arn,
            Error = error,
            Range = query.Where(p => RangeParameters.Contains(p.Key, StringComparer.Ordinal))
                .SelectMany(p => p.Value.Select(v => KeyValuePair.Create(p.Key, v ?? "")))
                .ToList(),
        };
    }

    /// <summary>The address word for a state: <c>alarm</c>, <c>insufficient-data</c>, <c>ok</c>.</summary>
    public static string StateToken(AlarmState state) => state switch
    {
        AlarmState.Alarm => "alarm",
        AlarmState.InsufficientData => "insufficient-data",
        _ => "ok",
    };

    /// <summary>Reads a state as the address or CloudWatch spells it, in any case; null for anything else.</summary>
    public static AlarmState? ParseState(string value) => value.Trim().ToLowerInvariant() switch
    {
        "alarm" => AlarmState.Alarm,
        "insufficient-data" or "insufficient_data" or "insufficientdata" => AlarmState.InsufficientData,
        "ok" => AlarmState.Ok,
        _ => null,
    };

    /// <summary>The list with these filters (no alarm open).</summary>
    public string ListUri() => Build(Path, Filters(this));

    /// <summary>The list with one facet value added or, when present, removed.</summary>
    public string Toggle(string parameter, string value)
    {
        var filters = Filters(this);
        var pair = KeyValuePair.Create(parameter, value);
        var present = filters.Any(p => p.Key == parameter && string.Equals(p.Value, value, StringComparison.Ordinal));
        return Build(Path, present ? filters.Where(p => !(p.Key == parameter && p.Value == value)).ToList() : [.. filters, pair]);
    }

    /// <summary>The list without any value of <paramref name="parameter"/>.</summary>
    public string Without(string parameter) => Build(Path, Filters(this).Where(p => p.Key != parameter).ToList());

    /// <summary>The list with the search text replaced.</summary>
    public string WithSearch(string search) =>
        Build(Path, [.. Filters(this).Where(p => p.Key != SearchParameter), .. string.IsNullOrWhiteSpace(search) ? [] : new[] { KeyValuePair.Create(SearchParameter, search) }]);

    /// <summary>The list without filters, at the same range.</summary>
    public string ClearedUri() => Build(Path, []);

    /// <summary>One alarm's history, keeping the list's filters and the range.</summary>
    public string AlarmUri(string arn) => Build($"{Path}/{Uri.EscapeDataString(arn)}", Filters(this));

    /// <summary>A function's detail page at the same range (each segment escaped: names come from outside).</summary>
    public string FunctionUri(string accountId, string region, string name) =>
        Build(FunctionDetailLinks.Page(new FunctionKey(accountId, region, name)), []);

    private static List<KeyValuePair<string, string>> Filters(AlarmsAddress a) =>
    [
        .. a.States.Order().Select(s => KeyValuePair.Create(StateParameter, StateToken(s))),
        .. a.Accounts.Order(StringComparer.Ordinal).Select(v => KeyValuePair.Create(AccountParameter, v)),
        .. a.Regions.Order(StringComparer.Ordinal).Select(v => KeyValuePair.Create(RegionParameter, v)),
        .. a.Search.Length > 0 ? [KeyValuePair.Create(SearchParameter, a.Search)] : Array.Empty<KeyValuePair<string, string>>(),
    ];

    private string Build(string path, IReadOnlyList<KeyValuePair<string, string>> filters)
    {
        var pairs = filters.Concat(Range).Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}").ToList();
        return pairs.Count == 0 ? path : $"{path}?{string.Join('&', pairs)}";
    }

    private static IEnumerable<string> Values(Dictionary<string, Microsoft.Extensions.Primitives.StringValues> query, string key) =>
        query.TryGetValue(key, out var values)
            ? values.Where(v => !string.IsNullOrWhiteSpace(v)).Select(v => v!.Trim())
            : [];
}
