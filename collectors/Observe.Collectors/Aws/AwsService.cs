using System.Collections.Frozen;

namespace Observe.Collectors.Aws;

/// <summary>
/// An AWS service Observe calls: its configuration name, endpoint prefix, SigV4 signing name, IAM action prefix, and
/// every operation called on it. The declarations are the one list of what Observe asks of AWS: the usage meter refuses
/// an operation not declared here (every call is metered), and deploy/iam/observe-collector-policy.json is checked
/// against <see cref="IamActions"/> by the deploy tests, so a new call cannot ship without its IAM permission.
/// </summary>
internal sealed class AwsService
{
    public static readonly AwsService Lambda = new("Lambda", "lambda", "lambda", "lambda",
        ["ListFunctions", "ListTags", "ListEventSourceMappings", "ListVersionsByFunction", "ListAliases", "GetFunctionConcurrency", "ListProvisionedConcurrencyConfigs"], []);

    public static readonly AwsService CloudWatch = new("CloudWatch", "monitoring", "monitoring", "cloudwatch",
        ["GetMetricData", "ListMetrics", "DescribeAlarms", "DescribeAlarmHistory"], []);

    // Live Tail is a streaming call of its own (LiveTailStreamClient), outside the budgeted pipeline.
    public static readonly AwsService Logs = new("Logs", "logs", "logs", "logs",
        ["FilterLogEvents", "StartQuery", "GetQueryResults", "DescribeLogGroups"], ["StartLiveTail"]);

    public static readonly AwsService XRay = new("XRay", "xray", "xray", "xray",
        ["GetTraceSummaries", "BatchGetTraces", "GetServiceGraph"], []);

    // Alert notifications publish to SNS topics (Observe.Alerting's SNS channel); not a collector, so not budgeted below.
    public static readonly AwsService Sns = new("Sns", "sns", "sns", "sns", ["Publish"], []);

    // AssumeRole and GetCallerIdentity go through AWSSDK.SecurityToken's own pipeline, so STS has no budgeted operations.
    public static readonly AwsService Sts = new("Sts", "sts", "sts", "sts", [], ["AssumeRole", "GetCallerIdentity"]);

    /// <summary>The services whose calls go through Observe's pipeline (rate budgets, retries, meter).</summary>
    public static IReadOnlyList<AwsService> Budgeted { get; } = [Lambda, CloudWatch, Logs, XRay];

    /// <summary>Every service Observe calls.</summary>
    public static IReadOnlyList<AwsService> All { get; } = [Lambda, CloudWatch, Logs, XRay, Sns, Sts];

    private readonly FrozenSet<string> _called;

    private AwsService(string name, string endpointPrefix, string signingName, string iamPrefix, string[] operations, string[] directOperations)
    {
        Name = name;
        EndpointPrefix = endpointPrefix;
        SigningName = signingName;
        IamPrefix = iamPrefix;
        Operations = operations;
        DirectOperations = directOperations;
        _called = operations.Concat(directOperations).ToFrozenSet(StringComparer.Ordinal);
    }

    /// <summary>Name used in configuration (<c>Observe:Aws:Endpoints:Lambda</c>), the meter and errors.</summary>
    public string Name { get; }

    /// <summary>First label of the regional host name: <c>https://{prefix}.{region}.{dnsSuffix}</c>.</summary>
    public string EndpointPrefix { get; }

    public string SigningName { get; }

    /// <summary>The service prefix of its IAM actions (<c>cloudwatch</c> for the <c>monitoring</c> endpoint).</summary>
    public string IamPrefix { get; }

    /// <summary>The operations called through Observe's pipeline on this service; rate budget keys are checked against them.</summary>
    public IReadOnlyList<string> Operations { get; }

    /// <summary>The operations called outside the pipeline (a streaming call, the AWS SDK's STS client); still metered.</summary>
    public IReadOnlyList<string> DirectOperations { get; }

    /// <summary>The IAM action of every operation called on this service (<c>lambda:ListFunctions</c>).</summary>
    public IEnumerable<string> IamActions => _called.Order(StringComparer.Ordinal).Select(o => $"{IamPrefix}:{o}");

    /// <summary>True when <paramref name="operation"/> is declared above (exact case, as AWS names it).</summary>
    public bool Calls(string operation) => _called.Contains(operation);

    public override string ToString() => Name;
}
