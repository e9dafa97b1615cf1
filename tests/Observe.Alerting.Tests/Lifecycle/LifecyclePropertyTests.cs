using FsCheck;
using FsCheck.Fluent;
using Observe.Alerting.Delivery;
using Observe.Alerting.Evaluation;
using Observe.Alerting.Lifecycle;
using Observe.Store.Model;
using static Observe.Alerting.Tests.Lifecycle.LifecycleFixtures;

namespace Observe.Alerting.Tests.Lifecycle;

public sealed class LifecyclePropertyTests
{
    private static readonly Config Runs = Config.QuickThrowOnFailure.WithMaxTest(500);
    private static readonly string[] Functions = ["orders", "billing", "search"];

    /// <summary>0 active, 1 inactive, 2 unknown, 3 not observed, per function and cycle.</summary>
    private sealed record Scenario(int ForMinutes, int KeepFiringMinutes, IReadOnlyList<(int GapMinutes, int[] Observations)> Cycles);

    private static Arbitrary<Scenario> Scenarios()
    {
        var cycle =
            from gap in Gen.Choose(1, 10)
            from observations in Gen.ArrayOf(Gen.Choose(0, 3), Functions.Length)
            select (gap, observations);
        var scenario =
            from @for in Gen.Elements(0, 1, 5)
            from keep in Gen.Elements(0, 2, 10)
            from length in Gen.Choose(1, 40)
            from cycles in Gen.ArrayOf(cycle, length)
            select new Scenario(@for, keep, cycles);
        return scenario.ToArbitrary();
    }

    private static SignalState? Observe(string function, int observation) => observation switch
    {
        0 => Active(function),
        1 => Inactive(function),
        2 => Unknown(function),
        _ => null,
    };

    private static string BaseKey(string labelsKey) =>
        labelsKey.EndsWith("|nodata=true", StringComparison.Ordinal) ? labelsKey[..^"|nodata=true".Length] : labelsKey;

    /// <summary>Runs the scenario and checks <paramref name="check"/> after every cycle (observations by labels key).</summary>
    private static bool Holds(Scenario scenario, Func<IReadOnlyList<AlertInstance>, LifecycleDecision, IReadOnlyDictionary<string, Observation?>, bool> check)
    {
        var rule = Rule(@for: TimeSpan.FromMinutes(scenario.ForMinutes), keepFiringFor: TimeSpan.FromMinutes(scenario.KeepFiringMinutes));
        var driver = new Driver(rule, new AlertingOptions { ResolvedRetention = TimeSpan.FromMinutes(10) });
        var at = T0;
        foreach (var (gap, observations) in scenario.Cycles)
        {
            at += TimeSpan.FromMinutes(gap);
            var states = Functions.Select((f, i) => Observe(f, observations[i])).OfType<SignalState>().ToArray();
            var seen = Functions.Select((f, i) => (Key(f), Observe(f, observations[i])?.Observation)).ToDictionary(p => p.Item1, p => p.Observation);
            var before = driver.Instances;
            var decision = driver.Cycle(at, states);
            if (!check(before, decision, seen))
            {
                return false;
            }
        }

        return true;
    }

    [Fact]
    public void Apply_UnknownObservation_NeverResolves() =>
        Check.One(Runs, Prop.ForAll(Scenarios(), scenario => Holds(scenario, (_, decision, seen) =>
            decision.Transitions.All(t => t.To != AlertStatus.Resolved || seen[BaseKey(t.LabelsKey)] != Observation.Unknown))));

    [Fact]
    public void Apply_NothingStartsWithoutAnActiveObservation() =>
        Check.One(Runs, Prop.ForAll(Scenarios(), scenario => Holds(scenario, (before, decision, seen) =>
            decision.Transitions
                .Where(t => t.To != AlertStatus.Resolved && t.LabelsKey == BaseKey(t.LabelsKey)
                    && (t.From is null or AlertStatus.Resolved))
                .All(t => seen[t.LabelsKey] == Observation.Active))));

    [Fact]
    public void Apply_TransitionsFollowTheStoredStatusAndInstancesStayConsistent() =>
        Check.One(Runs, Prop.ForAll(Scenarios(), scenario => Holds(scenario, (before, decision, _) =>
        {
            var previous = before.ToDictionary(i => i.LabelsKey, i => (AlertStatus?)i.Status);
            var fromsMatch = decision.Transitions.All(t => previous.GetValueOrDefault(t.LabelsKey) == t.From && t.From != t.To);
            var consistent = decision.Instances.All(i => i.Status switch
            {
                AlertStatus.Pending => i.FiredAt is null && i.ResolvedAt is null,
                AlertStatus.Firing => i.FiredAt is not null && i.ResolvedAt is null,
                _ => i.ResolvedAt is not null && i.AcknowledgedBy is null && i.UnknownSince is null,
            });
            var oneEach = decision.Instances.Select(i => i.LabelsKey).Distinct().Count() == decision.Instances.Count;
            return fromsMatch && consistent && oneEach;
        })));

    private static Arbitrary<(int Count, bool[] Acknowledged, int DelaySeconds)> UnchangedGroups() =>
        (from count in Gen.Choose(1, 5)
         from acknowledged in Gen.ArrayOf(ArbMap.Default.GeneratorFor<bool>(), count)
         from delay in Gen.Choose(0, (4 * 3600) - 1)
         select (count, acknowledged, delay)).ToArbitrary();

    [Fact]
    public void Plan_UnchangedFiringGroup_NotPlannedBeforeTheRepeatInterval() =>
        Check.One(Runs, Prop.ForAll(UnchangedGroups(), group =>
        {
            var firing = Functions.Concat(["queue", "mailer"]).Take(group.Count).Select(f => Firing(f, T0)).ToList();
            var options = Options();
            var sent = NotificationPlanner.Plan(firing, [Rule()], [], [], T0 + TimeSpan.FromMinutes(1), options).Notifications.Single();
            var now = firing.Select((i, n) => group.Acknowledged[n] ? i with { AcknowledgedBy = "ana" } : i).ToList();

            var early = NotificationPlanner.Plan(now, [Rule()], [], [sent], sent.CreatedAt + TimeSpan.FromSeconds(group.DelaySeconds), options);
            var late = NotificationPlanner.Plan(now, [Rule()], [], [sent], sent.CreatedAt + options.RepeatInterval + TimeSpan.FromSeconds(group.DelaySeconds), options);

            var repeatExpected = group.Acknowledged.Any(a => !a);
            return early.Notifications.Count == 0
                && late.Notifications.Count == (repeatExpected ? 1 : 0)
                && late.Notifications.All(n => n.Kind == NotificationKinds.Repeat && n.ContentHash == sent.ContentHash);
        }));

    /// <summary>Per sent alert: 0 still firing, 1 resolved, 2 deleted (resolved long ago or of a removed rule), 3 pending again.</summary>
    private static Arbitrary<int[]> Fates() =>
        Gen.Choose(1, 5).SelectMany(count => Gen.ArrayOf(Gen.Choose(0, 3), count)).ToArbitrary();

    [Fact]
    public void Plan_SentAlertsThatStopFiring_AllResolvedInOneMessageOnce() =>
        Check.One(Runs, Prop.ForAll(Fates(), fates =>
        {
            var names = Functions.Concat(["queue", "mailer"]).Take(fates.Length).ToList();
            var options = Options();
            var sent = NotificationPlanner.Plan(names.Select(f => Firing(f, T0)).ToList(), [Rule()], [], [], T0 + TimeSpan.FromMinutes(1), options).Notifications.Single();
            var now = names.Select((f, n) => fates[n] switch
            {
                0 => Firing(f, T0),
                1 => Firing(f, T0) with { Status = AlertStatus.Resolved, ResolvedAt = T0 + TimeSpan.FromMinutes(2) },
                2 => null,
                _ => Firing(f, T0) with { Status = AlertStatus.Pending, FiredAt = null, ActiveSince = T0 + TimeSpan.FromMinutes(3) },
            }).OfType<AlertInstance>().ToList();
            var expectedResolved = names.Where((_, n) => fates[n] != 0).Select(f => Key(f)).Order(StringComparer.Ordinal).ToList();

            var at = sent.CreatedAt + options.GroupInterval;
            var plan = NotificationPlanner.Plan(now, [Rule()], [], [sent], at, options);
            if (expectedResolved.Count == 0)
            {
                return plan.Notifications.Count == 0;
            }

            var record = plan.Notifications.Single();
            var message = AlertMessageJson.Deserialize(record.Payload);
            var resolved = message.Alerts.Where(a => a.Status == AlertMessageStatus.Resolved).Select(a => a.LabelsKey).Order(StringComparer.Ordinal).ToList();
            var afterwards = NotificationPlanner.Plan(now, [Rule()], [], [record], at + options.RepeatInterval, options).Notifications
                .SelectMany(n => AlertMessageJson.Deserialize(n.Payload).Alerts)
                .Where(a => a.Status == AlertMessageStatus.Resolved);
            return resolved.SequenceEqual(expectedResolved) && !afterwards.Any();
        }));
}
