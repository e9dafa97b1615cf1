using Microsoft.Extensions.Options;
using Observe.Collectors.CloudWatch;
using Observe.Collectors.Lambda;
using Observe.Collectors.Logs;
using Observe.Collectors.XRay;

namespace Observe.Collectors.Aws;

/// <summary>
/// Typed clients for one configured account and region. Clients are cheap views over one shared pipeline
/// (credentials, budgets, retries, meter), so a collector can create them per pass.
/// </summary>
internal interface IAwsClientFactory
{
    /// <summary>The configured accounts, in configuration order.</summary>
    IReadOnlyList<AwsAccountOptions> Accounts { get; }

    ILambdaClient Lambda(string accountId, string region);
    ICloudWatchClient CloudWatch(string accountId, string region);
    ICloudWatchLogsClient Logs(string accountId, string region);
    IXRayClient XRay(string accountId, string region);
}

internal sealed class AwsClientFactory(AwsCaller caller, IOptions<AwsOptions> options, TimeProvider time) : IAwsClientFactory
{
    private readonly AwsOptions _options = options.Value;

    public IReadOnlyList<AwsAccountOptions> Accounts => _options.Accounts;

    public ILambdaClient Lambda(string accountId, string region) => new LambdaClient(caller, Account(accountId), Region(region));

    public ICloudWatchClient CloudWatch(string accountId, string region) => new CloudWatchClient(caller, Account(accountId), Region(region));

    public ICloudWatchLogsClient Logs(string accountId, string region) => new CloudWatchLogsClient(caller, Account(accountId), Region(region));

    public IXRayClient XRay(string accountId, string region) => new XRayClient(caller, Account(accountId), Region(region), _options, time);

    private AwsAccountOptions Account(string accountId) =>
        _options.Accounts.FirstOrDefault(a => a.AccountId == accountId)
        ?? throw new ArgumentException($"account {accountId} is not in {AwsOptions.SectionName}:Accounts", nameof(accountId));

    private static string Region(string region) =>
        AwsOptionsValidator.IsRegionName(region) ? region : throw new ArgumentException($"'{region}' is not a region name like eu-west-1", nameof(region));
}
