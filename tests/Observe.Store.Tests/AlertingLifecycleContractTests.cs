using Observe.Store.Model;
using Observe.Store.Tests.Harness;

namespace Observe.Store.Tests;

/// <summary>
/// Schema version 17, on both engines: the alert lifecycle (the fenced evaluation commit, history, acknowledgement,
/// silence expiry), the notification outbox with its delivery log, and leases with fencing tokens.
/// </summary>
public abstract class AlertingLifecycleContractTests : StoreTestBase
{
    private const string AlertingLease = "alerting";
    private static readonly TimeSpan LeaseFor = TimeSpan.FromSeconds(30);

    // Rules, instances, notifications, silences: every field of version 17 round-trips

    [Fact]
    public async Task UpsertAlertRuleAsync_NewFields_RoundTrip()
    {
        var rule = new AlertRule
        {
            Id = "rule-1",
            Name = "Errors",
            Condition = "error_rate > 0.05",
            Channels = ["slack-ops"],
            UpdatedAt = T0,
            Description = "More than 5% of invocations fail.",
            Document = "name: Errors\ncondition: error_rate > 5%\nfor: 5m\nkeep_firing_for: 10m\n",
            KeepFiringFor = TimeSpan.FromMinutes(10),
            UpdatedBy = "ana",
        };
        await Store.UpsertAlertRuleAsync(rule, Ct);

        var read = Assert.Single(await Open(Location).GetAlertRulesAsync(Ct));

        Assert.Equal(rule with { Channels = read.Channels }, read);
        Assert.Equal(rule.Channels, read.Channels);
    }

    [Fact]
    public async Task CommitAlertEvaluationAsync_EveryNewField_RoundTrips()
    {
        var lease = await AcquireAsync("evaluator-a", T0);
        var instance = Instance("fn-orders", AlertStatus.Firing) with
        {
            Value = 0.12,
            Summary = "error rate 12% > 5%",
            Severity = "critical",
            FiredAt = T0.AddMinutes(-5),
            LastActiveAt = T0,
            UnknownSince = T0.AddMinutes(-1),
            AcknowledgedBy = "ana",
            AcknowledgedAt = T0.AddMinutes(-2),
        };
        var first = Transition("fn-orders", T0.AddMinutes(-10), null, AlertStatus.Pending);
        var second = Transition("fn-orders", T0.AddMinutes(-5), AlertStatus.Pending, AlertStatus.Firing) with { Value = 0.12, Summary = "error rate 12% > 5%" };
        var notification = Outbox("n-1", "slack-ops", "rule-1/orders", T0) with
        {
            Kind = "firing",
            Payload = """{"title":"Errors","items":[{"function":"orders"}]}""",
            DedupKey = "rule-1/orders/slack-ops",
            NextAttemptAt = T0.AddSeconds(30),
        };

        Assert.True(await Store.CommitAlertEvaluationAsync(
            new AlertEvaluationCommit { Lease = lease, At = T0, Instances = [instance], Transitions = [first, second], Notifications = [notification] }, Ct));

        var restarted = Open(Location);
        var read = Assert.Single(await restarted.GetAlertInstancesAsync(null, Ct));
        Assert.Equal(instance with { Labels = read.Labels }, read);
        Assert.Equal(instance.Labels, read.Labels);
        Assert.Equal([second, first], await restarted.GetAlertHistoryAsync("rule-1", "fn-orders", 10, Ct));
        Assert.Equal(notification, await restarted.GetLatestNotificationAsync("slack-ops", "rule-1/orders", Ct));

        var silence = new Silence { Id = "s-1", StartsAt = T0, EndsAt = T0.AddHours(1), ExpiredBy = "bob" };
        await Store.UpsertSilenceAsync(silence, Ct);
        Assert.Equal("bob", Assert.Single(await restarted.GetSilencesAsync(T0, Ct)).ExpiredBy);
    }

    // The evaluation commit: all or nothing, and only under the lease

    [Fact]
    public async Task CommitAlertEvaluationAsync_StaleToken_WritesNothingAndTheNewHolderWrites()
    {
        var stale = await AcquireAsync("evaluator-a", T0);
        var current = await AcquireAsync("evaluator-b", T0 + LeaseFor);

        var refused = await Store.CommitAlertEvaluationAsync(Commit(stale, T0.AddSeconds(10), "stale"), Ct);

        Assert.False(refused);
        Assert.Empty(await Store.GetAlertInstancesAsync(null, Ct));
        Assert.Empty(await Store.GetAlertHistoryAsync(null, null, 10, Ct));
        Assert.Empty(await Store.GetNotificationsAsync(null, 10, Ct));

        Assert.True(await Store.CommitAlertEvaluationAsync(Commit(current, T0 + LeaseFor + TimeSpan.FromSeconds(1), "current"), Ct));
        Assert.Equal("current", Assert.Single(await Store.GetAlertInstancesAsync(null, Ct)).LabelsKey);
    }

    [Fact]
    public async Task CommitAlertEvaluationAsync_LeaseExpiredAtTheCommitsTime_WritesNothing()
    {
        var lease = await AcquireAsync("evaluator-a", T0);

        Assert.False(await Store.CommitAlertEvaluationAsync(Commit(lease, T0 + LeaseFor, "late"), Ct));

        Assert.Empty(await Store.GetAlertInstancesAsync(null, Ct));
        Assert.True(await Store.CommitAlertEvaluationAsync(Commit(lease, T0 + LeaseFor - TimeSpan.FromMilliseconds(1), "in-time"), Ct));
    }

    [Fact]
    public async Task CommitAlertEvaluationAsync_AStatementFails_NothingOfTheCycleIsStored()
    {
        var lease = await AcquireAsync("evaluator-a", T0);
        await Store.UpsertAlertInstancesAsync([Instance("before", AlertStatus.Firing)], Ct);

        // The transition breaks a NOT NULL constraint after the delete and the instances were written.
        var broken = Commit(lease, T0, "new") with
        {
            Deletes = [("rule-1", "before")],
            Transitions = [Transition("new", T0, null, AlertStatus.Pending), Transition("new", T0, null, AlertStatus.Pending) with { RuleId = null! }],
        };
        await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => Store.CommitAlertEvaluationAsync(broken, Ct));

        Assert.Equal("before", Assert.Single(await Store.GetAlertInstancesAsync(null, Ct)).LabelsKey);
        Assert.Empty(await Store.GetAlertHistoryAsync(null, null, 10, Ct));
        Assert.Empty(await Store.GetNotificationsAsync(null, 10, Ct));
    }

    [Fact]
    public async Task CommitAlertEvaluationAsync_ReplayedAfterTheNotificationWasSent_DoesNotQueueItAgain()
    {
        var lease = await AcquireAsync("evaluator-a", T0);
        var commit = Commit(lease, T0, "fn-orders");
        Assert.True(await Store.CommitAlertEvaluationAsync(commit, Ct));
        var attempt = await Store.BeginDeliveryAsync("n-fn-orders", lease, T0, Ct);
        Assert.True(await Store.CompleteDeliveryAsync(Finished(attempt!, T0.AddSeconds(1), DeliveryOutcome.Delivered, 200), null, lease, Ct));

        Assert.True(await Store.CommitAlertEvaluationAsync(commit, Ct));

        Assert.Single(await Store.GetAlertHistoryAsync(null, null, 10, Ct));
        var notification = Assert.Single(await Store.GetNotificationsAsync(null, 10, Ct));
        Assert.Equal(("sent", 1, (DateTimeOffset?)T0.AddSeconds(1)), (notification.Status, notification.Attempts, notification.SentAt));
        Assert.Empty(await Store.GetDueNotificationsAsync("slack-ops", T0.AddHours(1), 10, Ct));
    }

    [Fact]
    public async Task CommitAlertEvaluationAsync_DeleteAndNewEpisodeOfTheSameLabels_DeletesFirst()
    {
        var lease = await AcquireAsync("evaluator-a", T0);
        await Store.UpsertAlertInstancesAsync([Instance("fn-orders", AlertStatus.Resolved) with { ResolvedAt = T0.AddDays(-1) }], Ct);

        var episode = Instance("fn-orders", AlertStatus.Pending) with { ActiveSince = T0 };
        Assert.True(await Store.CommitAlertEvaluationAsync(
            new AlertEvaluationCommit { Lease = lease, At = T0, Deletes = [("rule-1", "fn-orders")], Instances = [episode] }, Ct));

        var read = Assert.Single(await Store.GetAlertInstancesAsync(null, Ct));
        Assert.Equal((AlertStatus.Pending, T0, (DateTimeOffset?)null), (read.Status, read.ActiveSince, read.ResolvedAt));
    }

    // Acknowledgement and silence expiry record who did them

    [Fact]
    public async Task AcknowledgeAlertAsync_FiringInstance_RecordsWhoInTheInstanceAndItsHistory_FirstOneStands()
    {
        var lease = await AcquireAsync("evaluator-a", T0, TimeSpan.FromHours(1));
        var firing = Instance("fn-orders", AlertStatus.Firing) with { Value = 0.2, Summary = "error rate 20% > 5%" };
        await Store.UpsertAlertInstancesAsync([firing, Instance("fn-done", AlertStatus.Resolved) with { ResolvedAt = T0 }], Ct);

        var acknowledged = await Store.AcknowledgeAlertAsync("rule-1", "fn-orders", "ana", T0.AddMinutes(1), Ct);
        var again = await Store.AcknowledgeAlertAsync("rule-1", "fn-orders", "bob", T0.AddMinutes(2), Ct);

        Assert.Equal(("ana", (DateTimeOffset?)T0.AddMinutes(1)), (acknowledged!.AcknowledgedBy, acknowledged.AcknowledgedAt));
        Assert.Equal(("ana", (DateTimeOffset?)T0.AddMinutes(1)), (again!.AcknowledgedBy, again.AcknowledgedAt));
        Assert.Equal(
            [Transition("fn-orders", T0.AddMinutes(1), AlertStatus.Firing, AlertStatus.Firing) with { Value = 0.2, Summary = "error rate 20% > 5%", Actor = "ana" }],
            await Store.GetAlertHistoryAsync("rule-1", "fn-orders", 10, Ct));
        Assert.Null(await Store.AcknowledgeAlertAsync("rule-1", "fn-done", "ana", T0, Ct));
        Assert.Null(await Store.AcknowledgeAlertAsync("rule-1", "fn-unknown", "ana", T0, Ct));

        // The evaluator read the instance before the acknowledgement: its write keeps it; resolving clears it.
        Assert.True(await Store.CommitAlertEvaluationAsync(new AlertEvaluationCommit { Lease = lease, At = T0.AddMinutes(3), Instances = [firing with { Value = 0.3 }] }, Ct));
        var kept = Assert.Single(await Store.GetAlertInstancesAsync(AlertStatus.Firing, Ct));
        Assert.Equal(("ana", 0.3), (kept.AcknowledgedBy, kept.Value));
        Assert.True(await Store.CommitAlertEvaluationAsync(
            new AlertEvaluationCommit { Lease = lease, At = T0.AddMinutes(4), Instances = [firing with { Status = AlertStatus.Resolved, ResolvedAt = T0.AddMinutes(4) }] }, Ct));
        var resolved = (await Store.GetAlertInstancesAsync(AlertStatus.Resolved, Ct)).Single(i => i.LabelsKey == "fn-orders");
        Assert.Null(resolved.AcknowledgedBy);
        Assert.Null(resolved.AcknowledgedAt);
    }

    [Fact]
    public async Task ExpireSilenceAsync_ActiveSilence_EndsNowNamingWho_OthersUnchanged()
    {
        var silence = new Silence { Id = "s-active", StartsAt = T0.AddHours(-1), EndsAt = T0.AddHours(2), CreatedBy = "ana", Comment = "deploy" };
        await Store.UpsertSilenceAsync(silence, Ct);
        await Store.UpsertSilenceAsync(silence with { Id = "s-ended", StartsAt = T0.AddHours(-3), EndsAt = T0.AddHours(-2) }, Ct);
        await Store.UpsertSilenceAsync(silence with { Id = "s-later", StartsAt = T0.AddHours(5), EndsAt = T0.AddHours(6) }, Ct);

        var expired = await Store.ExpireSilenceAsync("s-active", "bob", T0, Ct);

        Assert.Equal(silence with { EndsAt = T0, ExpiredBy = "bob", Matchers = expired!.Matchers }, expired);
        Assert.Null(await Store.ExpireSilenceAsync("s-active", "bob", T0.AddMinutes(1), Ct));
        Assert.Null(await Store.ExpireSilenceAsync("s-ended", "bob", T0, Ct));
        Assert.Null(await Store.ExpireSilenceAsync("s-later", "bob", T0, Ct));
        Assert.Null(await Store.ExpireSilenceAsync("s-unknown", "bob", T0, Ct));
        Assert.Empty(await Store.GetSilencesAsync(T0, Ct));
        Assert.Equal(["s-active", "s-later"], (await Store.GetSilencesEndingAfterAsync(T0.AddMinutes(-1), Ct)).Select(s => s.Id));
        Assert.Equal(["s-ended", "s-active", "s-later"], (await Store.GetSilencesEndingAfterAsync(T0.AddHours(-2.5), Ct)).Select(s => s.Id));
    }

    [Fact]
    public async Task GetAlertHistoryAsync_ByInstanceRuleOrAll_NewestFirst()
    {
        var lease = await AcquireAsync("evaluator-a", T0);
        AlertTransition[] transitions =
        [
            Transition("fn-a", T0, null, AlertStatus.Pending),
            Transition("fn-b", T0.AddMinutes(1), null, AlertStatus.Pending),
            Transition("fn-a", T0.AddMinutes(2), AlertStatus.Pending, AlertStatus.Firing),
            Transition("fn-a", T0.AddMinutes(2), AlertStatus.Firing, AlertStatus.Resolved),
            Transition("fn-a", T0.AddMinutes(3), null, AlertStatus.Pending) with { RuleId = "rule-2" },
        ];
        Assert.True(await Store.CommitAlertEvaluationAsync(new AlertEvaluationCommit { Lease = lease, At = T0, Transitions = transitions }, Ct));

        Assert.Equal([transitions[3], transitions[2], transitions[0]], await Store.GetAlertHistoryAsync("rule-1", "fn-a", 10, Ct));
        Assert.Equal([transitions[3], transitions[2], transitions[1], transitions[0]], await Store.GetAlertHistoryAsync("rule-1", null, 10, Ct));
        Assert.Equal([transitions[4], transitions[3]], await Store.GetAlertHistoryAsync(null, null, 2, Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.GetAlertHistoryAsync(null, "fn-a", 10, Ct));
    }

    // Leases

    [Fact]
    public async Task TryAcquireLeaseAsync_AcquireRenewExpireTakeOverRelease_TokenGrowsOnlyWhenTaken()
    {
        var a = await Store.TryAcquireLeaseAsync(AlertingLease, "replica-a", LeaseFor, T0, Ct);
        Assert.Equal(new Lease(AlertingLease, "replica-a", 1, T0, T0 + LeaseFor), a);

        Assert.Null(await Store.TryAcquireLeaseAsync(AlertingLease, "replica-b", LeaseFor, T0.AddSeconds(29), Ct));
        var renewed = await Store.TryAcquireLeaseAsync(AlertingLease, "replica-a", LeaseFor, T0.AddSeconds(10), Ct);
        Assert.Equal(new Lease(AlertingLease, "replica-a", 1, T0, T0.AddSeconds(40)), renewed);

        // Expired: taken over with the next token; the old holder can neither renew nor take it back.
        var b = await Store.TryAcquireLeaseAsync(AlertingLease, "replica-b", LeaseFor, T0.AddSeconds(40), Ct);
        Assert.Equal(new Lease(AlertingLease, "replica-b", 2, T0.AddSeconds(40), T0.AddSeconds(70)), b);
        Assert.Null(await Store.TryAcquireLeaseAsync(AlertingLease, "replica-a", LeaseFor, T0.AddSeconds(41), Ct));

        // A holder taking its own lease back after it lapsed gets a new token: what it began under the old one is fenced.
        var retaken = await Store.TryAcquireLeaseAsync(AlertingLease, "replica-b", LeaseFor, T0.AddSeconds(75), Ct);
        Assert.Equal(new Lease(AlertingLease, "replica-b", 3, T0.AddSeconds(75), T0.AddSeconds(105)), retaken);

        // Releasing with a stale token changes nothing; with the current one frees the lease at once.
        await Store.ReleaseLeaseAsync(b!, Ct);
        Assert.Null(await Store.TryAcquireLeaseAsync(AlertingLease, "replica-a", LeaseFor, T0.AddSeconds(80), Ct));
        await Store.ReleaseLeaseAsync(retaken!, Ct);
        var c = await Store.TryAcquireLeaseAsync(AlertingLease, "replica-a", LeaseFor, T0.AddSeconds(80), Ct);
        Assert.Equal(new Lease(AlertingLease, "replica-a", 4, T0.AddSeconds(80), T0.AddSeconds(110)), c);
    }

    [Fact]
    public async Task GetLeasesAsync_ByPrefix_TakenLiterally()
    {
        await Store.TryAcquireLeaseAsync("collect/111111111111/eu-west-1/metrics", "worker-1", LeaseFor, T0, Ct);
        await Store.TryAcquireLeaseAsync("collect/111111111111/eu-west-1/logs", "worker-2", LeaseFor, T0, Ct);
        await Store.TryAcquireLeaseAsync("collect_x", "worker-2", LeaseFor, T0, Ct);
        await Store.TryAcquireLeaseAsync(AlertingLease, "replica-a", LeaseFor, T0, Ct);

        Assert.Equal(
            ["collect/111111111111/eu-west-1/logs", "collect/111111111111/eu-west-1/metrics"],
            (await Store.GetLeasesAsync("collect/", Ct)).Select(l => l.Name));
        Assert.Equal(["collect_x"], (await Store.GetLeasesAsync("collect_", Ct)).Select(l => l.Name));
        Assert.Equal(4, (await Store.GetLeasesAsync(null, Ct)).Count);
    }

    [Fact]
    public async Task TryAcquireLeaseAsync_ManyStoresRaceForAnExpiredLease_ExactlyOneWins()
    {
        const int Contenders = 8;
        var stores = Enumerable.Range(0, Contenders).Select(_ => Open(Location)).ToList();
        foreach (var store in stores)
        {
            // Each store opens its write connection before the race (a release that matches nothing), so the race is
            // between statements, not connects.
            await store.ReleaseLeaseAsync(new Lease(AlertingLease, "nobody", 0, T0, T0), Ct);
        }

        var now = T0;
        long token = 0;
        for (var round = 0; round < 5; round++)
        {
            // Round 0 races for a lease never taken (an insert), the others for the expired lease of the last winner.
            var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var attempts = stores.Select((store, i) => Task.Run(async () =>
            {
                await start.Task;
                return await store.TryAcquireLeaseAsync(AlertingLease, $"replica-{i}", LeaseFor, now, Ct);
            })).ToList();
            start.SetResult();
            var results = await Task.WhenAll(attempts);

            var winner = Assert.Single(results, r => r is not null)!;
            Assert.Equal(token + 1, winner.Token);
            Assert.Equal(winner, Assert.Single(await Store.GetLeasesAsync(AlertingLease, Ct)));
            token = winner.Token;
            now += LeaseFor;
        }
    }

    // The outbox

    [Fact]
    public async Task GetDueNotificationsAsync_DueNotDueAndBackoff()
    {
        var lease = await AcquireAsync("sender", T0, TimeSpan.FromHours(1));
        await Store.EnqueueNotificationAsync(Outbox("n-1", "slack-ops", "g-1", T0), Ct);
        await Store.EnqueueNotificationAsync(Outbox("n-2", "slack-ops", "g-2", T0.AddSeconds(1)) with { NextAttemptAt = T0.AddMinutes(5) }, Ct);
        await Store.EnqueueNotificationAsync(Outbox("n-3", "email", "g-1", T0.AddSeconds(-2)), Ct);
        await Store.UpsertNotificationAsync(Outbox("n-4", "pager", "g-1", T0) with { Status = "sent", SentAt = T0 }, Ct);

        Assert.Equal(["email", "slack-ops"], await Store.GetChannelsWithDueNotificationsAsync(T0, Ct));
        Assert.Equal(["n-1"], await DueIdsAsync("slack-ops", T0));

        // A 429: retried after its Retry-After, not before.
        var first = await Store.BeginDeliveryAsync("n-1", lease, T0, Ct);
        Assert.Equal(new DeliveryAttempt { NotificationId = "n-1", ChannelId = "slack-ops", Attempt = 1, StartedAt = T0 }, first);
        Assert.True(await Store.CompleteDeliveryAsync(
            Finished(first!, T0.AddSeconds(1), DeliveryOutcome.RetryScheduled, 429) with { Error = "429 Too Many Requests" }, T0.AddMinutes(2), lease, Ct));
        Assert.Empty(await DueIdsAsync("slack-ops", T0.AddMinutes(1)));
        Assert.Equal(["email"], await Store.GetChannelsWithDueNotificationsAsync(T0.AddMinutes(1), Ct));
        var waiting = Assert.Single(await Store.GetNotificationsAsync("pending", 10, Ct), n => n.Id == "n-1");
        Assert.Equal((1, "429 Too Many Requests", T0.AddMinutes(2)), (waiting.Attempts, waiting.LastError, waiting.NextAttemptAt));
        Assert.Null(await Store.BeginDeliveryAsync("n-1", lease, T0.AddMinutes(1), Ct));

        Assert.Equal(["n-1"], await DueIdsAsync("slack-ops", T0.AddMinutes(2)));
        var second = await Store.BeginDeliveryAsync("n-1", lease, T0.AddMinutes(2), Ct);
        Assert.Equal(2, second!.Attempt);
        Assert.True(await Store.CompleteDeliveryAsync(Finished(second, T0.AddMinutes(2).AddSeconds(1), DeliveryOutcome.Delivered, 200), null, lease, Ct));
        var sent = Assert.Single(await Store.GetNotificationsAsync("sent", 10, Ct), n => n.Id == "n-1");
        Assert.Equal((2, (DateTimeOffset?)T0.AddMinutes(2).AddSeconds(1), (string?)null), (sent.Attempts, sent.SentAt, sent.LastError));
        Assert.Null(await Store.BeginDeliveryAsync("n-1", lease, T0.AddMinutes(3), Ct));

        Assert.Equal(["n-2"], await DueIdsAsync("slack-ops", T0.AddMinutes(5)));
        Assert.Equal(["n-2"], await DueIdsAsync("slack-ops", T0.AddMinutes(5), limit: 1));
    }

    [Fact]
    public async Task GetDueNotificationsAsync_ResolveWaitsWhileItsFiringIsQueued()
    {
        var lease = await AcquireAsync("sender", T0, TimeSpan.FromHours(1));
        await Store.EnqueueNotificationAsync(Outbox("n-firing", "pager", "g-1", T0), Ct);
        await Store.EnqueueNotificationAsync(Outbox("n-resolved", "pager", "g-1", T0.AddSeconds(10)) with { Kind = "resolved" }, Ct);
        await Store.EnqueueNotificationAsync(Outbox("n-other", "pager", "g-2", T0.AddSeconds(20)), Ct);

        var attempt = await Store.BeginDeliveryAsync("n-firing", lease, T0, Ct);
        Assert.True(await Store.CompleteDeliveryAsync(Finished(attempt!, T0.AddSeconds(1), DeliveryOutcome.RetryScheduled, 500), T0.AddMinutes(1), lease, Ct));

        Assert.Equal(["n-other"], await DueIdsAsync("pager", T0.AddSeconds(30)));
        Assert.Equal(["n-firing", "n-other"], await DueIdsAsync("pager", T0.AddMinutes(1)));

        // A permanent failure does not hold the group back.
        attempt = await Store.BeginDeliveryAsync("n-firing", lease, T0.AddMinutes(1), Ct);
        Assert.True(await Store.CompleteDeliveryAsync(Finished(attempt!, T0.AddMinutes(1), DeliveryOutcome.Permanent, 400), null, lease, Ct));
        Assert.Equal(["n-resolved", "n-other"], await DueIdsAsync("pager", T0.AddMinutes(1)));
    }

    [Fact]
    public async Task BeginDeliveryAsync_AfterACrashMidSend_NextHolderSendsAgainAndTheCutOffAttemptStaysInFlight()
    {
        var a = await AcquireAsync("replica-a", T0);
        await Store.EnqueueNotificationAsync(Outbox("n-1", "webhook", "g-1", T0), Ct);
        var cutOff = await Store.BeginDeliveryAsync("n-1", a, T0.AddSeconds(1), Ct);

        // While replica A holds the lease its attempt is in flight: not due, and not begun a second time.
        Assert.Empty(await DueIdsAsync("webhook", T0.AddSeconds(20)));
        Assert.Null(await Store.BeginDeliveryAsync("n-1", a, T0.AddSeconds(20), Ct));

        // Replica A dies mid-send; B starts, takes the lease when it expires and finds the notification due.
        var restarted = Open(Location);
        var b = await restarted.TryAcquireLeaseAsync(AlertingLease, "replica-b", LeaseFor, T0 + LeaseFor, Ct);
        Assert.Equal(["n-1"], (await restarted.GetDueNotificationsAsync("webhook", T0 + LeaseFor, 10, Ct)).Select(n => n.Id));
        var retry = await restarted.BeginDeliveryAsync("n-1", b!, T0 + LeaseFor, Ct);
        Assert.Equal(2, retry!.Attempt);

        // A's late answer is logged but moves nothing; B's completes the notification.
        Assert.False(await Store.CompleteDeliveryAsync(Finished(cutOff!, T0 + LeaseFor, DeliveryOutcome.Delivered, 200), null, a, Ct));
        Assert.Equal("sending", Assert.Single(await Store.GetNotificationsAsync(null, 10, Ct)).Status);
        Assert.True(await restarted.CompleteDeliveryAsync(Finished(retry, T0 + LeaseFor + TimeSpan.FromSeconds(1), DeliveryOutcome.Delivered, 200), null, b!, Ct));

        var log = await restarted.GetDeliveryAttemptsAsync(null, "n-1", 10, Ct);
        Assert.Equal([(2, DeliveryOutcome.Delivered), (1, DeliveryOutcome.Delivered)], log.Select(x => (x.Attempt, x.Outcome)));
        var notification = Assert.Single(await restarted.GetNotificationsAsync(null, 10, Ct));
        Assert.Equal(("sent", 2), (notification.Status, notification.Attempts));
    }

    [Fact]
    public async Task BeginDeliveryAsync_CrashWithoutAnAnswer_LogKeepsTheAttemptInFlight()
    {
        var a = await AcquireAsync("replica-a", T0);
        await Store.EnqueueNotificationAsync(Outbox("n-1", "webhook", "g-1", T0), Ct);
        await Store.BeginDeliveryAsync("n-1", a, T0, Ct);
        var b = await AcquireAsync("replica-b", T0 + LeaseFor);

        var retry = await Store.BeginDeliveryAsync("n-1", b, T0 + LeaseFor, Ct);
        await Store.CompleteDeliveryAsync(Finished(retry!, T0 + LeaseFor, DeliveryOutcome.Delivered, 204), null, b, Ct);

        // The possible duplicate: the receiver may or may not have had attempt 1.
        var log = await Store.GetDeliveryAttemptsAsync("webhook", null, 10, Ct);
        Assert.Equal(
            [
                new DeliveryAttempt { NotificationId = "n-1", ChannelId = "webhook", Attempt = 2, StartedAt = T0 + LeaseFor, FinishedAt = T0 + LeaseFor, Outcome = DeliveryOutcome.Delivered, StatusCode = 204 },
                new DeliveryAttempt { NotificationId = "n-1", ChannelId = "webhook", Attempt = 1, StartedAt = T0 },
            ],
            log);
    }

    [Fact]
    public async Task BeginAndCompleteDeliveryAsync_LeaseLost_NotificationUntouched_CompletionStillLogged()
    {
        var a = await AcquireAsync("replica-a", T0);
        await Store.EnqueueNotificationAsync(Outbox("n-1", "webhook", "g-1", T0), Ct);
        await Store.EnqueueNotificationAsync(Outbox("n-2", "webhook", "g-2", T0), Ct);
        var attempt = await Store.BeginDeliveryAsync("n-1", a, T0, Ct);
        await AcquireAsync("replica-b", T0 + LeaseFor);

        Assert.Null(await Store.BeginDeliveryAsync("n-2", a, T0.AddSeconds(5), Ct));
        Assert.False(await Store.CompleteDeliveryAsync(Finished(attempt!, T0.AddSeconds(5), DeliveryOutcome.Permanent, 410) with { Error = "410 Gone" }, null, a, Ct));

        var n2 = Assert.Single(await Store.GetNotificationsAsync("pending", 10, Ct));
        Assert.Equal(("n-2", 0), (n2.Id, n2.Attempts));
        Assert.Equal("sending", Assert.Single(await Store.GetNotificationsAsync("sending", 10, Ct)).Status);
        var logged = Assert.Single(await Store.GetDeliveryAttemptsAsync(null, null, 10, Ct));
        Assert.Equal((DeliveryOutcome.Permanent, (int?)410, "410 Gone"), (logged.Outcome, logged.StatusCode, logged.Error));
    }

    [Fact]
    public async Task GetDeliveryAttemptsAsync_NewestFirst_ByChannelOrNotification()
    {
        var lease = await AcquireAsync("sender", T0);
        await Store.EnqueueNotificationAsync(Outbox("n-1", "slack-ops", "g-1", T0), Ct);
        await Store.EnqueueNotificationAsync(Outbox("n-2", "email", "g-1", T0), Ct);
        await Store.EnqueueNotificationAsync(Outbox("n-3", "slack-ops", "g-2", T0), Ct);
        await DeliverAsync("n-1", lease, T0.AddSeconds(1), DeliveryOutcome.RetryScheduled, T0.AddSeconds(2));
        await DeliverAsync("n-2", lease, T0.AddSeconds(3), DeliveryOutcome.Delivered, null);
        await DeliverAsync("n-1", lease, T0.AddSeconds(4), DeliveryOutcome.Delivered, null);
        await DeliverAsync("n-3", lease, T0.AddSeconds(4), DeliveryOutcome.GaveUp, null);

        static (string, int) Key(DeliveryAttempt a) => (a.NotificationId, a.Attempt);
        Assert.Equal([("n-3", 1), ("n-1", 2), ("n-2", 1), ("n-1", 1)], (await Store.GetDeliveryAttemptsAsync(null, null, 10, Ct)).Select(Key));
        Assert.Equal([("n-3", 1), ("n-1", 2), ("n-1", 1)], (await Store.GetDeliveryAttemptsAsync("slack-ops", null, 10, Ct)).Select(Key));
        Assert.Equal([("n-1", 2), ("n-1", 1)], (await Store.GetDeliveryAttemptsAsync(null, "n-1", 10, Ct)).Select(Key));
        Assert.Equal([("n-3", 1)], (await Store.GetDeliveryAttemptsAsync(null, null, 1, Ct)).Select(Key));
        Assert.Equal("failed", Assert.Single(await Store.GetNotificationsAsync("failed", 10, Ct)).Status);
    }

    [Fact]
    public async Task EnqueueNotificationAsync_BadRecord_NamesTheFieldAndStoresNothing_AgainChangesNothing()
    {
        var record = Outbox("n-test", "slack-ops", "test", T0) with { Kind = "test" };
        await Store.EnqueueNotificationAsync(record, Ct);
        await Store.EnqueueNotificationAsync(record with { Payload = "changed" }, Ct);

        var kind = await Assert.ThrowsAsync<ArgumentException>(() => Store.EnqueueNotificationAsync(record with { Id = "n-bad", Kind = "page" }, Ct));
        var status = await Assert.ThrowsAsync<ArgumentException>(() => Store.EnqueueNotificationAsync(record with { Id = "n-bad", Status = "sent" }, Ct));
        var outcome = await Assert.ThrowsAsync<ArgumentException>(() => Store.CompleteDeliveryAsync(
            new DeliveryAttempt { NotificationId = "n-test", ChannelId = "slack-ops", Attempt = 1, StartedAt = T0, FinishedAt = T0 }, null, new Lease("x", "y", 1, T0, T0), Ct));
        var retry = await Assert.ThrowsAsync<ArgumentException>(() => Store.CompleteDeliveryAsync(
            new DeliveryAttempt { NotificationId = "n-test", ChannelId = "slack-ops", Attempt = 1, StartedAt = T0, FinishedAt = T0, Outcome = DeliveryOutcome.RetryScheduled },
            null, new Lease("x", "y", 1, T0, T0), Ct));

        Assert.Contains("NotificationRecord.Kind of 'n-bad'", kind.Message, StringComparison.Ordinal);
        Assert.Contains("NotificationRecord.Status of 'n-bad' must be pending", status.Message, StringComparison.Ordinal);
        Assert.Contains("DeliveryAttempt.Outcome", outcome.Message, StringComparison.Ordinal);
        Assert.Equal("nextAttemptAt", retry.ParamName);
        Assert.Equal([record], await Store.GetNotificationsAsync(null, 10, Ct));
        Assert.Empty(await Store.GetDeliveryAttemptsAsync(null, null, 10, Ct));
    }

    // Retention and migration

    [Fact]
    public async Task ApplyRetentionAsync_OldTransitionsAndAttemptsPruned_QueuedNotificationsAndTheirAttemptsKept()
    {
        var store = Open(Location, o => o.AlertHistoryRetention = TimeSpan.FromDays(30));
        var old = T0.AddDays(-40);
        var lease = await store.TryAcquireLeaseAsync(AlertingLease, "sender", TimeSpan.FromDays(100), old, Ct);
        Assert.True(await store.CommitAlertEvaluationAsync(new AlertEvaluationCommit
        {
            Lease = lease!,
            At = old,
            Transitions = [Transition("fn-a", old, null, AlertStatus.Pending), Transition("fn-a", T0.AddDays(-1), AlertStatus.Pending, AlertStatus.Firing)],
            Notifications = [Outbox("n-sent", "slack-ops", "g-1", old), Outbox("n-retrying", "slack-ops", "g-2", old), Outbox("n-latest", "slack-ops", "g-1", old.AddHours(1))],
        }, Ct));
        await DeliverAsync("n-sent", lease!, old, DeliveryOutcome.Delivered, null, store);
        await DeliverAsync("n-retrying", lease!, old, DeliveryOutcome.RetryScheduled, T0.AddDays(1), store);
        await DeliverAsync("n-latest", lease!, old.AddHours(1), DeliveryOutcome.Delivered, null, store);

        var first = await store.ApplyRetentionAsync(T0, Ct);
        var again = await store.ApplyRetentionAsync(T0, Ct);

        Assert.Equal((1L, 2L, 1L), (first.AlertTransitionsDeleted, first.DeliveryAttemptsDeleted, first.NotificationsDeleted));
        Assert.Equal((0L, 0L, 0L), (again.AlertTransitionsDeleted, again.DeliveryAttemptsDeleted, again.NotificationsDeleted));
        Assert.Equal(AlertStatus.Firing, Assert.Single(await store.GetAlertHistoryAsync(null, null, 10, Ct)).To);
        Assert.Equal(["n-retrying"], (await store.GetDeliveryAttemptsAsync(null, null, 10, Ct)).Select(a => a.NotificationId));
        Assert.Equal(["n-latest", "n-retrying"], (await store.GetNotificationsAsync(null, 10, Ct)).Select(n => n.Id));
    }

    [Fact]
    public async Task MigrateAsync_VersionSixteenDatabaseWithAlerting_KeepsItWithDefaults()
    {
        var location = await FreshLocationAsync();
        await Open(location).MigrateToAsync(16, Ct);
        var ms = T0.ToUnixTimeMilliseconds();

        // Rows exactly as the version-16 build wrote them.
        await location.ExecuteAsync($$"""
            INSERT INTO alert_rule (id, name, condition, scope_account_id, scope_region, for_ms, severity, channels, enabled, updated_at)
            VALUES ('rule-1', 'Errors', 'error_rate > 0.05', NULL, NULL, 300000, 'critical', '["slack-ops"]', true, {{ms}});
            INSERT INTO alert_instance (rule_id, labels_key, labels, status, active_since, resolved_at, value, updated_at)
            VALUES ('rule-1', 'fn-orders', '{"function":"orders"}', 'Firing', {{ms}}, NULL, 0.2, {{ms}});
            INSERT INTO alert_instance (rule_id, labels_key, labels, status, active_since, resolved_at, value, updated_at)
            VALUES ('rule-gone', 'fn-orders', '{}', 'Pending', {{ms}}, NULL, NULL, {{ms}});
            INSERT INTO notification (id, channel_id, group_key, content_hash, created_at, sent_at, attempts, last_error, status)
            VALUES ('n-sent', 'slack-ops', 'g-1', 'h1', {{ms}}, {{ms + 1000}}, 1, NULL, 'sent');
            INSERT INTO notification (id, channel_id, group_key, content_hash, created_at, sent_at, attempts, last_error, status)
            VALUES ('n-queued', 'slack-ops', 'g-2', 'h2', {{ms}}, NULL, 0, NULL, 'pending');
            INSERT INTO silence (id, matchers, starts_at, ends_at, created_by, comment)
            VALUES ('s-1', '{}', {{ms}}, {{ms + 3_600_000}}, 'ana', 'deploy');
            """);

        var store = Open(location);
        await store.MigrateAsync(Ct);

        var rule = Assert.Single(await store.GetAlertRulesAsync(Ct));
        Assert.Equal(("", "", TimeSpan.Zero, "", TimeSpan.FromMinutes(5)), (rule.Description, rule.Document, rule.KeepFiringFor, rule.UpdatedBy, rule.For));
        var instances = await store.GetAlertInstancesAsync(null, Ct);
        Assert.Equal([("rule-1", "critical"), ("rule-gone", "warning")], instances.Select(i => (i.RuleId, i.Severity)));
        Assert.All(instances, i => Assert.Equal(
            ("", (DateTimeOffset?)null, (DateTimeOffset?)null, (string?)null, (DateTimeOffset?)null),
            (i.Summary, i.FiredAt, i.UnknownSince, i.AcknowledgedBy, i.AcknowledgedAt)));
        var notifications = (await store.GetNotificationsAsync(null, 10, Ct)).ToDictionary(n => n.Id);
        Assert.Equal(("sent", T0, "firing", ""), (notifications["n-sent"].Status, notifications["n-sent"].NextAttemptAt, notifications["n-sent"].Kind, notifications["n-sent"].Payload));
        Assert.Equal("failed", notifications["n-queued"].Status);
        Assert.Contains("before schema version 17", notifications["n-queued"].LastError, StringComparison.Ordinal);
        Assert.Empty(await store.GetChannelsWithDueNotificationsAsync(T0.AddDays(1), Ct));
        Assert.Null(Assert.Single(await store.GetSilencesAsync(T0, Ct)).ExpiredBy);
        Assert.Empty(await store.GetLeasesAsync(null, Ct));
    }

    private async Task<Lease> AcquireAsync(string holder, DateTimeOffset now, TimeSpan? duration = null) =>
        await Store.TryAcquireLeaseAsync(AlertingLease, holder, duration ?? LeaseFor, now, Ct) ?? throw new InvalidOperationException($"{holder} could not take the lease at {now:O}");

    private async Task<string[]> DueIdsAsync(string channel, DateTimeOffset now, int limit = 10) =>
        [.. (await Store.GetDueNotificationsAsync(channel, now, limit, Ct)).Select(n => n.Id)];

    private async Task DeliverAsync(string id, Lease lease, DateTimeOffset at, DeliveryOutcome outcome, DateTimeOffset? next, IObserveStore? store = null)
    {
        store ??= Store;
        var attempt = await store.BeginDeliveryAsync(id, lease, at, Ct) ?? throw new InvalidOperationException($"{id} was not due at {at:O}");
        Assert.True(await store.CompleteDeliveryAsync(Finished(attempt, at, outcome, 200), next, lease, Ct));
    }

    private static DeliveryAttempt Finished(DeliveryAttempt attempt, DateTimeOffset at, DeliveryOutcome outcome, int statusCode) =>
        attempt with { FinishedAt = at, Outcome = outcome, StatusCode = statusCode };

    private static AlertEvaluationCommit Commit(Lease lease, DateTimeOffset at, string labelsKey) => new()
    {
        Lease = lease,
        At = at,
        Instances = [Instance(labelsKey, AlertStatus.Pending) with { ActiveSince = at }],
        Transitions = [Transition(labelsKey, at, null, AlertStatus.Pending)],
        Notifications = [Outbox($"n-{labelsKey}", "slack-ops", $"g-{labelsKey}", at)],
    };

    private static AlertInstance Instance(string labelsKey, AlertStatus status) => new()
    {
        RuleId = "rule-1",
        LabelsKey = labelsKey,
        Labels = new Dictionary<string, string> { ["function"] = labelsKey, ["region"] = "eu-west-1" },
        Status = status,
        ActiveSince = T0.AddMinutes(-10),
        UpdatedAt = T0,
    };

    private static AlertTransition Transition(string labelsKey, DateTimeOffset at, AlertStatus? from, AlertStatus to) => new()
    {
        RuleId = "rule-1",
        LabelsKey = labelsKey,
        At = at,
        From = from,
        To = to,
    };

    private static NotificationRecord Outbox(string id, string channel, string group, DateTimeOffset createdAt) => new()
    {
        Id = id,
        ChannelId = channel,
        GroupKey = group,
        ContentHash = $"hash-{id}",
        CreatedAt = createdAt,
        Payload = "{}",
        DedupKey = $"{group}/{channel}",
        NextAttemptAt = createdAt,
    };
}

/// <summary>The version 17 alerting contract on SQLite.</summary>
public sealed class SqliteAlertingLifecycleTests : AlertingLifecycleContractTests
{
    protected override Task<StoreLocation> UseLocationAsync() => Task.FromResult(Owned(new SqliteLocation()));

    protected override Task<StoreLocation> CreateFreshLocationAsync() => Task.FromResult<StoreLocation>(new SqliteLocation());
}

/// <summary>The version 17 alerting contract on PostgreSQL.</summary>
public sealed class PostgresAlertingLifecycleTests(PostgresDatabaseFixture database) : AlertingLifecycleContractTests, IClassFixture<PostgresDatabaseFixture>
{
    protected override async Task<StoreLocation> UseLocationAsync() => await database.GetEmptyAsync();

    protected override async Task<StoreLocation> CreateFreshLocationAsync() => await PostgresLocation.CreateAsync();
}
