using System.Text.Json.Serialization;

namespace Observe.Collectors.Logs;

// Shapes from the CloudWatch Logs 2014-03-28 service model (JSON 1.1, camelCase wire names). Logs counts time in
// epoch milliseconds except StartQuery, which takes epoch seconds: the public request types take DateTimeOffset and
// the wire types below do the conversion, so a caller cannot mix the units up.

/// <summary>What FilterLogEvents reads: one log group over a time range, optionally narrowed.</summary>
internal sealed record LogEventFilter(string LogGroupName, DateTimeOffset Start, DateTimeOffset End)
{
    /// <summary>A CloudWatch Logs filter pattern, for example <c>"REPORT RequestId"</c>.</summary>
    public string? FilterPattern { get; init; }

    public IReadOnlyList<string>? LogStreamNames { get; init; }
    public string? LogStreamNamePrefix { get; init; }

    /// <summary>Events per page (1 to 10,000); AWS's default when null.</summary>
    public int? PageSize { get; init; }

    /// <summary>
    /// When true, a log group that does not exist (<c>ResourceNotFoundException</c>) reads as no events and is not
    /// counted as a failed call: Lambda creates a function's group at its first invocation, so for a function that
    /// never ran "no group" is the answer. Default false: for a group that must exist, its absence is an error.
    /// </summary>
    public bool MissingLogGroupIsEmpty { get; init; }
}

internal sealed class FilteredLogEvent
{
    public string? LogStreamName { get; init; }

    /// <summary>When the event happened, epoch milliseconds.</summary>
    public long Timestamp { get; init; }

    public string Message { get; init; } = "";
    public long IngestionTime { get; init; }
    public string? EventId { get; init; }

    [JsonIgnore]
    public DateTimeOffset Time => DateTimeOffset.FromUnixTimeMilliseconds(Timestamp);
}

/// <summary>A Logs Insights query over up to 50 log groups.</summary>
internal sealed record InsightsQuery(IReadOnlyList<string> LogGroupNames, DateTimeOffset Start, DateTimeOffset End, string QueryString)
{
    /// <summary>Rows returned at most (AWS's default 10,000 when null).</summary>
    public int? Limit { get; init; }
}

/// <summary>The state and rows of an Insights query.</summary>
/// <param name="Status"><c>Scheduled</c>, <c>Running</c>, <c>Complete</c>, <c>Failed</c>, <c>Cancelled</c>, <c>Timeout</c> or <c>Unknown</c>.</param>
/// <param name="Rows">One dictionary per row, field name to value (including <c>@ptr</c>).</param>
/// <param name="RecordsMatched">Log events that matched the query.</param>
/// <param name="RecordsScanned">Log events scanned.</param>
/// <param name="BytesScanned">Bytes scanned, what Insights bills.</param>
internal sealed record InsightsQueryResults(string Status, IReadOnlyList<IReadOnlyDictionary<string, string>> Rows, double? RecordsMatched, double? RecordsScanned, double? BytesScanned)
{
    public bool IsFinished => Status is "Complete" or "Failed" or "Cancelled" or "Timeout" or "Unknown";
}

internal sealed class LogGroup
{
    public string LogGroupName { get; init; } = "";
    public string? Arn { get; init; }
    public long? CreationTime { get; init; }
    public int? RetentionInDays { get; init; }
    public long? StoredBytes { get; init; }
    public string? LogGroupClass { get; init; }
}

internal sealed class FilterLogEventsWire
{
    public string? LogGroupName { get; init; }
    public IReadOnlyList<string>? LogStreamNames { get; init; }
    public string? LogStreamNamePrefix { get; init; }
    public long StartTime { get; init; }
    public long EndTime { get; init; }
    public string? FilterPattern { get; init; }
    public int? Limit { get; init; }
    public string? NextToken { get; init; }
}

internal sealed class FilterLogEventsResponse
{
    public List<FilteredLogEvent>? Events { get; init; }
    public string? NextToken { get; init; }
}

internal sealed class StartQueryWire
{
    public IReadOnlyList<string> LogGroupNames { get; init; } = [];

    // Epoch seconds, unlike the rest of the Logs API.
    public long StartTime { get; init; }
    public long EndTime { get; init; }
    public string QueryString { get; init; } = "";
    public int? Limit { get; init; }
}

internal sealed class StartQueryResponse
{
    public string? QueryId { get; init; }
}

internal sealed class GetQueryResultsWire
{
    public string QueryId { get; init; } = "";
}

internal sealed class GetQueryResultsResponse
{
    public string? Status { get; init; }
    public List<List<ResultField>>? Results { get; init; }
    public QueryStatistics? Statistics { get; init; }
}

internal sealed class ResultField
{
    public string? Field { get; init; }
    public string? Value { get; init; }
}

internal sealed class QueryStatistics
{
    public double? RecordsMatched { get; init; }
    public double? RecordsScanned { get; init; }
    public double? BytesScanned { get; init; }
}

internal sealed class DescribeLogGroupsWire
{
    public string? LogGroupNamePrefix { get; init; }
    public int? Limit { get; init; }
    public string? NextToken { get; init; }
}

internal sealed class DescribeLogGroupsResponse
{
    public List<LogGroup>? LogGroups { get; init; }
    public string? NextToken { get; init; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(FilterLogEventsWire))]
[JsonSerializable(typeof(FilterLogEventsResponse))]
[JsonSerializable(typeof(StartQueryWire))]
[JsonSerializable(typeof(StartQueryResponse))]
[JsonSerializable(typeof(GetQueryResultsWire))]
[JsonSerializable(typeof(GetQueryResultsResponse))]
[JsonSerializable(typeof(DescribeLogGroupsWire))]
[JsonSerializable(typeof(DescribeLogGroupsResponse))]
internal sealed partial class LogsJsonContext : JsonSerializerContext;
