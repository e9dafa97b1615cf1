using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Observe.Collectors.Collection;
using Observe.Collectors.Inventory;
using Observe.Collectors.Tests.Infrastructure;
using Observe.Store.Model;

namespace Observe.Collectors.Tests.Inventory;

/// <summary>
/// A detail the role may not read, or the endpoint does not offer, must not stop the inventory. moto itself has no
/// ListProvisionedConcurrencyConfigs (it answers a bare 404), which is exactly that case, so no recorded transport here.
/// </summary>
public sealed class InventoryUnreadableDetailsTests
{
    [Fact]
    public async Task CollectAsync_OneDetailUnavailable_FunctionsStoredWithTheOtherDetails_StoredValueKept()
    {
        var account = "34" + Random.Shared.NextInt64(10_000_000_000).ToString("D10", CultureInfo.InvariantCulture);
        const string region = "eu-west-1";
        using var seed = new MotoSeeder(account);
        await seed.CreateFunctionAsync(region, "orders", new Dictionary<string, string> { ["team"] = "checkout" });
        await seed.CreateFunctionAsync(region, "billing");
        await seed.PutFunctionConcurrencyAsync(region, "orders", 7);
        await using var store = await TestStore.CreateAsync();

        // What an earlier pass (with the permission) stored: a provisioned figure the unreadable call must not wipe.
        var key = new FunctionKey(account, region, "orders");
        await store.Store.UpsertFunctionsAsync([new LambdaFunction { Key = key, Arn = $"arn:aws:lambda:{region}:{account}:function:orders", ProvisionedConcurrency = 5 }], CancellationToken.None);
        using var host = new AwsTestHost(AwsTestHost.OptionsFor(Moto.Url, (account, [region])));
        var collector = new InventoryCollector(host.Clients, store.Store, store.Store, store.Store, store.Store, Microsoft.Extensions.Options.Options.Create(new InventoryCollectorOptions()), host.Time, NullLogger<InventoryCollector>.Instance);

        var report = new PassReport();
        await collector.CollectAsync(new CollectionTarget(host.Options.Accounts[0], region), report, CancellationToken.None);

        // Degraded, with what moto answered: a 404 for an operation it lacks is not a missing permission.
        var problem = Assert.Single(report.Problems);
        Assert.StartsWith("2 function details could not be read and kept their stored values: ListProvisionedConcurrencyConfigs failed (HTTP 404 ", problem, StringComparison.Ordinal);
        Assert.DoesNotContain("lambda:", problem, StringComparison.Ordinal);
        Assert.DoesNotContain("permission", problem, StringComparison.OrdinalIgnoreCase);

        var functions = (await store.Store.GetFunctionsAsync(new FleetFilter(account), CancellationToken.None)).ToDictionary(f => f.Key.Name);
        Assert.Equal(["billing", "orders"], functions.Keys.Order(StringComparer.Ordinal));
        var orders = functions["orders"];
        Assert.Equal(("checkout", 7, 5), (orders.Tags["team"], orders.ReservedConcurrency, orders.ProvisionedConcurrency));
        Assert.Equal(0, functions["billing"].ProvisionedConcurrency);
    }

    [Fact]
    public async Task CollectAsync_ConcurrencyDenied_PassDegradedNamingTheActionToAllow()
    {
        var account = "34" + Random.Shared.NextInt64(10_000_000_000).ToString("D10", CultureInfo.InvariantCulture);
        const string region = "eu-west-1";
        using var seed = new MotoSeeder(account);
        await seed.CreateFunctionAsync(region, "orders");
        await using var store = await TestStore.CreateAsync();
        using var host = new AwsTestHost(AwsTestHost.OptionsFor(Moto.Url, (account, [region])), transport: new DeniedConcurrencyTransport());
        var collector = new InventoryCollector(host.Clients, store.Store, store.Store, store.Store, store.Store, Microsoft.Extensions.Options.Options.Create(new InventoryCollectorOptions()), host.Time, NullLogger<InventoryCollector>.Instance);
        var report = new PassReport();

        await collector.CollectAsync(new CollectionTarget(host.Options.Accounts[0], region), report, CancellationToken.None);

        Assert.Equal(["orders"], (await store.Store.GetFunctionsAsync(new FleetFilter(account), CancellationToken.None)).Select(f => f.Key.Name));
        Assert.Equal(
            "1 function details could not be read and kept their stored values: GetFunctionConcurrency was denied (HTTP 403 AccessDeniedException); allow lambda:GetFunctionConcurrency to the role",
            Assert.Single(report.Problems));
    }

    /// <summary>moto behind a role that may not call GetFunctionConcurrency (answered as Lambda answers it); provisioned concurrency from the API reference.</summary>
    private sealed class DeniedConcurrencyTransport : DelegatingHandler
    {
        public DeniedConcurrencyTransport()
            : base(new ProvisionedConcurrencyTransport())
        {
        }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (!request.RequestUri!.AbsolutePath.EndsWith("/concurrency", StringComparison.Ordinal))
            {
                return base.SendAsync(request, cancellationToken);
            }

            var response = new HttpResponseMessage(System.Net.HttpStatusCode.Forbidden)
            {
                Content = new StringContent("""{"Type":"User","message":"User: arn:aws:sts::123456789012:assumed-role/observe-read/x is not authorized to perform: lambda:GetFunctionConcurrency"}""", System.Text.Encoding.UTF8, "application/json"),
            };
            response.Headers.TryAddWithoutValidation("x-amzn-ErrorType", "AccessDeniedException");
            return Task.FromResult(response);
        }
    }
}
