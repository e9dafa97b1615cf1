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

public sealed class AlarmsPageTests : MudContext
{
    private const string Account = "111122223333";
    private const string Other = "444455556666";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    private TestStore _store = null!;
    private CountingStoreChanges _changes = null!;

    public override async Task InitializeAsync()
    {
        _store = await TestStore.CreateAsync();
        _changes = new CountingStoreChanges(_store.Changes);
        Services.AddObserveStore(_store.Store);
        Services.AddSingleton<IStoreChanges>(_changes);
        Services.AddSingleton(TimeProvider.System);
        Services.AddSingleton(Options.Create(new DashboardOptions { RefreshThrottle = TimeSpan.FromMilliseconds(100) }));
        Services.AddLiveData();
    }

    protected override ValueTask DisposeResourcesAsync() => _store.DisposeAsync();

    [Fact]
    public async Task Alarms_MixedStates_AlarmFirstThenInsufficientDataThenOkEachMostRecentlyChangedFirst()
    {
        var now = DateTimeOffset.UtcNow;
        await UpsertAsync(
            Alarm("ok-recent", AlarmState.Ok, now.AddMinutes(-1)),
            Alarm("alarm-old", AlarmState.Alarm, now.AddHours(-5)),
            Alarm("insufficient", AlarmState.InsufficientData, now.AddHours(-1)),
            Alarm("alarm-recent", AlarmState.Alarm, now.AddMinutes(-3)),
            Alarm("ok-old", AlarmState.Ok, now.AddDays(-2)));

        var page = RenderAt("/alarms?range=1h");

        page.WaitForAssertion(() => Assert.Equal(5, Rows(page).Count), Wait);
        Assert.Equal(["alarm-recent", "alarm-old", "insufficient", "ok-recent", "ok-old"], Rows(page).Select(Name));
        Assert.Equal(["ALARM", "ALARM", "INSUFFICIENT_DATA", "OK", "OK"], page.FindAll("[data-alarm] [data-alarm-state]").Select(s => s.TextContent));
        Assert.Contains("alarm-state-alarm", page.Find("[data-alarm] [data-alarm-state]").ClassList);
        Assert.Contains("States are as CloudWatch reports them now", page.Find("[data-testid=alarms-caption]").TextContent, StringComparison.Ordinal);
        Assert.Equal("State now", page.Find("[data-testid=alarms-grid] th").TextContent);
    }

    [Fact]
    public async Task Alarms_FiltersInTheAddress_KeepMatchingRowsAndCountEachFacetUnderTheOthers()
    {
        var now = DateTimeOffset.UtcNow;
        await UpsertAsync(
            Alarm("a1", AlarmState.Alarm, now, region: "eu-west-1"),
            Alarm("a2", AlarmState.Alarm, now, region: "us-east-1"),
            Alarm("o1", AlarmState.Ok, now, region: "eu-west-1"),
            Alarm("a3", AlarmState.Alarm, now, account: Other, region: "eu-west-1", reason: "Threshold Crossed: payments latency"));

        var page = RenderAt("/alarms?state=alarm&region=eu-west-1");

        page.WaitForAssertion(() => Assert.Equal(["a1", "a3"], Rows(page).Select(Name)), Wait);
        Assert.Equal("2", Facet(page, "state", "alarm").GetAttribute("data-count"));
        Assert.Equal("1", Facet(page, "state", "ok").GetAttribute("data-count"));
        Assert.Equal("true", Facet(page, "state", "alarm").GetAttribute("aria-pressed"));
        Assert.Equal("2", Facet(page, "region", "eu-west-1").GetAttribute("data-count"));
        Assert.Equal("1", Facet(page, "region", "us-east-1").GetAttribute("data-count"));
        Assert.Equal("1", Facet(page, "account", Other).GetAttribute("data-count"));
        // Choosing a value adds it to the address; choosing a chosen one removes it; both keep the other filters.
        Assert.Equal("alarms?state=alarm&region=eu-west-1&region=us-east-1", Facet(page, "region", "us-east-1").GetAttribute("href"));
        Assert.Equal("alarms?region=eu-west-1", Facet(page, "state", "alarm").GetAttribute("href"));

        Services.GetRequiredService<NavigationManager>().NavigateTo("/alarms?q=PAYMENTS");
        page.WaitForAssertion(() => Assert.Equal(["a3"], Rows(page).Select(Name)), Wait);
    }

    [Fact]
    public async Task Alarms_FiltersEmptyTheList_SayWhichAndOfferToClearEach()
    {
        await UpsertAsync(Alarm("a1", AlarmState.Ok, DateTimeOffset.UtcNow));

        var page = RenderAt("/alarms?state=alarm&q=nothing&range=6h");

        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-testid=filtered-empty]")), Wait);
        var empty = page.Find("[data-testid=filtered-empty]");
        Assert.Contains("No alarm matches state ALARM, the search \"nothing\".", empty.TextContent, StringComparison.Ordinal);
        Assert.Equal("alarms?range=6h", page.Find("[data-testid=clear-filters]").GetAttribute("href"));
        Assert.Equal(["Clear state", "Clear search", "Clear every filter"], empty.QuerySelectorAll("a").Select(a => a.TextContent));
        Assert.Empty(page.FindAll("[data-testid=alarms-grid]"));
    }

    [Fact]
    public async Task Alarms_UnknownStateInTheAddress_SaysWhichValuesWork()
    {
        await UpsertAsync(Alarm("a1", AlarmState.Ok, DateTimeOffset.UtcNow));

        var page = RenderAt("/alarms?state=firing");

        var error = page.Find("[data-testid=address-error]");
        Assert.Contains("state: \"firing\" is not an alarm state; use alarm, insufficient-data or ok.", error.TextContent, StringComparison.Ordinal);
        Assert.Empty(page.FindAll("[data-alarm]"));
    }

    [Fact]
    public async Task Alarms_HostileNameAndReason_RenderedAsText()
    {
        const string hostile = "<script>alert(1)</script><img src=x onerror=alert(2)>";
        await UpsertAsync(Alarm("evil" + hostile, AlarmState.Alarm, DateTimeOffset.UtcNow, reason: "Threshold " + hostile, function: "fn" + hostile));

        var page = RenderAt("/alarms");

        page.WaitForAssertion(() => Assert.Single(Rows(page)), Wait);
        Assert.Empty(page.FindAll("[data-testid=alarms-grid] script, [data-testid=alarms-grid] img"));
        Assert.Equal("Threshold " + hostile, page.Find("[data-reason]").TextContent);
        Assert.Equal("evil" + hostile, Name(Rows(page)[0]));
        Assert.Equal("fn" + hostile, page.Find("[data-function-link]").TextContent);
    }

    [Fact]
    public async Task Alarms_FunctionAndAlarmLinks_AreEscapedAndCarryTheRange()
    {
        var now = DateTimeOffset.UtcNow;
        await UpsertAsync(Alarm("orders/errors", AlarmState.Alarm, now, function: "orders api?#"));

        var page = RenderAt("/alarms?range=6h&state=alarm");

        page.WaitForAssertion(() => Assert.Single(Rows(page)), Wait);
        Assert.Equal($"functions/{Account}/us-east-1/orders%20api%3F%23?range=6h", page.Find("[data-function-link]").GetAttribute("href"));
        Assert.Equal($"alarms/arn%3Aaws%3Acloudwatch%3Aus-east-1%3A{Account}%3Aalarm%3Aorders%2Ferrors?state=alarm&range=6h",
            page.Find("[data-open-alarm]").GetAttribute("href"));
    }

    [Fact]
    public async Task Alarms_OpenedAlarm_ShowsItsStateHistoryAsATimelineOverTheRange()
    {
        var now = DateTimeOffset.UtcNow;
        var alarm = Alarm("orders-errors", AlarmState.Ok, now.AddHours(-3));
        await UpsertAsync(alarm);
        await _store.Store.RecordAlarmStateChangesAsync(
        [
            new AlarmStateChange(alarm.Arn, now.AddHours(-2), AlarmState.Ok, AlarmState.Alarm, "Threshold Crossed: 5 errors <b>bold</b>"),
            new AlarmStateChange(alarm.Arn, now.AddHours(-1), AlarmState.Alarm, AlarmState.Ok, "Back to normal"),
        ], CancellationToken.None);
        // The listing now reports the return to OK an hour ago.
        await UpsertAsync(alarm with { StateUpdated = now.AddHours(-1), StateReason = "Back to normal" });

        var page = RenderAt($"/alarms/{Uri.EscapeDataString(alarm.Arn)}?range=6h");

        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-testid=alarm-timeline] [data-segment]")), Wait);
        Assert.Equal(["OK", "ALARM", "OK"], page.FindAll("[data-segment]").Select(s => s.GetAttribute("data-segment")));
        Assert.Equal("orders-errors", page.Find("[data-testid=alarm-name]").TextContent);
        var transitions = page.FindAll("[data-transition]");
        Assert.Equal(2, transitions.Count);
        Assert.Contains("Threshold Crossed: 5 errors <b>bold</b>", transitions[1].TextContent, StringComparison.Ordinal);
        Assert.Empty(page.FindAll("[data-testid=alarm-transitions] b"));
        Assert.Equal("true", page.Find("[data-alarm]").GetAttribute("aria-selected"));
        Assert.Equal("alarms?range=6h", page.Find("[data-testid=close-alarm]").GetAttribute("href"));
        Assert.Empty(page.FindAll("[data-testid=timeline-unknown]"));
    }

    [Fact]
    public async Task Alarms_CompositeAlarm_ListsTheFunctionsOfTheAlarmsItCombines_AndItsChildrenWhenOpened()
    {
        var now = DateTimeOffset.UtcNow;
        var errors = Alarm("orders-errors", AlarmState.Alarm, now, function: "orders-api");
        var latency = Alarm("<script>latency</script>", AlarmState.Ok, now, function: "payments-api");
        var composite = Alarm("checkout-health", AlarmState.Alarm, now, function: null) with
        {
            Kind = "composite", MetricName = null, Namespace = null, Rule = "ALARM(orders-errors) OR ALARM(\"<script>latency</script>\") OR ALARM(deleted-one)",
        };
        await UpsertAsync(errors, latency, composite);

        var page = RenderAt($"/alarms/{Uri.EscapeDataString(composite.Arn)}?range=1h");

        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-testid=alarm-children] li")), Wait);
        var row = page.Find($"[data-alarm='{composite.Arn}']");
        Assert.Equal(["orders-api", "payments-api"], row.QuerySelectorAll("[data-function-link]").Select(a => a.TextContent));
        Assert.Equal("Composite of 3 alarms", row.QuerySelector("[data-kind]")!.TextContent);
        Assert.Equal(composite.Rule, page.Find("[data-testid=alarm-rule] code").TextContent);
        var children = page.FindAll("[data-testid=alarm-children] li");
        Assert.Equal(["orders-errors", "<script>latency</script>", "deleted-one"], children.Select(c => c.GetAttribute("data-child")));
        Assert.Equal($"alarms/{Uri.EscapeDataString(errors.Arn)}?range=1h", children[0].QuerySelector("[data-child-link]")!.GetAttribute("href"));
        Assert.Equal("ALARM", children[0].QuerySelector("[data-alarm-state]")!.TextContent);
        Assert.Contains("not in the store", children[2].TextContent, StringComparison.Ordinal);
        Assert.Empty(page.FindAll("[data-testid=alarm-history] script"));
        Assert.Equal(["orders-api", "payments-api"], page.FindAll("[data-testid=alarm-history] [data-function-link]").Select(a => a.TextContent));
    }

    [Fact]
    public async Task Alarms_EscapeInTheOpenedAlarm_ClosesItKeepingTheFilters()
    {
        var alarm = Alarm("a1", AlarmState.Ok, DateTimeOffset.UtcNow);
        await UpsertAsync(alarm);
        var navigation = Services.GetRequiredService<NavigationManager>();
        var page = RenderAt($"/alarms/{Uri.EscapeDataString(alarm.Arn)}?state=ok&range=1h");
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-segment]")), Wait);

        await page.Find("[data-testid=alarm-history] > div").KeyDownAsync(new Microsoft.AspNetCore.Components.Web.KeyboardEventArgs { Key = "Escape" });

        page.WaitForAssertion(() => Assert.EndsWith("/alarms?state=ok&range=1h", navigation.Uri, StringComparison.Ordinal), Wait);
        page.WaitForAssertion(() => Assert.Empty(page.FindAll("[data-testid=alarm-history]")), Wait);
    }

    [Fact]
    public async Task Alarms_OpenedAlarmFirstSeenInTheRange_DrawsWhatCameBeforeAsUnknownNotOk()
    {
        var now = DateTimeOffset.UtcNow;
        var alarm = Alarm("new-alarm", AlarmState.Alarm, now.AddMinutes(-30));
        await UpsertAsync(alarm);

        var page = RenderAt($"/alarms/{Uri.EscapeDataString(alarm.Arn)}?range=1h");

        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-segment]")), Wait);
        Assert.Equal(["unknown", "ALARM"], page.FindAll("[data-segment]").Select(s => s.GetAttribute("data-segment")));
        Assert.Contains("Grey: state unknown", page.Find("[data-testid=timeline-unknown]").TextContent, StringComparison.Ordinal);
        Assert.NotEmpty(page.FindAll("[data-testid=no-transitions]"));
    }

    [Fact]
    public async Task Alarms_OpenedAlarmNotInTheStore_SaysSoWithAWayBack()
    {
        await UpsertAsync(Alarm("a1", AlarmState.Ok, DateTimeOffset.UtcNow));

        var page = RenderAt($"/alarms/{Uri.EscapeDataString("arn:aws:cloudwatch:us-east-1:111122223333:alarm:gone")}");

        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-testid=alarm-unknown]")), Wait);
        Assert.Contains("arn:aws:cloudwatch:us-east-1:111122223333:alarm:gone", page.Find("[data-testid=alarm-unknown]").TextContent, StringComparison.Ordinal);
        Assert.Single(Rows(page));
    }

    [Fact]
    public void Alarms_NoAlarmsAndNoCollectorPass_SaysTheCollectorHasNotRun()
    {
        var page = RenderAt("/alarms");

        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-testid=no-alarms]")), Wait);
        var empty = page.Find("[data-testid=no-alarms]");
        Assert.Contains("the alarms collector has not run against this store", empty.TextContent, StringComparison.Ordinal);
        Assert.Equal("collectors", empty.QuerySelector("a")!.GetAttribute("href"));
    }

    [Fact]
    public async Task Alarms_NoAlarmsAfterASuccessfulPass_SaysThereAreNoneInTheAccounts()
    {
        var now = DateTimeOffset.UtcNow;
        await _store.Store.UpsertCollectorStatusAsync(new CollectorStatus
        {
            Collector = "alarms", AccountId = Account, Region = "us-east-1", LastStart = now.AddSeconds(-2), LastSuccess = now, UpdatedAt = now,
        }, CancellationToken.None);

        var page = RenderAt("/alarms");

        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-testid=no-alarms]")), Wait);
        Assert.Contains("No CloudWatch alarms in the 1 account and region pairs the alarms collector reads.",
            page.Find("[data-testid=no-alarms]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Alarms_AlarmWrittenWhileOpen_AppearsWithoutNavigation()
    {
        var now = DateTimeOffset.UtcNow;
        await UpsertAsync(Alarm("first", AlarmState.Ok, now));
        var page = RenderAt("/alarms");
        page.WaitForAssertion(() => Assert.Single(Rows(page)), Wait);

        await UpsertAsync(Alarm("second", AlarmState.Alarm, now));

        page.WaitForAssertion(() => Assert.Equal(["second", "first"], Rows(page).Select(Name)), Wait);
    }

    [Fact]
    public async Task Alarms_Dispose_DisposesItsStoreSubscriptions()
    {
        var alarm = Alarm("a1", AlarmState.Ok, DateTimeOffset.UtcNow);
        await UpsertAsync(alarm);
        var page = RenderAt($"/alarms/{Uri.EscapeDataString(alarm.Arn)}");
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-segment]")), Wait);
        Assert.Equal(2, _changes.Active);

        await DisposeComponentsAsync();

        Assert.Equal(0, _changes.Active);
    }

    private IRenderedComponent<Alarms> RenderAt(string uri)
    {
        Services.GetRequiredService<NavigationManager>().NavigateTo(uri);
        return Render<Alarms>();
    }

    private static IReadOnlyList<AngleSharp.Dom.IElement> Rows(IRenderedComponent<Alarms> page) => page.FindAll("[data-alarm]");

    private static string Name(AngleSharp.Dom.IElement row) => row.QuerySelector("[data-open-alarm]")!.TextContent;

    private static AngleSharp.Dom.IElement Facet(IRenderedComponent<Alarms> page, string facet, string value) =>
        page.FindAll($"[data-facet={facet}] [data-value]").Single(e => e.GetAttribute("data-value") == value);

    private Task UpsertAsync(params CloudWatchAlarm[] alarms) => _store.Store.UpsertAlarmsAsync(alarms, CancellationToken.None);

    private static CloudWatchAlarm Alarm(string name, AlarmState state, DateTimeOffset since, string account = Account, string region = "us-east-1",
        string? reason = null, string? function = "orders-api") => new()
    {
        AccountId = account,
        Region = region,
        Name = name,
        Arn = $"arn:aws:cloudwatch:{region}:{account}:alarm:{name}",
        State = state,
        StateUpdated = since,
        StateReason = reason ?? $"{name} is {state}",
        FunctionName = function,
        MetricName = "Errors",
        Namespace = "AWS/Lambda",
    };
}
