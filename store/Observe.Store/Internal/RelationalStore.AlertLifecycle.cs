using System.Data.Common;
using Microsoft.Extensions.Logging;
using Observe.Store.Model;

namespace Observe.Store.Internal;

internal abstract partial class RelationalStore
{
    private const string TransitionColumns = "rule_id, labels_key, ts, from_status, to_status, value, summary, actor";

    /// <summary>
    /// Deletes first, then instances, transitions and notifications, so a cycle may drop an old resolved instance and
    /// start a new episode under the same labels. A replayed commit changes nothing: a transition already recorded is
    /// not recorded again, and a notification already in the outbox is left as it is, so one sent is never queued again.
    /// </summary>
    public async Task<bool> CommitAlertEvaluationAsync(AlertEvaluationCommit commit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(commit);
        ArgumentNullException.ThrowIfNull(commit.Lease, nameof(AlertEvaluationCommit.Lease));
        foreach (var notification in commit.Notifications)
        {
            ValidateNotification(notification, nameof(commit));
        }

        await using var scope = await BeginWriteAsync(WriteLock.None, cancellationToken);
        if (await ReadHeldLeaseExpiryAsync(scope, commit.Lease, commit.At, cancellationToken) is null)
        {
            Logger.LogWarning(
                "Alert evaluation at {At} not written: lease {Lease} is no longer held by {Holder} with token {Token}",
                commit.At, commit.Lease.Name, commit.Lease.Holder, commit.Lease.Token);
            return false;
        }

        if (commit.Deletes.Count > 0)
        {
            await using var delete = scope.Command("DELETE FROM alert_instance WHERE rule_id = @rule_id AND labels_key = @labels_key");
            var ruleId = delete.AddText("@rule_id", null);
            var labelsKey = delete.AddText("@labels_key", null);
            foreach (var (rule, labels) in commit.Deletes)
            {
                ruleId.Set(rule);
                labelsKey.Set(labels);
                await delete.ExecuteNonQueryAsync(cancellationToken);
            }
        }

        await WriteAlertInstancesAsync(scope, commit.Instances, cancellationToken);
        await WriteTransitionsAsync(scope, commit.Transitions, cancellationToken);
        await WriteNotificationsAsync(scope, commit.Notifications, replace: false, cancellationToken);
        scope.Changed |= StoreChangeKind.Alerting;
        await scope.CommitAsync(cancellationToken);
        return true;
    }

    public async Task<IReadOnlyList<AlertTransition>> GetAlertHistoryAsync(string? ruleId, string? labelsKey, int limit, CancellationToken cancellationToken)
    {
        if (ruleId is null && labelsKey is not null)
        {
            throw new ArgumentException($"a labels key ('{labelsKey}') names an instance only together with its rule id", nameof(labelsKey));
        }

        await using var connection = await OpenReadConnectionAsync(cancellationToken);
        await using var command = connection.Command(null, "");
        var where = "";
        if (ruleId is not null)
        {
            where = " WHERE rule_id = @rule_id";
            command.AddText("@rule_id", ruleId);
            if (labelsKey is not null)
            {
                where += " AND labels_key = @labels_key";
                command.AddText("@labels_key", labelsKey);
            }
        }

        command.CommandText = $"SELECT {TransitionColumns} FROM alert_transition{where} ORDER BY ts DESC, id DESC LIMIT @limit";
        command.AddInt32("@limit", limit);
        return await command.ReadAllAsync(ReadTransition, cancellationToken);
    }

    /// <summary>
    /// The first acknowledgement stands: acknowledging an instance already acknowledged returns it unchanged and
    /// records nothing, so two people pressing the button leave one entry naming who was first.
    /// </summary>
    public async Task<AlertInstance?> AcknowledgeAlertAsync(string ruleId, string labelsKey, string actor, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ruleId);
        ArgumentNullException.ThrowIfNull(labelsKey);
        ArgumentException.ThrowIfNullOrEmpty(actor);
        await using var scope = await BeginWriteAsync(WriteLock.None, cancellationToken);

        // One conditional update, so of two concurrent acknowledgements exactly one changes the row.
        AlertInstance? acknowledged;
        await using (var command = scope.Command($"""
            UPDATE alert_instance SET acknowledged_by = @actor, acknowledged_at = @at
            WHERE rule_id = @rule_id AND labels_key = @labels_key AND status <> '{nameof(AlertStatus.Resolved)}' AND acknowledged_by IS NULL
            RETURNING {AlertInstanceColumns}
            """))
        {
            command.AddText("@actor", actor);
            command.AddInt64("@at", StoreTime.ToMs(at));
            command.AddText("@rule_id", ruleId);
            command.AddText("@labels_key", labelsKey);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            acknowledged = await reader.ReadAsync(cancellationToken) ? ReadAlertInstance(reader) : null;
        }

        if (acknowledged is null)
        {
            await using var command = scope.Command($"""
                SELECT {AlertInstanceColumns} FROM alert_instance
                WHERE rule_id = @rule_id AND labels_key = @labels_key AND status <> '{nameof(AlertStatus.Resolved)}'
                """);
            command.AddText("@rule_id", ruleId);
            command.AddText("@labels_key", labelsKey);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            return await reader.ReadAsync(cancellationToken) ? ReadAlertInstance(reader) : null;
        }

        await WriteTransitionsAsync(
            scope,
            [
                new AlertTransition
                {
                    RuleId = ruleId,
                    LabelsKey = labelsKey,
                    At = at,
                    From = acknowledged.Status,
                    To = acknowledged.Status,
                    Value = acknowledged.Value,
                    Summary = acknowledged.Summary,
                    Actor = actor,
                },
            ],
            cancellationToken);
        scope.Changed |= StoreChangeKind.Alerting;
        await scope.CommitAsync(cancellationToken);
        return acknowledged;
    }

    public async Task<Silence?> ExpireSilenceAsync(string silenceId, string actor, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(silenceId);
        ArgumentException.ThrowIfNullOrEmpty(actor);
        await using var scope = await BeginWriteAsync(WriteLock.None, cancellationToken);
        Silence? expired;
        await using (var command = scope.Command($"""
            UPDATE silence SET ends_at = @at, expired_by = @actor
            WHERE id = @id AND starts_at <= @at AND ends_at > @at
            RETURNING {SilenceColumns}
            """))
        {
            command.AddInt64("@at", StoreTime.ToMs(at));
            command.AddText("@actor", actor);
            command.AddText("@id", silenceId);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            expired = await reader.ReadAsync(cancellationToken) ? ReadSilence(reader) : null;
        }

        if (expired is not null)
        {
            scope.Changed |= StoreChangeKind.Alerting;
            await scope.CommitAsync(cancellationToken);
        }

        return expired;
    }

    public async Task<IReadOnlyList<Silence>> GetSilencesEndingAfterAsync(DateTimeOffset since, CancellationToken cancellationToken)
    {
        await using var connection = await OpenReadConnectionAsync(cancellationToken);
        await using var command = connection.Command(null, $"SELECT {SilenceColumns} FROM silence WHERE ends_at > @since ORDER BY starts_at, id");
        command.AddInt64("@since", StoreTime.ToMs(since));
        return await command.ReadAllAsync(ReadSilence, cancellationToken);
    }

    private static async Task WriteTransitionsAsync(WriteScope scope, IEnumerable<AlertTransition> transitions, CancellationToken cancellationToken)
    {
        await using var command = scope.Command($"""
            INSERT INTO alert_transition ({TransitionColumns})
            VALUES (@rule_id, @labels_key, @ts, @from_status, @to_status, @value, @summary, @actor)
            ON CONFLICT DO NOTHING
            """);
        foreach (var transition in transitions)
        {
            ArgumentNullException.ThrowIfNull(transition);
            command.Parameters.Clear();
            command.AddText("@rule_id", transition.RuleId);
            command.AddText("@labels_key", transition.LabelsKey);
            command.AddInt64("@ts", StoreTime.ToMs(transition.At));
            command.AddText("@from_status", transition.From?.ToString());
            command.AddText("@to_status", transition.To.ToString());
            command.AddDouble("@value", transition.Value);
            command.AddText("@summary", transition.Summary);
            command.AddText("@actor", transition.Actor);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private static AlertTransition ReadTransition(DbDataReader reader) => new()
    {
        RuleId = reader.GetString(0),
        LabelsKey = reader.GetString(1),
        At = reader.GetInstant(2),
        From = reader.GetNullableString(3) is { } from ? Enum.Parse<AlertStatus>(from) : null,
        To = Enum.Parse<AlertStatus>(reader.GetString(4)),
        Value = reader.GetNullableDouble(5),
        Summary = reader.GetString(6),
        Actor = reader.GetNullableString(7),
    };
}
