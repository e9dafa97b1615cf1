using System.Globalization;
using Microsoft.Playwright;
using Observe.Store.Model;

namespace Observe.Dashboard.Tests.Browser;

/// <summary>Pages in Chromium over a store the collectors filled from moto (<see cref="MotoFleetFixture"/>).</summary>
public sealed partial class MotoFleetBrowserTests(MotoFleetFixture moto) : IClassFixture<MotoFleetFixture>
{
    private const float Timeout = 15_000;

    [Fact]
    public async Task Alarms_FromMoto_AlarmFirstThenInsufficientDataThenOk()
    {
        var page = await OpenAsync("/alarms?range=1h", "[data-alarm]");

        var names = await page.Locator("[data-open-alarm]").AllInnerTextsAsync();
        Assert.Equal(["orders-api-errors", "legacy-report-duration", "payments-worker-throttles"], names);
        var states = await page.Locator("[data-alarm]").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.state)");
        Assert.Equal(["ALARM", "INSUFFICIENT_DATA", "OK"], states);
        var firstRow = page.Locator("[data-alarm]").First;
        await Assertions.Expect(firstRow.Locator("[data-account]")).ToHaveTextAsync(moto.Fleet.Production);
        await Assertions.Expect(firstRow.Locator("[data-region]")).ToHaveTextAsync("us-east-1");
        await Assertions.Expect(firstRow.Locator("[data-kind]")).ToHaveTextAsync("Metric");
        await Assertions.Expect(firstRow.Locator("td").Nth(3)).ToHaveTextAsync("AWS/Lambda / Errors");
    }

    [Fact]
    public async Task Alarms_FromMoto_HostileReasonIsTextAndTheFunctionIsLinked()
    {
        var page = await OpenAsync("/alarms?range=1h", "[data-alarm]");
        var alarm = moto.Fleet.Alarms.Single(a => a.State == AlarmState.Alarm);
        var row = page.Locator($"[data-alarm='{alarm.Arn}']");

        await Assertions.Expect(row.Locator("[data-reason]")).ToHaveTextAsync(MotoFleet.HostileReason);
        Assert.Equal(0, await page.Locator("[data-testid=alarms-grid] script").CountAsync());
        Assert.False(await page.EvaluateAsync<bool>("() => window.__alarmed === true"));

        var key = alarm.Function.Key;
        var link = row.Locator("[data-function-link]");
        Assert.Equal($"functions/{key.AccountId}/{key.Region}/{key.Name}?range=1h", await link.GetAttributeAsync("href"));
        await Assertions.Expect(link).ToHaveTextAsync(key.Name);
    }

    [Fact]
    public async Task Alarms_FromMoto_FilterByAccountAndOpenTheHistory()
    {
        var page = await OpenAsync($"/alarms?range=1h&account={moto.Fleet.Development}", "[data-alarm]");

        Assert.Equal(["legacy-report-duration"], await page.Locator("[data-open-alarm]").AllInnerTextsAsync());
        Assert.Equal("1", await page.Locator($"[data-facet=account] [data-value='{moto.Fleet.Development}']").GetAttributeAsync("data-count"));
        Assert.Equal("2", await page.Locator($"[data-facet=account] [data-value='{moto.Fleet.Production}']").GetAttributeAsync("data-count"));

        await page.Locator("[data-open-alarm]").First.ClickAsync();

        await Assertions.Expect(page.Locator("[data-testid=alarm-name]")).ToHaveTextAsync("legacy-report-duration", new() { Timeout = Timeout });
        await Assertions.Expect(page.Locator("[data-segment]").Last).ToHaveAttributeAsync("data-segment", "INSUFFICIENT_DATA", new() { Timeout = Timeout });
        Assert.Contains($"account={moto.Fleet.Development}", page.Url, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Overview_FromMoto_ShowsTheStoresFunctionsAndAlarmsAndLinksThem()
    {
        var page = await OpenAsync("/?range=1h", "[data-figure=functions]");

        // Expected from the store, counted here rather than by the view models.
        var functions = await moto.Store.GetFunctionsAsync(FleetFilter.All, CancellationToken.None);
        var inAlarm = await moto.Store.GetAlarmsAsync(FleetFilter.All, AlarmState.Alarm, CancellationToken.None);
        Assert.Equal(moto.Fleet.Functions.Count, functions.Count);
        await Assertions.Expect(page.Locator("[data-figure=functions]")).ToHaveAttributeAsync("data-value", functions.Count.ToString(CultureInfo.InvariantCulture), new() { Timeout = Timeout });
        await Assertions.Expect(page.Locator("[data-figure=alarms]")).ToHaveAttributeAsync("data-value", inAlarm.Count.ToString(CultureInfo.InvariantCulture), new() { Timeout = Timeout });

        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var deprecated = functions.Count(f => Observe.Dashboard.Fleet.RuntimeCatalog.Default.Classify(f.Runtime, f.PackageType, today, 180).Support == Observe.Dashboard.Fleet.RuntimeSupport.Deprecated);
        Assert.Equal(1, deprecated);
        await Assertions.Expect(page.Locator("[data-figure=deprecated-runtimes]")).ToHaveAttributeAsync("data-value", "1", new() { Timeout = Timeout });
        Assert.Equal("functions?flag=RuntimeDeprecated&range=1h", await page.Locator("[data-figure-link=deprecated-runtimes]").GetAttributeAsync("href"));

        await page.Locator("[data-figure-link=alarms]").ClickAsync();

        await Assertions.Expect(page.Locator("[data-alarm]")).ToHaveCountAsync(inAlarm.Count, new() { Timeout = Timeout });
        Assert.EndsWith("/alarms?state=alarm&range=1h", page.Url, StringComparison.Ordinal);
        await Assertions.Expect(page.Locator("[data-open-alarm]")).ToHaveTextAsync(inAlarm.Single().Name);
    }

    private async Task<IPage> OpenAsync(string path, string ready)
    {
        var page = await moto.NewPageAsync();
        // A hostile value that ran as script would set this flag.
        await page.AddInitScriptAsync("window.alert = () => { window.__alarmed = true; };");
        await page.GotoAsync(new Uri(moto.BaseUrl, path).ToString());
        await page.Locator(".page[data-interactive]").WaitForAsync(new() { Timeout = Timeout });
        await page.Locator(ready).First.WaitForAsync(new() { Timeout = Timeout });
        return page;
    }
}
