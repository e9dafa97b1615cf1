using Microsoft.Playwright;
using Observe.Alerting.Tests.Channels;
using Observe.Dashboard.Tests.Hosting;
using Xunit.Abstractions;

namespace Observe.Dashboard.Tests.Browser;

/// <summary>
/// The dashboard with a webhook channel pointing at a receiver on 127.0.0.1 started for the test, and a rules file
/// holding one rule; alerting runs as in production (this process holds the lease and sends).
/// </summary>
public sealed class AlertConfigFixture : IAsyncLifetime
{
    public const string FileRuleId = "file-timeouts";

    private readonly BrowserDashboard _host = new();
    private readonly TempDirectory _rules = new();

    internal LocalReceiver Receiver { get; } = new();

    public Uri BaseUrl => _host.BaseUrl;

    public IBrowser Browser => _host.Browser;

    public string RulesFile => Path.Combine(_rules.Path, "alert-rules.yaml");

    public async Task InitializeAsync()
    {
        await File.WriteAllTextAsync(RulesFile, $"rules:\n  - id: {FileRuleId}\n    name: Timeouts (from the team's file)\n    condition: timeouts > 0\n    channels: [hook]\n");
        _host.Build(new Dictionary<string, string?>
        {
            ["Observe:Dashboard:RefreshThrottle"] = "00:00:00.200",
            ["Observe:Alerting:RulesFile:Path"] = RulesFile,
            ["Observe:Alerting:Delivery:PollInterval"] = "00:00:00.200",
            ["Observe:Alerting:Channels:hook:Kind"] = "webhook",
            ["Observe:Alerting:Channels:hook:WebhookUrl"] = Receiver.At("/hook").ToString(),
            ["Observe:Alerting:Channels:hook:Secret"] = "browser-test-secret-0123456789abcdef0123",
        });
        await _host.StartDashboardAsync();
        await _host.LaunchChromiumAsync();
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await Receiver.DisposeAsync();
        _rules.Dispose();
    }
}

public sealed class AlertConfigBrowserTests(AlertConfigFixture dashboard, ITestOutputHelper output) : IClassFixture<AlertConfigFixture>
{
    private const float Timeout = 15_000;

    [Fact]
    public async Task NewRule_ErrorsShownAsTyped_SaveDisabled_FixedAndSaved_ThenListed()
    {
        var page = await ThemedPages.OpenInteractiveAsync(dashboard.Browser, new Uri(dashboard.BaseUrl, "/alerts/rules/new").ToString());
        var editor = page.Locator("[data-testid=rule-document]");
        await page.Locator("[data-testid=rule-valid]").WaitForAsync(new() { Timeout = Timeout });

        await editor.FillAsync("id: browser-rule\nname: Errors from the browser\ncondition: error_rat > 5%\nfor: later\n");
        await page.Locator("[data-field=condition]").WaitForAsync(new() { Timeout = Timeout });
        Assert.Contains("unknown metric 'error_rat'", await page.Locator("[data-field=condition]").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains("'later' is not a duration", await page.Locator("[data-field=for]").InnerTextAsync(), StringComparison.Ordinal);
        Assert.True(await page.Locator("[data-testid=save-rule]").IsDisabledAsync());

        await editor.FillAsync("id: browser-rule\nname: Errors from the browser\ncondition: error_rate > 5%\nfor: 5m\nchannels: [hook]\n");
        await page.Locator("[data-testid=rule-valid]").WaitForAsync(new() { Timeout = Timeout });
        await page.Locator("[data-testid=save-rule]:not([disabled])").ClickAsync(new() { Timeout = Timeout });

        await page.Locator("[data-rule=browser-rule]").WaitForAsync(new() { Timeout = Timeout });
        Assert.EndsWith("/alerts/rules?saved=browser-rule", page.Url, StringComparison.Ordinal);
        var row = page.Locator("[data-rule=browser-rule]");
        Assert.Equal("false", await row.GetAttributeAsync("data-read-only"));
        Assert.Contains("Errors from the browser", await row.InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains("after 5m", await row.InnerTextAsync(), StringComparison.Ordinal);
        output.WriteLine($"screenshot: {await ThemedPages.ScreenshotAsync(page, "alert-rules-saved.png", fullPage: false)}");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task FileRule_ListedReadOnly_OpensWithItsFileAndNoSave()
    {
        var page = await ThemedPages.OpenInteractiveAsync(dashboard.Browser, new Uri(dashboard.BaseUrl, "/alerts/rules").ToString());
        var row = page.Locator($"[data-rule={AlertConfigFixture.FileRuleId}]");
        await row.WaitForAsync(new() { Timeout = Timeout });
        Assert.Equal("true", await row.GetAttributeAsync("data-read-only"));
        Assert.Contains(dashboard.RulesFile, await row.InnerTextAsync(), StringComparison.Ordinal);

        await row.Locator("a.rule-name").ClickAsync();
        await page.Locator("[data-testid=read-only-note]").WaitForAsync(new() { Timeout = Timeout });
        Assert.EndsWith($"/alerts/rules/{AlertConfigFixture.FileRuleId}", page.Url, StringComparison.Ordinal);
        Assert.Equal(dashboard.RulesFile, await page.Locator("[data-testid=rule-file]").InnerTextAsync());
        Assert.True(await page.Locator("[data-testid=rule-document]").IsEditableAsync() is false);
        Assert.Equal(0, await page.Locator("[data-testid=save-rule]").CountAsync());
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task TestSend_WebhookReceivesIt_TheAttemptShowsInTheDeliveryLog()
    {
        var page = await ThemedPages.OpenInteractiveAsync(dashboard.Browser, new Uri(dashboard.BaseUrl, "/alerts/channels").ToString());
        var channel = page.Locator("[data-channel=hook]");
        await channel.WaitForAsync(new() { Timeout = Timeout });
        Assert.DoesNotContain("browser-test-secret", await page.ContentAsync(), StringComparison.Ordinal);

        await channel.Locator("[data-testid=test-send]").ClickAsync();

        var received = await dashboard.Receiver.NextAsync();
        Assert.True((bool?)received.Json["test"]);
        await channel.Locator("[data-testid=test-result][data-outcome=delivered]").WaitForAsync(new() { Timeout = Timeout });
        var logged = page.Locator("[data-testid=delivery-log] tr[data-outcome=Delivered]");
        await logged.First.WaitForAsync(new() { Timeout = Timeout });
        Assert.Contains("test", await logged.First.InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains("200", await logged.First.InnerTextAsync(), StringComparison.Ordinal);
        output.WriteLine($"screenshot: {await ThemedPages.ScreenshotAsync(page, "alert-channels-test-send.png", fullPage: false)}");
        await page.Context.CloseAsync();
    }
}
