using Amazon.Runtime;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Observe.Collectors.Aws;
using Observe.Collectors.Collection;
using Observe.Collectors.Tests.Infrastructure;

namespace Observe.Collectors.Tests.Collection;

/// <summary>
/// The host over the real AWS access layer and moto (accounts 310000000031 and 310000000032): one account whose
/// credentials fail next to one that works, with the status and the API usage as the store records them.
/// </summary>
public sealed class HostAwsIntegrationTests
{
    private const string Working = "310000000031";
    private const string Broken = "310000000032";
    private const string Region = "eu-west-1";

    [Fact]
    public async Task Run_OneAccountWithoutCredentials_OtherCollectsAndTheStatusNamesTheAccountsCredentials()
    {
        using var seed = new MotoSeeder(Working);
        await seed.CreateFunctionAsync(Region, $"host-{Guid.NewGuid():N}"[..14]);
        var options = AwsTestHost.OptionsFor(Moto.Url, (Working, [Region]), (Broken, [Region]));
        using var aws = new AwsTestHost(options, baseCredentials: (account, _) => account.AccountId == Broken
            ? throw new AmazonClientException("Failed to resolve AWS credentials. The credential providers used to search for credentials returned the following errors: ...")
            : Task.FromResult<AWSCredentials>(new BasicAWSCredentials("AKIAOBSERVETEST00001", "observe-test-secret")));
        var inventory = new ListFunctionsCollector(aws.Clients);
        await using var harness = await HostHarness.CreateAsync(options, new CollectorsOptions { StartSpread = TimeSpan.Zero }, TimeProvider.System, inventory);

        await harness.Host.StartAsync(CancellationToken.None);
        await HostHarness.WaitUntilAsync(async () => (await harness.Store.GetCollectorStatusAsync(CancellationToken.None)).Count(s => s.LastSuccess is not null || s.IsFailing) == 2, "both passes");
        await harness.Host.StopAsync(CancellationToken.None);

        var statuses = (await harness.Store.GetCollectorStatusAsync(CancellationToken.None)).ToDictionary(s => s.AccountId);
        Assert.Equal(0, statuses[Working].ConsecutiveFailures);
        Assert.True(inventory.Listed[Working] >= 1);
        Assert.Equal(1, statuses[Broken].ConsecutiveFailures);
        Assert.StartsWith(
            $"Credentials expired, invalid or missing for {Broken} (test) {Region}: account {Broken} (test): no credentials could be resolved (Failed to resolve AWS credentials.",
            statuses[Broken].LastError, StringComparison.Ordinal);

        // What the real meter counted reaches the store through the usage writer.
        var writer = new ApiUsageWriter(aws.Meter, harness.Store, harness.Instance, Options.Create(new CollectorsOptions()), TimeProvider.System, NullLogger<ApiUsageWriter>.Instance);
        await writer.FlushAsync(CancellationToken.None);
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var usage = await harness.Store.GetApiUsageAsync(today, today, CancellationToken.None);
        Assert.Equal(1, usage.Single(u => u.AccountId == Working && u.Operation == "ListFunctions").Calls);
        Assert.Equal(1, usage.Single(u => u.AccountId == Broken && u.Operation == "ListFunctions").FailedCalls);
    }

    [Fact]
    public async Task Run_AssumeRoleAnsweredWithExpiredToken_StatusSaysTheTokenIsExpiredNamingTheAccountAndRole()
    {
        await using var proxy = new FaultProxy(Moto.Url);
        proxy.Script(Enumerable.Repeat(Fault.ExpiredToken403, 10).ToArray());
        var options = AwsTestHost.OptionsFor(Moto.Url, (Broken, [Region]));
        options.Endpoints.Sts = proxy.Url;
        using var aws = new AwsTestHost(options);
        await using var harness = await HostHarness.CreateAsync(options, new CollectorsOptions { StartSpread = TimeSpan.Zero }, TimeProvider.System, new ListFunctionsCollector(aws.Clients));

        await harness.Host.StartAsync(CancellationToken.None);
        await HostHarness.WaitUntilAsync(async () => (await harness.Store.GetCollectorStatusAsync(CancellationToken.None)).Any(s => s.IsFailing), "the failed pass");
        await harness.Host.StopAsync(CancellationToken.None);

        var error = Assert.Single(await harness.Store.GetCollectorStatusAsync(CancellationToken.None)).LastError;
        Assert.StartsWith($"Credentials expired, invalid or missing for {Broken} (test) {Region}: account {Broken} (test): could not obtain credentials by assuming arn:aws:iam::{Broken}:role/observe-read: ", error, StringComparison.Ordinal);
        Assert.Contains("The security token included in the request is expired", error, StringComparison.Ordinal);
    }

    /// <summary>The smallest real collector: lists the target's functions through the AWS layer.</summary>
    private sealed class ListFunctionsCollector(IAwsClientFactory clients) : ICollector
    {
        public System.Collections.Concurrent.ConcurrentDictionary<string, int> Listed { get; } = new();

        public string Name => "inventory";

        public TimeSpan Interval => TimeSpan.FromHours(1);

        public async Task CollectAsync(CollectionTarget target, PassReport report, CancellationToken cancellationToken)
        {
            var functions = await clients.Lambda(target.AccountId, target.Region).ListFunctionsAsync(cancellationToken).ToListAsync(cancellationToken);
            Listed[target.AccountId] = functions.Count;
        }
    }
}
