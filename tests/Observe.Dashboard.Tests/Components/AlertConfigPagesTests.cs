using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Observe.Alerting;
using Observe.Alerting.Console;
using Observe.Dashboard.Components.Pages;
using Observe.Dashboard.Configuration;
using Observe.Dashboard.Model;
using Observe.Dashboard.Tests.Hosting;
using Observe.Store;
using Observe.Store.Model;

namespace Observe.Dashboard.Tests.Components;

/// <summary>
/// The Rules page, the rule editor and the Channels page over a real SQLite store and the real alerting console
/// (AddObserveAlerting with channels and a rules file): what they list, what they save, and hostile text and secrets.
/// </summary>
public sealed class AlertConfigPagesTests : MudContext
{
    private const string Script = "<script>alert('x')</script>";
    private const string WebhookSecret = "whsec-0123456789abcdef0123456789abcdef";
    private const string SlackToken = "XOXB9SECRETTOKEN12345678";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private readonly CountingTimeProvider _time = new();
    private TestStore _store = null!;
    private string _rulesFile = null!;

    public override async Task InitializeAsync()
    {
        _store = await TestStore.CreateAsync();
        _rulesFile = Path.Combine(_store.Directory.Path, "alert-rules.yaml");
    }

    protected override ValueTask DisposeResourcesAsync() => _store.DisposeAsync();

    [Fact]
    public async Task Rules_DashboardAndFileRules_SourceReadOnlyAndProblemsByField_HostileTextAsText()
    {
        await File.WriteAllTextAsync(_rulesFile, $"""
            rules:
              - id: file-throttles
                name: Throttled ({Script})
                condition: throttles > 0
                channels: [hook]
              - id: file-broken
                name: Broken
                condition: error_rate > 5%
                for: soon
            """);
        var console = await SetUpAsync();
        Assert.True((await console.SaveRuleAsync(null, $"""
            id: dash-errors
            name: "Errors {Script}"
            description: "Caught {Script}"
            condition: error_rate > 5%
            severity: critical
            keep_firing_for: 10m
            channels: [hook, chat]
            """, "alice", default)).Succeeded);

        var page = Render<AlertRules>();

        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("[data-rule]").Count), Wait);
        var dashboard = page.Find("[data-rule='dash-errors']");
        Assert.Equal("false", dashboard.GetAttribute("data-read-only"));
        Assert.Equal($"Errors {Script}", dashboard.QuerySelector("a.rule-name")!.TextContent);
        Assert.Equal("alerts/rules/dash-errors", dashboard.QuerySelector("a.rule-name")!.GetAttribute("href"));
        Assert.Contains("Dashboard", dashboard.TextContent, StringComparison.Ordinal);
        Assert.Contains("by alice", dashboard.TextContent, StringComparison.Ordinal);
        Assert.Contains("error_rate > 5%", dashboard.TextContent, StringComparison.Ordinal);
        Assert.Contains("at once; keeps firing 10m", dashboard.TextContent, StringComparison.Ordinal);
        Assert.Contains("hook, chat", dashboard.TextContent, StringComparison.Ordinal);
        Assert.Contains("every function", dashboard.TextContent, StringComparison.Ordinal);
        var file = page.Find("[data-rule='file-throttles']");
        Assert.Equal("true", file.GetAttribute("data-read-only"));
        Assert.Contains(_rulesFile, file.TextContent, StringComparison.Ordinal);
        Assert.Empty(file.QuerySelectorAll("[data-testid=toggle-enabled]"));
        Assert.Single(dashboard.QuerySelectorAll("[data-testid=toggle-enabled]"));

        var problem = page.Find("[data-problem='file-broken']");
        Assert.Contains("rules[1].for: 'soon' is not a duration", problem.TextContent, StringComparison.Ordinal);
        Assert.Equal(_rulesFile, page.Find("[data-testid=rules-file-path]").TextContent);

        // Hostile names and descriptions are text: never an element.
        Assert.Empty(page.FindAll("script"));
        Assert.DoesNotContain(Script, page.Markup, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;", page.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rules_Disable_WritesThroughTheActionsAsTheActor_RowShowsDisabled()
    {
        var console = await SetUpAsync();
        await console.SaveRuleAsync(null, "id: r1\nname: R1\ncondition: throttles > 0\n", "alice", default);
        var page = Render<AlertRules>();
        page.WaitForAssertion(() => Assert.Equal("true", page.Find("[data-rule='r1']").GetAttribute("data-enabled")), Wait);

        await page.Find("[data-rule='r1'] [data-testid=toggle-enabled]").ClickAsync(new());

        page.WaitForAssertion(() => Assert.Equal("disabled", page.Find("[data-rule='r1'] [data-state]").GetAttribute("data-state")), Wait);
        var stored = Assert.Single(await _store.Store.GetAlertRulesAsync(default));
        Assert.False(stored.Enabled);
        Assert.Equal("test admin", stored.UpdatedBy);
    }

    [Fact]
    public async Task Rules_NoneAnywhere_SaysHowToAddOne()
    {
        await SetUpAsync(rulesFile: false);
        var page = Render<AlertRules>();
        page.WaitForAssertion(() => Assert.Contains("Observe:Alerting:RulesFile:Path", page.Find("[data-testid=no-rules]").TextContent, StringComparison.Ordinal), Wait);
    }

    [Fact]
    public async Task Editor_NewRule_ErrorsByFieldAsTyped_SaveDisabledUntilValid_ThenSaved()
    {
        await SetUpAsync();
        var page = Render<AlertRuleEditor>();
        page.WaitForAssertion(() => Assert.Equal("true", page.Find("[data-testid=rule-status]").GetAttribute("data-valid")), Wait);
        Assert.Contains("id: my-rule", page.Find("textarea").GetAttribute("value"), StringComparison.Ordinal);

        page.Find("textarea").Input("id: new-one\nname: New\ncondition: error_rat > 5%\nfor: 5 minutes\nchannels: [nowhere]\n");

        page.WaitForAssertion(() => Assert.Equal(["condition", "for", "channels[0]"], page.FindAll("[data-field]").Select(e => e.GetAttribute("data-field"))), Wait);
        Assert.Contains("unknown metric 'error_rat'", page.Find("[data-field=condition]").TextContent, StringComparison.Ordinal);
        Assert.True(page.Find("[data-testid=save-rule]").HasAttribute("disabled"));

        page.Find("textarea").Input("id: new-one\nname: New\ncondition: error_rate > 5%\nfor: 5m\nchannels: [hook]\n");
        page.WaitForAssertion(() => Assert.False(page.Find("[data-testid=save-rule]").HasAttribute("disabled")), Wait);
        await page.Find("[data-testid=save-rule]").ClickAsync(new());

        var stored = Assert.Single(await _store.Store.GetAlertRulesAsync(default));
        Assert.Equal(("new-one", "test admin"), (stored.Id, stored.UpdatedBy));
        Assert.EndsWith("alerts/rules?saved=new-one", Services.GetRequiredService<NavigationManager>().Uri, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Editor_FromATemplate_StartsFromItsDocument()
    {
        var console = await SetUpAsync();
        Services.GetRequiredService<NavigationManager>().NavigateTo("alerts/rules/new?template=1");
        var page = Render<AlertRuleEditor>();
        page.WaitForAssertion(() => Assert.Equal(console.Templates[1].Document, page.Find("textarea").GetAttribute("value")), Wait);
        Assert.Equal("selected", page.Find($"a[href='alerts/rules/new?template=1']").GetAttribute("class"));
    }

    [Fact]
    public async Task Editor_FileRule_ReadOnlyWithItsFileAndNoSave()
    {
        await File.WriteAllTextAsync(_rulesFile, "rules:\n  - id: file-rule\n    name: From the file\n    condition: timeouts > 0\n");
        await SetUpAsync();

        var page = Render<AlertRuleEditor>(p => p.Add(e => e.RuleId, "file-rule"));

        page.WaitForAssertion(() => Assert.Equal(_rulesFile, page.Find("[data-testid=rule-file]").TextContent), Wait);
        Assert.Contains("change it in that file", page.Find("[data-testid=read-only-note]").TextContent, StringComparison.Ordinal);
        Assert.True(page.Find("textarea").HasAttribute("readonly"));
        Assert.Empty(page.FindAll("[data-testid=save-rule]"));
        Assert.Empty(page.FindAll("[data-testid=delete-rule]"));
    }

    [Fact]
    public async Task Editor_Delete_AsksFirst_ThenDeletes()
    {
        var console = await SetUpAsync();
        await console.SaveRuleAsync(null, "id: gone\nname: Gone\ncondition: throttles > 0\n", "alice", default);
        var page = Render<AlertRuleEditor>(p => p.Add(e => e.RuleId, "gone"));
        page.WaitForAssertion(() => page.Find("[data-testid=delete-rule]"), Wait);

        await page.Find("[data-testid=delete-rule]").ClickAsync(new());
        Assert.Contains("Delete rule 'gone'?", page.Find("[data-testid=delete-confirm]").TextContent, StringComparison.Ordinal);
        Assert.Single(await _store.Store.GetAlertRulesAsync(default));
        await page.Find("[data-testid=delete-confirmed]").ClickAsync(new());

        Assert.Empty(await _store.Store.GetAlertRulesAsync(default));
        Assert.EndsWith("alerts/rules?deleted=gone", Services.GetRequiredService<NavigationManager>().Uri, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Channels_MaskedNoSecret_LogWithHostileErrorAsText_CutOffMayHaveBeenDelivered_FiltersByOutcome()
    {
        await SetUpAsync();
        var now = DateTimeOffset.UtcNow;
        var past = now.AddHours(-1);
        var lease = (await _store.Store.TryAcquireLeaseAsync("alerting", "test", TimeSpan.FromMinutes(1), past, default))!;
        await Queue("n-ok", "hook", past);
        await Queue("n-bad", "hook", past);
        await Queue("n-cut", "chat", past);
        var ok = (await _store.Store.BeginDeliveryAsync("n-ok", lease, past, default))!;
        await _store.Store.CompleteDeliveryAsync(ok with { FinishedAt = past.AddMilliseconds(42), Outcome = DeliveryOutcome.Delivered, StatusCode = 200 }, null, lease, default);
        var bad = (await _store.Store.BeginDeliveryAsync("n-bad", lease, past.AddSeconds(1), default))!;
        await _store.Store.CompleteDeliveryAsync(bad with { FinishedAt = past.AddSeconds(2), Outcome = DeliveryOutcome.Permanent, StatusCode = 400, Error = "HTTP 400: " + Script }, null, lease, default);
        await _store.Store.BeginDeliveryAsync("n-cut", lease, past.AddSeconds(3), default);

        var page = Render<AlertChannels>();

        page.WaitForAssertion(() => Assert.Equal(3, page.FindAll("[data-attempt]").Count), Wait);
        Assert.Equal(["chat", "hook"], page.FindAll("[data-channel]").Select(r => r.GetAttribute("data-channel")));
        Assert.Contains("hooks.slack.com", page.Find("[data-channel=chat] [data-destination]").TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain(WebhookSecret, page.Markup, StringComparison.Ordinal);
        Assert.DoesNotContain(SlackToken, page.Markup, StringComparison.Ordinal);
        Assert.Equal("1", page.Find("[data-channel=hook] [data-failed]").GetAttribute("data-failed"));
        Assert.Contains("HTTP 400", page.Find("[data-channel=hook] [data-last-error]").TextContent, StringComparison.Ordinal);

        Assert.Equal(["n-cut/1", "n-bad/1", "n-ok/1"], page.FindAll("[data-attempt]").Select(r => r.GetAttribute("data-attempt")));
        var cut = page.Find("[data-attempt='n-cut/1']");
        Assert.Equal(nameof(DeliveryLogOutcome.MayHaveBeenDelivered), cut.GetAttribute("data-outcome"));
        Assert.Contains("may have been delivered", cut.TextContent, StringComparison.Ordinal);
        var failed = page.Find("[data-attempt='n-bad/1']");
        Assert.Contains("Failed, not retried", failed.TextContent, StringComparison.Ordinal);
        Assert.Equal($"HTTP 400: {Script}", failed.QuerySelector("[data-error]")!.TextContent);
        Assert.Contains("42 ms", page.Find("[data-attempt='n-ok/1']").TextContent, StringComparison.Ordinal);
        Assert.Empty(page.FindAll("script"));
        Assert.DoesNotContain(Script, page.Markup, StringComparison.Ordinal);

        Services.GetRequiredService<NavigationManager>().NavigateTo("alerts/channels?outcome=failed");
        page = Render<AlertChannels>();
        page.WaitForAssertion(() => Assert.Equal(["n-bad/1"], page.FindAll("[data-attempt]").Select(r => r.GetAttribute("data-attempt"))), Wait);
        Services.GetRequiredService<NavigationManager>().NavigateTo("alerts/channels?channel=chat&outcome=delivered");
        page = Render<AlertChannels>();
        page.WaitForAssertion(() => Assert.Contains("channel 'chat' and outcome 'Delivered'", page.Find("[data-testid=no-matching-deliveries]").TextContent, StringComparison.Ordinal), Wait);
    }

    [Fact]
    public async Task Channels_TestSend_QueuedThenTheAttemptsResultWhenTheSenderLogsIt()
    {
        await SetUpAsync();
        var page = Render<AlertChannels>();
        page.WaitForAssertion(() => page.Find("[data-channel=hook] [data-testid=test-send]"), Wait);

        await page.Find("[data-channel=hook] [data-testid=test-send]").ClickAsync(new());
        page.WaitForAssertion(() => Assert.Equal("queued", page.Find("[data-channel=hook] [data-testid=test-result]").GetAttribute("data-outcome")), Wait);
        var queued = Assert.Single(await _store.Store.GetNotificationsAsync("pending", 10, default));
        Assert.Equal(("test", "hook"), (queued.Kind, queued.ChannelId));
        Assert.Contains("test admin", queued.Payload, StringComparison.Ordinal);

        // The sender's part, as the dispatcher does it: the page follows the store's change.
        var now = DateTimeOffset.UtcNow;
        var lease = (await _store.Store.TryAcquireLeaseAsync("alerting", "test", TimeSpan.FromMinutes(1), now, default))!;
        var attempt = (await _store.Store.BeginDeliveryAsync(queued.Id, lease, now, default))!;
        await _store.Store.CompleteDeliveryAsync(attempt with { FinishedAt = now.AddMilliseconds(15), Outcome = DeliveryOutcome.Delivered, StatusCode = 204 }, null, lease, default);

        page.WaitForAssertion(() => Assert.Equal("Test delivered (204) in 15 ms.", page.Find("[data-channel=hook] [data-testid=test-result]").TextContent), Wait);
    }

    [Fact]
    public async Task Channels_NoneConfigured_SaysWhereToConfigureOne()
    {
        await SetUpAsync(channels: false);
        var page = Render<AlertChannels>();
        page.WaitForAssertion(() => Assert.Contains("Observe:Alerting:Channels:<id>", page.Find("[data-testid=no-channels]").TextContent, StringComparison.Ordinal), Wait);
        Assert.NotNull(page.Find("[data-testid=no-deliveries]"));
    }

    private Task Queue(string id, string channel, DateTimeOffset at) => _store.Store.EnqueueNotificationAsync(new NotificationRecord
    {
        Id = id, ChannelId = channel, GroupKey = "g-" + id, ContentHash = id, CreatedAt = at, Kind = "firing", Payload = "{}", DedupKey = id, NextAttemptAt = at,
    }, default);

    /// <summary>The services the pages use: the store, the live data, and alerting registered as the dashboard does.</summary>
    private async Task<IAlertingConsole> SetUpAsync(bool channels = true, bool rulesFile = true)
    {
        var settings = new Dictionary<string, string?>();
        if (rulesFile)
        {
            settings["Observe:Alerting:RulesFile:Path"] = _rulesFile;
        }

        if (channels)
        {
            settings["Observe:Alerting:Channels:hook:Kind"] = "webhook";
            settings["Observe:Alerting:Channels:hook:WebhookUrl"] = "https://hooks.example.com/observe";
            settings["Observe:Alerting:Channels:hook:Secret"] = WebhookSecret;
            settings["Observe:Alerting:Channels:chat:Kind"] = "slack";
            settings["Observe:Alerting:Channels:chat:WebhookUrl"] = "https://hooks.slack.com/services/T000/B000/" + SlackToken;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        Services.AddSingleton<TimeProvider>(_time);
        Services.AddObserveStore(_store.Store);
        Services.AddSingleton(_store.Changes);
        Services.AddLiveData();
        Services.AddSingleton(Options.Create(new DashboardOptions { SlideInterval = TimeSpan.FromMilliseconds(200), RefreshThrottle = TimeSpan.FromMilliseconds(50) }));
        Services.AddObserveAlerting(configuration);
        var console = Services.GetRequiredService<IAlertingConsole>();
        if (File.Exists(_rulesFile))
        {
            // The rules file's reader, as the host starts it (the other hosted services stay stopped); it has read the
            // file once the console lists the file's rules or problems.
            await Services.GetServices<IHostedService>().Single(s => s.GetType().Name == "RulesFileLoader").StartAsync(default);
            var deadline = DateTime.UtcNow + Wait;
            while ((await console.GetRulesAsync(default)) is { Rules.Count: 0, Problems.Count: 0 })
            {
                Assert.True(DateTime.UtcNow < deadline, "the rules file was never read");
                await Task.Delay(10);
            }
        }

        return console;
    }
}
