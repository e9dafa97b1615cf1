namespace Observe.Collectors.Metrics;

/// <summary>Recognises AWS's Lambda Insights extension among a function's layers.</summary>
internal static class LambdaInsightsLayer
{
    /// <summary>
    /// The layer name AWS publishes the extension under: <c>LambdaInsightsExtension</c> for x86_64 and
    /// <c>LambdaInsightsExtension-Arm64</c> for Arm.
    /// </summary>
    private const string NamePrefix = "LambdaInsightsExtension";

    /// <summary>
    /// Whether the layer version ARN (<c>arn:{partition}:lambda:{region}:{account}:layer:{name}:{version}</c>) is the
    /// extension. Matched by layer name in any partition and account: AWS publishes it from a different account in
    /// several regions and partitions (580247275435 in most, others in newer regions, China and GovCloud), a list that
    /// grows with every region. A look-alike layer of the same name costs a few queries that return nothing.
    /// </summary>
    public static bool IsExtension(string? layerArn)
    {
        var parts = layerArn?.Split(':');
        return parts is { Length: 7 or 8 } && parts[0] == "arn" && parts[2] == "lambda" && parts[5] == "layer"
            && parts[6].StartsWith(NamePrefix, StringComparison.Ordinal);
    }
}
