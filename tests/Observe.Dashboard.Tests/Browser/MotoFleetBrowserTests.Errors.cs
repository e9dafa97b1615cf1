using Microsoft.Playwright;
using Observe.Collectors.LogCollection;
using Observe.Store.Model;

namespace Observe.Dashboard.Tests.Browser;

/// <summary>
/// The Errors pages over error groups the logs collector read from moto's log groups (<see cref="MotoInvestigation"/>):
/// every expectation is summed here from the store's per-function groups, not through the page's query or view model.
/// </summary>
public sealed partial class MotoFleetBrowserTests
{
    /// <summary>Long enough for a loaded machine's next logs pass (10 s apart) and its writes.</summary>
    private const float CollectorTimeout = 60_000;

    [Fact]
    public async Task Errors_FromMoto_ListIsTheStoresGroupsSummedHere_FilteredByFunctionThenText()
    {
        var groups = await StoredErrorGroupsAsync();
        foreach (var seeded in moto.Fleet.Investigation.Errors)
        {
            Assert.Contains(groups, g => g.Function == seeded.Function && g.ErrorType == seeded.ErrorType && g.Message == seeded.Message && g.Count == seeded.Count);
        }

        // The collector's defaults chose Logs Insights for the production targets (12 and 16 log groups) and
        // FilterLogEvents for the development one (5): both read paths ran against moto.
        Assert.Equal(LogsReadMode.Insights, await LogsModeAsync(moto.Fleet.Production, "us-east-1"));
        Assert.Equal(LogsReadMode.Insights, await LogsModeAsync(moto.Fleet.Production, "eu-west-1"));
        Assert.Equal(LogsReadMode.FilterLogEvents, await LogsModeAsync(moto.Fleet.Development, "us-east-1"));

        var page = await OpenAsync("/errors?range=1h", "[data-error]");
        await WaitForErrorRowsAsync(page, Expected(groups, _ => true));

        // The Python traceback of two functions in two regions is one error.
        var traceback = Expected(groups, g => g.ErrorType == "KeyError").Single();
        Assert.EndsWith(":2:2", traceback, StringComparison.Ordinal);

        // Function: typed into its field, it reaches the address and narrows the list to that function's errors.
        var payments = moto.Fleet.Investigation.ColdStart.Function.Name;
        await page.Locator(".errors-function input").FillAsync(payments);
        await WaitUntilAsync(() => Task.FromResult(page.Url.Contains($"function={payments}", StringComparison.Ordinal)), () => page.Url);
        await WaitForErrorRowsAsync(page, Expected(groups, g => g.Function.Name == payments));

        await page.Context.CloseAsync();

        // Text, on a fresh list: words of the Node.js error's message.
        page = await OpenAsync("/errors?range=1h", "[data-error]");
        await page.Locator(".errors-search input").FillAsync("properties of undefined");
        await WaitUntilAsync(() => Task.FromResult(page.Url.Contains("q=properties", StringComparison.Ordinal)), () => page.Url);
        await WaitForErrorRowsAsync(page, Expected(groups, g => g.Message.Contains("properties of undefined", StringComparison.OrdinalIgnoreCase)));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Errors_FromMoto_DrillDownShowsTheHostileMessageAsTextTheStackAndTheTraceWhoseWaterfallHasInitialization()
    {
        var seeded = moto.Fleet.Investigation.Errors.Single(e => e.Message == MotoInvestigation.HostileMessage);
        var stored = (await StoredErrorGroupsAsync()).Single(g => g.Function == seeded.Function && g.ErrorType == seeded.ErrorType);
        var page = await OpenAsync("/errors?range=1h", $"[data-error='{stored.Fingerprint}']");
        var row = page.Locator($"[data-error='{stored.Fingerprint}']");
        await Assertions.Expect(row.Locator("[data-message]")).ToHaveTextAsync(MotoInvestigation.HostileMessage);

        await row.Locator("[data-open-error]").ClickAsync();

        await Assertions.Expect(page.Locator("[data-testid=error-message]")).ToHaveTextAsync(MotoInvestigation.HostileMessage, new() { Timeout = Timeout });
        await Assertions.Expect(page.Locator("[data-testid=fingerprint]")).ToHaveTextAsync(stored.Fingerprint);
        await Assertions.Expect(page.Locator("[data-figure=occurrences]")).ToHaveAttributeAsync("data-value", stored.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), new() { Timeout = Timeout });
        await Assertions.Expect(page.Locator($"[data-testid=error-functions] [data-function='{seeded.Function.Name}']")).ToHaveAttributeAsync("data-count", stored.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var sample = page.Locator("[data-section=sample]");
        await Assertions.Expect(sample.Locator("[data-sample-stack]")).ToContainTextAsync(seeded.StackFrame!);
        await Assertions.Expect(sample.Locator("[data-sample-request]")).ToHaveTextAsync(seeded.RequestId!);
        Assert.Equal(0, await page.Locator(".errors-page script").CountAsync());
        Assert.False(await page.EvaluateAsync<bool>("() => window.__alarmed === true"));

        // The latest occurrence's trace id links to the cold start the traces collector read from moto's X-Ray.
        var trace = sample.Locator("[data-sample-trace]");
        await Assertions.Expect(trace).ToHaveTextAsync(moto.Fleet.Investigation.ColdStart.TraceId);
        await trace.ClickAsync();
        await page.WaitForURLAsync(url => url.Contains($"/traces/{moto.Fleet.Investigation.ColdStart.TraceId}", StringComparison.Ordinal), new() { Timeout = Timeout });
        await Assertions.Expect(page.Locator("[data-span][data-kind=LambdaPhase]", new() { HasText = "Initialization" })).ToBeVisibleAsync(new() { Timeout = Timeout });
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Errors_FromMoto_ResolvedInTheBrowser_ReopensAsARegressionWhenTheCollectorReadsItAgain()
    {
        var recurring = moto.Fleet.Investigation.Recurring;
        var stored = (await StoredErrorGroupsAsync()).Single(g => g.Function == recurring.Function && g.ErrorType == recurring.ErrorType);
        var page = await OpenAsync($"/errors/{stored.Fingerprint}?range=1h", "[data-testid=status]");
        await page.Locator("[data-set-status=resolved]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=status]")).ToHaveTextAsync("Resolved", new() { Timeout = Timeout });

        // Logged again in moto: the logs collector's next pass (10 s apart) records it, the store re-opens the
        // group, and the open page follows.
        await moto.Fleet.Investigation.RecurAsync();

        await Assertions.Expect(page.Locator("[data-testid=status]")).ToHaveTextAsync("Active", new() { Timeout = CollectorTimeout });
        await Assertions.Expect(page.Locator("[data-badge=regression]")).ToBeVisibleAsync();
        var history = await moto.Store.GetErrorStatusHistoryAsync(stored.Fingerprint, 10, CancellationToken.None);
        Assert.Equal([(ErrorStatus.Resolved, ErrorStatus.Active, ErrorStatusChange.RecurrenceActor, true), (ErrorStatus.Active, ErrorStatus.Resolved, Observe.Dashboard.Auth.AuthEndpoints.BrowserTokenUserName, false)],
            history.Take(2).Select(c => (c.From, c.To, c.Actor, c.Regression)));
        await page.Context.CloseAsync();
    }

    private async Task<LogsReadMode?> LogsModeAsync(string accountId, string region) =>
        LogsCollectionStatus.Parse(await moto.Store.GetCheckpointAsync($"{LogsCollector.CollectorName}/{accountId}/{region}", CancellationToken.None))?.Mode;

    private async Task<IReadOnlyList<ErrorGroup>> StoredErrorGroupsAsync() =>
        await moto.Store.GetErrorGroupsAsync(FleetFilter.All, new TimeRange(DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddMinutes(1)), 100_000, CancellationToken.None);

    /// <summary>The list's rows as <c>fingerprint:count:functions</c>, most occurrences first, summed here from the per-function groups.</summary>
    private static string[] Expected(IReadOnlyList<ErrorGroup> groups, Func<ErrorGroup, bool> filter) =>
        [.. groups.Where(filter)
            .GroupBy(g => g.Fingerprint, StringComparer.Ordinal)
            .Select(g => (Fingerprint: g.Key, Count: g.Sum(x => x.Count), Functions: g.Select(x => x.Function).Distinct().Count()))
            .OrderByDescending(g => g.Count).ThenBy(g => g.Fingerprint, StringComparer.Ordinal)
            .Select(g => $"{g.Fingerprint}:{g.Count}:{g.Functions}")];

    private static async Task WaitForErrorRowsAsync(IPage page, string[] expected)
    {
        Assert.NotEmpty(expected);
        var shown = Array.Empty<string>();
        await WaitUntilAsync(
            async () => (shown = await page.Locator("[data-error]").EvaluateAllAsync<string[]>("rows => rows.map(r => `${r.dataset.error}:${r.dataset.count}:${r.dataset.functions}`)")).SequenceEqual(expected),
            () => $"rows {string.Join(", ", shown)}, expected {string.Join(", ", expected)}");
    }
}
