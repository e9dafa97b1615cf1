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
        var collector = new InventoryCollector(host.Clients, store.Store, Microsoft.Extensions.Options.Options.Create(new InventoryCollectorOptions()), host.Time, NullLogger<InventoryCollector>.Instance);

        await collector.CollectAsync(new CollectionTarget(host.Options.Accounts[0], region), CancellationToken.None);

        var functions = (await store.Store.GetFunctionsAsync(new FleetFilter(account), CancellationToken.None)).ToDictionary(f => f.Key.Name);
        Assert.Equal(["billing", "orders"], functions.Keys.Order(StringComparer.Ordinal));
        var orders = functions["orders"];
        Assert.Equal(("checkout", 7, 5), (orders.Tags["team"], orders.ReservedConcurrency, orders.ProvisionedConcurrency));
        Assert.Equal(0, functions["billing"].ProvisionedConcurrency);
    }
}
