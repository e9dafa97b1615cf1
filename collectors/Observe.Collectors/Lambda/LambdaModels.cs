using System.Text.Json.Serialization;
using Observe.Collectors.Aws;

namespace Observe.Collectors.Lambda;

// Shapes from the Lambda 2015-03-31 service model, only the members the collectors read.

/// <summary>A function (or one of its versions) as ListFunctions and ListVersionsByFunction describe it.</summary>
internal sealed class LambdaFunctionConfiguration
{
    public string FunctionName { get; init; } = "";
    public string FunctionArn { get; init; } = "";

    /// <summary>Null for container images.</summary>
    public string? Runtime { get; init; }

    public string? Role { get; init; }
    public string? Handler { get; init; }
    public string? Description { get; init; }
    public long CodeSize { get; init; }
    public int? MemorySize { get; init; }
    public int? Timeout { get; init; }

    /// <summary>ISO 8601 with a colon-less offset (<c>2024-10-10T13:34:07.448+0000</c>); see <see cref="LastModifiedAt"/>.</summary>
    public string? LastModified { get; init; }

    public string? Version { get; init; }

    /// <summary>Changes with every update of the function's code or configuration.</summary>
    public string? RevisionId { get; init; }

    public string? PackageType { get; init; }
    public List<string>? Architectures { get; init; }
    public List<LambdaLayer>? Layers { get; init; }
    public string? State { get; init; }
    public string? LastUpdateStatus { get; init; }
    public LambdaTracingConfig? TracingConfig { get; init; }
    public LambdaLoggingConfig? LoggingConfig { get; init; }
    public LambdaSnapStart? SnapStart { get; init; }

    [JsonIgnore]
    public DateTimeOffset? LastModifiedAt => AwsTimestamps.TryParseIso(LastModified, out var at) ? at : null;
}

internal sealed class LambdaLayer
{
    public string Arn { get; init; } = "";
    public long CodeSize { get; init; }
}

internal sealed class LambdaTracingConfig
{
    /// <summary><c>Active</c> or <c>PassThrough</c>.</summary>
    public string? Mode { get; init; }
}

internal sealed class LambdaLoggingConfig
{
    /// <summary><c>Text</c> or <c>JSON</c>: tells the logs collector which REPORT format to expect.</summary>
    public string? LogFormat { get; init; }

    /// <summary>The function's log group when not the default <c>/aws/lambda/{name}</c>.</summary>
    public string? LogGroup { get; init; }

    public string? ApplicationLogLevel { get; init; }
    public string? SystemLogLevel { get; init; }
}

internal sealed class LambdaSnapStart
{
    public string? ApplyOn { get; init; }
    public string? OptimizationStatus { get; init; }
}

internal sealed class LambdaEventSourceMapping
{
    [JsonPropertyName("UUID")]
    public string Uuid { get; init; } = "";

    public string? EventSourceArn { get; init; }
    public string? FunctionArn { get; init; }
    public string? State { get; init; }
    public int? BatchSize { get; init; }
    public int? MaximumBatchingWindowInSeconds { get; init; }
    public DateTimeOffset? LastModified { get; init; }
    public string? LastProcessingResult { get; init; }
    public string? StateTransitionReason { get; init; }
}

internal sealed class LambdaAlias
{
    public string AliasArn { get; init; } = "";
    public string Name { get; init; } = "";
    public string? FunctionVersion { get; init; }
    public string? Description { get; init; }
    public LambdaAliasRouting? RoutingConfig { get; init; }
}

internal sealed class LambdaAliasRouting
{
    /// <summary>Version to weight (0-1) for weighted aliases.</summary>
    public Dictionary<string, double>? AdditionalVersionWeights { get; init; }
}

internal sealed class LambdaProvisionedConcurrencyConfig
{
    /// <summary>The version or alias ARN the configuration applies to.</summary>
    public string FunctionArn { get; init; } = "";

    public int? RequestedProvisionedConcurrentExecutions { get; init; }
    public int? AvailableProvisionedConcurrentExecutions { get; init; }
    public int? AllocatedProvisionedConcurrentExecutions { get; init; }

    /// <summary><c>IN_PROGRESS</c>, <c>READY</c> or <c>FAILED</c>.</summary>
    public string? Status { get; init; }

    public string? StatusReason { get; init; }
    public string? LastModified { get; init; }
}

internal sealed class ListFunctionsResponse
{
    public string? NextMarker { get; init; }
    public List<LambdaFunctionConfiguration>? Functions { get; init; }
}

internal sealed class ListVersionsByFunctionResponse
{
    public string? NextMarker { get; init; }
    public List<LambdaFunctionConfiguration>? Versions { get; init; }
}

internal sealed class ListTagsResponse
{
    public Dictionary<string, string>? Tags { get; init; }
}

internal sealed class ListEventSourceMappingsResponse
{
    public string? NextMarker { get; init; }
    public List<LambdaEventSourceMapping>? EventSourceMappings { get; init; }
}

internal sealed class ListAliasesResponse
{
    public string? NextMarker { get; init; }
    public List<LambdaAlias>? Aliases { get; init; }
}

internal sealed class GetFunctionConcurrencyResponse
{
    public int? ReservedConcurrentExecutions { get; init; }
}

internal sealed class ListProvisionedConcurrencyConfigsResponse
{
    public string? NextMarker { get; init; }
    public List<LambdaProvisionedConcurrencyConfig>? ProvisionedConcurrencyConfigs { get; init; }
}

[JsonSourceGenerationOptions(Converters = [typeof(EpochSecondsConverter)])]
[JsonSerializable(typeof(ListFunctionsResponse))]
[JsonSerializable(typeof(ListVersionsByFunctionResponse))]
[JsonSerializable(typeof(ListTagsResponse))]
[JsonSerializable(typeof(ListEventSourceMappingsResponse))]
[JsonSerializable(typeof(ListAliasesResponse))]
[JsonSerializable(typeof(GetFunctionConcurrencyResponse))]
[JsonSerializable(typeof(ListProvisionedConcurrencyConfigsResponse))]
internal sealed partial class LambdaJsonContext : JsonSerializerContext;
