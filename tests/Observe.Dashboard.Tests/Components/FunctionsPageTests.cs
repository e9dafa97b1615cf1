using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Observe.Collectors.Aws;
using Observe.Dashboard.Components.Pages;
using Observe.Dashboard.Configuration;
using Observe.Dashboard.Fleet;
using Microsoft.Extensions.Configuration;
using Observe.Dashboard.Model;
using Observe.Dashboard.Tests.Hosting;
using Observe.Store;
using Observe.Store.Model;

namespace Observe.Dashboard.Tests.Components;

public sealed class FunctionsPageTests : MudContext
{
    private const string Account = "111122223333";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);
    private TestStore _store = null!;

    public override async Task InitializeAsync()
    {
        _store = await TestStore.CreateAsync();
        Services.AddObserveStore(_store.Store);
        Services.AddSingleton(_store.Changes);
        Services.AddSingleton(TimeProvider.System);
        Services.AddSingleton(Options.Create(new DashboardOptions { RefreshThrottle = TimeSpan.FromMilliseconds(100) }));
        Services.AddSingleton(Options.Create(new AwsOptions { Accounts = [new AwsAccountOptions { AccountId = Account, Name = "prod", Regions = ["us-east-1"] }] }));
        Services.AddFleetRules(new ConfigurationBuilder().Build());
        Services.AddLiveData();
    }

    protected override ValueTask DisposeResourcesAsync() => _store.DisposeAsync();

    [Fact]
    public async Task Functions_RendersEveryFunctionWithTheStoresFigures()
    {
        var now = DateTimeOffset.UtcNow;
        await SeedAsync(now, Function("orders-api", team: "checkout"), Function("billing-job", region: "eu-west-1"));
        await WriteMinutesAsync(now, "orders-api", "us-east-1", minutes: 10, invocations: 100, errors: 2, coldStarts: 1);

        var page = RenderAt("/functions?range=1h");

        page.WaitForAssertion(() => Assert.Equal(2, Rows(page).Count), Wait);
        var orders = Row(page, "orders-api");
        Assert.Equal("1,000", Cell(orders, "invocations"));
        Assert.Equal("2.00%", Cell(orders, "error-rate"));
        Assert.Equal("1.00%", Cell(orders, "cold-start-rate"));
        Assert.Equal($"{Account} (prod)", Cell(orders, "account"));
        var link = orders.QuerySelector("a.function-name")!.GetAttribute("href");
        Assert.Equal($"functions/{Account}/us-east-1/orders-api?range=1h", link);

        // Nothing stored for billing-job in the range: its figures are not claimed to be 0.
        var billing = Row(page, "billing-job");
        Assert.Equal("–", Cell(billing, "invocations"));
        Assert.Equal("–", Cell(billing, "error-rate"));
        Assert.Equal(FunctionsFormat.NothingStored, billing.QuerySelector("[data-cell=invocations]")!.GetAttribute("title"));
    }

    [Fact]
    public async Task Functions_FlagsCarryTheirRuleOnFocusAndTheSummaryCountsThem()
    {
        var now = DateTimeOffset.UtcNow;
        await SeedAsync(now, Function("legacy-report", runtime: "dotnet6"), Function("orders-api", team: "checkout"));

        var page = RenderAt("/functions?range=1h");

        page.WaitForAssertion(() => Assert.Equal(2, Rows(page).Count), Wait);
        var legacy = Row(page, "legacy-report");
        var deprecated = legacy.QuerySelector("[data-flag=runtime-deprecated]")!;
        // Reachable by keyboard; the rule is the hover text (and so the accessible description); focused, the page shows it.
        Assert.Equal("0", deprecated.GetAttribute("tabindex"));
        var rule = deprecated.GetAttribute("title")!;
        Assert.Contains("dotnet6", rule, StringComparison.Ordinal);
        Assert.Equal("Runtime deprecated", deprecated.TextContent);
        await deprecated.FocusAsync(new Microsoft.AspNetCore.Components.Web.FocusEventArgs());
        page.WaitForAssertion(() => Assert.Contains(rule, page.Find("[data-testid=focused-rule]").TextContent, StringComparison.Ordinal), Wait);
        legacy = Row(page, "legacy-report");
        Assert.NotNull(legacy.QuerySelector("[data-flag=unowned]"));
        Assert.Equal("deprecated", legacy.QuerySelector("[data-runtime-status]")!.TextContent);
        Assert.Null(Row(page, "orders-api").QuerySelector("[data-flag=unowned]"));
        Assert.Equal("checkout", Cell(Row(page, "orders-api"), "owner"));

        var card = page.Find("[data-figure=flag-runtime-deprecated]");
        Assert.Equal("1", card.GetAttribute("data-value"));
        Assert.Contains("flag=runtime-deprecated", card.GetAttribute("href"), StringComparison.Ordinal);
        Assert.Equal("1", page.Find("[data-figure=flag-unowned]").GetAttribute("data-value"));
    }

    [Fact]
    public async Task Functions_Cost_IsTheEstimateOfTheStoresFiguresAndTheMethodIsStated()
    {
        var now = DateTimeOffset.UtcNow;
        await SeedAsync(now, Function("orders-api", team: "checkout"), Function("idle", team: "checkout"));
        await _store.Store.WriteMetricsAsync(
            Enumerable.Range(1, 10).Select(m => new MetricPoint
            {
                Function = new FunctionKey(Account, "us-east-1", "orders-api"),
                Minute = Minute(now).AddMinutes(-m),
                Invocations = 1000,
                Errors = 0,
                DurationAvgMs = 200,
            }).ToList(),
            CancellationToken.None);

        var page = RenderAt("/functions?range=1h");

        page.WaitForAssertion(() => Assert.Equal(2, Rows(page).Count), Wait);
        // 10,000 invocations x 200 ms x 0.5 GB = 1,000 GB-s in the hour (x86 at $0.0000166667), 720 hours in 30 days;
        // requests 10,000 x $0.20 per million: (0.002 + 0.0166667) x 720 = $13.44.
        var shown = decimal.Parse(Row(page, "orders-api").QuerySelector("[data-cell=cost]")!.GetAttribute("data-value")!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(13.44m, Math.Round(shown, 2));
        Assert.Equal("$13.44", Cell(Row(page, "orders-api"), "cost"));
        // Nothing stored for idle: its cost is not estimated, not $0, and the fleet total says one is missing.
        Assert.Equal("–", Cell(Row(page, "idle"), "cost"));
        Assert.Contains("1 functions not estimated", page.Find("[data-figure=monthly-cost]").TextContent, StringComparison.Ordinal);
        Assert.NotNull(page.Find("[data-testid=top-spenders]").QuerySelector($"[data-spender='{Account}/us-east-1/orders-api']"));
        Assert.Contains("prices of", page.Find("[data-testid=cost-method]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Functions_ErrorsNotRead_ErrorRateShownAsUnknownWithTheReason()
    {
        var now = DateTimeOffset.UtcNow;
        await SeedAsync(now, Function("orders-api"));
        await WriteMinutesAsync(now, "orders-api", "us-east-1", minutes: 5, invocations: 100, errors: null, coldStarts: 0);

        var page = RenderAt("/functions?range=1h");

        page.WaitForAssertion(() => Assert.Single(Rows(page)), Wait);
        var cell = Row(page, "orders-api").QuerySelector("[data-cell=error-rate]")!;
        Assert.Equal("unknown", cell.TextContent.Trim());
        Assert.Contains("errors not read for 500 of 500 invocations", cell.GetAttribute("title"), StringComparison.Ordinal);
        Assert.Equal("", cell.GetAttribute("data-value"));
    }

    [Fact]
    public async Task Functions_FilterSortAndPageComeFromTheAddress_AndFollowItWhenItChanges()
    {
        var now = DateTimeOffset.UtcNow;
        var functions = Enumerable.Range(0, 30).Select(i => Function($"fn-{i:00}", region: i % 3 == 0 ? "eu-west-1" : "us-east-1")).ToArray();
        await SeedAsync(now, functions);
        for (var i = 0; i < 30; i++)
        {
            await WriteMinutesAsync(now, $"fn-{i:00}", i % 3 == 0 ? "eu-west-1" : "us-east-1", minutes: 1, invocations: i + 1, errors: 0, coldStarts: 0);
        }

        var page = RenderAt("/functions?range=1h&region=us-east-1&sort=invocations&dir=desc&size=25&page=1");

        page.WaitForAssertion(() => Assert.Equal(20, Rows(page).Count), Wait);
        Assert.Equal("fn-29", Name(Rows(page)[0]));
        Assert.Equal("fn-01", Name(Rows(page)[^1]));
        Assert.Equal("20", page.Find("[data-facet=region] [data-value='us-east-1']").GetAttribute("data-count"));
        Assert.Equal("10", page.Find("[data-facet=region] [data-value='eu-west-1']").GetAttribute("data-count"));
        Assert.Equal("desc", page.Find("[data-sort=invocations]").GetAttribute("data-sorted"));
        // The sorted column says so to assistive technology; the others carry no aria-sort.
        Assert.Equal("descending", page.Find("[data-sort=invocations]").ParentElement!.GetAttribute("aria-sort"));
        Assert.Single(page.FindAll("th[aria-sort]"));

        // Another address (a link followed, or the back button): the grid follows it.
        Services.GetRequiredService<NavigationManager>().NavigateTo("/functions?range=1h&sort=name&size=25&page=2");

        page.WaitForAssertion(() => Assert.Equal(5, Rows(page).Count), Wait);
        Assert.Equal(["fn-25", "fn-26", "fn-27", "fn-28", "fn-29"], Rows(page).Select(Name));
        Assert.Contains("26–30 of 30 functions", page.Find("[data-testid=grid-count]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Functions_RowsRenderAgainOnlyWhenTheirRowChanges_AFocusOrASortDoesNotResendThem()
    {
        var now = DateTimeOffset.UtcNow;
        var seeded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (_store.Changes.Subscribe(kind => { if ((kind & StoreChangeKind.Functions) != 0) { seeded.TrySetResult(); } }))
        {
            await SeedAsync(now, Function("legacy-report", runtime: "dotnet6"), Function("orders-api"));
            // The store announces the write after its coalescing delay: had the page subscribed by then, it would
            // re-read the snapshot and rightly render every row again with the new figures.
            await seeded.Task.WaitAsync(Wait);
        }

        // A fixed range: a relative one is re-read as it slides, which would give every row new figures.
        var range = $"from={TimeRangeQuery.FormatInstant(now.AddHours(-1))}&to={TimeRangeQuery.FormatInstant(now)}";
        var page = RenderAt($"/functions?{range}");
        page.WaitForAssertion(() => Assert.Equal(["legacy-report", "orders-api"], Rows(page).Select(Name)), Wait);
        var rows = page.FindComponents<FunctionsGridRow>().ToDictionary(r => r.Instance.Row.Function.Key.Name, r => (r.Instance.Row, r.RenderCount));

        // A focused flag re-renders the page (its rule line) ...
        await Row(page, "legacy-report").QuerySelector("[data-flag=runtime-deprecated]")!.FocusAsync(new Microsoft.AspNetCore.Components.Web.FocusEventArgs());
        page.WaitForAssertion(() => Assert.Contains("dotnet6", page.Find("[data-testid=focused-rule]").TextContent, StringComparison.Ordinal), Wait);
        // ... and a sort reorders the same rows: neither renders a row again.
        Services.GetRequiredService<NavigationManager>().NavigateTo($"/functions?{range}&sort=name&dir=desc");
        page.WaitForAssertion(() => Assert.Equal(["orders-api", "legacy-report"], Rows(page).Select(Name)), Wait);

        Assert.All(page.FindComponents<FunctionsGridRow>(), r =>
        {
            var (row, renders) = rows[r.Instance.Row.Function.Key.Name];
            Assert.Same(row, r.Instance.Row);
            Assert.Equal(renders, r.RenderCount);
        });
        Assert.Equal("descending", page.Find("[data-sort=name]").ParentElement!.GetAttribute("aria-sort"));
    }

    [Fact]
    public async Task Functions_ClickingAFacetValue_PutsItInTheAddress()
    {
        await SeedAsync(DateTimeOffset.UtcNow, Function("a"), Function("b", region: "eu-west-1"));
        var navigation = Services.GetRequiredService<NavigationManager>();
        var page = RenderAt("/functions?range=1h");
        page.WaitForAssertion(() => Assert.Equal(2, Rows(page).Count), Wait);

        var href = page.Find("[data-facet=region] [data-value='eu-west-1']").GetAttribute("href")!;
        navigation.NavigateTo(href);

        page.WaitForAssertion(() => Assert.Single(Rows(page)), Wait);
        Assert.Contains("region=eu-west-1", navigation.Uri, StringComparison.Ordinal);
        Assert.Contains("range=1h", navigation.Uri, StringComparison.Ordinal);
        Assert.Equal("true", page.Find("[data-facet=region] [data-value='eu-west-1']").GetAttribute("aria-pressed"));
    }

    [Fact]
    public async Task Functions_Search_AfterTypingPausesPutsTheTextInTheAddressAndFilters()
    {
        await SeedAsync(DateTimeOffset.UtcNow, Function("orders-api"), Function("billing-job", team: "Payments"));
        var navigation = Services.GetRequiredService<NavigationManager>();
        var page = RenderAt("/functions?range=1h");
        page.WaitForAssertion(() => Assert.Equal(2, Rows(page).Count), Wait);

        page.Find(".grid-search input").Input("payments");

        page.WaitForAssertion(() => Assert.Contains("q=payments", navigation.Uri, StringComparison.Ordinal), Wait);
        page.WaitForAssertion(() => Assert.Equal(["billing-job"], Rows(page).Select(Name)), Wait);
    }

    [Fact]
    public async Task Functions_NothingMatches_SaysWhichFilterAndOffersToClearIt()
    {
        await SeedAsync(DateTimeOffset.UtcNow, Function("orders-api"));

        var page = RenderAt("/functions?range=1h&q=zzz");

        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-testid=no-match]")), Wait);
        Assert.Contains("No function matches the search \"zzz\" filter.", page.Find("[data-testid=no-match]").TextContent, StringComparison.Ordinal);
        var clear = page.Find("[data-testid=clear-filter]").GetAttribute("href")!;
        Assert.DoesNotContain("q=", clear, StringComparison.Ordinal);
        Assert.Contains("range=1h", clear, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Functions_ConfigurationColumns_HiddenUntilChosen_TheChoiceInTheAddress()
    {
        await SeedAsync(DateTimeOffset.UtcNow, Function("orders-api"));
        var navigation = Services.GetRequiredService<NavigationManager>();
        var page = RenderAt("/functions?range=1h");
        page.WaitForAssertion(() => Assert.Single(Rows(page)), Wait);
        Assert.Null(Row(page, "orders-api").QuerySelector("[data-cell=memory]"));
        Assert.Empty(page.FindAll("[data-sort=memory]"));
        var toggle = page.Find("[data-testid=columns]");
        Assert.Equal("false", toggle.GetAttribute("aria-pressed"));

        navigation.NavigateTo(toggle.GetAttribute("href")!);

        page.WaitForAssertion(() => Assert.Equal("512 MB", Cell(Row(page, "orders-api"), "memory")), Wait);
        Assert.Contains("columns=all", navigation.Uri, StringComparison.Ordinal);
        Assert.Equal("30 s", Cell(Row(page, "orders-api"), "timeout"));
        Assert.Equal("true", page.Find("[data-testid=columns]").GetAttribute("aria-pressed"));
        Assert.NotEmpty(page.FindAll("[data-sort=memory]"));
    }

    [Fact]
    public async Task Functions_ChangedInRange_FacetCountsAndFiltersThem_TheEmptyStateNamesIt()
    {
        var now = DateTimeOffset.UtcNow;
        await SeedAsync(now, Function("orders-api"), Function("billing-job"));
        await _store.Store.RecordFunctionChangesAsync(
        [
            new FunctionChange(new FunctionKey(Account, "us-east-1", "orders-api"), now.AddMinutes(-10), "configuration", "memory 256 → 512 MB"),
            // Before the range: not counted.
            new FunctionChange(new FunctionKey(Account, "us-east-1", "billing-job"), now.AddHours(-3), "code", "code changed"),
        ], CancellationToken.None);

        var page = RenderAt("/functions?range=1h");

        page.WaitForAssertion(() => Assert.Equal("1", page.Find("[data-facet=changed] [data-value=yes]").GetAttribute("data-count")), Wait);
        Assert.Contains("changed in the range", page.Find("[data-facet=changed] [data-value=yes]").TextContent, StringComparison.Ordinal);
        Services.GetRequiredService<NavigationManager>().NavigateTo(page.Find("[data-facet=changed] [data-value=yes]").GetAttribute("href")!);
        page.WaitForAssertion(() => Assert.Equal(["orders-api"], Rows(page).Select(Name)), Wait);
        Assert.Contains("changed=yes", page.Find("[data-testid=csv]").GetAttribute("href"), StringComparison.Ordinal);

        // Over a range where nothing changed, the filter empties the grid and the message says which filter did.
        var quiet = RenderAt("/functions?range=5m&changed=yes");
        quiet.WaitForAssertion(() => Assert.NotEmpty(quiet.FindAll("[data-testid=no-match]")), Wait);
        Assert.Contains("No function matches the \"changed in the range\" filter.", quiet.Find("[data-testid=no-match]").TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("changed=", quiet.Find("[data-testid=clear-filter]").GetAttribute("href"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/functions?range=1h&page=-1", "page: \"-1\" is not a page number; pages count from 1.")]
    [InlineData("/functions?range=1h&sort=colour", "sort: \"colour\" is not a column")]
    public async Task Functions_BadGridParameter_NamesItAndLinksToTheGridWithoutIt(string uri, string expected)
    {
        await SeedAsync(DateTimeOffset.UtcNow, Function("orders-api"));

        var page = RenderAt(uri);

        var error = page.Find("[data-testid=query-error]");
        Assert.Contains(expected, error.TextContent, StringComparison.Ordinal);
        Assert.Empty(page.FindAll("[data-testid=functions-grid]"));
    }

    [Fact]
    public async Task Functions_HostileNameAndTag_RenderAsText()
    {
        const string hostile = "<script>alert(1)</script>";
        await SeedAsync(DateTimeOffset.UtcNow, Function(hostile, team: hostile));

        var page = RenderAt("/functions?range=1h");

        page.WaitForAssertion(() => Assert.Single(Rows(page)), Wait);
        Assert.Empty(page.FindAll("script"));
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", page.Markup, StringComparison.Ordinal);
        Assert.Equal(hostile, page.Find("a.function-name").TextContent);
        Assert.EndsWith(Uri.EscapeDataString(hostile) + "?range=1h", page.Find("a.function-name").GetAttribute("href"), StringComparison.Ordinal);
    }

    [Fact]
    public void Functions_NoFunctionYet_SaysTheCollectorsHaveNotListedAnyAndLinksToThem()
    {
        var page = RenderAt("/functions?range=1h");

        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-testid=no-functions]")), Wait);
        var empty = page.Find("[data-testid=no-functions]");
        Assert.Equal(nameof(FunctionsEmptyReason.NotCollectedYet), empty.GetAttribute("data-reason"));
        Assert.NotNull(empty.QuerySelector("a[href=collectors]"));
    }

    [Fact]
    public void Functions_NoAccountConfigured_SaysWhereToConfigureThem()
    {
        Services.AddSingleton(Options.Create(new AwsOptions()));

        var page = RenderAt("/functions?range=1h");

        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-testid=no-functions]")), Wait);
        Assert.Contains("Observe:Aws:Accounts", page.Find("[data-testid=no-functions]").TextContent, StringComparison.Ordinal);
    }

    private IRenderedComponent<Functions> RenderAt(string uri)
    {
        Services.GetRequiredService<NavigationManager>().NavigateTo(uri);
        return Render<Functions>();
    }

    private static IReadOnlyList<AngleSharp.Dom.IElement> Rows(IRenderedComponent<Functions> page) =>
        page.FindAll("[data-testid=functions-grid] tbody tr").Where(r => r.QuerySelector("a.function-name") is not null).ToList();

    private static AngleSharp.Dom.IElement Row(IRenderedComponent<Functions> page, string name) => Rows(page).Single(r => Name(r) == name);

    private static string Name(AngleSharp.Dom.IElement row) => row.QuerySelector("a.function-name")!.TextContent;

    private static string Cell(AngleSharp.Dom.IElement row, string cell) => row.QuerySelector($"[data-cell={cell}]")!.TextContent.Trim();

    internal static LambdaFunction Function(string name, string region = "us-east-1", string? team = null, string? runtime = "nodejs22.x") => new()
    {
        Key = new FunctionKey(Account, region, name),
        Arn = $"arn:aws:lambda:{region}:{Account}:function:{name}",
        Runtime = runtime,
        MemoryMb = 512,
        TimeoutSeconds = 30,
        LastModified = DateTimeOffset.UtcNow.AddDays(-100),
        LastSeen = DateTimeOffset.UtcNow,
        Tags = team is null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["team"] = team },
    };

    private Task SeedAsync(DateTimeOffset now, params LambdaFunction[] functions) =>
        _store.Store.UpsertFunctionsAsync(functions.Select(f => f with { LastSeen = now }).ToList(), CancellationToken.None);

    private Task WriteMinutesAsync(DateTimeOffset now, string name, string region, int minutes, double invocations, double? errors, double coldStarts) =>
        _store.Store.WriteMetricsAsync(
            Enumerable.Range(1, minutes).Select(m => new MetricPoint
            {
                Function = new FunctionKey(Account, region, name),
                Minute = Minute(now).AddMinutes(-m),
                Invocations = invocations,
                Errors = errors,
                ColdStarts = coldStarts,
                Throttles = 0,
            }).ToList(),
            CancellationToken.None);

    private static DateTimeOffset Minute(DateTimeOffset t) => new(t.UtcTicks - (t.UtcTicks % TimeSpan.TicksPerMinute), TimeSpan.Zero);
}
