using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using Observe.Alerting.Console;
using Observe.Alerting.Hosting;
using Observe.Alerting.Rules;
using Observe.Alerting.Tests.Channels;
using Observe.Store;
using Observe.Store.Model;

namespace Observe.Alerting.Tests.Console;

/// <summary>
/// The dashboard's console over a real SQLite store and rules file, as <c>AddObserveAlerting</c> registers it: rules
/// validated by the file's parser, dashboard rules saved and deleted, file rules refused, channels masked, and a rule
/// saved from the dashboard behaving exactly as the same rule in the file.
/// </summary>
public sealed class AlertingConsoleTests : IAsyncLifetime
{
    private const string Account = "111111111111";
    private const string Region = "eu-west-1";
    private const string WebhookSecret = "whsec-0123456789abcdef0123456789abcdef";
    private const string SlackPath = "T0SECRET/B0SECRET/SLACKTOKEN123456789";
    private const string RoutingKey = "R0UTINGKEY0123456789ABCDEFGHIJKL";
    private const string SmtpPassword = "smtp-password-not-for-your-eyes";

    private const string GoodRule = """
        # Paged when a collector fails: every other rule there is blind meanwhile.
        id: collectors-down
        name: Collector down
        description: A collector failed on an account and region.
        condition: collector_failing
        severity: critical
        channels: [hook]
        """;

    private readonly List<IHost> _hosts = [];
    private readonly List<string> _directories = [];

    [Fact]
    public async Task BadRule_UnknownMetricBadDurationUnknownChannel_ErrorsNameTheFields_NothingWritten_StoredRulesKeepWorking()
    {
        var host = await BuildAsync();
        var console = host.Services.GetRequiredService<IAlertingConsole>();
        Assert.True((await console.SaveRuleAsync(null, GoodRule, "alice", default)).Succeeded);

        const string bad = """
            id: bad-one
            name: Bad
            condition: error_rat > 5%
            for: 5 minutes
            channels: [nowhere]
            """;
        var errors = await console.ValidateAsync(null, bad, default);
        Assert.Equal(["condition", "for", "channels[0]"], errors.Select(e => e.Field));
        Assert.Contains("unknown metric 'error_rat'", errors[0].Message, StringComparison.Ordinal);
        Assert.Contains("'5 minutes' is not a duration", errors[1].Message, StringComparison.Ordinal);
        Assert.Contains("unknown channel 'nowhere' (configured: hook, mail, oncall, team-chat)", errors[2].Message, StringComparison.Ordinal);

        var saved = await console.SaveRuleAsync(null, bad, "alice", default);
        Assert.False(saved.Succeeded);
        Assert.Equal(errors.Select(e => e.ToString()), saved.Errors.Select(e => e.ToString()));

        // The same bad text over the good rule: refused, and the good rule is untouched and still evaluated.
        var over = await console.SaveRuleAsync("collectors-down", bad.Replace("bad-one", "collectors-down", StringComparison.Ordinal), "alice", default);
        Assert.Contains(over.Errors, e => e.Field == "condition");
        var stored = Assert.Single(await host.Services.GetRequiredService<IAlertRuleReader>().GetAlertRulesAsync(default));
        Assert.Equal(GoodRule, stored.Document);
        var active = await host.Services.GetRequiredService<AlertRuleSource>().GetRulesAsync(default);
        Assert.Equal(["collectors-down"], active.Rules.Select(r => r.Id));
        Assert.Empty(active.Problems);
    }

    [Fact]
    public async Task SaveCreatesThenChanges_KeepsTheAuthorsText_RefusesADuplicateOrAChangedId_Deletes()
    {
        var host = await BuildAsync();
        var console = host.Services.GetRequiredService<IAlertingConsole>();

        var created = await console.SaveRuleAsync(null, GoodRule, "alice", default);
        Assert.True(created.Succeeded);
        Assert.Equal("collectors-down", created.RuleId);
        var again = await console.SaveRuleAsync(null, GoodRule, "bob", default);
        Assert.Equal("id", Assert.Single(again.Errors).Field);
        Assert.Contains("already a dashboard rule", again.Errors[0].Message, StringComparison.Ordinal);

        var changed = GoodRule.Replace("severity: critical", "severity: warning\nfor: 10m", StringComparison.Ordinal);
        Assert.True((await console.SaveRuleAsync("collectors-down", changed, "bob", default)).Succeeded);
        var view = Assert.Single((await console.GetRulesAsync(default)).Rules);
        Assert.Equal(("dashboard", false, "warning", "10m", "bob"), (view.Source, view.ReadOnly, view.Severity, view.For, view.UpdatedBy));
        Assert.Equal(changed, view.Document);
        Assert.Equal("collector_failing", view.Condition);
        Assert.Equal("every function", view.Scope);
        Assert.Equal(["hook"], view.Channels);

        var renamed = await console.SaveRuleAsync("collectors-down", changed.Replace("id: collectors-down", "id: other", StringComparison.Ordinal), "bob", default);
        Assert.Contains("a saved rule keeps its id", Assert.Single(renamed.Errors).Message, StringComparison.Ordinal);

        Assert.True((await console.DeleteRuleAsync("collectors-down", "bob", default)).Succeeded);
        Assert.Empty((await console.GetRulesAsync(default)).Rules);
        Assert.False((await console.DeleteRuleAsync("collectors-down", "bob", default)).Succeeded);
    }

    [Fact]
    public async Task Disable_WritesEnabledFalseKeepingComments_TheEvaluatorLeavesItOut_EnableBringsItBack()
    {
        var host = await BuildAsync();
        var console = host.Services.GetRequiredService<IAlertingConsole>();
        await console.SaveRuleAsync(null, GoodRule, "alice", default);

        Assert.True((await console.SetRuleEnabledAsync("collectors-down", false, "bob", default)).Succeeded);
        var stored = Assert.Single(await host.Services.GetRequiredService<IAlertRuleReader>().GetAlertRulesAsync(default));
        Assert.StartsWith("# Paged when a collector fails", stored.Document, StringComparison.Ordinal);
        Assert.EndsWith("enabled: false\n", stored.Document, StringComparison.Ordinal);
        Assert.False(stored.Enabled);
        Assert.Equal("bob", stored.UpdatedBy);
        Assert.Empty((await host.Services.GetRequiredService<AlertRuleSource>().GetRulesAsync(default)).Rules);

        Assert.True((await console.SetRuleEnabledAsync("collectors-down", true, "bob", default)).Succeeded);
        stored = Assert.Single(await host.Services.GetRequiredService<IAlertRuleReader>().GetAlertRulesAsync(default));
        Assert.EndsWith("enabled: true\n", stored.Document, StringComparison.Ordinal);
        Assert.Single((await host.Services.GetRequiredService<AlertRuleSource>().GetRulesAsync(default)).Rules);
    }

    [Fact]
    public async Task FileRule_ListedReadOnlyWithItsPath_EditDeleteDisableAndItsIdRefused_NamingTheFile()
    {
        var (file, directory) = RulesFile("rules:\n" + Indent(GoodRule) + "  - id: broken\n    name: Broken\n    condition: p99 > 1s\n");
        var host = await BuildAsync(file);
        await host.Services.GetRequiredService<RulesFileLoader>().ReloadAsync(default);
        var console = host.Services.GetRequiredService<IAlertingConsole>();

        var rules = await console.GetRulesAsync(default);
        var view = Assert.Single(rules.Rules);
        Assert.Equal(("collectors-down", file, true, "Collector down"), (view.Id, view.Source, view.ReadOnly, view.Name));
        Assert.Equal(file, rules.RulesFilePath);
        var problem = Assert.Single(rules.Problems);
        Assert.Equal(("broken", file), (problem.RuleId, problem.Source));
        Assert.StartsWith("rules[1].condition: unknown metric 'p99'", problem.Message, StringComparison.Ordinal);

        foreach (var refused in new[]
        {
            await console.SaveRuleAsync("collectors-down", GoodRule, "alice", default),
            await console.SaveRuleAsync(null, GoodRule, "alice", default),
            await console.DeleteRuleAsync("collectors-down", "alice", default),
            await console.SetRuleEnabledAsync("collectors-down", false, "alice", default),
        })
        {
            var error = Assert.Single(refused.Errors);
            Assert.Equal("id", error.Field);
            Assert.Contains($"rules file {file}", error.Message, StringComparison.Ordinal);
        }

        Assert.Contains("change it in that file", (await console.DeleteRuleAsync("collectors-down", "alice", default)).Errors[0].Message, StringComparison.Ordinal);
        Assert.Empty(await host.Services.GetRequiredService<IAlertRuleReader>().GetAlertRulesAsync(default));
        Assert.True(Directory.Exists(directory));
    }

    [Fact]
    public async Task Channels_KindAndDestinationMasked_NoSecretInClear()
    {
        var host = await BuildAsync();
        var channels = host.Services.GetRequiredService<IAlertingConsole>().Channels;

        Assert.Equal(["hook", "mail", "oncall", "team-chat"], channels.Select(c => c.Id));
        Assert.Equal(["webhook", "email", "pagerduty", "slack"], channels.Select(c => c.Kind));
        var shown = string.Join("\n", channels.Select(c => c.Destination));
        foreach (var secret in new[] { WebhookSecret, SlackPath, "SLACKTOKEN", "B0SECRET", RoutingKey, SmtpPassword })
        {
            Assert.DoesNotContain(secret, shown, StringComparison.Ordinal);
        }

        Assert.Contains("https://hooks.slack.com/services/T0…/****", shown, StringComparison.Ordinal);
        Assert.Contains("routing key R0UT…****", shown, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Templates_AreValidNewRules()
    {
        var host = await BuildAsync();
        var console = host.Services.GetRequiredService<IAlertingConsole>();

        Assert.Equal(DefaultRules.All.Count, console.Templates.Count);
        foreach (var template in console.Templates)
        {
            Assert.Empty(await console.ValidateAsync(null, template.Document, default));
            Assert.StartsWith("id: my-", template.Document, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task SameRuleFromTheDashboardAndFromTheFile_SameInstancesAndNotifications()
    {
        var start = new DateTimeOffset(2026, 12, 4, 12, 0, 0, TimeSpan.Zero);
        var fromDashboard = await BuildAsync(time: new FakeTimeProvider(start));
        Assert.True((await fromDashboard.Services.GetRequiredService<IAlertingConsole>().SaveRuleAsync(null, GoodRule, "alice", default)).Succeeded);

        var (file, _) = RulesFile("rules:\n" + Indent(GoodRule));
        var fromFile = await BuildAsync(file, new FakeTimeProvider(start));
        await fromFile.Services.GetRequiredService<RulesFileLoader>().ReloadAsync(default);
        Assert.Equal(file, Assert.Single((await fromFile.Services.GetRequiredService<IAlertingConsole>().GetRulesAsync(default)).Rules).Source);

        var outcomes = new List<string>();
        foreach (var host in new[] { fromDashboard, fromFile })
        {
            var store = host.Services.GetRequiredService<IObserveStore>();
            await store.UpsertCollectorStatusAsync(new CollectorStatus
            {
                Collector = "metrics", AccountId = Account, Region = Region, ConsecutiveFailures = 3,
                LastError = "AccessDenied", LastFailure = start.AddMinutes(-1), UpdatedAt = start.AddMinutes(-1),
            }, default);
            await store.UpsertCollectorStatusAsync(new CollectorStatus
            {
                Collector = "logs", AccountId = Account, Region = Region, LastSuccess = start.AddMinutes(-1), UpdatedAt = start.AddMinutes(-1),
            }, default);

            var lease = await store.TryAcquireLeaseAsync(AlertingHost.LeaseName, "test", TimeSpan.FromMinutes(5), start, default);
            var evaluator = host.Services.GetServices<IHostedService>().OfType<AlertingHost>().Single();
            Assert.True(await evaluator.EvaluateOnceAsync(lease!, default));

            var instances = await store.GetAlertInstancesAsync(null, default);
            var notifications = await store.GetNotificationsAsync(null, 100, default);
            Assert.Single(instances);
            Assert.Single(notifications);
            outcomes.Add(JsonSerializer.Serialize(new { instances, notifications }));
        }

        Assert.Equal(outcomes[0], outcomes[1]);
        Assert.Contains("\"Status\":1", outcomes[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task TestSend_QueuedThroughTheOutbox_TheDispatcherDeliversIt_TheAttemptIsLogged()
    {
        await using var receiver = new LocalReceiver();
        var host = await BuildAsync(webhook: receiver.At("/hook").ToString());
        await host.StartAsync();
        var console = host.Services.GetRequiredService<IAlertingConsole>();

        var id = await console.QueueTestSendAsync("hook", "alice", default);

        var request = (await receiver.NextAsync()).Json;
        Assert.True((bool?)request["test"]);
        Assert.Contains("alice sent this from the Channels page", request.ToJsonString(), StringComparison.Ordinal);
        var store = host.Services.GetRequiredService<IObserveStore>();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while ((await store.GetDeliveryAttemptsAsync(null, id, 10, default)) is not [{ Outcome: DeliveryOutcome.Delivered }])
        {
            Assert.True(DateTime.UtcNow < deadline, "the test send's attempt was never logged as delivered");
            await Task.Delay(20);
        }

        var notification = Assert.Single(await store.GetNotificationsAsync(null, 10, default), n => n.Id == id);
        Assert.Equal(("test", "hook", "sent"), (notification.Kind, notification.ChannelId, notification.Status));
        await Assert.ThrowsAsync<ArgumentException>(() => console.QueueTestSendAsync("nowhere", "alice", default));
    }

    private static string Indent(string rule)
    {
        var lines = rule.Split('\n');
        return string.Join("\n", lines.Select((l, i) => (i == 0 ? "  - " : "    ") + l)) + "\n";
    }

    private (string File, string Directory) RulesFile(string text)
    {
        var directory = Directory.CreateTempSubdirectory("observe-console-rules-").FullName;
        _directories.Add(directory);
        var file = Path.Combine(directory, "alert-rules.yaml");
        File.WriteAllText(file, text);
        return (file, directory);
    }

    /// <summary>A replica's services over a new SQLite store, not started (the tests drive it) unless a test starts it.</summary>
    private async Task<IHost> BuildAsync(string? rulesFile = null, TimeProvider? time = null, string? webhook = null)
    {
        var directory = Directory.CreateTempSubdirectory("observe-console-").FullName;
        _directories.Add(directory);
        var settings = new Dictionary<string, string?>
        {
            ["Observe:Store:Kind"] = "Sqlite",
            ["Observe:Store:DataDirectory"] = directory,
            ["Observe:Alerting:GroupWait"] = "00:00:00",
            ["Observe:Alerting:LeaseDuration"] = "00:00:03",
            ["Observe:Alerting:Delivery:PollInterval"] = "00:00:00.1",
            ["Observe:Alerting:RulesFile:Path"] = rulesFile,
            ["Observe:Alerting:Channels:hook:Kind"] = "webhook",
            ["Observe:Alerting:Channels:hook:WebhookUrl"] = webhook ?? "https://hooks.example.com/observe/in",
            ["Observe:Alerting:Channels:hook:Secret"] = WebhookSecret,
            ["Observe:Alerting:Channels:team-chat:Kind"] = "slack",
            ["Observe:Alerting:Channels:team-chat:WebhookUrl"] = "https://hooks.slack.com/services/" + SlackPath,
            ["Observe:Alerting:Channels:oncall:Kind"] = "pagerduty",
            ["Observe:Alerting:Channels:oncall:RoutingKey"] = RoutingKey,
            ["Observe:Alerting:Channels:mail:Kind"] = "email",
            ["Observe:Alerting:Channels:mail:Host"] = "smtp.example.com",
            ["Observe:Alerting:Channels:mail:Username"] = "observe",
            ["Observe:Alerting:Channels:mail:Password"] = SmtpPassword,
            ["Observe:Alerting:Channels:mail:From"] = "alerts@example.com",
            ["Observe:Alerting:Channels:mail:To:0"] = "oncall@example.com",
        };
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddLogging();
        if (time is not null)
        {
            builder.Services.AddSingleton(time);
        }

        builder.Services.AddObserveStore(builder.Configuration);
        builder.Services.AddObserveAlerting(builder.Configuration);
        var host = builder.Build();
        _hosts.Add(host);
        await host.Services.GetRequiredService<IObserveStore>().MigrateAsync(default);
        return host;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            await host.StopAsync();
            host.Dispose();
        }

        foreach (var directory in _directories)
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
