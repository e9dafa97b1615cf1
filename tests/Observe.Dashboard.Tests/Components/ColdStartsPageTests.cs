using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Observe.Dashboard.Components.Pages;
using Observe.Dashboard.Configuration;
using Observe.Dashboard.Model;
using Observe.Dashboard.Tests.Hosting;
using Observe.Store;
using Observe.Store.Model;

namespace Observe.Dashboard.Tests.Components;

public sealed class ColdStartsPageTests : MudContext
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);
    private static readonly FunctionKey Orders = new("111122223333", "eu-west-1", "orders");
    private static readonly FunctionKey Hostile = new("111122223333", "eu-west-1", "<script>alert(1)</script>");
    private static readonly FunctionKey Billing = new("111122223333", "us-east-1", "billing");

    private TestStore _store = null!;
    private DateTimeOffset _now;
    private int _requests;

    public override async Task InitializeAsync()
    {
        _store = await TestStore.CreateAsync();
        Services.AddObserveStore(_store.Store);
        Services.AddSingleton<IStoreChanges>(_store.Changes);
        Services.AddSingleton(TimeProvider.System);
        Services.AddSingleton(Options.Create(new DashboardOptions { RefreshThrottle = TimeSpan.FromMilliseconds(100) }));
        Services.AddLiveData();
        _now = DateTimeOffset.UtcNow;
    }

    protected override ValueTask DisposeResourcesAsync() => _store.DisposeAsync();

    [Fact]
    public async Task ColdStarts_FiguresAsWritten_TypesApart_HostileNameAsText_LinksToTheDetail()
    {
        await _store.Store.UpsertFunctionsAsync([Function(Orders, "dotnet8", "x86_64", 512), Function(Hostile, "python3.12", "arm64", 128), Function(Billing, "nodejs22.x", "arm64", 256)], CancellationToken.None);
        double[] ordersInit = [620, 700, 1800];
        await _store.Store.WriteInvocationReportsAsync(
        [
            .. ordersInit.Select((d, i) => Report(Orders, -10 - i, init: d)),
            .. Enumerable.Range(0, 7).Select(i => Report(Orders, -5 - i)),
            Report(Hostile, -3, init: 250),
            Report(Hostile, -2),
            Report(Hostile, -4, restore: 180),
            Report(Billing, -3),
        ], CancellationToken.None);

        // The orders function logs in JSON (its init reports name the type); the other in text, so its type is unknown.
        await _store.Store.WriteInitEventsAsync(
        [
            .. ordersInit.Select((d, i) => new InitEvent(Orders, _now.AddMinutes(-10 - i), InitializationType.OnDemand, d, "success")),
            new InitEvent(Orders, _now.AddMinutes(-30), InitializationType.ProvisionedConcurrency, 2100, "success"),
        ], CancellationToken.None);

        var page = RenderAt("/cold-starts?range=1h");

        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-testid=cold-worst] tr[data-function]")), Wait);

        // Figures computed here from what was written: 4 cold starts in 14 reports; nearest-rank percentiles.
        double[] all = [250, 620, 700, 1800];
        Assert.Equal((4d / 14).ToString("R", System.Globalization.CultureInfo.InvariantCulture), page.Find("[data-figure=rate]").GetAttribute("data-value"));
        Assert.Equal("620", page.Find("[data-figure=p50]").GetAttribute("data-value"));
        Assert.Equal("1800", page.Find("span[data-figure=p99]").GetAttribute("data-value"));
        Assert.Equal(("3", "1"), (page.Find("[data-figure=on-demand]").GetAttribute("data-value"), page.Find("[data-figure=unknown-type]").GetAttribute("data-value")));
        Assert.Equal(("1", "1"), (page.Find("[data-figure=restores]").GetAttribute("data-value"), page.Find("[data-figure=provisioned]").GetAttribute("data-value")));

        var rows = page.FindAll("[data-testid=cold-worst] tr[data-function]");
        Assert.Equal(["orders", Hostile.Name], rows.Select(r => r.GetAttribute("data-function")));
        Assert.Equal(("3", "10", "700", "1800"), (rows[0].GetAttribute("data-cold"), rows[0].GetAttribute("data-invocations"), rows[0].GetAttribute("data-p50"), rows[0].GetAttribute("data-p99")));
        Assert.Contains("unknown", rows[1].TextContent, StringComparison.Ordinal);
        Assert.Equal(Hostile.Name, rows[1].QuerySelector("[data-function-link]")!.TextContent);
        Assert.Empty(page.FindAll("script"));
        Assert.Equal("functions/111122223333/eu-west-1/orders?range=1h", rows[0].QuerySelector("[data-function-link]")!.GetAttribute("href"));

        var bars = page.FindAll("[data-bar]").ToDictionary(b => b.GetAttribute("data-bar")!, b => long.Parse(b.GetAttribute("data-count")!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(all.Length, bars.Values.Sum());
        Assert.Equal((1L, 2L, 1L), (bars["200–400 ms"], bars["400–800 ms"], bars["1600–3200 ms"]));
        Assert.Equal(["dotnet8", "python3.12", "nodejs22.x"], page.FindAll("[data-group=Runtime] tr[data-value]").Select(r => r.GetAttribute("data-value")));

        // The .NET function with a p50 at or above 500 ms gets the Native AOT suggestion, with its source and date.
        var aot = page.Find("[data-suggestion=native-aot]");
        Assert.Contains("orders", aot.TextContent, StringComparison.Ordinal);
        Assert.Contains("2024-02-22", aot.TextContent, StringComparison.Ordinal);
        Assert.Empty(page.FindAll("[data-suggestion=snapstart]"));
    }

    [Fact]
    public async Task ColdStarts_FiltersInTheAddress_NarrowTheFunctions_EmptyResultOffersToClear()
    {
        await _store.Store.UpsertFunctionsAsync([Function(Orders, "dotnet8", "x86_64", 512), Function(Billing, "nodejs22.x", "arm64", 256)], CancellationToken.None);
        await _store.Store.WriteInvocationReportsAsync([Report(Orders, -3, init: 500), Report(Billing, -3, init: 200)], CancellationToken.None);

        var page = RenderAt("/cold-starts?range=1h&arch=arm64");
        page.WaitForAssertion(() => Assert.Equal(["billing"], page.FindAll("[data-testid=cold-worst] tr[data-function]").Select(r => r.GetAttribute("data-function"))), Wait);
        Assert.Equal("true", page.Find("[data-facet=arch] [data-value=arm64]").GetAttribute("aria-pressed"));
        Assert.Equal("cold-starts?range=1h", page.Find("[data-facet=arch] [data-value=arm64]").GetAttribute("href"));

        Navigate("/cold-starts?range=1h&region=eu-west-1&q=ORD");
        page.WaitForAssertion(() => Assert.Equal(["orders"], page.FindAll("[data-testid=cold-worst] tr[data-function]").Select(r => r.GetAttribute("data-function"))), Wait);

        Navigate("/cold-starts?range=1h&q=nothing-matches");
        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=filtered-empty]")), Wait);
        Assert.Equal("cold-starts?range=1h", page.Find("[data-testid=clear-filters]").GetAttribute("href"));
    }

    [Fact]
    public async Task ColdStarts_FailedOnDemandInit_CountedApartFromTheProvisionedInits()
    {
        await _store.Store.UpsertFunctionsAsync([Function(Orders, "dotnet8", "x86_64", 512)], CancellationToken.None);
        await _store.Store.WriteInvocationReportsAsync([Report(Orders, -3, init: 500), Report(Orders, -2)], CancellationToken.None);
        await _store.Store.WriteInitEventsAsync(
        [
            new InitEvent(Orders, _now.AddMinutes(-4), InitializationType.OnDemand, 610, "error"),
            new InitEvent(Orders, _now.AddMinutes(-3), InitializationType.OnDemand, 500, "success"),
            new InitEvent(Orders, _now.AddMinutes(-20), InitializationType.ProvisionedConcurrency, 900, "success"),
        ], CancellationToken.None);

        var page = RenderAt("/cold-starts?range=1h");

        page.WaitForAssertion(() => Assert.Equal("1", page.Find("[data-figure=failed-inits]").GetAttribute("data-value")), Wait);
        Assert.Contains("1 init failed or timed out", page.Find("[data-figure=failed-inits]").TextContent, StringComparison.Ordinal);
        Assert.Equal("1", page.Find("[data-figure=provisioned]").GetAttribute("data-value"));
        Assert.DoesNotContain("failed", page.Find("[data-figure=provisioned]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void ColdStarts_NothingCollected_SaysWhatToDo()
    {
        var page = RenderAt("/cold-starts?range=1h");

        page.WaitForAssertion(() => Assert.Contains("logs collector has not run", page.Find("[data-testid=no-cold-starts]").TextContent, StringComparison.Ordinal), Wait);
    }

    private IRenderedComponent<ColdStarts> RenderAt(string uri)
    {
        Navigate(uri);
        return Render<ColdStarts>();
    }

    private void Navigate(string uri) => Services.GetRequiredService<NavigationManager>().NavigateTo(uri);

    private static LambdaFunction Function(FunctionKey key, string runtime, string architecture, int memory) => new()
    {
        Key = key,
        Arn = $"arn:aws:lambda:{key.Region}:{key.AccountId}:function:{key.Name}",
        Runtime = runtime,
        Architecture = architecture,
        MemoryMb = memory,
        CodeSizeBytes = 3 * 1024 * 1024,
        LastSeen = DateTimeOffset.UtcNow,
    };

    private InvocationReport Report(FunctionKey function, int minute, double? init = null, double? restore = null) => new()
    {
        Function = function,
        RequestId = $"req-{Interlocked.Increment(ref _requests)}",
        Timestamp = _now.AddMinutes(minute),
        DurationMs = 40,
        BilledDurationMs = 40,
        MemorySizeMb = 256,
        MaxMemoryUsedMb = 80,
        InitDurationMs = init,
        RestoreDurationMs = restore,
    };
}
