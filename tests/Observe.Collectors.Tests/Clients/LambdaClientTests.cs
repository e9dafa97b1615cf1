using System.Net;
using Observe.Collectors.Aws;
using Observe.Collectors.Tests.Infrastructure;

namespace Observe.Collectors.Tests.Clients;

/// <summary>Against moto, in account 310000000001 reached by AssumeRole (the cross-account path), two regions.</summary>
public class LambdaClientTests
{
    private const string Account = "310000000001";

    [Fact]
    public async Task ListFunctionsAndTags_FunctionsInTwoRegions_EachRegionSeesItsOwn()
    {
        using var seed = new MotoSeeder(Account);
        var prefix = $"inv-{Guid.NewGuid():N}"[..12];
        await seed.CreateFunctionAsync("eu-west-1", $"{prefix}-orders", new Dictionary<string, string> { ["team"] = "checkout", ["env"] = "prod" }, memoryMb: 512);
        await seed.CreateFunctionAsync("eu-west-1", $"{prefix}-billing", new Dictionary<string, string> { ["team"] = "billing" });
        await seed.CreateFunctionAsync("us-east-2", $"{prefix}-search", new Dictionary<string, string> { ["team"] = "search" }, runtime: "python3.12");
        using var host = new AwsTestHost(AwsTestHost.OptionsFor(Moto.Url, (Account, ["eu-west-1", "us-east-2"])));

        var europe = await Functions(host, "eu-west-1", prefix);
        var ohio = await Functions(host, "us-east-2", prefix);

        Assert.Equal([$"{prefix}-billing", $"{prefix}-orders"], europe.Select(f => f.FunctionName).Order());
        var orders = europe.Single(f => f.FunctionName.EndsWith("-orders", StringComparison.Ordinal));
        Assert.Equal($"arn:aws:lambda:eu-west-1:{Account}:function:{prefix}-orders", orders.FunctionArn);
        Assert.Equal(("dotnet8", 512, 30), (orders.Runtime, orders.MemorySize, orders.Timeout));
        Assert.NotNull(orders.LastModifiedAt);
        Assert.Equal(["x86_64"], orders.Architectures!);

        var search = Assert.Single(ohio);
        Assert.Equal("python3.12", search.Runtime);

        var tags = await host.Clients.Lambda(Account, "eu-west-1").ListTagsAsync(orders.FunctionArn, CancellationToken.None);
        Assert.Equal("checkout", tags["team"]);
        Assert.Equal("prod", tags["env"]);
    }

    [Fact]
    public async Task VersionsAliasesAndConcurrency_AreListed()
    {
        using var seed = new MotoSeeder(Account);
        var name = $"ver-{Guid.NewGuid():N}"[..12];
        await seed.CreateFunctionAsync("eu-west-1", name);
        await seed.PublishVersionAsync("eu-west-1", name);
        await seed.CreateAliasAsync("eu-west-1", name, "live", "1");
        await seed.PutFunctionConcurrencyAsync("eu-west-1", name, 25);
        using var host = new AwsTestHost(AwsTestHost.OptionsFor(Moto.Url, (Account, ["eu-west-1"])));
        var lambda = host.Clients.Lambda(Account, "eu-west-1");

        var versions = await lambda.ListVersionsByFunctionAsync(name, CancellationToken.None).ToListAsync();
        var aliases = await lambda.ListAliasesAsync(name, CancellationToken.None).ToListAsync();
        var reserved = await lambda.GetFunctionConcurrencyAsync(name, CancellationToken.None);
        var mappings = await lambda.ListEventSourceMappingsAsync(name, CancellationToken.None).ToListAsync();

        Assert.Equal(["$LATEST", "1"], versions.Select(v => v.Version).Order(StringComparer.Ordinal));
        var live = Assert.Single(aliases);
        Assert.Equal(("live", "1"), (live.Name, live.FunctionVersion));
        Assert.Equal(25, reserved);
        Assert.Empty(mappings);
    }

    [Fact]
    public async Task ListVersions_UnknownFunction_IsNotFoundNamingTheAccount()
    {
        using var host = new AwsTestHost(AwsTestHost.OptionsFor(Moto.Url, (Account, ["eu-west-1"])));

        var error = await Assert.ThrowsAsync<AwsServiceException>(() =>
            host.Clients.Lambda(Account, "eu-west-1").GetFunctionConcurrencyAsync("does-not-exist-" + Guid.NewGuid().ToString("N")[..6], CancellationToken.None));

        Assert.Equal(HttpStatusCode.NotFound, error.StatusCode);
        Assert.True(error.IsNotFound);
        Assert.Equal(1, error.Attempts);
        Assert.StartsWith($"account {Account} (test), eu-west-1, Lambda GetFunctionConcurrency: HTTP 404", error.Message);
    }

    private static async Task<List<Observe.Collectors.Lambda.LambdaFunctionConfiguration>> Functions(AwsTestHost host, string region, string prefix) =>
        (await host.Clients.Lambda(Account, region).ListFunctionsAsync(CancellationToken.None).ToListAsync())
        .Where(f => f.FunctionName.StartsWith(prefix, StringComparison.Ordinal))
        .ToList();
}
