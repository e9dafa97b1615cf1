using System.Globalization;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;
using Observe.Store.Model;

namespace Observe.Dashboard.Model;

/// <summary>
/// The Traces page's search as the address holds it: <c>traces?function=&amp;account=&amp;region=&amp;min=&amp;max=&amp;status=&amp;id=&amp;sort=&amp;page=</c>
/// (durations in ms, <c>status</c> may repeat: ok, error, fault, throttle; <c>page</c> from 1). The time range
/// (<c>range</c>, <c>from</c>, <c>to</c>) is the dashboard's and is carried by every link built here.
/// </summary>
public sealed record TracesAddress
{
    public const string FunctionParameter = "function";
    public const string AccountParameter = "account";
    public const string RegionParameter = "region";
    public const string MinParameter = "min";
    public const string MaxParameter = "max";
    public const string StatusParameter = "status";
    public const string IdParameter = "id";
    public const string SortParameter = "sort";
    public const string PageParameter = "page";

    /// <summary>The list's path, relative to the base address.</summary>
    public const string Path = "traces";

    /// <summary>The service map's path.</summary>
    public const string MapPath = "traces/map";

    /// <summary>Rows a page of the list shows.</summary>
    public const int PageSize = 50;

    private static readonly string[] RangeParameters = [TimeRangeQuery.RangeParameter, TimeRangeQuery.FromParameter, TimeRangeQuery.ToParameter];

    private static readonly (TraceStatuses Status, string Token)[] StatusTokens =
        [(TraceStatuses.Ok, "ok"), (TraceStatuses.Error, "error"), (TraceStatuses.Fault, "fault"), (TraceStatuses.Throttle, "throttle")];

    private static readonly (TraceSort Sort, string Token)[] SortTokens =
        [(TraceSort.Newest, "newest"), (TraceSort.Oldest, "oldest"), (TraceSort.Slowest, "slowest"), (TraceSort.Fastest, "fastest")];

    public string? Function { get; init; }

    public string? Account { get; init; }

    public string? Region { get; init; }

    public double? MinDurationMs { get; init; }

    public double? MaxDurationMs { get; init; }

    public TraceStatuses Statuses { get; init; }

    public string? TraceId { get; init; }

    public TraceSort Sort { get; init; }

    /// <summary>The page of results, from 1.</summary>
    public int Page { get; init; } = 1;

    /// <summary>What in the address could not be read, naming the parameter and the values it takes; null when all of it could.</summary>
    public string? Error { get; init; }

    /// <summary>The parameter at fault, for the link that drops it.</summary>
    public string? ErrorParameter { get; init; }

    /// <summary>The time range parameters of the address, kept as they are for links.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Range { get; init; } = [];

    public bool Filtered => Function is not null || Account is not null || Region is not null || MinDurationMs is not null ||
                            MaxDurationMs is not null || Statuses != TraceStatuses.None || TraceId is not null;

    /// <summary>Everything but the range: the list's query, which a new search (a new page instance) follows.</summary>
    public string SearchKey => string.Join('&', Filters(this, withPage: true).Select(p => $"{p.Key}={p.Value}"));

    /// <summary>Reads an absolute address (the navigation manager's) relative to <paramref name="baseUri"/>.</summary>
    public static TracesAddress Parse(string uri, string baseUri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        ArgumentNullException.ThrowIfNull(baseUri);
        var relative = uri.StartsWith(baseUri, StringComparison.Ordinal) ? uri[baseUri.Length..] : new Uri(uri).PathAndQuery.TrimStart('/');
        var queryStart = relative.IndexOfAny(['?', '#']);
        var query = QueryHelpers.ParseQuery(queryStart < 0 || relative[queryStart] == '#' ? "" : relative[queryStart..].Split('#')[0]);

        string? error = null;
        string? errorParameter = null;
        void Fail(string parameter, string problem)
        {
            if (error is null)
            {
                error = $"{parameter}: {problem}";
                errorParameter = parameter;
            }
        }

        double? Duration(string parameter)
        {
            if (First(query, parameter) is not { } text)
            {
                return null;
            }

            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value) && value >= 0)
            {
                return value;
            }

            Fail(parameter, $"\"{text}\" is not a duration; use a number of milliseconds, 0 or more, such as 250.");
            return null;
        }

        var statuses = TraceStatuses.None;
        foreach (var value in Values(query, StatusParameter))
        {
            if (StatusTokens.FirstOrDefault(s => string.Equals(s.Token, value, StringComparison.OrdinalIgnoreCase)) is { Token: not null } status)
            {
                statuses |= status.Status;
            }
            else
            {
                Fail(StatusParameter, $"\"{value}\" is not a trace status; use ok, error, fault or throttle.");
            }
        }

        var sort = TraceSort.Newest;
        if (First(query, SortParameter) is { } sortText)
        {
            if (SortTokens.FirstOrDefault(s => string.Equals(s.Token, sortText, StringComparison.OrdinalIgnoreCase)) is { Token: not null } found)
            {
                sort = found.Sort;
            }
            else
            {
                Fail(SortParameter, $"\"{sortText}\" is not an order; use newest, oldest, slowest or fastest.");
            }
        }

        var page = 1;
        if (First(query, PageParameter) is { } pageText &&
            (!int.TryParse(pageText, NumberStyles.None, CultureInfo.InvariantCulture, out page) || page < 1 || page > 10_000))
        {
            Fail(PageParameter, $"\"{pageText}\" is not a page; use a whole number from 1.");
            page = 1;
        }

        var min = Duration(MinParameter);
        var max = Duration(MaxParameter);
        if (min is { } low && max is { } high && low > high)
        {
            Fail(MaxParameter, $"{high.ToString(CultureInfo.InvariantCulture)} ms is below the minimum of {low.ToString(CultureInfo.InvariantCulture)} ms.");
        }

        return new TracesAddress
        {
            Function = First(query, FunctionParameter),
            Account = First(query, AccountParameter),
            Region = First(query, RegionParameter),
            MinDurationMs = min,
            MaxDurationMs = max,
            Statuses = statuses,
            TraceId = First(query, IdParameter),
            Sort = sort,
            Page = page,
            Error = error,
            ErrorParameter = errorParameter,
            Range = query.Where(p => RangeParameters.Contains(p.Key, StringComparer.Ordinal))
                .SelectMany(p => p.Value.Select(v => KeyValuePair.Create(p.Key, v ?? "")))
                .ToList(),
        };
    }

    /// <summary>The store's search for this address over <paramref name="range"/>, for its page.</summary>
    public TraceSearch ToSearch(TimeRange range) => new()
    {
        Range = range,
        FunctionName = Function,
        Fleet = new FleetFilter(Account, Region),
        MinDurationMs = MinDurationMs,
        MaxDurationMs = MaxDurationMs,
        Statuses = Statuses,
        TraceId = TraceId,
        Sort = Sort,
        Offset = (Page - 1) * PageSize,
        Limit = PageSize,
    };

    public static string StatusToken(TraceStatuses status) => StatusTokens.First(s => s.Status == status).Token;

    public static string SortToken(TraceSort sort) => SortTokens.First(s => s.Sort == sort).Token;

    /// <summary>The list with these filters, from its first page.</summary>
    public string ListUri() => Build(Path, Filters(this, withPage: false));

    /// <summary>The list with the search fields replaced (from the form), from its first page.</summary>
    public string With(TracesAddress search) => Build(Path, Filters(search, withPage: false));

    /// <summary>The list with one status added or, when present, removed, from its first page.</summary>
    public string ToggleStatus(TraceStatuses status) =>
        Build(Path, Filters(this with { Statuses = Statuses ^ status }, withPage: false));

    /// <summary>The list in another order, from its first page.</summary>
    public string SortedBy(TraceSort sort) => Build(Path, Filters(this with { Sort = sort }, withPage: false));

    /// <summary>Another page of the same results.</summary>
    public string PageUri(int page) => Build(Path, Filters(this with { Page = page }, withPage: true));

    /// <summary>The list without <paramref name="parameter"/>, from its first page.</summary>
    public string Without(string parameter) => Build(Path, Filters(this, withPage: false).Where(p => p.Key != parameter).ToList());

    /// <summary>The list without filters, at the same range and order.</summary>
    public string ClearedUri() => Build(Path, Filters(new TracesAddress { Sort = Sort }, withPage: false));

    /// <summary>One trace's waterfall, at the same range (so its way back keeps it).</summary>
    public string TraceUri(string traceId) => Build(TraceLinks.Trace(traceId), []);

    /// <summary>The service map at the same range, filtered to the list's function when it names one.</summary>
    public string MapUri() => Build(MapPath, Function is null ? [] : [KeyValuePair.Create(FunctionParameter, Function)]);

    private static List<KeyValuePair<string, string>> Filters(TracesAddress a, bool withPage)
    {
        var pairs = new List<KeyValuePair<string, string>>();
        void Add(string key, string? value)
        {
            if (value is not null)
            {
                pairs.Add(KeyValuePair.Create(key, value));
            }
        }

        Add(FunctionParameter, a.Function);
        Add(AccountParameter, a.Account);
        Add(RegionParameter, a.Region);
        Add(MinParameter, a.MinDurationMs?.ToString(CultureInfo.InvariantCulture));
        Add(MaxParameter, a.MaxDurationMs?.ToString(CultureInfo.InvariantCulture));
        foreach (var (status, token) in StatusTokens)
        {
            if (a.Statuses.HasFlag(status))
            {
                Add(StatusParameter, token);
            }
        }

        Add(IdParameter, a.TraceId);
        Add(SortParameter, a.Sort == TraceSort.Newest ? null : SortToken(a.Sort));
        Add(PageParameter, withPage && a.Page > 1 ? a.Page.ToString(CultureInfo.InvariantCulture) : null);
        return pairs;
    }

    private string Build(string path, IReadOnlyList<KeyValuePair<string, string>> filters)
    {
        var pairs = filters.Concat(Range).Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}").ToList();
        return pairs.Count == 0 ? path : $"{path}?{string.Join('&', pairs)}";
    }

    private static string? First(Dictionary<string, StringValues> query, string key) => Values(query, key).FirstOrDefault();

    private static IEnumerable<string> Values(Dictionary<string, StringValues> query, string key) =>
        query.TryGetValue(key, out var values)
            ? values.Where(v => !string.IsNullOrWhiteSpace(v)).Select(v => v!.Trim())
            : [];
}

/// <summary>Addresses of traces, for every page that names one (error samples, invocation reports, log lines).</summary>
public static class TraceLinks
{
    /// <summary>One trace's waterfall, relative to the app's base; the id escaped (it comes from outside).</summary>
    public static string Trace(string traceId)
    {
        ArgumentNullException.ThrowIfNull(traceId);
        return $"traces/{Uri.EscapeDataString(traceId)}";
    }

    /// <summary>The Traces list filtered to one function (by account, region and name), relative to the app's base.</summary>
    public static string ForFunction(FunctionKey function) =>
        $"traces?{TracesAddress.FunctionParameter}={Uri.EscapeDataString(function.Name)}&{TracesAddress.AccountParameter}={Uri.EscapeDataString(function.AccountId)}" +
        $"&{TracesAddress.RegionParameter}={Uri.EscapeDataString(function.Region)}";
}
