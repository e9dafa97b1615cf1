using System.Text.Json;
using Observe.Store;
using Observe.Store.Model;

namespace Observe.Dashboard.Tests.Components;

/// <summary>
/// Writes alerting state the way the engine does: rules as documents, and instances, transitions and notifications in
/// one evaluation commit under the alerting lease, so the pages read what a real cycle leaves.
/// </summary>
internal static class AlertsSeed
{
    public const string Account = "111122223333";
    public const string Region = "eu-west-1";

    /// <summary>A dashboard rule; a disabled one is never evaluated, so an engine running beside the test leaves its alerts alone.</summary>
    public static AlertRule Rule(string id, string name, string groupBy = "[rule]", string severity = "warning", bool enabled = true) => new()
    {
        Id = id,
        Name = name,
        Condition = "error_rate > 5%",
        Severity = severity,
        Enabled = enabled,
        Document = $"""
            id: {id}
            name: {JsonSerializer.Serialize(name)}
            condition: error_rate > 5%
            severity: {severity}
            group_by: {groupBy}
            enabled: {(enabled ? "true" : "false")}
            """,
    };

    public static AlertInstance Instance(
        string ruleId, string function, AlertStatus status, DateTimeOffset since,
        string account = Account, string severity = "warning", double? value = 0.12, DateTimeOffset? resolvedAt = null) => new()
        {
            RuleId = ruleId,
            LabelsKey = $"{account}/{Region}/{function}",
            Labels = new Dictionary<string, string>
            {
                ["rule"] = ruleId,
                ["severity"] = severity,
                ["account"] = account,
                ["region"] = Region,
                ["function"] = function,
            },
            Status = status,
            Severity = severity,
            ActiveSince = since,
            FiredAt = status == AlertStatus.Pending ? null : since,
            ResolvedAt = resolvedAt,
            Value = value,
            Summary = $"error rate {value} > 0.05",
            UpdatedAt = since,
        };

    public static AlertTransition Transition(AlertInstance instance, AlertStatus? from, AlertStatus to, DateTimeOffset at) => new()
    {
        RuleId = instance.RuleId,
        LabelsKey = instance.LabelsKey,
        At = at,
        From = from,
        To = to,
        Value = instance.Value,
        Summary = instance.Summary,
    };

    /// <summary>A notification as the planner writes it: its payload lists <paramref name="alerts"/>.</summary>
    public static NotificationRecord Notification(string id, string groupKey, DateTimeOffset at, params AlertInstance[] alerts) => new()
    {
        Id = id,
        ChannelId = "slack-oncall",
        GroupKey = groupKey,
        ContentHash = id,
        CreatedAt = at,
        NextAttemptAt = at,
        Kind = "firing",
        DedupKey = "observe-" + id,
        Payload = JsonSerializer.Serialize(new
        {
            groupKey,
            dedupKey = "observe-" + id,
            status = "Firing",
            severity = "Warning",
            title = "Firing",
            description = "",
            since = at,
            alerts = alerts.Select(a => new
            {
                ruleId = a.RuleId,
                labelsKey = a.LabelsKey,
                labels = a.Labels,
                status = a.Status == AlertStatus.Resolved ? "Resolved" : "Firing",
                activeSince = a.ActiveSince,
                resolvedAt = a.ResolvedAt,
                summary = a.Summary,
                link = (string?)null,
            }),
            link = (string?)null,
            isTest = false,
        }),
    };

    public static async Task CommitAsync(
        IObserveStore store,
        IReadOnlyList<AlertInstance> instances,
        IReadOnlyList<AlertTransition>? transitions = null,
        IReadOnlyList<NotificationRecord>? notifications = null)
    {
        var now = DateTimeOffset.UtcNow;
        var lease = await store.TryAcquireLeaseAsync("alerts-page-seed", "test-seed", TimeSpan.FromMinutes(5), now, CancellationToken.None)
            ?? throw new InvalidOperationException("the alerting lease is held by someone else");
        var committed = await store.CommitAlertEvaluationAsync(new AlertEvaluationCommit
        {
            Lease = lease,
            At = now,
            Instances = instances,
            Transitions = transitions ?? [],
            Notifications = notifications ?? [],
        }, CancellationToken.None);
        if (!committed)
        {
            throw new InvalidOperationException("the seed commit was refused");
        }

        await store.ReleaseLeaseAsync(lease, CancellationToken.None);
    }
}
