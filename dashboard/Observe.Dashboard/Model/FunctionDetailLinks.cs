using Observe.Store.Model;

namespace Observe.Dashboard.Model;

/// <summary>A layer as its ARN names it: <c>arn:aws:lambda:{region}:{account}:layer:{name}:{version}</c>.</summary>
/// <param name="Name">The layer's name; the whole ARN when it does not parse.</param>
/// <param name="Version">The layer version; null when the ARN does not parse.</param>
/// <param name="Arn">The full ARN, as stored.</param>
public sealed record LayerReference(string Name, string? Version, string Arn)
{
    public static LayerReference Parse(string arn)
    {
        ArgumentNullException.ThrowIfNull(arn);
        var parts = arn.Split(':');
        return parts.Length == 8 && parts[0] == "arn" && parts[2] == "lambda" && parts[5] == "layer" && parts[6].Length > 0 && parts[7].Length > 0
            ? new LayerReference(parts[6], parts[7], arn)
            : new LayerReference(arn, null, arn);
    }
}

/// <summary>Addresses of a function: its detail page here, and the AWS console's pages for it.</summary>
public static class FunctionDetailLinks
{
    /// <summary>
    /// The detail page relative to the app's base, as every link here is, each segment escaped (names come from outside);
    /// the range query is added by the caller.
    /// </summary>
    public static string Page(FunctionKey function) =>
        $"functions/{Uri.EscapeDataString(function.AccountId)}/{Uri.EscapeDataString(function.Region)}/{Uri.EscapeDataString(function.Name)}";

    /// <summary>The Lambda console's page of the function, in the function's own region.</summary>
    public static string LambdaConsole(FunctionKey function)
    {
        var region = Uri.EscapeDataString(function.Region);
        return $"https://{region}.console.aws.amazon.com/lambda/home?region={region}#/functions/{Uri.EscapeDataString(function.Name)}";
    }

    /// <summary>The function's default log group, <c>/aws/lambda/{name}</c>.</summary>
    public static string LogGroup(FunctionKey function) => "/aws/lambda/" + function.Name;

    /// <summary>
    /// The CloudWatch console's page of the log group. The console reads the group from the fragment percent-encoded
    /// twice with <c>%</c> written as <c>$</c> (<c>/</c> is <c>$252F</c>).
    /// </summary>
    public static string LogGroupConsole(FunctionKey function)
    {
        var region = Uri.EscapeDataString(function.Region);
        var group = Uri.EscapeDataString(Uri.EscapeDataString(LogGroup(function))).Replace('%', '$');
        return $"https://{region}.console.aws.amazon.com/cloudwatch/home?region={region}#logsV2:log-groups/log-group/{group}";
    }
}
