using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Observe.Dashboard.Tests.Hosting;
using Observe.Store;
using Observe.Store.Model;
using Xunit.Abstractions;
using static Observe.Dashboard.Tests.Components.AlertsSeed;

namespace Observe.Dashboard.Tests.Browser;

/// <summary>
/// The Alerts page in Chromium: in both themes and widths over seeded alerts (the screenshots), and over a store of its own (alert state seeded as an evaluation commit writes it, the
/// evaluator off so nothing else changes it): load, filter, open a history, acknowledge, create and expire silences,
/// and all of it still there after a restart.
/// </summary>
public sealed class AlertsBrowserTests(AlertsFixture chromium, ITestOutputHelper output) : IClassFixture<AlertsFixture>
{
    private const float Timeout = 15_000;

    [Theory]
    [InlineData(DashboardThemes.Light, 1440)]
    [InlineData(DashboardThemes.Dark, 1440)]
    [InlineData(DashboardThemes.Light, 390)]
    [InlineData(DashboardThemes.Dark, 390)]
    public async Task Alerts_InThemeAndWidth_PageAndHistoryNoWiderThanTheScreen(string theme, int width)
    {
        var page = await ThemedPages.OpenAsync(chromium.Host.Browser, chromium.Host.BaseUrl, "/alerts?range=6h", theme, width);
        await page.Locator("[data-alert]").First.WaitForAsync(new() { Timeout = Timeout });
        output.WriteLine($"screenshot: {await ThemedPages.ScreenshotAsync(page, $"alerts-{theme}-{width}.png", fullPage: width < 600)}");

        await page.Locator("[data-alert] [data-open-alert]").First.ClickAsync();
        await page.Locator("[data-transition]").First.WaitForAsync(new() { Timeout = Timeout });
        output.WriteLine($"screenshot: {await ThemedPages.ScreenshotAsync(page, $"alert-history-{theme}-{width}.png", fullPage: width < 600)}");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Alerts_FilterHistoryAcknowledgeAndSilences_WrittenToTheStoreAndKeptAcrossARestart()
    {
        using var directory = new TempDirectory();
        var now = DateTimeOffset.UtcNow;
        var firing = Instance("orders-errors", "orders-api", AlertStatus.Firing, now.AddMinutes(-30), severity: "critical");
        var pending = Instance("slow", "checkout", AlertStatus.Pending, now.AddMinutes(-2));
        var firingLabels = firing.LabelsKey;

        await using (var first = await StartAsync(directory.Path))
        {
            var store = first.Services.GetRequiredService<IObserveStore>();
            await store.UpsertAlertRuleAsync(Rule("orders-errors", "Orders error rate", "[rule, account]", "critical"), CancellationToken.None);
            await store.UpsertAlertRuleAsync(Rule("slow", "Slow functions"), CancellationToken.None);
            await CommitAsync(store, [firing, pending],
                [Transition(firing, null, AlertStatus.Pending, now.AddMinutes(-30)), Transition(firing, AlertStatus.Pending, AlertStatus.Firing, now.AddMinutes(-25))]);
            await store.UpsertSilenceAsync(new Silence
            {
                Id = "s-old", Matchers = new Dictionary<string, string> { ["function"] = "checkout" },
                StartsAt = now.AddMinutes(-5), EndsAt = now.AddHours(1), CreatedBy = "bob", Comment = "deploying checkout",
            }, CancellationToken.None);

            var page = await OpenAsync(first, "/alerts?range=1h");
            await Assertions.Expect(page.Locator("[data-alert]")).ToHaveCountAsync(2, new() { Timeout = Timeout });
            Assert.Equal("1", await page.Locator("[data-figure=firing]").GetAttributeAsync("data-value"));
            Assert.Equal("1", await page.Locator("[data-figure=silenced]").GetAttributeAsync("data-value"));

            // Filter through the address: only the pending alert, and back.
            await page.Locator("[data-facet=state] [data-value=pending]").ClickAsync();
            await Assertions.Expect(page.Locator("[data-alert]")).ToHaveCountAsync(1, new() { Timeout = Timeout });
            Assert.Contains("state=pending", page.Url, StringComparison.Ordinal);
            await page.GoBackAsync();
            await Assertions.Expect(page.Locator("[data-alert]")).ToHaveCountAsync(2, new() { Timeout = Timeout });

            // The history is a real address.
            await page.Locator($"[data-alert][data-labels='{firingLabels}'] [data-open-alert]").ClickAsync();
            await Assertions.Expect(page.Locator("[data-transition]")).ToHaveCountAsync(2, new() { Timeout = Timeout });
            Assert.Contains("/alerts/alert?rule=orders-errors&labels=", page.Url, StringComparison.Ordinal);
            await page.GoBackAsync();

            // Acknowledge the firing alert.
            await page.Locator($"[data-alert][data-labels='{firingLabels}'] [data-acknowledge]").ClickAsync();
            await Assertions.Expect(page.Locator("[data-figure=acknowledged]")).ToHaveAttributeAsync("data-value", "1", new() { Timeout = Timeout });
            var acknowledged = (await store.GetAlertInstancesAsync(AlertStatus.Firing, CancellationToken.None)).Single();
            Assert.Equal(Observe.Dashboard.Auth.UnsecuredAuthenticationHandler.UserName, acknowledged.AcknowledgedBy);

            // A new silence for the firing alert's function; the old one expired.
            await page.Locator("[data-testid=silence-form] textarea").FillAsync("function=orders-api");
            await page.Locator("[data-testid=silence-form] input").Nth(0).FillAsync("3h");
            await page.Locator("[data-testid=silence-form] input").Nth(1).FillAsync("orders incident <b>42</b>");
            await page.Locator("[data-testid=create-silence]").ClickAsync();
            await Assertions.Expect(page.Locator("[data-silence-row][data-active=true]")).ToHaveCountAsync(2, new() { Timeout = Timeout });
            await page.Locator("[data-silence-row='s-old'] [data-expire]").ClickAsync();
            await Assertions.Expect(page.Locator("[data-silence-row='s-old']")).ToHaveAttributeAsync("data-active", "false", new() { Timeout = Timeout });
            var active = await store.GetSilencesAsync(DateTimeOffset.UtcNow, CancellationToken.None);
            Assert.Equal("orders incident <b>42</b>", Assert.Single(active).Comment);
            await page.Context.CloseAsync();
        }

        await using var second = await StartAsync(directory.Path);
        var again = await OpenAsync(second, "/alerts?range=1h");
        await Assertions.Expect(again.Locator("[data-figure=acknowledged]")).ToHaveAttributeAsync("data-value", "1", new() { Timeout = Timeout });
        await Assertions.Expect(again.Locator("[data-silence-row][data-active=true] [data-comment]")).ToHaveTextAsync("orders incident <b>42</b>");
        await Assertions.Expect(again.Locator("[data-silence-row='s-old']")).ToHaveAttributeAsync("data-active", "false");
        Assert.Equal(0, await again.Locator(".alerts-page b").CountAsync());
        Assert.Equal(Observe.Dashboard.Auth.UnsecuredAuthenticationHandler.UserName, await again.Locator($"[data-alert][data-labels='{firingLabels}'] [data-acknowledged] span").First.InnerTextAsync());
        await again.Context.CloseAsync();
    }

    private static async Task<WebApplication> StartAsync(string directory)
    {
        var app = DashboardHost.Build(directory, AlertsFixture.Settings);
        await app.StartDashboardAsync(CancellationToken.None);
        return app;
    }

    private async Task<IPage> OpenAsync(WebApplication app, string path) =>
        await ThemedPages.OpenInteractiveAsync(chromium.Host.Browser, new Uri(app.GetListeningUrls()[0], path).ToString());
}

/// <summary>
/// A dashboard with the alert evaluator off over seeded alerts: the evaluator deletes the alerts of rules it does not
/// run, so with it on, seeded alerts would vanish mid-screenshot. One firing critical (acknowledged), one firing under a
/// silence, one pending, one resolved, with their transitions.
/// </summary>
public sealed class AlertsFixture : IAsyncLifetime
{
    /// <summary>The demo and the evaluator off: the seeded alerts are the only ones, and nothing resolves them mid-test.</summary>
    public static Dictionary<string, string?> Settings => new()
    {
        ["Observe:Demo:Enabled"] = "false",
        ["Observe:Alerting:Enabled"] = "false",
        ["Observe:Dashboard:RefreshThrottle"] = "00:00:00.200",
    };

    internal BrowserDashboard Host { get; } = new();

    public async Task InitializeAsync()
    {
        Host.Build(Settings);
        await Host.StartDashboardAsync();
        await Host.LaunchChromiumAsync();

        var now = DateTimeOffset.UtcNow;
        var store = Host.App.Services.GetRequiredService<IObserveStore>();
        await store.UpsertAlertRuleAsync(Rule("orders-errors", "Orders error rate", "[rule, account]", "critical"), CancellationToken.None);
        await store.UpsertAlertRuleAsync(Rule("near-timeout", "p99 duration near the timeout"), CancellationToken.None);
        var alerts = new[]
        {
            Instance("orders-errors", "orders-api", AlertStatus.Firing, now.AddMinutes(-42), severity: "critical", value: 0.183),
            Instance("orders-errors", "payments-webhook", AlertStatus.Firing, now.AddMinutes(-12), severity: "critical", value: 0.071),
            Instance("near-timeout", "image-resizer", AlertStatus.Pending, now.AddMinutes(-3), value: 0.93),
            Instance("near-timeout", "checkout", AlertStatus.Firing, now.AddMinutes(-55), value: 0.97),
            Instance("near-timeout", "search", AlertStatus.Resolved, now.AddHours(-3), value: 0.4, resolvedAt: now.AddMinutes(-50)),
        };
        await CommitAsync(store, alerts, [.. alerts.SelectMany(a => a.Status == AlertStatus.Pending
            ? [Transition(a, null, AlertStatus.Pending, a.ActiveSince)]
            : new[] { Transition(a, null, AlertStatus.Pending, a.ActiveSince), Transition(a, AlertStatus.Pending, a.Status, a.ResolvedAt ?? a.ActiveSince.AddMinutes(5)) })]);
        await store.AcknowledgeAlertAsync("orders-errors", alerts[0].LabelsKey, "oncall-alice", now.AddMinutes(-30), CancellationToken.None);
        await store.UpsertSilenceAsync(new Silence
        {
            Id = "checkout-deploy", Matchers = new Dictionary<string, string> { ["function"] = "checkout" },
            StartsAt = now.AddMinutes(-20), EndsAt = now.AddHours(2), CreatedBy = "oncall-bob", Comment = "checkout deploy in progress",
        }, CancellationToken.None);
    }

    public Task DisposeAsync() => Host.DisposeAsync().AsTask();
}
