using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Observe.Alerting;
using Observe.Dashboard.Components.Pages;
using Observe.Dashboard.Configuration;
using Observe.Dashboard.Model;
using Observe.Dashboard.Tests.Hosting;
using Observe.Store;
using Observe.Store.Model;
using static Observe.Dashboard.Tests.Components.AlertsSeed;

namespace Observe.Dashboard.Tests.Components;

public sealed class AlertsPageTests : MudContext
{
    private const string Hostile = "<script>alert(1)</script><img src=x onerror=alert(2)>";
    private const string Other = "444455556666";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    private TestStore _store = null!;
    private readonly DateTimeOffset _now = DateTimeOffset.UtcNow;

    public override async Task InitializeAsync()
    {
        _store = await TestStore.CreateAsync();
        Services.AddLogging();
        Services.AddObserveStore(_store.Store);
        Services.AddSingleton(_store.Changes);
        Services.AddSingleton(TimeProvider.System);
        Services.AddSingleton(Options.Create(new DashboardOptions { RefreshThrottle = TimeSpan.FromMilliseconds(100) }));
        Services.AddLiveData();

        // The real alerting registration: the page groups alerts with the engine's own rule source.
        Services.AddObserveAlerting(new ConfigurationBuilder().Build());

        await _store.Store.UpsertAlertRuleAsync(Rule("orders-errors", "Orders error rate", "[rule, account]", "critical"), CancellationToken.None);
        await _store.Store.UpsertAlertRuleAsync(Rule("slow", "Slow functions"), CancellationToken.None);
    }

    protected override ValueTask DisposeResourcesAsync() => _store.DisposeAsync();

    [Fact]
    public async Task Alerts_SeededState_FiguresEqualTheStoresCountsAndRowsFiringFirst()
    {
        var firing = Instance("orders-errors", "orders-api", AlertStatus.Firing, _now.AddMinutes(-30), severity: "critical");
        var acknowledged = Instance("slow", "billing", AlertStatus.Firing, _now.AddMinutes(-20));
        var pending = Instance("slow", "checkout", AlertStatus.Pending, _now.AddMinutes(-2));
        var resolved = Instance("slow", "search", AlertStatus.Resolved, _now.AddHours(-2), resolvedAt: _now.AddMinutes(-10));
        await CommitAsync(_store.Store, [firing, acknowledged, pending, resolved]);
        await _store.Store.AcknowledgeAlertAsync("slow", acknowledged.LabelsKey, "alice", _now, CancellationToken.None);
        await _store.Store.UpsertSilenceAsync(new Silence
        {
            Id = "s1", Matchers = new Dictionary<string, string> { ["function"] = "checkout" },
            StartsAt = _now.AddMinutes(-5), EndsAt = _now.AddHours(1), CreatedBy = "bob", Comment = "deploying",
        }, CancellationToken.None);

        // Expected figures straight from the store, counted here rather than by the view model.
        var stored = await _store.Store.GetAlertInstancesAsync(null, CancellationToken.None);
        var open = stored.Where(i => i.Status != AlertStatus.Resolved).ToList();
        var silences = await _store.Store.GetSilencesAsync(_now, CancellationToken.None);
        var expected = new Dictionary<string, int>
        {
            ["firing"] = open.Count(i => i.Status == AlertStatus.Firing),
            ["pending"] = open.Count(i => i.Status == AlertStatus.Pending),
            ["acknowledged"] = open.Count(i => i.AcknowledgedBy is not null),
            ["silenced"] = open.Count(i => silences.Any(s => s.Matchers.All(m => i.Labels.GetValueOrDefault(m.Key) == m.Value))),
        };
        Assert.Equal([2, 1, 1, 1], expected.Values);

        var page = RenderAt("/alerts?range=1h");

        page.WaitForAssertion(() => Assert.Equal(3, page.FindAll("[data-alert]").Count), Wait);
        foreach (var (id, count) in expected)
        {
            Assert.Equal(count.ToString(System.Globalization.CultureInfo.InvariantCulture), page.Find($"[data-figure={id}]").GetAttribute("data-value"));
            Assert.Equal($"alerts?state={id}&range=1h", page.Find($"[data-figure-link={id}]").GetAttribute("href"));
        }

        Assert.Equal(["firing", "firing", "pending"], page.FindAll("[data-alert]").Select(r => r.GetAttribute("data-state")));
        Assert.Equal(["critical", "warning", "warning"], page.FindAll("[data-alert] [data-severity]").Select(r => r.TextContent));
        Assert.Contains("alert-severity-critical", page.Find("[data-alert] [data-severity]").ClassList);
        Assert.Equal("Orders error rate", page.Find("[data-alert] [data-open-alert]").TextContent);
        Assert.Equal($"alerts/alert?rule=orders-errors&labels={Uri.EscapeDataString(firing.LabelsKey)}&range=1h",
            page.Find("[data-alert] [data-open-alert]").GetAttribute("href"));
        Assert.Equal($"functions/{Account}/{Region}/orders-api?range=1h", page.Find("[data-alert] [data-function-link]").GetAttribute("href"));
        Assert.Contains("alice", page.FindAll("[data-alert]")[1].QuerySelector("[data-acknowledged]")!.TextContent, StringComparison.Ordinal);
        Assert.Contains("function=checkout", page.FindAll("[data-alert]")[2].QuerySelector("[data-silenced]")!.TextContent, StringComparison.Ordinal);
        Assert.Equal([resolved.LabelsKey], page.FindAll("[data-resolved]").Select(r => r.GetAttribute("data-labels")));
        Assert.Equal(["s1"], page.FindAll("[data-silence-row]").Select(r => r.GetAttribute("data-silence-row")));
        Assert.Contains("covers 1 open alert", page.Find("[data-silence-row] [data-covers]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Alerts_StateAndSeverityInTheAddress_FilterAndCountEachFacetUnderTheOther()
    {
        await CommitAsync(_store.Store,
        [
            Instance("orders-errors", "orders-api", AlertStatus.Firing, _now.AddMinutes(-30), severity: "critical"),
            Instance("slow", "billing", AlertStatus.Firing, _now.AddMinutes(-20)),
            Instance("slow", "checkout", AlertStatus.Pending, _now.AddMinutes(-2)),
        ]);

        var page = RenderAt("/alerts?state=firing&severity=warning");

        page.WaitForAssertion(() => Assert.Equal(["billing"], Functions(page)), Wait);
        Assert.Equal("1", page.Find("[data-facet=state] [data-value=firing]").GetAttribute("data-count"));
        Assert.Equal("1", page.Find("[data-facet=state] [data-value=pending]").GetAttribute("data-count"));
        Assert.Equal("1", page.Find("[data-facet=severity] [data-value=critical]").GetAttribute("data-count"));
        Assert.Equal("1", page.Find("[data-facet=severity] [data-value=warning]").GetAttribute("data-count"));
        Assert.Equal("alerts?severity=warning", page.Find("[data-facet=state] [data-value=firing]").GetAttribute("href"));

        Services.GetRequiredService<NavigationManager>().NavigateTo("/alerts?q=ORDERS");
        page.WaitForAssertion(() => Assert.Equal(["orders-api"], Functions(page)), Wait);

        Services.GetRequiredService<NavigationManager>().NavigateTo("/alerts?state=burning");
        page.WaitForAssertion(() => Assert.Contains("state: \"burning\" is not one of firing, pending, acknowledged, silenced.",
            page.Find("[data-testid=address-error]").TextContent, StringComparison.Ordinal), Wait);
    }

    [Fact]
    public async Task Alerts_GroupFromANotificationLink_ShowsThatGroupsAlertsAndSaysWhenNoneIsLeft()
    {
        // orders-errors groups by rule and account, so the two accounts are two groups.
        await CommitAsync(_store.Store,
        [
            Instance("orders-errors", "orders-api", AlertStatus.Firing, _now.AddMinutes(-30), severity: "critical"),
            Instance("orders-errors", "orders-worker", AlertStatus.Firing, _now.AddMinutes(-25), severity: "critical"),
            Instance("orders-errors", "orders-api", AlertStatus.Firing, _now.AddMinutes(-25), account: Other, severity: "critical"),
            Instance("slow", "orders-api", AlertStatus.Firing, _now.AddMinutes(-20)),
        ]);

        var page = RenderAt($"/alerts?group={Uri.EscapeDataString($"rule=orders-errors,account={Account}")}");

        page.WaitForAssertion(() => Assert.Equal(["orders-api", "orders-worker"], Functions(page).Order()), Wait);
        Assert.All(page.FindAll("[data-alert] [data-account]"), a => Assert.Equal(Account, a.TextContent));
        Assert.Empty(page.FindAll("[data-testid=group-empty]"));

        Services.GetRequiredService<NavigationManager>().NavigateTo($"/alerts?group={Uri.EscapeDataString("rule=orders-errors,account=999999999999")}");
        page.WaitForAssertion(() => Assert.Contains("No firing or pending alert is left in the notification group rule=orders-errors,account=999999999999",
            page.Find("[data-testid=group-empty]").TextContent, StringComparison.Ordinal), Wait);
        Assert.Empty(page.FindAll("[data-alert]"));
    }

    [Fact]
    public async Task Alerts_Acknowledge_WritesTheActorToTheStoreAndTheHistory()
    {
        var alert = Instance("slow", "billing", AlertStatus.Firing, _now.AddMinutes(-20));
        await CommitAsync(_store.Store, [alert]);
        var page = RenderAt("/alerts");
        page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-alert] [data-acknowledge]")), Wait);

        await ClickAsync(page, "[data-alert] [data-acknowledge]");

        var stored = Assert.Single(await _store.Store.GetAlertInstancesAsync(null, CancellationToken.None));
        Assert.Equal((AlertStatus.Firing, "test admin"), (stored.Status, stored.AcknowledgedBy));
        var history = await _store.Store.GetAlertHistoryAsync("slow", alert.LabelsKey, 10, CancellationToken.None);
        Assert.Equal("test admin", Assert.Single(history).Actor);
        page.WaitForAssertion(() => Assert.Contains("it still resolves on its own", page.Find("[data-testid=action-message]").TextContent, StringComparison.Ordinal), Wait);
        page.WaitForAssertion(() => Assert.Empty(page.FindAll("[data-alert] [data-acknowledge]")), Wait);
        Assert.Equal("1", page.Find("[data-figure=acknowledged]").GetAttribute("data-value"));
    }

    [Fact]
    public async Task Alerts_SilenceLikeThisThenCreate_StoresTheSilenceWithTheAlertsLabels()
    {
        var alert = Instance("slow", "billing", AlertStatus.Firing, _now.AddMinutes(-20));
        await CommitAsync(_store.Store, [alert]);
        var page = RenderAt("/alerts");
        page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-alert]")), Wait);

        await ClickAsync(page, "[data-alert] [data-silence-like]");
        page.WaitForAssertion(() => Assert.Contains("function=billing", page.Find("[data-testid=silence-form] textarea").GetAttribute("value") ?? page.Find("[data-testid=silence-form] textarea").TextContent, StringComparison.Ordinal), Wait);
        page.FindAll("[data-testid=silence-form] input")[1].Input("maintenance window");
        await ClickAsync(page, "[data-testid=create-silence]");

        var silence = Assert.Single(await _store.Store.GetSilencesAsync(DateTimeOffset.UtcNow, CancellationToken.None));
        Assert.Equal(alert.Labels.OrderBy(l => l.Key), silence.Matchers.OrderBy(l => l.Key));
        Assert.Equal(("maintenance window", "test admin"), (silence.Comment, silence.CreatedBy));
        Assert.InRange(silence.EndsAt - silence.StartsAt, TimeSpan.FromHours(2) - TimeSpan.FromSeconds(1), TimeSpan.FromHours(2) + TimeSpan.FromSeconds(1));
        page.WaitForAssertion(() => Assert.Equal("1", page.Find("[data-figure=silenced]").GetAttribute("data-value")), Wait);
    }

    [Fact]
    public async Task Alerts_SilenceFormWithProblems_SaysWhichFieldAndStoresNothing()
    {
        var page = RenderAt("/alerts");
        page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-testid=create-silence]")), Wait);

        page.Find("[data-testid=silence-form] textarea").Input("function=\n=orders");
        page.FindAll("[data-testid=silence-form] input")[0].Input("2020-01-01 10:00");
        await ClickAsync(page, "[data-testid=create-silence]");

        page.WaitForAssertion(() => Assert.Equal(
            [
                "matchers, line 1: the value of 'function' is empty (use * to match any value)",
                "matchers, line 2: the label before '=' is empty",
                "ends: 2020-01-01 10:00 UTC is in the past; the silence would end before it starts",
                "comment: say why the alerts are silenced; it is required, so whoever finds the silence knows whether it may end",
            ],
            page.FindAll("[data-silence-error]").Select(e => e.TextContent)), Wait);
        Assert.Empty(await _store.Store.GetSilencesEndingAfterAsync(DateTimeOffset.UtcNow.AddDays(-1), CancellationToken.None));
    }

    [Fact]
    public async Task Alerts_ExpireSilence_EndsItInTheStoreWithWhoDid()
    {
        await _store.Store.UpsertSilenceAsync(new Silence
        {
            Id = "s1", Matchers = new Dictionary<string, string> { ["function"] = "checkout" },
            StartsAt = _now.AddMinutes(-5), EndsAt = _now.AddHours(1), CreatedBy = "bob", Comment = "deploying",
        }, CancellationToken.None);
        var page = RenderAt("/alerts");
        page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-silence-row] [data-expire]")), Wait);

        await ClickAsync(page, "[data-silence-row] [data-expire]");

        Assert.Empty(await _store.Store.GetSilencesAsync(DateTimeOffset.UtcNow, CancellationToken.None));
        var ended = Assert.Single(await _store.Store.GetSilencesEndingAfterAsync(_now.AddHours(-1), CancellationToken.None));
        Assert.Equal("test admin", ended.ExpiredBy);
        page.WaitForAssertion(() => Assert.Equal("false", page.Find("[data-silence-row]").GetAttribute("data-active")), Wait);
        Assert.Empty(page.FindAll("[data-silence-row] [data-expire]"));
    }

    [Fact]
    public async Task Alerts_HostileLabelRuleNameAndComment_RenderedAsText()
    {
        await _store.Store.UpsertAlertRuleAsync(Rule("evil", "Rule " + Hostile), CancellationToken.None);
        await CommitAsync(_store.Store, [Instance("evil", "fn" + Hostile, AlertStatus.Firing, _now.AddMinutes(-3))]);
        await _store.Store.UpsertSilenceAsync(new Silence
        {
            Id = "s1", Matchers = new Dictionary<string, string> { ["function"] = "x" + Hostile },
            StartsAt = _now.AddMinutes(-5), EndsAt = _now.AddHours(1), CreatedBy = "bob" + Hostile, Comment = "why " + Hostile,
        }, CancellationToken.None);

        var page = RenderAt("/alerts");

        page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-alert]")), Wait);
        Assert.Empty(page.FindAll(".alerts-page script, .alerts-page img"));
        Assert.Equal("Rule " + Hostile, page.Find("[data-alert] [data-open-alert]").TextContent);
        Assert.Equal("fn" + Hostile, page.Find("[data-alert] [data-function-link]").TextContent);
        Assert.Equal("why " + Hostile, page.Find("[data-silence-row] [data-comment]").TextContent);
        Assert.Equal("bob" + Hostile, page.Find("[data-silence-row] [data-created-by]").TextContent);
    }

    [Fact]
    public async Task AlertHistory_TransitionsAndNotificationsOfThatAlertOnly()
    {
        var alert = Instance("orders-errors", "orders-api", AlertStatus.Firing, _now.AddMinutes(-30), severity: "critical");
        var other = Instance("orders-errors", "orders-worker", AlertStatus.Firing, _now.AddMinutes(-30), severity: "critical");
        var group = $"rule=orders-errors,account={Account}";
        await CommitAsync(_store.Store, [alert, other],
            [
                Transition(alert, null, AlertStatus.Pending, _now.AddMinutes(-30)),
                Transition(alert, AlertStatus.Pending, AlertStatus.Firing, _now.AddMinutes(-25)),
                Transition(other, null, AlertStatus.Firing, _now.AddMinutes(-30)),
            ],
            [Notification("n1", group, _now.AddMinutes(-24), alert, other), Notification("n2", group, _now.AddMinutes(-10), other)]);
        await _store.Store.AcknowledgeAlertAsync("orders-errors", alert.LabelsKey, "alice" + Hostile, _now, CancellationToken.None);

        Services.GetRequiredService<NavigationManager>().NavigateTo(
            $"/alerts/alert?rule=orders-errors&labels={Uri.EscapeDataString(alert.LabelsKey)}");
        var page = Render<AlertsDetail>();

        page.WaitForAssertion(() => Assert.Equal(3, page.FindAll("[data-transition]").Count), Wait);
        Assert.Equal("Orders error rate", page.Find("[data-testid=alert-rule]").TextContent);
        Assert.Equal(["acknowledged", "firing", "pending"], page.FindAll("[data-transition] [data-to]").Select(t => t.TextContent));
        Assert.Equal(["firing", "pending", "–"], page.FindAll("[data-transition] [data-from]").Select(t => t.TextContent));
        Assert.Equal(["alice" + Hostile, "evaluator", "evaluator"], page.FindAll("[data-transition] [data-actor]").Select(t => t.TextContent));
        Assert.Equal(["n1"], page.FindAll("[data-notification]").Select(n => n.GetAttribute("data-notification")));
        Assert.Equal($"alerts?group={Uri.EscapeDataString(group)}", page.Find("[data-testid=alert-group]").GetAttribute("href"));
        Assert.Empty(page.FindAll("[data-testid=alert-history] script, [data-testid=alert-history] img"));
    }

    [Fact]
    public async Task FunctionAlerts_OnTheDetailPage_ListsTheFunctionsOpenAndResolvedAlertsWithLinks()
    {
        await CommitAsync(_store.Store,
        [
            Instance("orders-errors", "orders-api", AlertStatus.Firing, _now.AddMinutes(-30), severity: "critical"),
            Instance("slow", "orders-api", AlertStatus.Resolved, _now.AddHours(-2), resolvedAt: _now.AddMinutes(-5)),
            Instance("slow", "billing", AlertStatus.Firing, _now.AddMinutes(-20)),
        ]);
        var function = new FunctionKey(Account, Region, "orders-api");
        Services.GetRequiredService<NavigationManager>().NavigateTo($"/functions/{Account}/{Region}/orders-api?range=1h");

        var section = Render<FunctionAlerts>(p => p
            .Add(c => c.Function, function)
            .Add(c => c.Range, new TimeRange(_now.AddHours(-1), _now)));

        section.WaitForAssertion(() => Assert.Equal(["firing", "resolved"], section.FindAll("[data-function-alert]").Select(r => r.GetAttribute("data-state"))), Wait);
        Assert.Equal($"alerts?function=orders-api&account={Account}&region={Region}&range=1h", section.Find("[data-testid=function-alerts-link]").GetAttribute("href"));
        Assert.StartsWith("alerts/alert?rule=orders-errors&labels=", section.Find("[data-open-alert]").GetAttribute("href"), StringComparison.Ordinal);
    }

    private IRenderedComponent<Alerts> RenderAt(string uri)
    {
        Services.GetRequiredService<NavigationManager>().NavigateTo(uri);
        return Render<Alerts>();
    }

    private static IEnumerable<string> Functions(IRenderedComponent<Alerts> page) =>
        page.FindAll("[data-alert] [data-function-link]").Select(a => a.TextContent).ToList();

    /// <summary>
    /// Clicks the element <paramref name="selector"/> finds. The page re-renders on its own (a store change, the refresh
    /// timer): a render between finding and clicking replaces the handler, so the element is found again, as bUnit advises.
    /// </summary>
    private static async Task ClickAsync<T>(IRenderedComponent<T> page, string selector)
        where T : IComponent
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await page.Find(selector).ClickAsync(new());
                return;
            }
            catch (Bunit.Rendering.UnknownEventHandlerIdException) when (attempt < 5)
            {
            }
        }
    }
}
