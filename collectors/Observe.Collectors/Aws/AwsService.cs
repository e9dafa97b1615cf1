namespace Observe.Collectors.Aws;

/// <summary>An AWS service the collectors call: its configuration name, endpoint prefix and SigV4 signing name.</summary>
internal sealed class AwsService
{
    public static readonly AwsService Lambda = new("Lambda", "lambda", "lambda",
        ["ListFunctions", "ListTags", "ListEventSourceMappings", "ListVersionsByFunction", "ListAliases", "GetFunctionConcurrency", "ListProvisionedConcurrencyConfigs"]);

    public static readonly AwsService CloudWatch = new("CloudWatch", "monitoring", "monitoring",
        ["GetMetricData", "ListMetrics", "DescribeAlarms", "DescribeAlarmHistory"]);

    public static readonly AwsService Logs = new("Logs", "logs", "logs",
        ["FilterLogEvents", "StartQuery", "GetQueryResults", "DescribeLogGroups"]);

    public static readonly AwsService XRay = new("XRay", "xray", "xray",
        ["GetTraceSummaries", "BatchGetTraces", "GetServiceGraph"]);

    // Alert notifications publish to SNS topics (Observe.Alerting's SNS channel); not a collector, so not budgeted below.
    public static readonly AwsService Sns = new("Sns", "sns", "sns", ["Publish"]);

    // AssumeRole goes through AWSSDK.SecurityToken's own pipeline, so STS has no budgeted operations here.
    public static readonly AwsService Sts = new("Sts", "sts", "sts", []);

    /// <summary>The services whose calls go through Observe's pipeline (rate budgets, retries, meter).</summary>
    public static IReadOnlyList<AwsService> Budgeted { get; } = [Lambda, CloudWatch, Logs, XRay];

    private AwsService(string name, string endpointPrefix, string signingName, string[] operations)
    {
        Name = name;
        EndpointPrefix = endpointPrefix;
        SigningName = signingName;
        Operations = operations;
    }

    /// <summary>Name used in configuration (<c>Observe:Aws:Endpoints:Lambda</c>), the meter and errors.</summary>
    public string Name { get; }

    /// <summary>First label of the regional host name: <c>https://{prefix}.{region}.{dnsSuffix}</c>.</summary>
    public string EndpointPrefix { get; }

    public string SigningName { get; }

    /// <summary>The operations Observe calls on this service; rate budget keys are checked against them.</summary>
    public IReadOnlyList<string> Operations { get; }

    public override string ToString() => Name;
}
