using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Observe.Alerting.Delivery;
using Observe.Alerting.Rules;
using Observe.Store.Model;

namespace Observe.Alerting.Lifecycle;

/// <summary>The values of <see cref="NotificationRecord.Kind"/> the planner writes.</summary>
internal static class NotificationKinds
{
    public const string Firing = "firing";
    public const string Resolved = "resolved";
    public const string Repeat = "repeat";
}

/// <summary>
/// The notifications one cycle queues, and the latest records whose payload could not be read (their group's earlier
/// alerts cannot be resolved in a message; the caller logs and counts them).
/// </summary>
internal sealed record NotificationPlan(IReadOnlyList<NotificationRecord> Notifications, IReadOnlyList<string> Problems);

/// <summary>
/// Groups alerts per channel and decides which groups are notified now, with Alertmanager's semantics (group wait,
/// group interval, repeat interval) computed from stored state only, so a restarted or another replica plans the
/// same. A queued record counts as notified: the outbox delivers it at least once.
/// </summary>
internal static class NotificationPlanner
{
    /// <summary>Plans the notifications due at <paramref name="now"/>.</summary>
    /// <param name="instances">All alert instances after this cycle's lifecycle.</param>
    /// <param name="rules">The rules; an instance of a rule not given is not notified.</param>
    /// <param name="silences">Silences (those inactive at <paramref name="now"/> are ignored).</param>
    /// <param name="latest">
    /// The latest record of each (channel, group): those of the current instances' groups and of every group whose
    /// latest record still lists firing alerts, even when the group has no instance left, so its resolve is planned.
    /// </param>
    /// <param name="now">The evaluation's instant: group wait and the intervals count to it.</param>
    /// <param name="options">Group wait, group interval, repeat interval and the public base URL.</param>
    public static NotificationPlan Plan(
        IReadOnlyList<AlertInstance> instances,
        IReadOnlyList<RuleDefinition> rules,
        IReadOnlyList<Silence> silences,
        IReadOnlyList<NotificationRecord> latest,
        DateTimeOffset now,
        AlertingOptions options)
    {
        ArgumentNullException.ThrowIfNull(instances);
        ArgumentNullException.ThrowIfNull(rules);
        ArgumentNullException.ThrowIfNull(silences);
        ArgumentNullException.ThrowIfNull(latest);
        ArgumentNullException.ThrowIfNull(options);

        var rulesById = new Dictionary<string, RuleDefinition>(StringComparer.Ordinal);
        foreach (var rule in rules)
        {
            if (!rulesById.TryAdd(rule.Id, rule))
            {
                throw new ArgumentException($"Rule '{rule.Id}' is given twice", nameof(rules));
            }
        }

        var activeSilences = silences.Where(s => SilenceMatcher.IsActive(s, now)).ToList();
        var inhibition = Inhibition.From(instances, rulesById);

        var groups = new SortedDictionary<(string Channel, string Group), List<AlertInstance>>(OrdinalPairComparer.Instance);
        foreach (var instance in instances)
        {
            if (!rulesById.TryGetValue(instance.RuleId, out var rule))
            {
                continue;
            }

            var groupKey = GroupKey(rule, instance.Labels);
            foreach (var channel in rule.Channels.Distinct(StringComparer.Ordinal))
            {
                if (!groups.TryGetValue((channel, groupKey), out var members))
                {
                    groups[(channel, groupKey)] = members = [];
                }

                members.Add(instance);
            }
        }

        var latestByGroup = new Dictionary<(string, string), NotificationRecord>();
        foreach (var record in latest)
        {
            var key = (record.ChannelId, record.GroupKey);
            if (!latestByGroup.TryGetValue(key, out var seen) || seen.CreatedAt < record.CreatedAt)
            {
                latestByGroup[key] = record;
            }

            groups.TryAdd(key, []);
        }

        var planned = new List<NotificationRecord>();
        var problems = new List<string>();
        foreach (var ((channel, groupKey), members) in groups)
        {
            var previous = latestByGroup.GetValueOrDefault((channel, groupKey));
            var record = PlanGroup(channel, groupKey, members, previous, rulesById, activeSilences, inhibition, now, options, problems);
            if (record is not null)
            {
                planned.Add(record);
            }
        }

        return new NotificationPlan(planned, problems);
    }

    /// <summary>
    /// The group of an alert: the rule's GroupBy labels with their values (a missing label counts as empty), so rules
    /// grouping by the same labels share a group on a channel. Also the Alerts page's <c>group</c> filter.
    /// </summary>
    public static string GroupKey(RuleDefinition rule, IReadOnlyDictionary<string, string> labels)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentNullException.ThrowIfNull(labels);
        return string.Join(',', rule.GroupBy.Select(name =>
            $"{name}={labels.GetValueOrDefault(name, "").Replace("\\", "\\\\", StringComparison.Ordinal).Replace(",", "\\,", StringComparison.Ordinal)}"));
    }

    /// <summary>Same for every notification of one group on one channel (PagerDuty's dedup key, at most 255 characters).</summary>
    public static string DedupKey(string channelId, string groupKey) => "observe-" + Hash(channelId + "\n" + groupKey)[..40];

    private static NotificationRecord? PlanGroup(
        string channel,
        string groupKey,
        List<AlertInstance> members,
        NotificationRecord? previous,
        Dictionary<string, RuleDefinition> rules,
        List<Silence> silences,
        Inhibition inhibition,
        DateTimeOffset now,
        AlertingOptions options,
        List<string> problems)
    {
        var previousMessage = ReadPrevious(previous, problems);
        var previousFiring = new Dictionary<(string, string), AlertMessageItem>();
        foreach (var item in previousMessage?.Alerts ?? [])
        {
            if (item.Status == AlertMessageStatus.Firing)
            {
                previousFiring.TryAdd((item.RuleId, item.LabelsKey), item);
            }
        }

        var firing = members
            .Where(i => i.Status == AlertStatus.Firing && !inhibition.IsInhibited(i) && !SilenceMatcher.IsSilenced(silences, i.Labels, now))
            .OrderBy(i => i.RuleId, StringComparer.Ordinal).ThenBy(i => i.LabelsKey, StringComparer.Ordinal)
            .ToList();
        var firingKeys = firing.Select(i => (i.RuleId, i.LabelsKey)).ToHashSet();
        var memberByKey = members.ToDictionary(i => (i.RuleId, i.LabelsKey));

        // What was sent as firing and is no longer firing is resolved, silenced or inhibited now or not: the recipient
        // was told it fires (a PagerDuty incident is open), so the resolve is always sent. One still firing but now
        // silenced or inhibited is left out of the message and is not reported resolved.
        var resolved = new List<(AlertMessageItem Item, AlertInstance? Now)>();
        foreach (var (key, item) in previousFiring.OrderBy(p => p.Key, OrdinalPairComparer.Instance))
        {
            var current = memberByKey.GetValueOrDefault(key);
            if (!firingKeys.Contains(key) && current?.Status != AlertStatus.Firing)
            {
                resolved.Add((item, current));
            }
        }

        if (firing.Count == 0 && resolved.Count == 0)
        {
            return null;
        }

        string kind;
        if (previousFiring.Count == 0)
        {
            // A new group (or one whose alerts all resolved before): the first message waits GroupWait after its first
            // alert fired so a burst goes out as one, and a flapping group still gets one message per GroupInterval.
            var firstFired = firing.Min(i => i.FiredAt ?? i.ActiveSince);
            if (now < firstFired + options.GroupWait || (previous is not null && now < previous.CreatedAt + options.GroupInterval))
            {
                return null;
            }

            kind = NotificationKinds.Firing;
        }
        else if (resolved.Count > 0 || firingKeys.Any(k => !previousFiring.ContainsKey(k)))
        {
            if (now < previous!.CreatedAt + options.GroupInterval)
            {
                return null;
            }

            kind = firing.Count > 0 ? NotificationKinds.Firing : NotificationKinds.Resolved;
        }
        else
        {
            // Unchanged: repeated after RepeatInterval, unless every firing alert is acknowledged (someone is on it).
            if (firing.Count == 0 || firing.All(i => i.AcknowledgedBy is not null) || now < previous!.CreatedAt + options.RepeatInterval)
            {
                return null;
            }

            kind = NotificationKinds.Repeat;
        }

        var firingItems = firing.Select(i => (Item: FiringItem(i, options.PublicBaseUrl), RuleName: RuleName(rules, i.RuleId))).ToList();
        var resolvedItems = resolved.Select(r => (Item: ResolvedItem(r.Item, r.Now, options.PublicBaseUrl), RuleName: RuleName(rules, r.Item.RuleId))).ToList();
        var severityFrom = firing.Count > 0 ? firing.Select(i => i.RuleId) : resolved.Select(r => r.Item.RuleId);
        var severity = severityFrom
            .Select(id => rules.TryGetValue(id, out var rule) ? rule.Severity : previousMessage?.Severity ?? AlertSeverity.Warning)
            .Max();

        var dedupKey = DedupKey(channel, groupKey);
        var message = AlertMessageBuilder.Build(groupKey, dedupKey, kind, severity, firingItems, resolvedItems, options.PublicBaseUrl);
        var contentHash = ContentHash(firingKeys, resolved.Select(r => (r.Item.RuleId, r.Item.LabelsKey)));
        return new NotificationRecord
        {
            // Deterministic, so a cycle retried after a failed commit queues the same record, not a second one.
            Id = Hash($"{dedupKey}\n{now.UtcTicks}\n{contentHash}")[..32],
            ChannelId = channel,
            GroupKey = groupKey,
            ContentHash = contentHash,
            CreatedAt = now,
            NextAttemptAt = now,
            Status = "pending",
            Kind = kind,
            Payload = AlertMessageJson.Serialize(message),
            DedupKey = dedupKey,
        };
    }

    private static AlertMessage? ReadPrevious(NotificationRecord? previous, List<string> problems)
    {
        if (previous is null)
        {
            return null;
        }

        try
        {
            return AlertMessageJson.Deserialize(previous.Payload);
        }
        catch (JsonException e)
        {
            problems.Add($"Notification '{previous.Id}' (channel '{previous.ChannelId}', group '{previous.GroupKey}') has an unreadable payload, so the alerts it listed cannot be resolved in a message: {e.Message}");
            return null;
        }
    }

    private static AlertMessageItem FiringItem(AlertInstance instance, Uri? publicBaseUrl)
    {
        var summary = instance.AcknowledgedBy is { } by ? $"{instance.Summary} (acknowledged by {by})" : instance.Summary;
        return new AlertMessageItem(instance.RuleId, instance.LabelsKey, instance.Labels, AlertMessageStatus.Firing,
            instance.ActiveSince, null, summary, AlertMessageBuilder.ItemLink(publicBaseUrl, instance.Labels));
    }

    /// <summary>
    /// A resolved alert as the instance says it ended; when the instance is gone or already in a new episode, as it was
    /// sent, with no resolve time (unknown, not made up).
    /// </summary>
    private static AlertMessageItem ResolvedItem(AlertMessageItem sent, AlertInstance? current, Uri? publicBaseUrl) =>
        current is { Status: AlertStatus.Resolved }
            ? new AlertMessageItem(current.RuleId, current.LabelsKey, current.Labels, AlertMessageStatus.Resolved,
                current.ActiveSince, current.ResolvedAt, current.Summary, AlertMessageBuilder.ItemLink(publicBaseUrl, current.Labels))
            : sent with { Status = AlertMessageStatus.Resolved, ResolvedAt = null, Link = AlertMessageBuilder.ItemLink(publicBaseUrl, sent.Labels) };

    private static string RuleName(Dictionary<string, RuleDefinition> rules, string ruleId) =>
        rules.TryGetValue(ruleId, out var rule) ? rule.Name : ruleId;

    private static string ContentHash(IEnumerable<(string RuleId, string LabelsKey)> firing, IEnumerable<(string RuleId, string LabelsKey)> resolved)
    {
        var text = new StringBuilder();
        foreach (var (ruleId, labelsKey) in firing.Order(OrdinalPairComparer.Instance))
        {
            text.Append("F\t").Append(ruleId).Append('\t').Append(labelsKey).Append('\n');
        }

        foreach (var (ruleId, labelsKey) in resolved.Order(OrdinalPairComparer.Instance))
        {
            text.Append("R\t").Append(ruleId).Append('\t').Append(labelsKey).Append('\n');
        }

        return Hash(text.ToString());
    }

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    /// <summary>Culture-independent order, so the content hash and the plan are the same on every replica.</summary>
    private sealed class OrdinalPairComparer : IComparer<(string, string)>
    {
        public static OrdinalPairComparer Instance { get; } = new();

        public int Compare((string, string) x, (string, string) y)
        {
            var first = string.CompareOrdinal(x.Item1, y.Item1);
            return first != 0 ? first : string.CompareOrdinal(x.Item2, y.Item2);
        }
    }
}
