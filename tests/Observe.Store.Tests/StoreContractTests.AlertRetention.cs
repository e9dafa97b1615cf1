using Observe.Store.Model;

namespace Observe.Store.Tests;

/// <summary>
/// Retention of the alerting and collectors-host tables. A store with a 30-day alert history retention (the hourly
/// retention stays at 90 days) shows which cutoff each table follows.
/// </summary>
public abstract partial class StoreContractTests
{
    private static readonly TimeSpan AlertHistoryRetention = TimeSpan.FromDays(30);

    private static DateTimeOffset DaysAgo(double days) => T0.AddDays(-days);

    [Fact]
    public async Task ApplyRetentionAsync_OldNotifications_DeletesSentAndFailedButKeepsPendingAndEachGroupsLatest()
    {
        var store = OpenWithAlertHistoryRetention();
        NotificationRecord[] records =
        [
            Notification("n-01", "email-ops", "rule-1", "sent", DaysAgo(40)),
            Notification("n-02", "email-ops", "rule-1", "failed", DaysAgo(35)),
            Notification("n-03", "email-ops", "rule-1", "sent", DaysAgo(1)),

            // Old, but the group's latest: what the next notification of the group is compared with.
            Notification("n-04", "email-ops", "rule-2", "sent", DaysAgo(50)),
            Notification("n-05", "email-ops", "rule-2", "failed", DaysAgo(40)),

            // The same group key on another channel is another group.
            Notification("n-06", "slack", "rule-1", "sent", DaysAgo(60)),

            // Pending is never deleted, however old and whether or not it is the latest.
            Notification("n-07", "email-ops", "rule-3", "pending", DaysAgo(60)),
            Notification("n-08", "email-ops", "rule-3", "sent", DaysAgo(45)),
            Notification("n-09", "email-ops", "rule-3", "sent", DaysAgo(40)),
            Notification("n-10", "email-ops", "rule-4", "pending", DaysAgo(90)),

            // Created in the same millisecond: the latest is the one with the greater id, as the read orders them.
            Notification("n-11", "email-ops", "rule-5", "sent", DaysAgo(40)),
            Notification("n-12", "email-ops", "rule-5", "sent", DaysAgo(40)),
        ];
        foreach (var record in records)
        {
            await store.UpsertNotificationAsync(record, Ct);
        }

        var groups = records.Select(r => (r.ChannelId, r.GroupKey)).Distinct().ToList();
        var latestBefore = await LatestNotificationsAsync(store, groups);

        var first = await store.ApplyRetentionAsync(T0, Ct);
        var again = await store.ApplyRetentionAsync(T0, Ct);

        Assert.Equal((5L, 0L), (first.NotificationsDeleted, again.NotificationsDeleted));
        Assert.Equal(
            ["n-03", "n-05", "n-06", "n-07", "n-09", "n-10", "n-12"],
            (await store.GetNotificationsAsync(null, 100, Ct)).Select(n => n.Id).Order(StringComparer.Ordinal));
        Assert.Equal(latestBefore, await LatestNotificationsAsync(store, groups));
    }

    [Fact]
    public async Task ApplyRetentionAsync_OldAlarmHistory_DeletedAndRecentAndCurrentStateKept()
    {
        var store = OpenWithAlertHistoryRetention();
        var alarm = Alarm("111111111111", "eu-west-1", "errors-high", AlarmState.Ok) with { StateUpdated = DaysAgo(60) };
        await store.UpsertAlarmsAsync([alarm], Ct);
        await store.UpsertAlarmsAsync([alarm with { State = AlarmState.Alarm, StateUpdated = DaysAgo(40) }], Ct);
        await store.UpsertAlarmsAsync([alarm with { State = AlarmState.Ok, StateUpdated = DaysAgo(2) }], Ct);

        var first = await store.ApplyRetentionAsync(T0, Ct);
        var again = await store.ApplyRetentionAsync(T0, Ct);

        Assert.Equal((1L, 0L), (first.AlarmHistoryDeleted, again.AlarmHistoryDeleted));
        Assert.Equal(
            [new AlarmStateChange(alarm.Arn, DaysAgo(2), AlarmState.Alarm, AlarmState.Ok, "initial")],
            await store.GetAlarmHistoryAsync(alarm.Arn, 10, Ct));
        Assert.Equal(DaysAgo(2), Assert.Single(await store.GetAlarmsAsync(FleetFilter.All, AlarmState.Ok, Ct)).StateUpdated);
    }

    [Fact]
    public async Task ApplyRetentionAsync_OldAlertInstances_DeletesOnlyTheResolved()
    {
        var store = OpenWithAlertHistoryRetention();
        var instance = new AlertInstance { RuleId = "rule-1", LabelsKey = "old-resolved", Status = AlertStatus.Resolved, ActiveSince = DaysAgo(50), ResolvedAt = DaysAgo(40), UpdatedAt = DaysAgo(40) };
        await store.UpsertAlertInstancesAsync(
        [
            instance,
            instance with { LabelsKey = "recently-resolved", ResolvedAt = DaysAgo(1), UpdatedAt = DaysAgo(1) },
            instance with { LabelsKey = "firing", Status = AlertStatus.Firing, ResolvedAt = null, UpdatedAt = T0 },
            instance with { LabelsKey = "pending", Status = AlertStatus.Pending, ResolvedAt = null, UpdatedAt = T0 },

            // Fired again after resolving: the stale resolution time must not get it deleted.
            instance with { LabelsKey = "firing-again", Status = AlertStatus.Firing, UpdatedAt = T0 },
        ], Ct);

        var first = await store.ApplyRetentionAsync(T0, Ct);
        var again = await store.ApplyRetentionAsync(T0, Ct);

        Assert.Equal((1L, 0L), (first.AlertInstancesDeleted, again.AlertInstancesDeleted));
        Assert.Equal(
            ["firing", "firing-again", "pending", "recently-resolved"],
            (await store.GetAlertInstancesAsync(null, Ct)).Select(i => i.LabelsKey));
    }

    [Fact]
    public async Task ApplyRetentionAsync_Silences_DeletesThoseEndedBeforeTheRetention()
    {
        var store = OpenWithAlertHistoryRetention();
        var silence = new Silence { Id = "ended-long-ago", StartsAt = DaysAgo(45), EndsAt = DaysAgo(40) };
        await store.UpsertSilenceAsync(silence, Ct);
        await store.UpsertSilenceAsync(silence with { Id = "ended-recently", StartsAt = DaysAgo(3), EndsAt = DaysAgo(2) }, Ct);
        await store.UpsertSilenceAsync(silence with { Id = "active", StartsAt = DaysAgo(1), EndsAt = T0.AddDays(1) }, Ct);

        var first = await store.ApplyRetentionAsync(T0, Ct);
        var again = await store.ApplyRetentionAsync(T0, Ct);

        Assert.Equal((1L, 0L), (first.SilencesDeleted, again.SilencesDeleted));
        Assert.Empty(await store.GetSilencesAsync(DaysAgo(42), Ct));
        Assert.Equal("ended-recently", Assert.Single(await store.GetSilencesAsync(DaysAgo(2.5), Ct)).Id);
        Assert.Equal("active", Assert.Single(await store.GetSilencesAsync(T0, Ct)).Id);
    }

    [Fact]
    public async Task ApplyRetentionAsync_CollectorStatusNotUpdatedWithinHourlyRetention_Deleted()
    {
        var store = OpenWithAlertHistoryRetention();
        var status = new CollectorStatus { Collector = "metrics", AccountId = "111111111111", Region = "eu-west-1", Instance = "host/42/abc", UpdatedAt = DaysAgo(91) };
        await store.UpsertCollectorStatusAsync(status, Ct);

        // Older than the alert history retention, so only the hourly retention keeps it.
        await store.UpsertCollectorStatusAsync(status with { Region = "us-east-1", UpdatedAt = DaysAgo(40) }, Ct);
        await store.UpsertCollectorStatusAsync(status with { Collector = "alarms", UpdatedAt = T0.AddMinutes(-5) }, Ct);

        var first = await store.ApplyRetentionAsync(T0, Ct);
        var again = await store.ApplyRetentionAsync(T0, Ct);

        Assert.Equal((1L, 0L), (first.CollectorStatusesDeleted, again.CollectorStatusesDeleted));
        Assert.Equal(
            [("alarms", "eu-west-1"), ("metrics", "us-east-1")],
            (await store.GetCollectorStatusAsync(Ct)).Select(s => (s.Collector, s.Region)));
    }

    [Fact]
    public async Task ApplyRetentionAsync_CheckpointNotRewrittenWithinHourlyRetention_Deleted()
    {
        // Checkpoints are stamped with the wall clock when written, so the passes run at times relative to it.
        const string Key = "logs/111111111111/eu-west-1//aws/lambda/removed";
        var written = DateTimeOffset.UtcNow;
        await Store.SetCheckpointAsync(Key, "{\"position\":1}", Ct);

        var within = await Store.ApplyRetentionAsync(written.AddDays(89), Ct);
        Assert.Equal(0, within.CheckpointsDeleted);
        Assert.Equal("{\"position\":1}", await Store.GetCheckpointAsync(Key, Ct));

        var past = await Store.ApplyRetentionAsync(written.AddDays(91), Ct);
        var again = await Store.ApplyRetentionAsync(written.AddDays(91), Ct);
        Assert.Equal((1L, 0L), (past.CheckpointsDeleted, again.CheckpointsDeleted));
        Assert.Null(await Store.GetCheckpointAsync(Key, Ct));
    }

    /// <summary>Another store on this test's (migrated) location, with the shorter alert history retention.</summary>
    private IObserveStore OpenWithAlertHistoryRetention() => Open(Location, o => o.AlertHistoryRetention = AlertHistoryRetention);

    private static NotificationRecord Notification(string id, string channel, string group, string status, DateTimeOffset createdAt) => new()
    {
        Id = id,
        ChannelId = channel,
        GroupKey = group,
        ContentHash = $"hash-{id}",
        CreatedAt = createdAt,
        SentAt = status == "sent" ? createdAt.AddSeconds(2) : null,
        Attempts = status == "pending" ? 0 : 1,
        Status = status,
    };

    private async Task<List<NotificationRecord?>> LatestNotificationsAsync(IObserveStore store, IEnumerable<(string Channel, string Group)> groups)
    {
        var latest = new List<NotificationRecord?>();
        foreach (var (channel, group) in groups)
        {
            latest.Add(await store.GetLatestNotificationAsync(channel, group, Ct));
        }

        return latest;
    }
}
