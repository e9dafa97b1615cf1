using System.Text.Json.Serialization;
using Observe.Collectors.Aws;

namespace Observe.Collectors.XRay;

// Shapes from the X-Ray 2016-04-12 service model (REST-JSON), only the members the traces collector reads.

internal sealed record GetTraceSummariesRequest
{
    public DateTimeOffset StartTime { get; init; }
    public DateTimeOffset EndTime { get; init; }

    /// <summary><c>TraceId</c>, <c>Event</c> or <c>Service</c>.</summary>
    public string? TimeRangeType { get; init; }

    /// <summary>For example <c>service("orders") { fault }</c>.</summary>
    public string? FilterExpression { get; init; }

    public bool? Sampling { get; init; }

    /// <summary>With <see cref="Sampling"/>: for example <c>FixedRate</c> 0.05 returns about 5% of the matching traces.</summary>
    public XRaySamplingStrategy? SamplingStrategy { get; init; }

    public string? NextToken { get; init; }
}

/// <summary><c>PartialScan</c> or <c>FixedRate</c>, with its value.</summary>
internal sealed record XRaySamplingStrategy(string Name, double Value);

internal sealed class XRayTraceSummary
{
    public string Id { get; init; } = "";
    public DateTimeOffset? StartTime { get; init; }

    /// <summary>Seconds.</summary>
    public double? Duration { get; init; }

    public double? ResponseTime { get; init; }
    public bool? HasFault { get; init; }
    public bool? HasError { get; init; }
    public bool? HasThrottle { get; init; }
    public bool? IsPartial { get; init; }
    public XRayHttp? Http { get; init; }
    public XRayServiceId? EntryPoint { get; init; }
    public List<XRayServiceId>? ServiceIds { get; init; }

    [JsonPropertyName("ResourceARNs")]
    public List<XRayResourceArn>? ResourceArns { get; init; }

    public int? Revision { get; init; }
    public DateTimeOffset? MatchedEventTime { get; init; }
}

internal sealed class XRayHttp
{
    [JsonPropertyName("HttpURL")]
    public string? HttpUrl { get; init; }

    public int? HttpStatus { get; init; }
    public string? HttpMethod { get; init; }
}

internal sealed class XRayServiceId
{
    public string? Name { get; init; }
    public List<string>? Names { get; init; }
    public string? AccountId { get; init; }

    /// <summary>For example <c>AWS::Lambda::Function</c>.</summary>
    public string? Type { get; init; }
}

internal sealed class XRayResourceArn
{
    [JsonPropertyName("ARN")]
    public string? Arn { get; init; }
}

internal sealed class XRayTrace
{
    public string Id { get; init; } = "";
    public double? Duration { get; init; }
    public bool? LimitExceeded { get; init; }
    public List<XRaySegment>? Segments { get; init; }
}

internal sealed class XRaySegment
{
    public string Id { get; init; } = "";

    /// <summary>The segment document, a JSON string (see shared/reference/aws-formats.md).</summary>
    public string Document { get; init; } = "";
}

/// <summary>What BatchGetTraces returned, and the ids X-Ray still had not processed after the configured retries.</summary>
internal sealed record XRayTraceBatch(IReadOnlyList<XRayTrace> Traces, IReadOnlyList<string> UnprocessedTraceIds);

internal sealed class XRayServiceNode
{
    public int? ReferenceId { get; init; }
    public string? Name { get; init; }
    public List<string>? Names { get; init; }
    public bool? Root { get; init; }
    public string? AccountId { get; init; }
    public string? Type { get; init; }
    public string? State { get; init; }
    public DateTimeOffset? StartTime { get; init; }
    public DateTimeOffset? EndTime { get; init; }
    public List<XRayEdge>? Edges { get; init; }
    public XRayStatistics? SummaryStatistics { get; init; }
}

internal sealed class XRayEdge
{
    public int? ReferenceId { get; init; }
    public DateTimeOffset? StartTime { get; init; }
    public DateTimeOffset? EndTime { get; init; }
    public XRayStatistics? SummaryStatistics { get; init; }
    public string? EdgeType { get; init; }
}

internal sealed class XRayStatistics
{
    public long? OkCount { get; init; }
    public XRayErrorStatistics? ErrorStatistics { get; init; }
    public XRayFaultStatistics? FaultStatistics { get; init; }
    public long? TotalCount { get; init; }

    /// <summary>Seconds, summed over <see cref="TotalCount"/> requests.</summary>
    public double? TotalResponseTime { get; init; }
}

internal sealed class XRayErrorStatistics
{
    public long? ThrottleCount { get; init; }
    public long? OtherCount { get; init; }
    public long? TotalCount { get; init; }
}

internal sealed class XRayFaultStatistics
{
    public long? OtherCount { get; init; }
    public long? TotalCount { get; init; }
}

internal sealed class GetTraceSummariesResponse
{
    public List<XRayTraceSummary>? TraceSummaries { get; init; }
    public string? NextToken { get; init; }

    /// <summary>Traces the page's query processed: what X-Ray bills as traces scanned.</summary>
    public long? TracesProcessedCount { get; init; }
}

internal sealed class BatchGetTracesWire
{
    public List<string> TraceIds { get; init; } = [];
    public string? NextToken { get; init; }
}

internal sealed class BatchGetTracesResponse
{
    public List<XRayTrace>? Traces { get; init; }
    public List<string>? UnprocessedTraceIds { get; init; }
    public string? NextToken { get; init; }
}

internal sealed class GetServiceGraphWire
{
    public DateTimeOffset StartTime { get; init; }
    public DateTimeOffset EndTime { get; init; }
    public string? GroupName { get; init; }
    public string? NextToken { get; init; }
}

internal sealed class GetServiceGraphResponse
{
    public List<XRayServiceNode>? Services { get; init; }
    public string? NextToken { get; init; }
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, Converters = [typeof(EpochSecondsConverter)])]
[JsonSerializable(typeof(GetTraceSummariesRequest))]
[JsonSerializable(typeof(GetTraceSummariesResponse))]
[JsonSerializable(typeof(BatchGetTracesWire))]
[JsonSerializable(typeof(BatchGetTracesResponse))]
[JsonSerializable(typeof(GetServiceGraphWire))]
[JsonSerializable(typeof(GetServiceGraphResponse))]
internal sealed partial class XRayJsonContext : JsonSerializerContext;
