using Observe.Alerting.Lifecycle;
using Observe.Store.Model;
using static Observe.Alerting.Tests.Lifecycle.LifecycleFixtures;

namespace Observe.Alerting.Tests.Lifecycle;

public sealed class AlertLifecycleTests
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    [Fact]
    public void Apply_ActiveWithFor_StartsPending()
    {
        var decision = Apply(Rule(@for: 5 * Minute), [], T0, Active("orders"));

        var instance = Assert.Single(decision.Upserts);
        Assert.Equal(AlertStatus.Pending, instance.Status);
        Assert.Equal(T0, instance.ActiveSince);
        Assert.Null(instance.FiredAt);
        Assert.Equal("warning", instance.Severity);
        var transition = Assert.Single(decision.Transitions);
        Assert.Null(transition.From);
        Assert.Equal(AlertStatus.Pending, transition.To);
    }

    [Fact]
    public void Apply_PendingActiveForTheWholeFor_Fires()
    {
        var driver = new Driver(Rule(@for: 5 * Minute));
        driver.Cycle(T0, Active("orders"));
        driver.Cycle(T0 + (4 * Minute), Active("orders"));
        Assert.Equal(AlertStatus.Pending, driver.Find(Key("orders"))!.Status);

        var decision = driver.Cycle(T0 + (5 * Minute), Active("orders", 0.2));

        var fired = Assert.Single(decision.Upserts);
        Assert.Equal(AlertStatus.Firing, fired.Status);
        Assert.Equal(T0, fired.ActiveSince);
        Assert.Equal(T0 + (5 * Minute), fired.FiredAt);
        Assert.Equal(0.2, fired.Value);
        var transition = Assert.Single(decision.Transitions);
        Assert.Equal((AlertStatus?)AlertStatus.Pending, transition.From);
        Assert.Equal(AlertStatus.Firing, transition.To);
    }

    [Fact]
    public void Apply_ForZero_FiresAtOnce()
    {
        var decision = Apply(Rule(), [], T0, Active("orders"));

        var instance = Assert.Single(decision.Upserts);
        Assert.Equal(AlertStatus.Firing, instance.Status);
        Assert.Equal(T0, instance.FiredAt);
        var transition = Assert.Single(decision.Transitions);
        Assert.Null(transition.From);
        Assert.Equal(AlertStatus.Firing, transition.To);
    }

    [Fact]
    public void Apply_PendingConditionStops_DeletedWithItsEpisodeInHistory()
    {
        var driver = new Driver(Rule(@for: 5 * Minute));
        driver.Cycle(T0, Active("orders"));

        var decision = driver.Cycle(T0 + Minute, Inactive("orders"));

        Assert.Empty(decision.Upserts);
        Assert.Equal([("errors", Key("orders"))], decision.Deletes);
        var transition = Assert.Single(decision.Transitions);
        Assert.Equal((AlertStatus?)AlertStatus.Pending, transition.From);
        Assert.Equal(AlertStatus.Resolved, transition.To);
        Assert.Empty(driver.Instances);
    }

    [Fact]
    public void Apply_PendingNoLongerObserved_Deleted()
    {
        var driver = new Driver(Rule(@for: 5 * Minute));
        driver.Cycle(T0, Active("orders"));

        var decision = driver.Cycle(T0 + Minute);

        Assert.Equal([("errors", Key("orders"))], decision.Deletes);
        Assert.Equal(AlertStatus.Resolved, Assert.Single(decision.Transitions).To);
    }

    [Fact]
    public void Apply_FiringInactive_KeepsFiringForKeepFiringForThenResolves()
    {
        var driver = new Driver(Rule(keepFiringFor: 10 * Minute));
        driver.Cycle(T0, Active("orders"));

        var kept = driver.Cycle(T0 + (9 * Minute), Inactive("orders"));
        Assert.Empty(kept.Transitions);
        var firing = driver.Find(Key("orders"))!;
        Assert.Equal(AlertStatus.Firing, firing.Status);
        Assert.Equal("error rate 12% > 5%", firing.Summary);

        var resolved = driver.Cycle(T0 + (10 * Minute), Inactive("orders"));
        var instance = Assert.Single(resolved.Upserts);
        Assert.Equal(AlertStatus.Resolved, instance.Status);
        Assert.Equal(T0 + (10 * Minute), instance.ResolvedAt);
        Assert.Equal(0.01, instance.Value);
        var transition = Assert.Single(resolved.Transitions);
        Assert.Equal((AlertStatus?)AlertStatus.Firing, transition.From);
        Assert.Equal(AlertStatus.Resolved, transition.To);
    }

    [Fact]
    public void Apply_FiringActiveAgainWithinKeepFiringFor_KeepFiringCountsFromTheLastActive()
    {
        var driver = new Driver(Rule(keepFiringFor: 10 * Minute));
        driver.Cycle(T0, Active("orders"));
        driver.Cycle(T0 + (5 * Minute), Inactive("orders"));
        driver.Cycle(T0 + (8 * Minute), Active("orders"));

        driver.Cycle(T0 + (17 * Minute), Inactive("orders"));
        Assert.Equal(AlertStatus.Firing, driver.Find(Key("orders"))!.Status);

        driver.Cycle(T0 + (18 * Minute), Inactive("orders"));
        Assert.Equal(AlertStatus.Resolved, driver.Find(Key("orders"))!.Status);
    }

    [Fact]
    public void Apply_ResolvedActiveAgain_NewPendingEpisodeAndHistoryKeepsBoth()
    {
        var driver = new Driver(Rule(@for: 2 * Minute));
        driver.Cycle(T0, Active("orders"));
        driver.Cycle(T0 + (2 * Minute), Active("orders"));
        driver.Cycle(T0 + (3 * Minute), Inactive("orders"));

        var decision = driver.Cycle(T0 + (4 * Minute), Active("orders"));

        var instance = Assert.Single(decision.Upserts);
        Assert.Equal(AlertStatus.Pending, instance.Status);
        Assert.Equal(T0 + (4 * Minute), instance.ActiveSince);
        Assert.Null(instance.FiredAt);
        Assert.Null(instance.ResolvedAt);
        Assert.Equal(
            [(null, AlertStatus.Pending), (AlertStatus.Pending, AlertStatus.Firing), (AlertStatus.Firing, AlertStatus.Resolved), (AlertStatus.Resolved, AlertStatus.Pending)],
            driver.History.Select(t => (t.From, t.To)).ToList());
    }

    [Fact]
    public void Apply_FiringUnknown_StaysFiringWithUnknownSinceUntilReadAgain()
    {
        var driver = new Driver(Rule());
        driver.Cycle(T0, Active("orders"));

        var unknown = driver.Cycle(T0 + Minute, Unknown("orders"));
        Assert.Empty(unknown.Transitions);
        var instance = driver.Find(Key("orders"))!;
        Assert.Equal(AlertStatus.Firing, instance.Status);
        Assert.Equal(T0 + Minute, instance.UnknownSince);
        Assert.Equal("error rate 12% > 5%", instance.Summary);

        driver.Cycle(T0 + (2 * Minute), Unknown("orders"));
        Assert.Equal(T0 + Minute, driver.Find(Key("orders"))!.UnknownSince);
        Assert.Empty(driver.Last!.Upserts);

        driver.Cycle(T0 + (3 * Minute), Active("orders"));
        Assert.Null(driver.Find(Key("orders"))!.UnknownSince);
    }

    [Fact]
    public void Apply_FiringUnknownPastKeepFiringFor_NeverResolves()
    {
        var driver = new Driver(Rule(keepFiringFor: Minute), new AlertingOptions { NoDataPeriod = TimeSpan.FromDays(7), ResolvedRetention = TimeSpan.FromDays(7) });
        driver.Cycle(T0, Active("orders"));

        driver.Cycle(T0 + TimeSpan.FromDays(2), Unknown("orders"));

        Assert.Equal(AlertStatus.Firing, driver.Find(Key("orders"))!.Status);
    }

    [Fact]
    public void Apply_PendingUnknown_NeitherFiresNorDrops()
    {
        var driver = new Driver(Rule(@for: 2 * Minute));
        driver.Cycle(T0, Active("orders"));

        var decision = driver.Cycle(T0 + (10 * Minute), Unknown("orders"));

        Assert.Empty(decision.Transitions);
        Assert.Empty(decision.Deletes);
        var instance = driver.Find(Key("orders"))!;
        Assert.Equal(AlertStatus.Pending, instance.Status);
        Assert.Equal(T0 + (10 * Minute), instance.UnknownSince);
    }

    [Fact]
    public void Apply_UnknownWithoutInstance_StartsNothing()
    {
        var decision = Apply(Rule(), [], T0, Unknown("orders"), Inactive("billing"));

        Assert.Empty(decision.Upserts);
        Assert.Empty(decision.Transitions);
        Assert.Empty(decision.Instances);
    }

    [Fact]
    public void Apply_FiringLabelSetNoLongerObserved_ResolvesAfterKeepFiringFor()
    {
        var driver = new Driver(Rule(keepFiringFor: 5 * Minute));
        driver.Cycle(T0, Active("orders"), Active("billing"));

        driver.Cycle(T0 + (4 * Minute), Active("billing"));
        Assert.Equal(AlertStatus.Firing, driver.Find(Key("orders"))!.Status);

        driver.Cycle(T0 + (5 * Minute), Active("billing"));
        var resolved = driver.Find(Key("orders"))!;
        Assert.Equal(AlertStatus.Resolved, resolved.Status);
        Assert.Contains("No longer observed", resolved.Summary, StringComparison.Ordinal);
        Assert.Equal(AlertStatus.Firing, driver.Find(Key("billing"))!.Status);
    }

    [Fact]
    public void Apply_AcknowledgedFiringResolves_AcknowledgementCleared()
    {
        var acknowledged = Firing("orders", T0) with { AcknowledgedBy = "ana", AcknowledgedAt = T0 + Minute };

        var decision = Apply(Rule(), [acknowledged], T0 + (2 * Minute), Inactive("orders"));

        var resolved = Assert.Single(decision.Upserts);
        Assert.Equal(AlertStatus.Resolved, resolved.Status);
        Assert.Null(resolved.AcknowledgedBy);
        Assert.Null(resolved.AcknowledgedAt);
    }

    [Fact]
    public void Apply_AcknowledgedFiringStillActive_AcknowledgementKept()
    {
        var acknowledged = Firing("orders", T0) with { AcknowledgedBy = "ana", AcknowledgedAt = T0 + Minute };

        var decision = Apply(Rule(), [acknowledged], T0 + (2 * Minute), Active("orders"));

        Assert.Equal("ana", Assert.Single(decision.Upserts).AcknowledgedBy);
    }

    [Fact]
    public void Apply_ResolvedPastRetention_DeletedWithoutTransition()
    {
        var resolved = Firing("orders", T0) with { Status = AlertStatus.Resolved, ResolvedAt = T0 + Minute };
        var options = new AlertingOptions { ResolvedRetention = TimeSpan.FromHours(1) };

        var kept = AlertLifecycle.Apply(new(Rule(), T0 + (60 * Minute), [Inactive("orders")]), [resolved], options);
        Assert.Empty(kept.Deletes);
        Assert.Empty(kept.Upserts);
        Assert.Same(resolved, Assert.Single(kept.Instances));

        var deleted = AlertLifecycle.Apply(new(Rule(), T0 + (61 * Minute), []), [resolved], options);
        Assert.Equal([("errors", Key("orders"))], deleted.Deletes);
        Assert.Empty(deleted.Transitions);
        Assert.Empty(deleted.Instances);
    }

    [Fact]
    public void Apply_FiringUnknownPastNoDataPeriod_NoDataAlertFiresBesideIt()
    {
        var driver = new Driver(Rule());
        driver.Cycle(T0, Active("orders"));
        driver.Cycle(T0 + Minute, Unknown("orders"));

        var early = driver.Cycle(T0 + (15 * Minute), Unknown("orders"));
        Assert.Empty(early.Transitions);

        var decision = driver.Cycle(T0 + (16 * Minute), Unknown("orders"));

        var noData = driver.Find(AlertLabels.NoDataKey(Key("orders")))!;
        Assert.Equal(AlertStatus.Firing, noData.Status);
        Assert.Equal("true", noData.Labels["nodata"]);
        Assert.Equal("orders", noData.Labels["function"]);
        Assert.Equal(T0 + Minute, noData.ActiveSince);
        Assert.StartsWith("No data since 2026-12-04 10:01 UTC", noData.Summary, StringComparison.Ordinal);
        Assert.Equal(AlertStatus.Firing, Assert.Single(decision.Transitions).To);
        Assert.Equal(AlertStatus.Firing, driver.Find(Key("orders"))!.Status);
    }

    [Fact]
    public void Apply_NoDataFigureReadAgain_NoDataAlertResolvesAndTheAlertStaysFiring()
    {
        var driver = new Driver(Rule());
        driver.Cycle(T0, Active("orders"));
        driver.Cycle(T0 + Minute, Unknown("orders"));
        driver.Cycle(T0 + (20 * Minute), Unknown("orders"));

        var decision = driver.Cycle(T0 + (21 * Minute), Active("orders"));

        var transition = Assert.Single(decision.Transitions);
        Assert.Equal(AlertLabels.NoDataKey(Key("orders")), transition.LabelsKey);
        Assert.Equal(AlertStatus.Resolved, transition.To);
        Assert.Equal(AlertStatus.Firing, driver.Find(Key("orders"))!.Status);
    }

    [Fact]
    public void Apply_NoDataAlertWhoseAlertIsGone_Resolves()
    {
        var noData = Firing("orders", T0) with
        {
            LabelsKey = AlertLabels.NoDataKey(Key("orders")),
            Labels = new Dictionary<string, string>(Labels("orders")) { ["nodata"] = "true" },
        };

        var decision = Apply(Rule(), [noData], T0 + Minute);

        Assert.Equal(AlertStatus.Resolved, Assert.Single(decision.Upserts).Status);
    }

    [Fact]
    public void Unreadable_OpenInstances_StayAsTheyAre()
    {
        var driver = new Driver(Rule(@for: 5 * Minute));
        driver.Cycle(T0, Active("orders"), Active("billing"));
        driver.Cycle(T0 + (5 * Minute), Active("orders"));
        var before = driver.Instances;

        var result = AlertLifecycle.Unreadable(Rule(@for: 5 * Minute), before, T0 + (30 * Minute), "query failed: timeout");
        var decision = AlertLifecycle.Apply(result, before, Options());

        Assert.Empty(decision.Transitions);
        Assert.Empty(decision.Deletes);
        Assert.All(decision.Instances, i => Assert.Equal(T0 + (30 * Minute), i.UnknownSince));
        Assert.Equal(AlertStatus.Firing, decision.Instances.Single(i => i.LabelsKey == Key("orders")).Status);
    }

    [Fact]
    public void Apply_RuleSeverityChanged_InstanceTakesIt()
    {
        var decision = Apply(Rule(severity: Observe.Alerting.Rules.AlertSeverity.Critical), [Firing("orders", T0)], T0 + Minute, Active("orders"));

        Assert.Equal("critical", Assert.Single(decision.Upserts).Severity);
    }

    [Fact]
    public void Apply_SameLabelSetObservedTwice_ErrorNamesIt()
    {
        var e = Assert.Throws<ArgumentException>(() => Apply(Rule(), [], T0, Active("orders"), Inactive("orders")));

        Assert.Contains($"'{Key("orders")}' twice", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Apply_InstanceOfAnotherRule_ErrorNamesBoth()
    {
        var e = Assert.Throws<ArgumentException>(() => Apply(Rule(), [Firing("orders", T0, rule: "throttles")], T0));

        Assert.Contains("belongs to rule 'throttles', not 'errors'", e.Message, StringComparison.Ordinal);
    }
}
