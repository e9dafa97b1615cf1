using Observe.Alerting.Delivery;
using Observe.Alerting.Lifecycle;
using Observe.Alerting.Rules;
using Observe.Store.Model;
using static Observe.Alerting.Tests.Lifecycle.LifecycleFixtures;

namespace Observe.Alerting.Tests.Lifecycle;

public sealed class NotificationPlannerTests
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    private static NotificationPlan Plan(
        IReadOnlyList<AlertInstance> instances,
        DateTimeOffset now,
        IReadOnlyList<NotificationRecord>? latest = null,
        IReadOnlyList<Silence>? silences = null,
        IReadOnlyList<RuleDefinition>? rules = null,
        AlertingOptions? options = null) =>
        NotificationPlanner.Plan(instances, rules ?? [Rule()], silences ?? [], latest ?? [], now, options ?? Options());

    private static AlertMessage Message(NotificationRecord record) => AlertMessageJson.Deserialize(record.Payload);

    private static Silence Silence(Dictionary<string, string> matchers, DateTimeOffset starts, DateTimeOffset ends) =>
        new() { Id = "s1", Matchers = matchers, StartsAt = starts, EndsAt = ends, CreatedBy = "ana", Comment = "deploy" };

    [Fact]
    public void Plan_NewGroup_WaitsGroupWaitSoABurstGoesOutAsOne()
    {
        AlertInstance[] burst = [Firing("orders", T0), Firing("billing", T0 + (10 * Second))];

        Assert.Empty(Plan(burst, T0 + (29 * Second)).Notifications);
        var record = Assert.Single(Plan(burst, T0 + (30 * Second)).Notifications);

        Assert.Equal("firing", record.Kind);
        Assert.Equal("slack", record.ChannelId);
        Assert.Equal("rule=errors", record.GroupKey);
        Assert.Equal("pending", record.Status);
        Assert.Equal(T0 + (30 * Second), record.NextAttemptAt);
        var message = Message(record);
        Assert.Equal(AlertMessageStatus.Firing, message.Status);
        Assert.Equal([Key("billing"), Key("orders")], message.Alerts.Select(a => a.LabelsKey));
    }

    [Fact]
    public void Plan_PendingAlert_NotNotified()
    {
        var pending = Firing("orders", T0) with { Status = AlertStatus.Pending, FiredAt = null };

        Assert.Empty(Plan([pending], T0 + TimeSpan.FromHours(1)).Notifications);
    }

    [Fact]
    public void Plan_AlertJoinsASentGroup_ResentAfterGroupInterval()
    {
        var sent = Assert.Single(Plan([Firing("orders", T0)], T0 + (30 * Second)).Notifications);
        AlertInstance[] now = [Firing("orders", T0), Firing("billing", T0 + Minute)];

        Assert.Empty(Plan(now, sent.CreatedAt + (4 * Minute), [sent]).Notifications);
        var update = Assert.Single(Plan(now, sent.CreatedAt + (5 * Minute), [sent]).Notifications);

        Assert.Equal("firing", update.Kind);
        Assert.Equal(sent.DedupKey, update.DedupKey);
        Assert.NotEqual(sent.ContentHash, update.ContentHash);
        Assert.Equal(2, Message(update).Alerts.Count);
    }

    [Fact]
    public void Plan_UnchangedFiringGroup_RepeatedOnlyAfterRepeatInterval()
    {
        AlertInstance[] firing = [Firing("orders", T0)];
        var sent = Assert.Single(Plan(firing, T0 + (30 * Second)).Notifications);

        Assert.Empty(Plan(firing, sent.CreatedAt + TimeSpan.FromHours(4) - Second, [sent]).Notifications);
        var repeat = Assert.Single(Plan(firing, sent.CreatedAt + TimeSpan.FromHours(4), [sent]).Notifications);

        Assert.Equal("repeat", repeat.Kind);
        Assert.Equal(sent.ContentHash, repeat.ContentHash);
        Assert.StartsWith("Still firing: High error rate on orders", Message(repeat).Title, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_AllFiringAcknowledged_NoRepeat()
    {
        var sent = Assert.Single(Plan([Firing("orders", T0), Firing("billing", T0)], T0 + (30 * Second)).Notifications);
        var orders = Firing("orders", T0) with { AcknowledgedBy = "ana", AcknowledgedAt = T0 + Minute };
        var billing = Firing("billing", T0) with { AcknowledgedBy = "ben", AcknowledgedAt = T0 + Minute };
        var later = sent.CreatedAt + TimeSpan.FromHours(9);

        Assert.Empty(Plan([orders, billing], later, [sent]).Notifications);

        var repeat = Assert.Single(Plan([orders, Firing("billing", T0)], later, [sent]).Notifications);
        Assert.Equal("repeat", repeat.Kind);
        Assert.Equal(
            ["error rate 12% > 5%", "error rate 12% > 5% (acknowledged by ana)"],
            Message(repeat).Alerts.Select(a => a.Summary));
    }

    [Fact]
    public void Plan_AcknowledgedAlertResolves_ResolveStillSent()
    {
        var sent = Assert.Single(Plan([Firing("orders", T0)], T0 + (30 * Second)).Notifications);
        var resolved = Firing("orders", T0) with { Status = AlertStatus.Resolved, ResolvedAt = T0 + (6 * Minute) };

        var record = Assert.Single(Plan([resolved], T0 + (6 * Minute), [sent]).Notifications);

        Assert.Equal("resolved", record.Kind);
    }

    [Fact]
    public void Plan_SentAlertResolves_ResolveNotifiedOnce()
    {
        var sent = Assert.Single(Plan([Firing("orders", T0)], T0 + (30 * Second)).Notifications);
        var resolvedAt = T0 + (3 * Minute);
        var resolved = Firing("orders", T0) with { Status = AlertStatus.Resolved, ResolvedAt = resolvedAt, Summary = "error rate 1% <= 5%" };

        Assert.Empty(Plan([resolved], sent.CreatedAt + (4 * Minute), [sent]).Notifications);
        var resolve = Assert.Single(Plan([resolved], sent.CreatedAt + (5 * Minute), [sent]).Notifications);

        Assert.Equal("resolved", resolve.Kind);
        var message = Message(resolve);
        Assert.Equal(AlertMessageStatus.Resolved, message.Status);
        var item = Assert.Single(message.Alerts);
        Assert.Equal(AlertMessageStatus.Resolved, item.Status);
        Assert.Equal(resolvedAt, item.ResolvedAt);
        Assert.Equal("error rate 1% <= 5%", item.Summary);
        Assert.Empty(Plan([resolved], resolve.CreatedAt + TimeSpan.FromDays(1), [resolve]).Notifications);
    }

    [Fact]
    public void Plan_GroupEmptyAfterSend_ResolvePlannedFromTheSentPayload()
    {
        var sent = Assert.Single(Plan([Firing("orders", T0), Firing("billing", T0)], T0 + (30 * Second)).Notifications);

        var resolve = Assert.Single(Plan([], sent.CreatedAt + (5 * Minute), [sent]).Notifications);

        Assert.Equal("resolved", resolve.Kind);
        Assert.Equal(sent.DedupKey, resolve.DedupKey);
        var message = Message(resolve);
        Assert.Equal([Key("billing"), Key("orders")], message.Alerts.Select(a => a.LabelsKey));
        Assert.All(message.Alerts, a => Assert.Null(a.ResolvedAt));
        Assert.Equal("Resolved: High error rate on 2 alerts", message.Title);
    }

    [Fact]
    public void Plan_AlertResolvedBeforeItsGroupWasSent_NothingSent()
    {
        var resolved = Firing("orders", T0) with { Status = AlertStatus.Resolved, ResolvedAt = T0 + (10 * Second) };

        Assert.Empty(Plan([resolved], T0 + Minute).Notifications);
    }

    [Fact]
    public void Plan_PartOfGroupResolves_OneMessageWithBoth()
    {
        var sent = Assert.Single(Plan([Firing("orders", T0), Firing("billing", T0)], T0 + (30 * Second)).Notifications);
        var resolved = Firing("billing", T0) with { Status = AlertStatus.Resolved, ResolvedAt = T0 + Minute };

        var update = Assert.Single(Plan([Firing("orders", T0), resolved], sent.CreatedAt + (5 * Minute), [sent]).Notifications);

        Assert.Equal("firing", update.Kind);
        var message = Message(update);
        Assert.Equal(AlertMessageStatus.Firing, message.Status);
        Assert.Equal(
            [(Key("orders"), AlertMessageStatus.Firing), (Key("billing"), AlertMessageStatus.Resolved)],
            message.Alerts.Select(a => (a.LabelsKey, a.Status)));
        Assert.EndsWith(", 1 resolved", message.Title, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_ResolvedGroupFiresAgain_WaitsGroupIntervalAfterTheResolve()
    {
        var sent = Assert.Single(Plan([Firing("orders", T0)], T0 + (30 * Second)).Notifications);
        var resolve = Assert.Single(Plan([], sent.CreatedAt + (5 * Minute), [sent]).Notifications);
        var again = Firing("orders", resolve.CreatedAt + Second);

        Assert.Empty(Plan([again], resolve.CreatedAt + (4 * Minute), [resolve]).Notifications);
        Assert.Equal("firing", Assert.Single(Plan([again], resolve.CreatedAt + (5 * Minute), [resolve]).Notifications).Kind);
    }

    [Fact]
    public void Plan_ActiveSilence_SuppressesUntilItEnds()
    {
        var silence = Silence(new() { ["function"] = "orders" }, T0, T0 + TimeSpan.FromHours(1));
        AlertInstance[] firing = [Firing("orders", T0)];

        Assert.Empty(Plan(firing, T0 + (30 * Minute), silences: [silence]).Notifications);
        Assert.Single(Plan(firing, T0 + TimeSpan.FromHours(1), silences: [silence]).Notifications);
    }

    [Fact]
    public void Plan_GlobSilence_SuppressesOnlyMatchingFunctions()
    {
        var silence = Silence(new() { ["function"] = "orders-*", ["region"] = "eu-west-1" }, T0, T0 + TimeSpan.FromHours(1));

        var record = Assert.Single(Plan([Firing("orders-api", T0), Firing("orders-worker", T0), Firing("billing", T0)], T0 + Minute, silences: [silence]).Notifications);

        Assert.Equal([Key("billing")], Message(record).Alerts.Select(a => a.LabelsKey));
    }

    [Fact]
    public void Plan_SentAlertSilencedWhileFiring_NeitherResolvedNorRepeated()
    {
        var sent = Assert.Single(Plan([Firing("orders", T0)], T0 + (30 * Second)).Notifications);
        var silence = Silence(new() { ["function"] = "orders" }, T0 + Minute, T0 + TimeSpan.FromDays(1));

        Assert.Empty(Plan([Firing("orders", T0)], sent.CreatedAt + TimeSpan.FromHours(5), [sent], [silence]).Notifications);
    }

    [Fact]
    public void Plan_SentAlertSilencedThenResolved_ResolveStillSent()
    {
        var sent = Assert.Single(Plan([Firing("orders", T0)], T0 + (30 * Second)).Notifications);
        var silence = Silence(new() { ["function"] = "orders" }, T0 + Minute, T0 + TimeSpan.FromDays(1));
        var resolved = Firing("orders", T0) with { Status = AlertStatus.Resolved, ResolvedAt = T0 + (2 * Minute) };

        var record = Assert.Single(Plan([resolved], sent.CreatedAt + (5 * Minute), [sent], [silence]).Notifications);

        Assert.Equal("resolved", record.Kind);
    }

    [Fact]
    public void Plan_NoDataAlertWhileItsCollectorFails_Inhibited()
    {
        var collectorRule = Rule("collectors", signal: RuleSignal.CollectorFailing);
        var failing = new AlertInstance
        {
            RuleId = "collectors",
            LabelsKey = $"{Account}/{Region}/metrics",
            Labels = new Dictionary<string, string> { ["rule"] = "collectors", ["account"] = Account, ["region"] = Region, ["collector"] = "metrics" },
            Status = AlertStatus.Firing,
            ActiveSince = T0,
            FiredAt = T0,
        };
        AlertInstance NoData(string function, string region) => Firing(function, T0, region: region) with
        {
            LabelsKey = AlertLabels.NoDataKey(Key(function, region: region)),
            Labels = new Dictionary<string, string>(Labels(function, region: region)) { ["nodata"] = "true" },
        };
        var inhibited = NoData("orders", Region);
        var otherRegion = NoData("billing", "us-east-1");
        RuleDefinition[] rules = [Rule(), collectorRule];

        var plan = Plan([failing, inhibited, otherRegion, Firing("orders", T0)], T0 + Minute, rules: rules);

        var errors = Assert.Single(plan.Notifications, n => n.GroupKey == "rule=errors");
        Assert.Equal(
            [Key("orders"), AlertLabels.NoDataKey(Key("billing", region: "us-east-1"))],
            Message(errors).Alerts.Select(a => a.LabelsKey).Order(StringComparer.Ordinal));
        Assert.Single(plan.Notifications, n => n.GroupKey == "rule=collectors");

        var pendingFailure = failing with { Status = AlertStatus.Pending, FiredAt = null };
        var withoutFailure = Plan([pendingFailure, inhibited], T0 + Minute, rules: rules);
        Assert.Equal(inhibited.LabelsKey, Assert.Single(Message(Assert.Single(withoutFailure.Notifications)).Alerts).LabelsKey);
    }

    [Fact]
    public void Plan_TwoChannels_OneRecordEachWithItsOwnDedupKey()
    {
        var plan = Plan([Firing("orders", T0)], T0 + Minute, rules: [Rule(channels: ["slack", "pagerduty", "slack"])]);

        Assert.Equal(["pagerduty", "slack"], plan.Notifications.Select(n => n.ChannelId));
        Assert.All(plan.Notifications, n => Assert.Equal("rule=errors", n.GroupKey));
        Assert.NotEqual(plan.Notifications[0].DedupKey, plan.Notifications[1].DedupKey);
        Assert.NotEqual(plan.Notifications[0].Id, plan.Notifications[1].Id);
    }

    [Fact]
    public void Plan_GroupByAccount_AGroupPerAccount()
    {
        RuleDefinition[] rules = [Rule(groupBy: ["rule", "account"])];

        var plan = Plan([Firing("orders", T0), Firing("orders", T0, account: "999988887777"), Firing("billing", T0)], T0 + Minute, rules: rules);

        Assert.Equal(["rule=errors,account=111122223333", "rule=errors,account=999988887777"], plan.Notifications.Select(n => n.GroupKey));
        Assert.Equal(2, Message(plan.Notifications[0]).Alerts.Count);
    }

    [Fact]
    public void Plan_RulesGroupingByTheSameLabels_ShareAGroup()
    {
        RuleDefinition[] rules = [Rule(groupBy: ["account"]), Rule("throttles", groupBy: ["account"], severity: AlertSeverity.Critical)];

        var record = Assert.Single(Plan([Firing("orders", T0), Firing("billing", T0, rule: "throttles")], T0 + Minute, rules: rules).Notifications);

        var message = Message(record);
        Assert.Equal(AlertSeverity.Critical, message.Severity);
        Assert.Equal("Firing: 2 alerts (account=111122223333)", message.Title);
    }

    [Fact]
    public void Plan_Message_SaysWhatHowBadSinceWhenForWhichFunctionsWithLinks()
    {
        RuleDefinition[] rules = [Rule(severity: AlertSeverity.Critical)];

        var record = Assert.Single(Plan([Firing("orders-api", T0)], T0 + Minute, rules: rules).Notifications);

        var message = Message(record);
        Assert.Equal("Firing: High error rate on orders-api (111122223333, eu-west-1)", message.Title);
        Assert.Equal(AlertSeverity.Critical, message.Severity);
        Assert.Equal(T0, message.Since);
        Assert.Equal("Firing since 2026-12-04 10:00 UTC: High error rate on orders-api (111122223333, eu-west-1): error rate 12% > 5%", message.Description);
        Assert.Equal(record.DedupKey, message.DedupKey);
        Assert.Equal(new Uri("https://observe.example.com/base/alerts?group=rule%3Derrors"), message.Link);
        Assert.Equal(new Uri("https://observe.example.com/base/functions/111122223333/eu-west-1/orders-api"), Assert.Single(message.Alerts).Link);
        Assert.Contains("\"status\":\"Firing\"", record.Payload, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_LargeGroup_DescriptionShortenedItemsComplete()
    {
        var firing = Enumerable.Range(0, 25).Select(i => Firing($"fn-{i:D2}", T0)).ToList();

        var message = Message(Assert.Single(Plan(firing, T0 + Minute).Notifications));

        Assert.Equal(25, message.Alerts.Count);
        var lines = message.Description.Split('\n');
        Assert.Equal(21, lines.Length);
        Assert.Equal("and 5 more on the Alerts page", lines[^1]);
    }

    [Fact]
    public void Plan_NoPublicBaseUrl_MessagesWithoutLinks()
    {
        var record = Assert.Single(Plan([Firing("orders", T0)], T0 + Minute, options: new AlertingOptions()).Notifications);

        var message = Message(record);
        Assert.Null(message.Link);
        Assert.Null(Assert.Single(message.Alerts).Link);
    }

    [Fact]
    public void Plan_UnreadablePreviousPayload_ReportedAndTheGroupSentAfresh()
    {
        var sent = Assert.Single(Plan([Firing("orders", T0)], T0 + (30 * Second)).Notifications) with { Payload = "{not json" };

        var plan = Plan([Firing("orders", T0)], sent.CreatedAt + (5 * Minute), [sent]);

        var problem = Assert.Single(plan.Problems);
        Assert.Contains($"Notification '{sent.Id}'", problem, StringComparison.Ordinal);
        Assert.Contains("unreadable payload", problem, StringComparison.Ordinal);
        Assert.Equal("firing", Assert.Single(plan.Notifications).Kind);
    }

    [Fact]
    public void Plan_SameInputs_SameRecords()
    {
        AlertInstance[] firing = [Firing("orders", T0), Firing("billing", T0)];

        var first = Assert.Single(Plan(firing, T0 + Minute).Notifications);
        var second = Assert.Single(Plan([.. firing.Reverse()], T0 + Minute).Notifications);

        Assert.Equal(first, second);
    }

    [Fact]
    public void Plan_InstanceOfAnUnknownRule_NotNotified()
    {
        Assert.Empty(Plan([Firing("orders", T0, rule: "deleted")], T0 + Minute).Notifications);
    }

    [Fact]
    public void ItemLink_ErrorAlarmAndCollectorSignals_LinkTheirPages()
    {
        var root = new Uri("https://observe.example.com/");

        Assert.Equal(new Uri("https://observe.example.com/errors/ab%2Fcd"), AlertMessageBuilder.ItemLink(root, new Dictionary<string, string> { ["fingerprint"] = "ab/cd", ["function"] = "orders" }));
        Assert.Equal(new Uri("https://observe.example.com/alarms/arn%3Aaws%3Acloudwatch%3Aeu-west-1%3A1%3Aalarm%3Ahigh"), AlertMessageBuilder.ItemLink(root, new Dictionary<string, string> { ["alarm"] = "arn:aws:cloudwatch:eu-west-1:1:alarm:high" }));
        Assert.Equal(new Uri("https://observe.example.com/alarms"), AlertMessageBuilder.ItemLink(root, new Dictionary<string, string> { ["alarm"] = "high" }));
        Assert.Equal(new Uri("https://observe.example.com/collectors"), AlertMessageBuilder.ItemLink(root, new Dictionary<string, string> { ["collector"] = "metrics" }));
        Assert.Null(AlertMessageBuilder.ItemLink(root, new Dictionary<string, string> { ["rule"] = "x" }));
    }
}
