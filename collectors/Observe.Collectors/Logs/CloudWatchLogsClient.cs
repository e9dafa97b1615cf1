using Observe.Collectors.Aws;

namespace Observe.Collectors.Logs;

/// <summary>The CloudWatch Logs calls the logs collector needs, for one account and region.</summary>
internal interface ICloudWatchLogsClient
{
    /// <summary>
    /// Every matching event, following <c>nextToken</c> until AWS stops returning one: a page can be empty or partial
    /// while more follow, so an empty page is not the end.
    /// </summary>
    IAsyncEnumerable<FilteredLogEvent> FilterLogEventsAsync(LogEventFilter filter, CancellationToken cancellationToken);

    /// <summary>Starts a Logs Insights query and returns its id.</summary>
    Task<string> StartQueryAsync(InsightsQuery query, CancellationToken cancellationToken);

    Task<InsightsQueryResults> GetQueryResultsAsync(string queryId, CancellationToken cancellationToken);

    IAsyncEnumerable<LogGroup> DescribeLogGroupsAsync(string? namePrefix, CancellationToken cancellationToken);
}

/// <summary>CloudWatch Logs over JSON 1.1 (<c>X-Amz-Target: Logs_20140328.{Operation}</c>).</summary>
internal sealed class CloudWatchLogsClient(AwsCaller caller, AwsAccountOptions account, string region)
    : AwsClientBase(caller, account, region, AwsService.Logs), ICloudWatchLogsClient
{
    /// <summary>StartQuery accepts at most this many log groups.</summary>
    public const int MaxLogGroupsPerQuery = 50;

    private const string TargetPrefix = "Logs_20140328";
    private const string JsonVersion = "1.1";

    private static LogsJsonContext Json => LogsJsonContext.Default;

    public IAsyncEnumerable<FilteredLogEvent> FilterLogEventsAsync(LogEventFilter filter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        Func<AwsServiceException, bool>? missingIsEmpty = filter.MissingLogGroupIsEmpty ? IsServiceNotFound : null;
        return PagesAsync(
            "FilterLogEvents",
            null,
            (token, ct) => FilterPageAsync(new FilterLogEventsWire
            {
                LogGroupName = filter.LogGroupName,
                LogStreamNames = filter.LogStreamNames,
                LogStreamNamePrefix = filter.LogStreamNamePrefix,
                StartTime = filter.Start.ToUnixTimeMilliseconds(),
                EndTime = filter.End.ToUnixTimeMilliseconds(),
                FilterPattern = filter.FilterPattern,
                Limit = filter.PageSize,
                NextToken = token,
            }, missingIsEmpty, ct),
            page => page.Events,
            page => page.NextToken,
            cancellationToken);
    }

    private async Task<FilterLogEventsResponse> FilterPageAsync(FilterLogEventsWire request, Func<AwsServiceException, bool>? missingIsEmpty, CancellationToken cancellationToken)
    {
        try
        {
            return await RpcAsync(TargetPrefix, JsonVersion, "FilterLogEvents", request, Json.FilterLogEventsWire, Json.FilterLogEventsResponse, cancellationToken, isExpectedAnswer: missingIsEmpty).ConfigureAwait(false);
        }
        catch (AwsServiceException e) when (missingIsEmpty?.Invoke(e) == true)
        {
            // No group: a page with no events and no token ends the listing.
            return new FilterLogEventsResponse();
        }
    }

    public async Task<string> StartQueryAsync(InsightsQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.LogGroupNames.Count is 0 or > MaxLogGroupsPerQuery)
        {
            throw new ArgumentException($"StartQuery takes 1 to {MaxLogGroupsPerQuery} log groups, not {query.LogGroupNames.Count}", nameof(query));
        }

        var request = new StartQueryWire
        {
            LogGroupNames = query.LogGroupNames,
            StartTime = query.Start.ToUnixTimeSeconds(),
            EndTime = query.End.ToUnixTimeSeconds(),
            QueryString = query.QueryString,
            Limit = query.Limit,
        };
        var response = await RpcAsync(TargetPrefix, JsonVersion, "StartQuery", request, Json.StartQueryWire, Json.StartQueryResponse, cancellationToken).ConfigureAwait(false);
        if (response.QueryId is not { } queryId)
        {
            // A query may have started without naming itself: what it scans is billed and can never be read.
            Meter.RecordUnpriced(Account.AccountId, Region, Service, "StartQuery");
            throw Malformed("StartQuery", "no queryId");
        }

        Meter.RecordQueryStarted(Account.AccountId, Region, queryId);
        return queryId;
    }

    public async Task<InsightsQueryResults> GetQueryResultsAsync(string queryId, CancellationToken cancellationToken)
    {
        var response = await RpcAsync(TargetPrefix, JsonVersion, "GetQueryResults", new GetQueryResultsWire { QueryId = queryId }, Json.GetQueryResultsWire, Json.GetQueryResultsResponse, cancellationToken).ConfigureAwait(false);
        var rows = new List<IReadOnlyDictionary<string, string>>(response.Results?.Count ?? 0);
        foreach (var row in response.Results ?? [])
        {
            var fields = new Dictionary<string, string>(row.Count, StringComparer.Ordinal);
            foreach (var field in row)
            {
                if (field.Field is not null)
                {
                    fields[field.Field] = field.Value ?? "";
                }
            }

            rows.Add(fields);
        }

        var stats = response.Statistics;

        // bytesScanned grows while the query runs; what is billed is its value once the query has ended.
        if (response.Status is "Complete" or "Failed" or "Cancelled" or "Timeout")
        {
            Meter.RecordQueryEnded(queryId, stats?.BytesScanned is { } bytes && bytes >= 0 ? (long)Math.Ceiling(bytes) : null);
        }

        return new InsightsQueryResults(response.Status ?? "Unknown", rows, stats?.RecordsMatched, stats?.RecordsScanned, stats?.BytesScanned);
    }

    public IAsyncEnumerable<LogGroup> DescribeLogGroupsAsync(string? namePrefix, CancellationToken cancellationToken) =>
        PagesAsync(
            "DescribeLogGroups",
            null,
            (token, ct) => RpcAsync(TargetPrefix, JsonVersion, "DescribeLogGroups", new DescribeLogGroupsWire { LogGroupNamePrefix = namePrefix, Limit = 50, NextToken = token }, Json.DescribeLogGroupsWire, Json.DescribeLogGroupsResponse, ct),
            page => page.LogGroups,
            page => page.NextToken,
            cancellationToken);
}
