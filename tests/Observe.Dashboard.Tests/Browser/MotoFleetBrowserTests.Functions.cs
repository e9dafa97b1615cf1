using System.Globalization;
using System.Text;
using Microsoft.Playwright;
using Observe.Dashboard.Model;
using Observe.Store.Model;

namespace Observe.Dashboard.Tests.Browser;

/// <summary>The Functions grid over the moto fleet: every expectation is worked out here from the store or from moto.</summary>
public sealed partial class MotoFleetBrowserTests
{
    private const string Grid = "[data-testid=functions-grid]";

    [Fact]
    public async Task Functions_FromMoto_FacetSortPageAndCsvHoldTheStoresRowsInOurOrder()
    {
        var stored = await moto.Store.GetFunctionsAsync(FleetFilter.All, CancellationToken.None);
        Assert.Equal(Sorted(moto.Fleet.Functions.Select(f => f.Key)), Sorted(stored.Select(f => f.Key)));
        var page = await OpenAsync("/functions?range=1h&size=25", $"{Grid} a.function-name");
        await Assertions.Expect(page.Locator("[data-testid=grid-count]")).ToHaveAttributeAsync("data-total", Count(stored.Count), new() { Timeout = Timeout });

        // Facet: the production account, counted from the store.
        var production = stored.Where(f => f.Key.AccountId == moto.Fleet.Production).ToList();
        Assert.True(production.Count > 25, $"the production account needs more than one page of 25 rows, it has {production.Count}");
        var account = page.Locator($"[data-facet=account] [data-value='{moto.Fleet.Production}']");
        Assert.Equal(Count(production.Count), await account.GetAttributeAsync("data-count"));
        await account.ClickAsync();
        await WaitUntilAsync(() => Task.FromResult(page.Url.Contains($"account={moto.Fleet.Production}", StringComparison.Ordinal)), () => page.Url);
        await Assertions.Expect(page.Locator("[data-testid=grid-count]")).ToHaveAttributeAsync("data-total", Count(production.Count), new() { Timeout = Timeout });
        await WaitUntilAsync(async () => (await ShownKeysAsync(page)).All(k => k.AccountId == moto.Fleet.Production), () => "rows of the other account still shown");

        // Sort: memory, largest first (the first click on a figure column), ties by account, region and name as the
        // grid documents; our own sort of the store's rows. Memory is a configuration column: shown on request.
        await page.Locator("[data-testid=columns]").ClickAsync();
        await WaitUntilAsync(() => Task.FromResult(page.Url.Contains("columns=all", StringComparison.Ordinal)), () => page.Url);
        await page.Locator("[data-sort=memory]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-sort=memory]")).ToHaveAttributeAsync("data-sorted", "desc", new() { Timeout = Timeout });
        var expected = production
            .OrderByDescending(f => f.MemoryMb)
            .ThenBy(f => f.Key.AccountId, StringComparer.Ordinal).ThenBy(f => f.Key.Region, StringComparer.Ordinal).ThenBy(f => f.Key.Name, StringComparer.Ordinal)
            .ToList();
        await WaitUntilAsync(async () => (await ShownKeysAsync(page)).SequenceEqual(expected.Take(25).Select(f => f.Key)),
            () => "page 1 is not the first 25 of the store's production functions by memory, largest first");
        var memories = await page.Locator($"{Grid} [data-cell=memory]").AllTextContentsAsync();
        Assert.Equal(expected.Take(25).Select(f => $"{f.MemoryMb} MB"), memories);

        // Next page: the rest, in the same order.
        await page.Locator("[data-testid=next-page]").ClickAsync();
        await WaitUntilAsync(() => Task.FromResult(page.Url.Contains("page=2", StringComparison.Ordinal)), () => page.Url);
        await WaitUntilAsync(async () => (await ShownKeysAsync(page)).SequenceEqual(expected.Skip(25).Select(f => f.Key)),
            () => $"page 2 is not rows 26-{expected.Count}");

        // CSV: exactly the filtered rows of every page, in the grid's order, with the store's configuration.
        var download = await page.RunAndWaitForDownloadAsync(() => page.Locator("[data-testid=csv]").ClickAsync(), new() { Timeout = Timeout });
        var csv = Csv.Parse(await File.ReadAllTextAsync(await download.PathAsync()));
        Assert.Equal(FunctionsCsv.Header, csv[0]);
        var rows = csv.Skip(1).ToList();
        Assert.Equal(expected.Select(f => f.Key.Name), rows.Select(r => r[0]));
        for (var i = 0; i < expected.Count; i++)
        {
            var f = expected[i];
            var owner = f.Tags.TryGetValue("owner", out var o) ? o : "";
            string[] configuration =
            [
                f.Key.Name, f.Key.AccountId, $"{f.Key.AccountId} (moto-prod)", f.Key.Region, f.Runtime ?? "", f.Architecture, Count(f.MemoryMb), Count(f.TimeoutSeconds),
                f.PackageType, f.CodeSizeBytes.ToString(CultureInfo.InvariantCulture), owner,
            ];
            Assert.Equal(configuration, rows[i][..11]);
            if (f.Key == moto.Fleet.InsightsImage.Key)
            {
                // The one function with metrics: 4 invocations in each seeded minute.
                Assert.Equal(Count(4 * moto.Fleet.InsightsUsedMemory.Count), rows[i][11]);
            }
            else
            {
                // Nothing else was invoked in moto: no figure is known, so none is written as 0.
                Assert.Equal(["", "", "", "", "", ""], rows[i][11..17]);
            }
        }
    }

    [Fact]
    public async Task Functions_FromMoto_HostileOwnerIsTextAndFiltersToItsFunctions()
    {
        var stored = await moto.Store.GetFunctionsAsync(FleetFilter.All, CancellationToken.None);
        var hostile = stored.Where(f => f.Tags.TryGetValue("owner", out var owner) && owner == MotoFleet.HostileOwner).Select(f => f.Key).ToList();
        Assert.NotEmpty(hostile);
        var page = await OpenAsync("/functions?range=1h&size=200&sort=name", $"{Grid} a.function-name");

        var owners = page.Locator("[data-facet=owner] [data-value]");
        var values = await owners.EvaluateAllAsync<string[]>("links => links.map(l => l.dataset.value)");
        var index = Array.IndexOf(values, MotoFleet.HostileOwner);
        Assert.True(index >= 0, $"the owner facet lacks the hostile owner: {string.Join(" | ", values)}");
        var facet = owners.Nth(index);
        await Assertions.Expect(facet.Locator(".facet-label")).ToHaveTextAsync(MotoFleet.HostileOwner);
        Assert.Equal(Count(hostile.Count), await facet.GetAttributeAsync("data-count"));
        Assert.Equal(0, await page.Locator(".page b, .page script").CountAsync());

        await facet.ClickAsync();

        await WaitUntilAsync(async () => Sorted(await ShownKeysAsync(page)).SequenceEqual(Sorted(hostile)), () => "the owner facet did not filter to the hostile owner's functions");
        Assert.All(await page.Locator($"{Grid} [data-cell=owner]").AllTextContentsAsync(), owner => Assert.Equal(MotoFleet.HostileOwner, owner));
        Assert.Equal(0, await page.Locator(".page b, .page script").CountAsync());
        Assert.False(await page.EvaluateAsync<bool>("() => window.__alarmed === true"), "a hostile owner ran as script");
    }

    [Fact]
    public async Task Functions_FromMoto_RowDrillsDownToTheDetailWithMotosConfiguration()
    {
        var seeded = moto.Fleet.Functions.Single(f => f.Key.Name == "orders-api");
        var page = await OpenAsync($"/functions?range=1h&account={moto.Fleet.Production}&region=us-east-1&sort=name", $"{Grid} a.function-name");

        await page.Locator($"{Grid} a.function-name[data-function='{seeded.Key}']").ClickAsync();

        var detail = $"/{FunctionDetailLinks.Page(seeded.Key)}?";
        await WaitUntilAsync(() => Task.FromResult(page.Url.Contains(detail, StringComparison.Ordinal)), () => $"{page.Url} is not the detail of {seeded.Key}");
        await page.Locator("[data-section=configuration]").WaitForAsync(new() { Timeout = Timeout });
        await ExpectMotosConfigurationAsync(page, seeded.Key);
    }

    [Fact]
    public async Task Detail_FromMoto_ImageWithInsightsBuiltIn_ShowsTheSeededInsights_ZipWithoutTheExtensionShowsNone()
    {
        var image = moto.Fleet.InsightsImage;
        var page = await OpenAsync($"/{FunctionDetailLinks.Page(image.Key)}?range=1h", "[data-section=configuration]");

        // No layer says it: the collectors learnt it from the metrics the image publishes.
        await Assertions.Expect(page.Locator("[data-field=runtime]")).ToContainTextAsync("container image");
        Assert.Equal(0, await page.Locator("[data-section=layers] [data-layer]").CountAsync());
        var memory = page.Locator("[data-chart=insights-memory]");
        await Assertions.Expect(memory).ToBeAttachedAsync(new() { Timeout = Timeout });
        await memory.Locator(".chart-table-toggle").ClickAsync();
        await Assertions.Expect(memory.Locator(".chart-table tbody tr").First).ToBeAttachedAsync(new() { Timeout = Timeout });
        var rows = await memory.Locator(".chart-table tbody tr").EvaluateAllAsync<string[][]>("rows => rows.map(r => [r.cells[0].textContent, r.cells[1].textContent])");
        var shown = rows.ToDictionary(r => r[0].Replace(" (partial)", "", StringComparison.Ordinal), r => r[1], StringComparer.Ordinal);
        foreach (var (minute, used) in moto.Fleet.InsightsUsedMemory)
        {
            Assert.Equal(FigureFormat.ExactCount(used), shown[minute.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)]);
        }

        var zip = moto.Fleet.Functions.Single(f => f.Key.Name == "payments-worker");
        var plain = await OpenAsync($"/{FunctionDetailLinks.Page(zip.Key)}?range=1h", "[data-testid=charts], [data-testid=no-metrics]");
        Assert.Equal(0, await plain.Locator("[data-chart^=insights]").CountAsync());
    }

    /// <summary>The detail page's configuration, tags and layers equal what moto's GetFunction answers; no environment value shows.</summary>
    private async Task ExpectMotosConfigurationAsync(IPage page, FunctionKey key)
    {
        var function = await moto.Fleet.GetFunctionAsync(key);
        var configuration = function["Configuration"]!.AsObject();
        Assert.Equal(key.Name, (await page.Locator("[data-testid=function-name]").InnerTextAsync()).Trim());
        await Assertions.Expect(page.Locator("[data-field=memory]")).ToHaveTextAsync($"{configuration["MemorySize"]!.GetValue<int>():#,0} MB");
        await Assertions.Expect(page.Locator("[data-field=timeout]")).ToHaveTextAsync($"{configuration["Timeout"]!.GetValue<int>():#,0} s");
        await Assertions.Expect(page.Locator("[data-field=architecture]")).ToHaveTextAsync(configuration["Architectures"]![0]!.GetValue<string>());
        Assert.StartsWith(configuration["Runtime"]!.GetValue<string>(), (await page.Locator("[data-field=runtime]").InnerTextAsync()).Trim(), StringComparison.Ordinal);
        await Assertions.Expect(page.Locator("[data-field=arn] code")).ToHaveTextAsync(configuration["FunctionArn"]!.GetValue<string>());

        var layers = configuration["Layers"]?.AsArray().Select(l => l!["Arn"]!.GetValue<string>()).ToList() ?? [];
        Assert.NotEmpty(layers);
        Assert.Equal(layers, await page.Locator("[data-section=layers] [data-layer] code").AllTextContentsAsync());

        var tags = function["Tags"]!.AsObject().ToDictionary(t => t.Key, t => t.Value!.GetValue<string>(), StringComparer.Ordinal);
        var shownTags = await page.Locator("[data-section=tags] [data-tag]").EvaluateAllAsync<string[][]>("rows => rows.map(r => [r.dataset.tag, r.cells[1].textContent])");
        Assert.Equal(tags.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => new[] { t.Key, t.Value }), shownTags);

        // The environment holds secrets: the page shows neither its names nor its values.
        var variables = configuration["Environment"]!["Variables"]!.AsObject();
        Assert.Equal(moto.Fleet.Secret, variables["OBSERVE_TEST_DB_PASSWORD"]!.GetValue<string>());
        var html = await page.ContentAsync();
        foreach (var (name, value) in variables)
        {
            Assert.DoesNotContain(value!.GetValue<string>(), html, StringComparison.Ordinal);
            Assert.DoesNotContain(name, html, StringComparison.Ordinal);
        }
    }

    /// <summary>The keys of the rows the grid shows, in its order.</summary>
    private static async Task<IReadOnlyList<FunctionKey>> ShownKeysAsync(IPage page)
    {
        var keys = await page.Locator($"{Grid} a.function-name").EvaluateAllAsync<string[]>("links => links.map(l => l.dataset.function)");
        return keys.Select(k => k.Split('/', 3)).Select(p => new FunctionKey(p[0], p[1], p[2])).ToList();
    }

    private static IEnumerable<string> Sorted(IEnumerable<FunctionKey> keys) => keys.Select(k => k.ToString()).Order(StringComparer.Ordinal);

    private static string Count(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static Task WaitUntilAsync(Func<Task<bool>> condition, Func<string> describe) => BrowserPoll.UntilAsync(condition, describe, Timeout);

    /// <summary>An RFC 4180 reader (quoted cells, doubled quotes, CRLF), independent of the dashboard's writer.</summary>
    private static class Csv
    {
        public static List<string[]> Parse(string text)
        {
            var lines = new List<string[]>();
            var cells = new List<string>();
            var cell = new StringBuilder();
            var quoted = false;
            for (var i = 0; i < text.Length; i++)
            {
                var c = text[i];
                if (quoted)
                {
                    if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                    {
                        cell.Append('"');
                        i++;
                    }
                    else if (c == '"')
                    {
                        quoted = false;
                    }
                    else
                    {
                        cell.Append(c);
                    }
                }
                else if (c == '"')
                {
                    quoted = true;
                }
                else if (c == ',')
                {
                    cells.Add(cell.ToString());
                    cell.Clear();
                }
                else if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
                {
                    cells.Add(cell.ToString());
                    cell.Clear();
                    lines.Add([.. cells]);
                    cells.Clear();
                    i++;
                }
                else
                {
                    cell.Append(c);
                }
            }

            Assert.False(quoted, "the CSV ends inside a quoted cell");
            Assert.True(cell.Length == 0 && cells.Count == 0, "the CSV's last line has no CRLF");
            return lines;
        }
    }
}
