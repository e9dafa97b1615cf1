using System.Text.Json.Serialization;
using Observe.Collectors.Aws;

namespace Observe.Collectors.CloudWatch;

// Shapes from the CloudWatch 2010-08-01 service model (JSON 1.0 wire names), only the members the collectors use.

internal sealed record GetMetricDataRequest
{
    /// <summary>At most 500 per call (AWS's limit); each query with a <see cref="MetricDataQuery.MetricStat"/> is one billed metric.</summary>
    public List<MetricDataQuery> MetricDataQueries { get; init; } = [];

    public DateTimeOffset StartTime { get; init; }
    public DateTimeOffset EndTime { get; init; }

    /// <summary><c>TimestampAscending</c> or <c>TimestampDescending</c> (AWS's default).</summary>
    public string? ScanBy { get; init; }

    public int? MaxDatapoints { get; init; }
    public string? NextToken { get; init; }
}

internal sealed class MetricDataQuery
{
    /// <summary>Starts with a lower-case letter; letters, digits and underscore.</summary>
    public string Id { get; init; } = "";

    public MetricStat? MetricStat { get; init; }
    public string? Expression { get; init; }
    public string? Label { get; init; }
    public bool? ReturnData { get; init; }
    public int? Period { get; init; }
}

internal sealed class MetricStat
{
    public CloudWatchMetric Metric { get; init; } = new();
    public int Period { get; init; }

    /// <summary><c>Sum</c>, <c>Average</c>, <c>Maximum</c>, <c>p99</c>, ...</summary>
    public string Stat { get; init; } = "";

    public string? Unit { get; init; }
}

internal sealed class CloudWatchMetric
{
    public string? Namespace { get; init; }
    public string? MetricName { get; init; }
    public List<MetricDimension>? Dimensions { get; init; }
}

internal sealed class MetricDimension
{
    public string Name { get; init; } = "";
    public string Value { get; init; } = "";
}

internal sealed class MetricDimensionFilter
{
    public string Name { get; init; } = "";
    public string? Value { get; init; }
}

/// <summary>One query's data in one page; a query's points may continue on the next page under the same id.</summary>
internal sealed class MetricDataResult
{
    public string Id { get; init; } = "";
    public string? Label { get; init; }
    public List<DateTimeOffset>? Timestamps { get; init; }
    public List<double>? Values { get; init; }

    /// <summary><c>Complete</c>, <c>PartialData</c> (more on the next page), <c>InternalError</c> or <c>Forbidden</c>.</summary>
    public string? StatusCode { get; init; }

    public List<MetricMessage>? Messages { get; init; }
}

internal sealed class MetricMessage
{
    public string? Code { get; init; }
    public string? Value { get; init; }
}

internal sealed record ListMetricsRequest
{
    public string? Namespace { get; init; }
    public string? MetricName { get; init; }
    public List<MetricDimensionFilter>? Dimensions { get; init; }

    /// <summary><c>PT3H</c>: only metrics that received data in the last three hours.</summary>
    public string? RecentlyActive { get; init; }

    public string? NextToken { get; init; }
}

internal sealed record DescribeAlarmsRequest
{
    public List<string>? AlarmNames { get; init; }
    public string? AlarmNamePrefix { get; init; }

    /// <summary>Without <c>CompositeAlarm</c> AWS returns metric alarms only.</summary>
    public List<string>? AlarmTypes { get; init; } = ["MetricAlarm", "CompositeAlarm"];

    /// <summary><c>OK</c>, <c>ALARM</c> or <c>INSUFFICIENT_DATA</c>.</summary>
    public string? StateValue { get; init; }

    /// <summary>1 to 100.</summary>
    public int? MaxRecords { get; init; } = 100;

    public string? NextToken { get; init; }
}

/// <summary>One page of DescribeAlarms.</summary>
internal sealed class DescribeAlarmsPage
{
    public List<MetricAlarm>? MetricAlarms { get; init; }
    public List<CompositeAlarm>? CompositeAlarms { get; init; }
    public string? NextToken { get; init; }
}

/// <summary>The identity and state DescribeAlarms gives metric and composite alarms alike.</summary>
internal interface IDescribedAlarm
{
    string AlarmName { get; }
    string AlarmArn { get; }
    string? StateValue { get; }
    string? StateReason { get; }
    DateTimeOffset? StateUpdatedTimestamp { get; }
    DateTimeOffset? StateTransitionedTimestamp { get; }
}

internal sealed class MetricAlarm : IDescribedAlarm
{
    public string AlarmName { get; init; } = "";
    public string AlarmArn { get; init; } = "";
    public string? AlarmDescription { get; init; }
    public string? StateValue { get; init; }
    public string? StateReason { get; init; }
    public DateTimeOffset? StateUpdatedTimestamp { get; init; }
    public DateTimeOffset? StateTransitionedTimestamp { get; init; }
    public string? MetricName { get; init; }
    public string? Namespace { get; init; }
    public string? Statistic { get; init; }
    public string? ExtendedStatistic { get; init; }
    public List<MetricDimension>? Dimensions { get; init; }
    public int? Period { get; init; }
    public int? EvaluationPeriods { get; init; }
    public double? Threshold { get; init; }
    public string? ComparisonOperator { get; init; }
    public string? TreatMissingData { get; init; }
    public bool? ActionsEnabled { get; init; }
    public List<string>? AlarmActions { get; init; }

    /// <summary>Metric math alarms describe their metrics here instead of <see cref="MetricName"/>.</summary>
    public List<MetricDataQuery>? Metrics { get; init; }
}

internal sealed class CompositeAlarm : IDescribedAlarm
{
    public string AlarmName { get; init; } = "";
    public string AlarmArn { get; init; } = "";
    public string? AlarmDescription { get; init; }
    public string? AlarmRule { get; init; }
    public string? StateValue { get; init; }
    public string? StateReason { get; init; }
    public DateTimeOffset? StateUpdatedTimestamp { get; init; }
    public DateTimeOffset? StateTransitionedTimestamp { get; init; }
    public bool? ActionsEnabled { get; init; }
    public List<string>? AlarmActions { get; init; }
}

internal sealed record DescribeAlarmHistoryRequest
{
    /// <summary>Without it, every alarm of the account and region (alarms deleted since included).</summary>
    public string? AlarmName { get; init; }

    /// <summary>Without <c>CompositeAlarm</c> AWS returns the history of metric alarms only.</summary>
    public List<string>? AlarmTypes { get; init; } = ["MetricAlarm", "CompositeAlarm"];

    /// <summary><c>StateUpdate</c>, <c>ConfigurationUpdate</c>, <c>Action</c>, ...; all types when null.</summary>
    public string? HistoryItemType { get; init; } = "StateUpdate";

    public DateTimeOffset? StartDate { get; init; }
    public DateTimeOffset? EndDate { get; init; }

    /// <summary>1 to 100.</summary>
    public int? MaxRecords { get; init; } = 100;

    /// <summary><c>TimestampAscending</c> (oldest first) or <c>TimestampDescending</c> (AWS's default).</summary>
    public string? ScanBy { get; init; } = "TimestampAscending";

    public string? NextToken { get; init; }
}

/// <summary>One entry of an alarm's history. The alarm is named, not identified by ARN.</summary>
internal sealed class AlarmHistoryItem
{
    public string AlarmName { get; init; } = "";

    /// <summary><c>MetricAlarm</c> or <c>CompositeAlarm</c>.</summary>
    public string? AlarmType { get; init; }

    public DateTimeOffset? Timestamp { get; init; }
    public string? HistoryItemType { get; init; }

    /// <summary>Text such as <c>Alarm updated from OK to ALARM</c>.</summary>
    public string? HistorySummary { get; init; }

    /// <summary>
    /// A JSON document in a string; for a state update
    /// <c>{"version":"1.0","oldState":{"stateValue":"OK",...},"newState":{"stateValue":"ALARM","stateReason":"...",...}}</c>
    /// (<see cref="AlarmHistoryData"/>).
    /// </summary>
    public string? HistoryData { get; init; }
}

/// <summary>What <see cref="AlarmHistoryItem.HistoryData"/> of a <c>StateUpdate</c> holds (camel-case names, unlike the API).</summary>
internal sealed class AlarmHistoryData
{
    [JsonPropertyName("version")]
    public string? Version { get; init; }

    [JsonPropertyName("oldState")]
    public AlarmHistoryState? OldState { get; init; }

    [JsonPropertyName("newState")]
    public AlarmHistoryState? NewState { get; init; }
}

internal sealed class AlarmHistoryState
{
    [JsonPropertyName("stateValue")]
    public string? StateValue { get; init; }

    [JsonPropertyName("stateReason")]
    public string? StateReason { get; init; }
}

internal sealed class DescribeAlarmHistoryResponse
{
    public List<AlarmHistoryItem>? AlarmHistoryItems { get; init; }
    public string? NextToken { get; init; }
}

internal sealed class GetMetricDataResponse
{
    public List<MetricDataResult>? MetricDataResults { get; init; }
    public string? NextToken { get; init; }
}

internal sealed class ListMetricsResponse
{
    public List<CloudWatchMetric>? Metrics { get; init; }
    public string? NextToken { get; init; }
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, Converters = [typeof(EpochSecondsConverter)])]
[JsonSerializable(typeof(GetMetricDataRequest))]
[JsonSerializable(typeof(GetMetricDataResponse))]
[JsonSerializable(typeof(ListMetricsRequest))]
[JsonSerializable(typeof(ListMetricsResponse))]
[JsonSerializable(typeof(DescribeAlarmsRequest))]
[JsonSerializable(typeof(DescribeAlarmsPage))]
[JsonSerializable(typeof(DescribeAlarmHistoryRequest))]
[JsonSerializable(typeof(DescribeAlarmHistoryResponse))]
[JsonSerializable(typeof(AlarmHistoryData))]
internal sealed partial class CloudWatchJsonContext : JsonSerializerContext;
