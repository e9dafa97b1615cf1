using System.Data.Common;
using Observe.Store.Model;

namespace Observe.Store.Internal;

internal abstract partial class RelationalStore
{
    private const string NotificationColumns =
        "id, channel_id, group_key, content_hash, created_at, sent_at, attempts, last_error, status, kind, payload, dedup_key, next_attempt_at";

    private const string AlertInstanceColumns =
        "rule_id, labels_key, labels, status, active_since, resolved_at, value, updated_at, " +
        "summary, severity, fired_at, last_active_at, unknown_since, acknowledged_by, acknowledged_at";

    private const string SilenceColumns = "id, matchers, starts_at, ends_at, created_by, comment, expired_by";

    private static readonly string[] NotificationStatuses = ["pending", "sending", "sent", "failed"];

    private static readonly string[] NotificationKinds = ["firing", "resolved", "repeat", "test"];

    public async Task UpsertAlertRuleAsync(AlertRule rule, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rule);
        await using var scope = await BeginWriteAsync(WriteLock.None, cancellationToken);
        await using (var command = scope.Command("""
            INSERT INTO alert_rule (id, name, condition, scope_account_id, scope_region, for_ms, severity, channels, enabled, updated_at,
                                    description, document, keep_firing_ms, updated_by)
            VALUES (@id, @name, @condition, @account, @region, @for_ms, @severity, @channels, @enabled, @updated_at,
                    @description, @document, @keep_firing_ms, @updated_by)
            ON CONFLICT (id) DO UPDATE SET
                name = excluded.name, condition = excluded.condition, scope_account_id = excluded.scope_account_id,
                scope_region = excluded.scope_region, for_ms = excluded.for_ms, severity = excluded.severity,
                channels = excluded.channels, enabled = excluded.enabled, updated_at = excluded.updated_at,
                description = excluded.description, document = excluded.document, keep_firing_ms = excluded.keep_firing_ms,
                updated_by = excluded.updated_by
            """))
        {
            command.AddText("@id", rule.Id);
            command.AddText("@name", rule.Name);
            command.AddText("@condition", rule.Condition);
            command.AddText("@account", rule.Scope.AccountId);
            command.AddText("@region", rule.Scope.Region);
            command.AddInt64("@for_ms", (long)rule.For.TotalMilliseconds);
            command.AddText("@severity", rule.Severity);
            command.AddText("@channels", StoreJson.Strings(rule.Channels));
            command.AddBool("@enabled", rule.Enabled);
            command.AddInt64("@updated_at", StoreTime.ToMs(rule.UpdatedAt));
            command.AddText("@description", rule.Description);
            command.AddText("@document", rule.Document);
            command.AddInt64("@keep_firing_ms", (long)rule.KeepFiringFor.TotalMilliseconds);
            command.AddText("@updated_by", rule.UpdatedBy);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        scope.Changed |= StoreChangeKind.Alerting;
        await scope.CommitAsync(cancellationToken);
    }

    /// <summary>Deletes the rule and its instances: an instance of a rule that no longer exists can never resolve.</summary>
    public async Task<bool> DeleteAlertRuleAsync(string ruleId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ruleId);
        await using var scope = await BeginWriteAsync(WriteLock.None, cancellationToken);
        int deleted;
        await using (var command = scope.Command("DELETE FROM alert_rule WHERE id = @id"))
        {
            command.AddText("@id", ruleId);
            deleted = await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var command = scope.Command("DELETE FROM alert_instance WHERE rule_id = @id"))
        {
            command.AddText("@id", ruleId);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        scope.Changed |= deleted > 0 ? StoreChangeKind.Alerting : StoreChangeKind.None;
        await scope.CommitAsync(cancellationToken);
        return deleted > 0;
    }

    public async Task<IReadOnlyList<AlertRule>> GetAlertRulesAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenReadConnectionAsync(cancellationToken);
        await using var command = connection.Command(null, """
            SELECT id, name, condition, scope_account_id, scope_region, for_ms, severity, channels, enabled, updated_at,
                   description, document, keep_firing_ms, updated_by
            FROM alert_rule ORDER BY name, id
            """);
        return await command.ReadAllAsync(ReadAlertRule, cancellationToken);
    }

    public async Task UpsertAlertInstancesAsync(IReadOnlyCollection<AlertInstance> instances, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(instances);
        if (instances.Count == 0)
        {
            return;
        }

        await using var scope = await BeginWriteAsync(WriteLock.None, cancellationToken);
        await WriteAlertInstancesAsync(scope, instances, cancellationToken);
        scope.Changed |= StoreChangeKind.Alerting;
        await scope.CommitAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<AlertInstance>> GetAlertInstancesAsync(AlertStatus? status, CancellationToken cancellationToken)
    {
        await using var connection = await OpenReadConnectionAsync(cancellationToken);
        await using var command = connection.Command(null, "");
        var where = "";
        if (status is not null)
        {
            where = " WHERE status = @status";
            command.AddText("@status", status.Value.ToString());
        }

        command.CommandText = $"SELECT {AlertInstanceColumns} FROM alert_instance{where} ORDER BY rule_id, labels_key";
        return await command.ReadAllAsync(ReadAlertInstance, cancellationToken);
    }

    public async Task UpsertNotificationAsync(NotificationRecord notification, CancellationToken cancellationToken)
    {
        ValidateNotification(notification, nameof(notification));
        await using var scope = await BeginWriteAsync(WriteLock.None, cancellationToken);
        await WriteNotificationsAsync(scope, [notification], replace: true, cancellationToken);
        scope.Changed |= StoreChangeKind.Alerting;
        await scope.CommitAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<NotificationRecord>> GetLatestNotificationPerGroupAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenReadConnectionAsync(cancellationToken);
        await using var command = connection.Command(null, $"""
            SELECT {NotificationColumns} FROM (
                SELECT {NotificationColumns},
                       ROW_NUMBER() OVER (PARTITION BY channel_id, group_key ORDER BY created_at DESC, id DESC) AS newest
                FROM notification WHERE kind <> 'test') latest
            WHERE newest = 1 ORDER BY channel_id, group_key
            """);
        return await command.ReadAllAsync(ReadNotification, cancellationToken);
    }

    public async Task<NotificationRecord?> GetLatestNotificationAsync(string channelId, string groupKey, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(channelId);
        ArgumentNullException.ThrowIfNull(groupKey);
        await using var connection = await OpenReadConnectionAsync(cancellationToken);
        await using var command = connection.Command(null, $"""
            SELECT {NotificationColumns} FROM notification
            WHERE channel_id = @channel_id AND group_key = @group_key ORDER BY created_at DESC, id DESC LIMIT 1
            """);
        command.AddText("@channel_id", channelId);
        command.AddText("@group_key", groupKey);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadNotification(reader) : null;
    }

    public async Task<IReadOnlyList<NotificationRecord>> GetNotificationsAsync(string? status, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await OpenReadConnectionAsync(cancellationToken);
        await using var command = connection.Command(null, "");
        var where = "";
        if (status is not null)
        {
            where = " WHERE status = @status";
            command.AddText("@status", status);
        }

        command.CommandText = $"SELECT {NotificationColumns} FROM notification{where} ORDER BY created_at DESC, id DESC LIMIT @limit";
        command.AddInt32("@limit", limit);
        return await command.ReadAllAsync(ReadNotification, cancellationToken);
    }

    public async Task UpsertSilenceAsync(Silence silence, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(silence);
        await using var scope = await BeginWriteAsync(WriteLock.None, cancellationToken);
        await using (var command = scope.Command($"""
            INSERT INTO silence ({SilenceColumns})
            VALUES (@id, @matchers, @starts_at, @ends_at, @created_by, @comment, @expired_by)
            ON CONFLICT (id) DO UPDATE SET
                matchers = excluded.matchers, starts_at = excluded.starts_at, ends_at = excluded.ends_at,
                created_by = excluded.created_by, comment = excluded.comment, expired_by = excluded.expired_by
            """))
        {
            command.AddText("@id", silence.Id);
            command.AddText("@matchers", StoreJson.Dictionary(silence.Matchers));
            command.AddInt64("@starts_at", StoreTime.ToMs(silence.StartsAt));
            command.AddInt64("@ends_at", StoreTime.ToMs(silence.EndsAt));
            command.AddText("@created_by", silence.CreatedBy);
            command.AddText("@comment", silence.Comment);
            command.AddText("@expired_by", silence.ExpiredBy);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        scope.Changed |= StoreChangeKind.Alerting;
        await scope.CommitAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<Silence>> GetSilencesAsync(DateTimeOffset activeAt, CancellationToken cancellationToken)
    {
        await using var connection = await OpenReadConnectionAsync(cancellationToken);
        await using var command = connection.Command(null, $"""
            SELECT {SilenceColumns} FROM silence
            WHERE starts_at <= @at AND ends_at > @at ORDER BY starts_at, id
            """);
        command.AddInt64("@at", StoreTime.ToMs(activeAt));
        return await command.ReadAllAsync(ReadSilence, cancellationToken);
    }

    /// <summary>
    /// Inserts or replaces instances, except that an acknowledgement stored on an open instance survives a write that
    /// does not carry one: the evaluator writes instances it read before a person acknowledged them, and would
    /// otherwise undo the acknowledgement. A write that resolves the instance, or starts one anew after it resolved,
    /// takes the written acknowledgement (none), since an acknowledgement ends with the episode it was made in.
    /// </summary>
    private static async Task WriteAlertInstancesAsync(WriteScope scope, IEnumerable<AlertInstance> instances, CancellationToken cancellationToken)
    {
        const string KeepAcknowledgement =
            $"excluded.acknowledged_by IS NULL AND excluded.status <> '{nameof(AlertStatus.Resolved)}' AND alert_instance.status <> '{nameof(AlertStatus.Resolved)}'";
        await using var command = scope.Command($"""
            INSERT INTO alert_instance ({AlertInstanceColumns})
            VALUES (@rule_id, @labels_key, @labels, @status, @active_since, @resolved_at, @value, @updated_at,
                    @summary, @severity, @fired_at, @last_active_at, @unknown_since, @acknowledged_by, @acknowledged_at)
            ON CONFLICT (rule_id, labels_key) DO UPDATE SET
                labels = excluded.labels, status = excluded.status, active_since = excluded.active_since,
                resolved_at = excluded.resolved_at, value = excluded.value, updated_at = excluded.updated_at,
                summary = excluded.summary, severity = excluded.severity, fired_at = excluded.fired_at,
                last_active_at = excluded.last_active_at, unknown_since = excluded.unknown_since,
                acknowledged_by = CASE WHEN {KeepAcknowledgement} THEN alert_instance.acknowledged_by ELSE excluded.acknowledged_by END,
                acknowledged_at = CASE WHEN {KeepAcknowledgement} THEN alert_instance.acknowledged_at ELSE excluded.acknowledged_at END
            """);
        foreach (var instance in instances)
        {
            ArgumentNullException.ThrowIfNull(instance);
            command.Parameters.Clear();
            command.AddText("@rule_id", instance.RuleId);
            command.AddText("@labels_key", instance.LabelsKey);
            command.AddText("@labels", StoreJson.Dictionary(instance.Labels));
            command.AddText("@status", instance.Status.ToString());
            command.AddInt64("@active_since", StoreTime.ToMs(instance.ActiveSince));
            command.AddInt64("@resolved_at", StoreTime.ToMs(instance.ResolvedAt));
            command.AddDouble("@value", instance.Value);
            command.AddInt64("@updated_at", StoreTime.ToMs(instance.UpdatedAt));
            command.AddText("@summary", instance.Summary);
            command.AddText("@severity", instance.Severity);
            command.AddInt64("@fired_at", StoreTime.ToMs(instance.FiredAt));
            command.AddInt64("@last_active_at", StoreTime.ToMs(instance.LastActiveAt));
            command.AddInt64("@unknown_since", StoreTime.ToMs(instance.UnknownSince));
            command.AddText("@acknowledged_by", instance.AcknowledgedBy);
            command.AddInt64("@acknowledged_at", StoreTime.ToMs(instance.AcknowledgedAt));
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Writes notification records: <paramref name="replace"/> overwrites a record with the same id (the log's own
    /// upsert); otherwise one that exists is left as it is, so queueing the same record again never re-sends one
    /// already sent.
    /// </summary>
    private static async Task WriteNotificationsAsync(
        WriteScope scope, IEnumerable<NotificationRecord> notifications, bool replace, CancellationToken cancellationToken)
    {
        var conflict = replace
            ? """
              DO UPDATE SET
                  channel_id = excluded.channel_id, group_key = excluded.group_key, content_hash = excluded.content_hash,
                  created_at = excluded.created_at, sent_at = excluded.sent_at, attempts = excluded.attempts,
                  last_error = excluded.last_error, status = excluded.status, kind = excluded.kind, payload = excluded.payload,
                  dedup_key = excluded.dedup_key, next_attempt_at = excluded.next_attempt_at
              """
            : "DO NOTHING";
        await using var command = scope.Command($"""
            INSERT INTO notification ({NotificationColumns})
            VALUES (@id, @channel_id, @group_key, @content_hash, @created_at, @sent_at, @attempts, @last_error, @status,
                    @kind, @payload, @dedup_key, @next_attempt_at)
            ON CONFLICT (id) {conflict}
            """);
        foreach (var notification in notifications)
        {
            command.Parameters.Clear();
            command.AddText("@id", notification.Id);
            command.AddText("@channel_id", notification.ChannelId);
            command.AddText("@group_key", notification.GroupKey);
            command.AddText("@content_hash", notification.ContentHash);
            command.AddInt64("@created_at", StoreTime.ToMs(notification.CreatedAt));
            command.AddInt64("@sent_at", StoreTime.ToMs(notification.SentAt));
            command.AddInt32("@attempts", notification.Attempts);
            command.AddText("@last_error", notification.LastError);
            command.AddText("@status", notification.Status);
            command.AddText("@kind", notification.Kind);
            command.AddText("@payload", notification.Payload);
            command.AddText("@dedup_key", notification.DedupKey);
            command.AddInt64("@next_attempt_at", StoreTime.ToMs(notification.NextAttemptAt));
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    /// <summary>Refuses a record the senders could not interpret, naming the field, before anything is written.</summary>
    private static void ValidateNotification(NotificationRecord notification, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(notification, parameterName);
        if (string.IsNullOrEmpty(notification.Id) || string.IsNullOrEmpty(notification.ChannelId))
        {
            throw new ArgumentException($"NotificationRecord.Id and ChannelId must not be empty (were '{notification.Id}', '{notification.ChannelId}')", parameterName);
        }

        if (!NotificationStatuses.Contains(notification.Status, StringComparer.Ordinal))
        {
            throw new ArgumentException(
                $"NotificationRecord.Status of '{notification.Id}' must be one of {string.Join(", ", NotificationStatuses)} (was '{notification.Status}')", parameterName);
        }

        if (!NotificationKinds.Contains(notification.Kind, StringComparer.Ordinal))
        {
            throw new ArgumentException(
                $"NotificationRecord.Kind of '{notification.Id}' must be one of {string.Join(", ", NotificationKinds)} (was '{notification.Kind}')", parameterName);
        }
    }

    private static NotificationRecord ReadNotification(DbDataReader reader) => new()
    {
        Id = reader.GetString(0),
        ChannelId = reader.GetString(1),
        GroupKey = reader.GetString(2),
        ContentHash = reader.GetString(3),
        CreatedAt = reader.GetInstant(4),
        SentAt = reader.GetNullableInstant(5),
        Attempts = reader.GetInt32(6),
        LastError = reader.GetNullableString(7),
        Status = reader.GetString(8),
        Kind = reader.GetString(9),
        Payload = reader.GetString(10),
        DedupKey = reader.GetString(11),
        NextAttemptAt = reader.GetInstant(12),
    };

    private static AlertRule ReadAlertRule(DbDataReader reader) => new()
    {
        Id = reader.GetString(0),
        Name = reader.GetString(1),
        Condition = reader.GetString(2),
        Scope = new FleetFilter(reader.GetNullableString(3), reader.GetNullableString(4)),
        For = TimeSpan.FromMilliseconds(reader.GetInt64(5)),
        Severity = reader.GetString(6),
        Channels = StoreJson.Strings(reader.GetString(7)),
        Enabled = reader.GetBoolean(8),
        UpdatedAt = reader.GetInstant(9),
        Description = reader.GetString(10),
        Document = reader.GetString(11),
        KeepFiringFor = TimeSpan.FromMilliseconds(reader.GetInt64(12)),
        UpdatedBy = reader.GetString(13),
    };

    private static AlertInstance ReadAlertInstance(DbDataReader reader) => new()
    {
        RuleId = reader.GetString(0),
        LabelsKey = reader.GetString(1),
        Labels = StoreJson.Dictionary(reader.GetString(2)),
        Status = Enum.Parse<AlertStatus>(reader.GetString(3)),
        ActiveSince = reader.GetInstant(4),
        ResolvedAt = reader.GetNullableInstant(5),
        Value = reader.GetNullableDouble(6),
        UpdatedAt = reader.GetInstant(7),
        Summary = reader.GetString(8),
        Severity = reader.GetString(9),
        FiredAt = reader.GetNullableInstant(10),
        LastActiveAt = reader.GetNullableInstant(11),
        UnknownSince = reader.GetNullableInstant(12),
        AcknowledgedBy = reader.GetNullableString(13),
        AcknowledgedAt = reader.GetNullableInstant(14),
    };

    private static Silence ReadSilence(DbDataReader reader) => new()
    {
        Id = reader.GetString(0),
        Matchers = StoreJson.Dictionary(reader.GetString(1)),
        StartsAt = reader.GetInstant(2),
        EndsAt = reader.GetInstant(3),
        CreatedBy = reader.GetString(4),
        Comment = reader.GetString(5),
        ExpiredBy = reader.GetNullableString(6),
    };
}
