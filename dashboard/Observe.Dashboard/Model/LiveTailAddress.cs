using Microsoft.AspNetCore.WebUtilities;
using Observe.Collectors.Aws;
using Observe.Store.Model;

namespace Observe.Dashboard.Model;

/// <summary>
/// The Live tail page's selection as the address holds it:
/// <c>live-tail?account=&amp;region=&amp;group=/aws/lambda/a&amp;group=/aws/lambda/b&amp;filter=</c>. A shared link opens
/// the same tail (and, for viewers of the same selection, the same AWS session).
/// </summary>
public sealed record LiveTailAddress
{
    public const string Path = "live-tail";
    public const string AccountParameter = "account";
    public const string RegionParameter = "region";
    public const string GroupParameter = "group";
    public const string FilterParameter = "filter";

    /// <summary>StartLiveTail's limits (LiveTailHub checks them again).</summary>
    public const int MaxGroups = 10;

    public const int MaxFilterLength = 1024;

    public string? Account { get; init; }

    public string? Region { get; init; }

    /// <summary>Log group names in the order chosen, without repeats.</summary>
    public IReadOnlyList<string> Groups { get; init; } = [];

    /// <summary>A CloudWatch Logs filter pattern, applied by AWS; empty for every event.</summary>
    public string Filter { get; init; } = "";

    /// <summary>What in the address cannot be tailed, naming the parameter; null when it can (or nothing is chosen yet).</summary>
    public string? Error { get; init; }

    /// <summary>An account, a region and at least one group are chosen, and nothing is wrong with them.</summary>
    public bool CanTail => Error is null && Account is not null && Region is not null && Groups.Count > 0;

    /// <summary>A different key is a different session (the filter included).</summary>
    public string SessionKey => string.Join('\n', [Account ?? "", Region ?? "", Filter, .. Groups]);

    /// <summary>The tail of one function's log group (Lambda's default group name), relative to the base address.</summary>
    public static string ForFunction(FunctionKey function) =>
        new LiveTailAddress { Account = function.AccountId, Region = function.Region, Groups = [FunctionDetailLinks.LogGroup(function)] }.ToUri();

    /// <summary>Reads an address's query, checking it against the configured accounts.</summary>
    public static LiveTailAddress Parse(string uri, AwsOptions aws)
    {
        ArgumentNullException.ThrowIfNull(uri);
        ArgumentNullException.ThrowIfNull(aws);
        var queryStart = uri.IndexOf('?', StringComparison.Ordinal);
        var query = QueryHelpers.ParseQuery(queryStart < 0 ? "" : uri[queryStart..].Split('#')[0]);
        var account = Single(query, AccountParameter);
        var region = Single(query, RegionParameter);
        var groups = query.TryGetValue(GroupParameter, out var g)
            ? g.Where(v => !string.IsNullOrWhiteSpace(v)).Select(v => v!.Trim()).Distinct(StringComparer.Ordinal).ToList()
            : [];
        var filter = Single(query, FilterParameter) ?? "";

        string? error = null;
        var configured = account is null ? null : aws.Accounts.FirstOrDefault(a => a.AccountId == account);
        if (account is not null && configured is null)
        {
            error = $"{AccountParameter}={account} is not a configured account ({AwsOptions.SectionName}:Accounts).";
        }
        else if (region is not null && configured is not null && !configured.Regions.Contains(region, StringComparer.Ordinal))
        {
            error = $"{RegionParameter}={region} is not one of {configured.DisplayName}'s regions ({string.Join(", ", configured.Regions)}).";
        }
        else if (groups.Count > MaxGroups)
        {
            error = $"{groups.Count} {GroupParameter} values: a Live Tail session takes at most {MaxGroups} log groups.";
        }
        else if (filter.Length > MaxFilterLength)
        {
            error = $"{FilterParameter} has {filter.Length} characters: Live Tail takes at most {MaxFilterLength}.";
        }

        return new LiveTailAddress { Account = account, Region = region, Groups = groups, Filter = filter, Error = error };
    }

    /// <summary>This selection's address, relative to the base address.</summary>
    public string ToUri()
    {
        var parameters = new List<KeyValuePair<string, string?>>();
        Add(AccountParameter, Account);
        Add(RegionParameter, Region);
        foreach (var group in Groups)
        {
            Add(GroupParameter, group);
        }

        Add(FilterParameter, Filter.Length > 0 ? Filter : null);
        return QueryHelpers.AddQueryString(Path, parameters);

        void Add(string key, string? value)
        {
            if (value is not null)
            {
                parameters.Add(new(key, value));
            }
        }
    }

    /// <summary>With <paramref name="group"/> added (a function's group, or one typed in); unchanged when already there.</summary>
    public LiveTailAddress WithGroup(string group) =>
        Groups.Contains(group, StringComparer.Ordinal) ? this : this with { Groups = [.. Groups, group] };

    public LiveTailAddress WithoutGroup(string group) => this with { Groups = [.. Groups.Where(g => g != group)] };

    private static string? Single(Dictionary<string, Microsoft.Extensions.Primitives.StringValues> query, string key) =>
        query.TryGetValue(key, out var values) && !string.IsNullOrWhiteSpace(values.ToString()) ? values[^1]!.Trim() : null;
}
