using System.Globalization;
using Microsoft.Playwright;
using Observe.Dashboard.Model;
using Observe.Store.Model;
using Xunit.Abstractions;

namespace Observe.Dashboard.Tests.Browser;

public sealed class FunctionsBrowserTests(DashboardFixture dashboard, ITestOutputHelper output) : IClassFixture<DashboardFixture>
{
    // Two dashboards (this class's and the Overview's) and their demo fleets share the machine with Chromium.
    private const float Timeout = 30_000;

    [Fact]
    public async Task Functions_FixedRange_InvocationsEqualTheSumOfEachFunctionsSeries()
    {
        var range = FixedRange();
        var page = await OpenAsync($"/functions?{RangeQuery(range)}&sort=invocations&dir=desc");

        var rows = await ShownRowsAsync(page);
        Assert.Equal(FunctionsQuery.DefaultPageSize, rows.Count);
        // The store's own series for the same minutes, summed here: not the view model's figures.
        foreach (var row in rows.Take(8).Concat(rows.TakeLast(2)))
        {
            var series = await dashboard.Store.GetFunctionSeriesAsync(row.Key, range, SeriesResolution.Minute, CancellationToken.None);
            // No bucket at all: nothing stored, which the grid leaves unknown rather than 0.
            var expected = series.Count == 0 ? "" : series.Sum(b => b.Invocations).ToString("R", CultureInfo.InvariantCulture);
            Assert.Equal(expected, row.Invocations);
        }

        // Sixteen columns: the grid scrolls inside itself, the page never sideways.
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways");

        var first = double.Parse(rows[0].Invocations, CultureInfo.InvariantCulture);
        Assert.True(first > 100, $"the demo's busiest function should have run: {first}");
        await ScreenshotAsync(page, "functions.png");
    }

    [Fact]
    public async Task Functions_FacetSortAndPage_LiveInTheAddress_ReloadAndBackRestoreThem()
    {
        var page = await OpenAsync("/functions?range=1h");
        await page.EvaluateAsync("() => window.__observeNoReload = true");

        await page.Locator("[data-facet=region] [data-value='eu-west-1']").ClickAsync();
        await WaitUntilAsync(() => Task.FromResult(page.Url.Contains("region=eu-west-1", StringComparison.Ordinal)), () => page.Url);
        await WaitUntilAsync(async () => (await ShownRowsAsync(page)).All(r => r.Key.Region == "eu-west-1"),
            () => $"rows outside eu-west-1 still shown at {page.Url}");
        var total = int.Parse((await page.Locator("[data-testid=grid-count]").GetAttributeAsync("data-total"))!, CultureInfo.InvariantCulture);
        Assert.Equal(total, int.Parse((await page.Locator("[data-facet=region] [data-value='eu-west-1']").GetAttributeAsync("data-count"))!, CultureInfo.InvariantCulture));

        // The configuration columns are a choice kept in the address; memory is one of them.
        await page.Locator("[data-testid=columns]").ClickAsync();
        await WaitUntilAsync(() => Task.FromResult(page.Url.Contains("columns=all", StringComparison.Ordinal)), () => page.Url);
        await page.Locator("[data-sort=memory]").ClickAsync();
        await WaitUntilAsync(() => Task.FromResult(page.Url.Contains("sort=memory", StringComparison.Ordinal)), () => page.Url);
        await Assertions.Expect(page.Locator("[data-sort=memory]")).ToHaveAttributeAsync("data-sorted", "desc", new() { Timeout = Timeout });
        await WaitUntilAsync(async () =>
        {
            var memories = await page.Locator("[data-testid=functions-grid] [data-cell=memory]").AllTextContentsAsync();
            var values = memories.Select(m => int.Parse(m.Replace(" MB", "", StringComparison.Ordinal), CultureInfo.InvariantCulture)).ToList();
            return values.SequenceEqual(values.OrderByDescending(v => v));
        }, () => "the rows are not sorted by memory, largest first");

        // Page 2 is rows 51-100 of the export of the same address: the grid and the CSV share the query code.
        var expected = (await ExportAsync(page, page.Url.Replace("/functions?", "/functions/export.csv?", StringComparison.Ordinal)))
            .Skip(50).Take(50).ToList();
        await page.Locator("[data-testid=next-page]").ClickAsync();
        await WaitUntilAsync(() => Task.FromResult(page.Url.Contains("page=2", StringComparison.Ordinal)), () => page.Url);
        await WaitUntilAsync(async () => (await ShownRowsAsync(page)).Select(r => r.Key.Name).SequenceEqual(expected), () => "page 2 is not rows 51-100");
        Assert.True(await page.EvaluateAsync<bool>("() => window.__observeNoReload === true"), "the page reloaded");

        // The address alone restores the state: a reload shows the same rows ...
        await page.ReloadAsync();
        await WaitForGridAsync(page);
        Assert.Equal(expected, (await ShownRowsAsync(page)).Select(r => r.Key.Name));

        // ... and the back button goes to the previous state, page 1.
        await page.GoBackAsync();
        await WaitUntilAsync(() => Task.FromResult(!page.Url.Contains("page=2", StringComparison.Ordinal)), () => page.Url);
        await Assertions.Expect(page.Locator("[data-testid=grid-count]")).ToContainTextAsync("1–", new() { Timeout = Timeout });
        Assert.Contains("sort=memory", page.Url, StringComparison.Ordinal);
    }

    /// <summary>The names in an export, read over HTTP with the browser's own context.</summary>
    private static async Task<IReadOnlyList<string>> ExportAsync(IPage page, string url)
    {
        var response = await page.APIRequest.GetAsync(url);
        Assert.Equal(200, response.Status);
        var lines = (await response.TextAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        return lines.Skip(1).Select(l => l.Split(',')[0]).ToList();
    }

    [Fact]
    public async Task Functions_CsvExport_HoldsExactlyTheFilteredRowsInTheGridsOrder()
    {
        var range = FixedRange();
        var page = await OpenAsync($"/functions?{RangeQuery(range)}&region=us-east-1&sort=name&size=200");
        var shown = await ShownRowsAsync(page);
        var total = int.Parse((await page.Locator("[data-testid=grid-count]").GetAttributeAsync("data-total"))!, CultureInfo.InvariantCulture);

        var download = await page.RunAndWaitForDownloadAsync(() => page.Locator("[data-testid=csv]").ClickAsync(), new() { Timeout = Timeout });
        var path = await download.PathAsync();
        var lines = (await File.ReadAllLinesAsync(path)).ToList();

        Assert.Equal(string.Join(',', FunctionsCsv.Header), lines[0]);
        Assert.Equal(total, lines.Count - 1);
        var csvRows = lines.Skip(1).Select(l => l.Split(',')).ToList();
        Assert.All(csvRows, cells => Assert.Equal("us-east-1", cells[3]));
        // The demo's names have no comma or quote, so a plain split reads them.
        Assert.Equal(shown.Select(r => r.Key.Name), csvRows.Take(shown.Count).Select(c => c[0]));
        Assert.Equal(shown.Select(r => r.Invocations), csvRows.Take(shown.Count).Select(c => c[11]));
    }

    [Theory]
    [InlineData("page=-1", "page: \"-1\" is not a page number; pages count from 1.")]
    [InlineData("flag=shiny", "flag: \"shiny\" is not a flag")]
    [InlineData("range=banana", "range: \"banana\" is not a time range")]
    public async Task Functions_CsvExportWithABadParameter_Answers400NamingIt(string query, string expected)
    {
        using var client = dashboard.Http();

        using var response = await client.GetAsync(new Uri("/functions/export.csv?" + query, UriKind.Relative));

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(expected, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Functions_NameClicked_OpensTheFunctionsDetailAddressWithTheRange()
    {
        var page = await OpenAsync("/functions?range=6h");
        var first = (await ShownRowsAsync(page))[0];

        await page.Locator("a.function-name").First.ClickAsync();

        var expected = $"/functions/{first.Key.AccountId}/{first.Key.Region}/{Uri.EscapeDataString(first.Key.Name)}?range=6h";
        await WaitUntilAsync(() => Task.FromResult(page.Url.EndsWith(expected, StringComparison.Ordinal)), () => $"{page.Url} is not {expected}");
    }

    [Fact]
    public async Task Functions_ChangedInRange_ListsExactlyTheFunctionsTheStoreHasChangesFor()
    {
        // The demo records deploys through the inventory collector's writer: about one function in four a day.
        var range = FixedRange() with { From = FixedRange().To.AddHours(-12) };
        var changed = await dashboard.Store.CountFunctionChangesAsync(FleetFilter.All, range, CancellationToken.None);
        Assert.NotEmpty(changed);

        var page = await OpenAsync($"/functions?{RangeQuery(range)}&changed=yes&size=200");

        var total = int.Parse((await page.Locator("[data-testid=grid-count]").GetAttributeAsync("data-total"))!, CultureInfo.InvariantCulture);
        Assert.Equal(changed.Count, total);
        Assert.Equal(total, int.Parse((await page.Locator("[data-facet=changed] [data-value=yes]").GetAttributeAsync("data-count"))!, CultureInfo.InvariantCulture));
        var rows = await ShownRowsAsync(page);
        Assert.Equal(Math.Min(total, 200), rows.Count);
        Assert.All(rows, r => Assert.True(changed.ContainsKey(r.Key), $"{r.Key} is listed as changed but the store has no change for it in the range"));
    }

    private static TimeRange FixedRange()
    {
        // Whole minutes well inside the backfilled history, so the figures no longer change.
        var now = DateTimeOffset.UtcNow;
        var to = new DateTimeOffset(now.UtcTicks - (now.UtcTicks % TimeSpan.TicksPerMinute), TimeSpan.Zero).AddMinutes(-5);
        return new TimeRange(to.AddMinutes(-60), to);
    }

    private static string RangeQuery(TimeRange range) => $"from={TimeRangeQuery.FormatInstant(range.From)}&to={TimeRangeQuery.FormatInstant(range.To)}";

    private async Task<IPage> OpenAsync(string path)
    {
        var context = await dashboard.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1440, Height = 1000 }, AcceptDownloads = true });
        var page = await context.NewPageAsync();
        await page.GotoAsync(new Uri(dashboard.BaseUrl, path).ToString());
        await WaitForGridAsync(page);
        return page;
    }

    private static async Task WaitForGridAsync(IPage page)
    {
        await page.Locator(".page[data-interactive]").WaitForAsync(new() { Timeout = Timeout });
        await page.Locator("[data-testid=functions-grid] a.function-name").First.WaitForAsync(new() { Timeout = Timeout });
    }

    private static async Task<IReadOnlyList<ShownRow>> ShownRowsAsync(IPage page)
    {
        var rows = page.Locator("[data-testid=functions-grid] tbody tr:has(a.function-name)");
        var result = new List<ShownRow>();
        for (var i = 0; i < await rows.CountAsync(); i++)
        {
            var row = rows.Nth(i);
            var key = (await row.Locator("a.function-name").GetAttributeAsync("data-function"))!.Split('/', 3);
            var invocations = (await row.Locator("[data-cell=invocations]").GetAttributeAsync("data-value"))!;
            result.Add(new ShownRow(new FunctionKey(key[0], key[1], key[2]), invocations));
        }

        return result;
    }

    private async Task ScreenshotAsync(IPage page, string name)
    {
        var path = Path.Combine(DashboardFixture.ArtifactsDirectory, name);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        output.WriteLine($"screenshot: {path}");
    }

    private static Task WaitUntilAsync(Func<Task<bool>> condition, Func<string> describe) => BrowserPoll.UntilAsync(condition, describe, Timeout);

    private sealed record ShownRow(FunctionKey Key, string Invocations);
}
