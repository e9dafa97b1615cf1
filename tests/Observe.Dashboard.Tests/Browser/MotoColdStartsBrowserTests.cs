using Microsoft.Playwright;
using Observe.Store.Model;

namespace Observe.Dashboard.Tests.Browser;

/// <summary>
/// The Cold starts page in Chromium over what the logs collector, with its default settings, read from moto's log
/// groups (<see cref="MotoColdStarts"/>). Every expected figure is worked out here from the facts the seeded lines were
/// written from, not from the store or the view models.
/// </summary>
public sealed class MotoColdStartsBrowserTests(MotoColdStartsFixture moto) : IClassFixture<MotoColdStartsFixture>
{
    private const float Timeout = 15_000;

    /// <summary>The distribution's bars as the page labels them: [0, 100), [100, 200) ... [1600, 3200), then 3200 and more.</summary>
    private static readonly double[] Bounds = [0, 100, 200, 400, 800, 1600, 3200];

    [Fact]
    public async Task ColdStarts_FromMoto_FiguresAreTheSeededEventsCountedHere_ProvisionedAndSnapStartApart()
    {
        // What the page shows is all that was read: the logs collector's passes ran clean and skipped no line.
        var logs = (await moto.Store.GetCollectorStatusAsync(CancellationToken.None)).Single(s => s.Collector == "logs");
        Assert.True(logs is { IsFailing: false, IsDegraded: false, TotalSkipped.Total: 0 } && logs.LastSuccess is not null,
            $"logs: failures {logs.ConsecutiveFailures} ({logs.LastError}), warning {logs.LastWarning}, skipped {logs.TotalSkipped.Total}");

        var functions = moto.Seeded.Functions;
        var page = await OpenAsync("/cold-starts?range=1h");

        await ExpectFiguresAsync(page, functions);

        // Worst offenders: the functions with cold starts, most init time in total first.
        var worst = functions.Where(f => f.Reports.Any(r => r.InitMs is not null))
            .OrderByDescending(f => f.Reports.Sum(r => r.InitMs ?? 0))
            .Select(f => $"{f.Key.Name}:{f.Reports.Count(r => r.InitMs is not null)}:{f.Reports.Count}")
            .ToArray();
        Assert.Equal(["ledger-java:2:5", "checkout-node:3:7", "importer-py:1:3"], worst);
        Assert.Equal(worst, await page.Locator("[data-testid=cold-worst] tr[data-function]")
            .EvaluateAllAsync<string[]>("rows => rows.map(r => `${r.dataset.function}:${r.dataset.cold}:${r.dataset.invocations}`)"));

        // The distribution: every cold start in the bar of its init duration.
        var inits = functions.SelectMany(f => f.Reports).Where(r => r.InitMs is not null).Select(r => r.InitMs!.Value).ToList();
        var bars = Bounds.Select((from, i) => inits.Count(d => d >= from && (i == Bounds.Length - 1 || d < Bounds[i + 1]))).ToArray();
        Assert.Equal(bars, await page.Locator("[data-bar]").EvaluateAllAsync<int[]>("bars => bars.map(b => Number(b.dataset.count))"));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task ColdStarts_FromMoto_FilteredByArchitectureThenToAFunctionThenDrilledDownAndBack_FiguresAreTheirEvents()
    {
        var ledger = moto.Seeded.Functions.Single(f => f.Key.Name == "ledger-java");
        var page = await OpenAsync("/cold-starts?range=1h");

        // Arm, from the configuration the inventory collector read from moto: the page narrows to those functions' events.
        await page.Locator("[data-facet=arch] [data-value=arm64]").ClickAsync();
        await page.Locator(".cold-page[data-query='arch=arm64'] [data-testid=cold-worst] tr[data-function]").First.WaitForAsync(new() { Timeout = Timeout });
        var arm = moto.Seeded.Functions.Where(f => f.Architecture == "arm64").ToList();
        Assert.Equal(["checkout-node", "quotes-dotnet"], arm.Select(f => f.Key.Name));
        await ExpectFiguresAsync(page, arm);

        // Chosen again, the facet is cleared: every function's figures.
        await page.Locator("[data-facet=arch] [data-value=arm64]").ClickAsync();
        await page.Locator(".cold-page[data-query=''] [data-testid=cold-worst] tr[data-function]").First.WaitForAsync(new() { Timeout = Timeout });
        await ExpectFiguresAsync(page, moto.Seeded.Functions);

        // Its name typed into the search box reaches the address and narrows the page to its events.
        await page.Locator(".cold-search input").FillAsync(ledger.Key.Name);
        await page.Locator($".cold-page[data-query='q={ledger.Key.Name}'] [data-testid=cold-worst] tr[data-function]").First.WaitForAsync(new() { Timeout = Timeout });
        Assert.Contains($"q={ledger.Key.Name}", page.Url, StringComparison.Ordinal);
        Assert.Contains("range=1h", page.Url, StringComparison.Ordinal);
        await ExpectFiguresAsync(page, [ledger]);
        Assert.Equal([ledger.Key.Name], await page.Locator("[data-testid=cold-worst] tr[data-function]").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.function)"));

        // Drill down to the function, and back through its own link to its cold starts.
        await page.Locator("[data-testid=cold-worst] [data-function-link]").ClickAsync();
        await page.WaitForURLAsync(url => url.Contains($"/functions/{ledger.Key.AccountId}/{ledger.Key.Region}/{ledger.Key.Name}", StringComparison.Ordinal), new() { Timeout = Timeout });
        await Assertions.Expect(page.Locator("[data-testid=function-name]")).ToHaveTextAsync(ledger.Key.Name, new() { Timeout = Timeout });
        await page.Locator("[data-testid=cold-starts-link]").ClickAsync();

        await page.Locator(".cold-page [data-testid=cold-worst] tr[data-function]").First.WaitForAsync(new() { Timeout = Timeout });
        Assert.Contains($"account={ledger.Key.AccountId}", page.Url, StringComparison.Ordinal);
        Assert.Contains($"region={ledger.Key.Region}", page.Url, StringComparison.Ordinal);
        Assert.Contains($"q={ledger.Key.Name}", page.Url, StringComparison.Ordinal);
        await ExpectFiguresAsync(page, [ledger]);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task ColdStarts_FromMoto_InitFailedOnAScriptTag_CountedNeverRun_ItsErrorIsTextInTheFunctionsErrors()
    {
        var importer = moto.Seeded.FailedInit;
        var page = await OpenAsync($"/cold-starts?range=1h&q={importer.Key.Name}");

        // The Cold starts page counts the failed init and shows nothing of its error type or message.
        await ExpectFiguresAsync(page, [importer]);
        await AssertNothingRanAsync(page);

        // Drill down to the function, then to its errors: the runtime's init error, with the script tag as text.
        await page.Locator("[data-testid=cold-worst] [data-function-link]").ClickAsync();
        await page.Locator("[data-testid=errors-link]").ClickAsync(new() { Timeout = Timeout });
        var message = page.Locator("[data-error] [data-message]", new() { HasText = MotoColdStarts.HostileModule });
        await Assertions.Expect(message).ToHaveTextAsync(MotoColdStarts.HostileInitMessage, new() { Timeout = Timeout });
        await AssertNothingRanAsync(page);
        await page.Context.CloseAsync();
    }

    /// <summary>
    /// The page's figures equal those of <paramref name="functions"/>' seeded events: the cold-start rate over their
    /// reports, init p50 and p99 (nearest rank) over the Init Durations, on-demand where the function logged init
    /// reports (JSON format) and unknown where it did not (text), SnapStart restores and snapshot inits,
    /// provisioned-concurrency inits and the inits that failed, each counted apart from the cold starts.
    /// </summary>
    private static async Task ExpectFiguresAsync(IPage page, IReadOnlyList<SeededColdStartFunction> functions)
    {
        var reports = functions.SelectMany(f => f.Reports).ToList();
        var inits = reports.Where(r => r.InitMs is not null).Select(r => r.InitMs!.Value).Order().ToArray();
        Assert.NotEmpty(inits);
        var onDemand = functions.Where(f => f.Inits.Count > 0).Sum(f => f.Reports.Count(r => r.InitMs is not null));
        var restores = reports.Count(r => r.RestoreMs is not null);
        var initReports = functions.SelectMany(f => f.Inits).ToList();
        var provisioned = initReports.Count(i => i.Type == InitializationType.ProvisionedConcurrency);
        var snapshots = initReports.Count(i => i.Type == InitializationType.SnapStart);
        var failed = initReports.Count(i => i.Status != "success");

        await Assertions.Expect(page.Locator("[data-figure=rate]")).ToHaveAttributeAsync("data-value", ColdStartFigures.Exact((double)inits.Length / reports.Count), new() { Timeout = Timeout });
        await Assertions.Expect(page.Locator("[data-figure=rate] .figure-note")).ToHaveTextAsync($"{inits.Length} of {reports.Count} reported invocations");
        await Assertions.Expect(page.Locator("[data-figure=p50]")).ToHaveAttributeAsync("data-value", ColdStartFigures.Exact(ColdStartFigures.NearestRank(inits, 0.5)));
        await Assertions.Expect(page.Locator("span[data-figure=p99]")).ToHaveAttributeAsync("data-value", ColdStartFigures.Exact(ColdStartFigures.NearestRank(inits, 0.99)));
        await Assertions.Expect(page.Locator("[data-figure=on-demand]")).ToHaveAttributeAsync("data-value", $"{onDemand}");
        await Assertions.Expect(page.Locator("[data-figure=unknown-type]")).ToHaveAttributeAsync("data-value", $"{inits.Length - onDemand}");
        await Assertions.Expect(page.Locator("[data-figure=restores]")).ToHaveAttributeAsync("data-value", $"{restores}");
        await Assertions.Expect(page.Locator("[data-figure=restores] .figure-note")).ToContainTextAsync($"{snapshots} snapshot inits");
        await Assertions.Expect(page.Locator("[data-figure=provisioned]")).ToHaveAttributeAsync("data-value", $"{provisioned}");
        await Assertions.Expect(page.Locator("[data-figure=provisioned]")).Not.ToContainTextAsync("failed");

        // Failed inits are counted where there are init reports that say so, apart from the provisioned ones.
        if (failed > 0)
        {
            await Assertions.Expect(page.Locator("[data-figure=failed-inits]")).ToHaveAttributeAsync("data-value", $"{failed}");
        }
        else
        {
            await Assertions.Expect(page.Locator("[data-figure=failed-inits]")).ToHaveCountAsync(0);
        }
    }

    /// <summary>No hostile value ran: no element it would have made, no flag it would have set.</summary>
    private static async Task AssertNothingRanAsync(IPage page)
    {
        Assert.Equal(0, await page.Locator(".page script, .page img[src=x]").CountAsync());
        Assert.False(await page.EvaluateAsync<bool>("() => window.__alarmed === true || window.__coldPwned !== undefined"));
    }

    private async Task<IPage> OpenAsync(string path)
    {
        var page = await moto.NewPageAsync();
        await page.GotoAsync(new Uri(moto.BaseUrl, path).ToString());
        await page.Locator(".page[data-interactive]").WaitForAsync(new() { Timeout = Timeout });
        await page.Locator("[data-testid=cold-worst] tr[data-function]").First.WaitForAsync(new() { Timeout = Timeout });
        return page;
    }
}
