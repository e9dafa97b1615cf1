namespace Observe.Store.Model;

/// <summary>Identifies one Lambda function across the fleet: names are unique per account and region.</summary>
public readonly record struct FunctionKey(string AccountId, string Region, string Name)
{
    public override string ToString() => $"{AccountId}/{Region}/{Name}";
}

/// <summary>A Lambda function as the inventory collector last saw it.</summary>
public sealed record LambdaFunction
{
    public required FunctionKey Key { get; init; }
    public required string Arn { get; init; }

    /// <summary>Runtime identifier such as <c>dotnet8</c>; null for container images.</summary>
    public string? Runtime { get; init; }

    /// <summary><c>x86_64</c> or <c>arm64</c>.</summary>
    public string Architecture { get; init; } = "x86_64";

    public int MemoryMb { get; init; }
    public int TimeoutSeconds { get; init; }
    public long CodeSizeBytes { get; init; }

    /// <summary><c>Zip</c> or <c>Image</c>.</summary>
    public string PackageType { get; init; } = "Zip";

    public DateTimeOffset LastModified { get; init; }
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();

    /// <summary>Layer ARNs, in the order Lambda applies them.</summary>
    public IReadOnlyList<string> Layers { get; init; } = [];

    public IReadOnlyList<EventSourceMapping> EventSources { get; init; } = [];

    /// <summary>The function's aliases and the version each points to, ordered by name.</summary>
    public IReadOnlyList<FunctionAlias> Aliases { get; init; } = [];

    /// <summary>Published version numbers (<c>$LATEST</c> excluded), oldest first.</summary>
    public IReadOnlyList<string> PublishedVersions { get; init; } = [];

    /// <summary>
    /// Lambda's revision id of the unpublished configuration when the function was last read; with
    /// <see cref="LastModified"/> it tells the inventory collector whether the function changed since.
    /// </summary>
    public string? RevisionId { get; init; }

    /// <summary>Provisioned concurrency summed over the function's aliases and versions; 0 when none.</summary>
    public int ProvisionedConcurrency { get; init; }

    /// <summary>Reserved concurrency; null when the function uses the account's unreserved pool.</summary>
    public int? ReservedConcurrency { get; init; }

    /// <summary>When the inventory collector last saw the function.</summary>
    public DateTimeOffset LastSeen { get; init; }

    /// <summary>Set when a complete listing no longer contains the function; its history is kept.</summary>
    public DateTimeOffset? DeletedAt { get; init; }
}

/// <summary>
/// An alias and the version it points to. A weighted alias also sends <paramref name="AdditionalWeight"/> (0-1) of its
/// traffic to <paramref name="AdditionalVersion"/> (Lambda allows one such version per alias).
/// </summary>
public sealed record FunctionAlias(string Name, string Version, string? AdditionalVersion = null, double AdditionalWeight = 0);

/// <summary>An event source mapping (SQS, Kinesis, DynamoDB streams, Kafka, MQ) that invokes the function.</summary>
public sealed record EventSourceMapping(string Uuid, string SourceArn, string State, int? BatchSize);
