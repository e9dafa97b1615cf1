using System.Data.Common;
using Observe.Store.Model;

namespace Observe.Store.Internal;

internal abstract partial class RelationalStore
{
    private const string NotificationColumns = "id, channel_id, group_key, content_hash, created_at, sent_at, attempts, last_error, status";

    public async Task UpsertAlertRuleAsync(AlertRule rule, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rule);
        await using var scope = await BeginWriteAsync(WriteLock.None, cancellationToken);
        await using (var command = scope.Command("""
            INSERT INTO alert_rule (id, name, condition, scope_account_id, scope_region, for_ms, severity, channels, enabled, updated_at)
            VALUES (@id, @name, @condition, @account, @region, @for_ms, @severity, @channels, @enabled, @updated_at)
            ON CONFLICT (id) DO UPDATE SET
                name = excluded.name, condition = excluded.condition, scope_account_id = excluded.scope_account_id,
                scope_region = excluded.scope_region, for_ms = excluded.for_ms, severity = excluded.severity,
                channels = excluded.channels, enabled = excluded.enabled, updated_at = excluded.updated_at
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
            SELECT id, name, condition, scope_account_id, scope_region, for_ms, severity, channels, enabled, updated_at
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
        await using (var command = scope.Command("""
            INSERT INTO alert_instance (rule_id, labels_key, labels, status, active_since, resolved_at, value, updated_at)
            VALUES (@rule_id, @labels_key, @labels, @status, @active_since, @resolved_at, @value, @updated_at)
            ON CONFLICT (rule_id, labels_key) DO UPDATE SET
                labels = excluded.labels, status = excluded.status, active_since = excluded.active_since,
                resolved_at = excluded.resolved_at, value = excluded.value, updated_at = excluded.updated_at
            """))
        {
            foreach (var instance in instances)
            {
                command.Parameters.Clear();
                command.AddText("@rule_id", instance.RuleId);
                command.AddText("@labels_key", instance.LabelsKey);
                command.AddText("@labels", StoreJson.Dictionary(instance.Labels));
                command.AddText("@status", instance.Status.ToString());
                command.AddInt64("@active_since", StoreTime.ToMs(instance.ActiveSince));
                command.AddInt64("@resolved_at", StoreTime.ToMs(instance.ResolvedAt));
                command.AddDouble("@value", instance.Value);
                command.AddInt64("@updated_at", StoreTime.ToMs(instance.UpdatedAt));
                await command.ExecuteNonQueryAsync(cancellationToken);
            }
        }

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

        command.CommandText = $"""
            SELECT rule_id, labels_key, labels, status, active_since, resolved_at, value, updated_at
            FROM alert_instance{where} ORDER BY rule_id, labels_key
            """;
        return await command.ReadAllAsync(ReadAlertInstance, cancellationToken);
    }

    public async Task UpsertNotificationAsync(NotificationRecord notification, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notification);
        await using var scope = await BeginWriteAsync(WriteLock.None, cancellationToken);
        await using (var command = scope.Command($"""
            INSERT INTO notification ({NotificationColumns})
            VALUES (@id, @channel_id, @group_key, @content_hash, @created_at, @sent_at, @attempts, @last_error, @status)
            ON CONFLICT (id) DO UPDATE SET
                channel_id = excluded.channel_id, group_key = excluded.group_key, content_hash = excluded.content_hash,
                created_at = excluded.created_at, sent_at = excluded.sent_at, attempts = excluded.attempts,
                last_error = excluded.last_error, status = excluded.status
            """))
        {
            command.AddText("@id", notification.Id);
            command.AddText("@channel_id", notification.ChannelId);
            command.AddText("@group_key", notification.GroupKey);
            command.AddText("@content_hash", notification.ContentHash);
            command.AddInt64("@created_at", StoreTime.ToMs(notification.CreatedAt));
            command.AddInt64("@sent_at", StoreTime.ToMs(notification.SentAt));
            command.AddInt32("@attempts", notification.Attempts);
            command.AddText("@last_error", notification.LastError);
            command.AddText("@status", notification.Status);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        scope.Changed |= StoreChangeKind.Alerting;
        await scope.CommitAsync(cancellationToken);
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
        await using (var command = scope.Command("""
            INSERT INTO silence (id, matchers, starts_at, ends_at, created_by, comment)
            VALUES (@id, @matchers, @starts_at, @ends_at, @created_by, @comment)
            ON CONFLICT (id) DO UPDATE SET
                matchers = excluded.matchers, starts_at = excluded.starts_at, ends_at = excluded.ends_at,
                created_by = excluded.created_by, comment = excluded.comment
            """))
        {
            command.AddText("@id", silence.Id);
            command.AddText("@matchers", StoreJson.Dictionary(silence.Matchers));
            command.AddInt64("@starts_at", StoreTime.ToMs(silence.StartsAt));
            command.AddInt64("@ends_at", StoreTime.ToMs(silence.EndsAt));
            command.AddText("@created_by", silence.CreatedBy);
            command.AddText("@comment", silence.Comment);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        scope.Changed |= StoreChangeKind.Alerting;
        await scope.CommitAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<Silence>> GetSilencesAsync(DateTimeOffset activeAt, CancellationToken cancellationToken)
    {
        await using var connection = await OpenReadConnectionAsync(cancellationToken);
        await using var command = connection.Command(null, """
            SELECT id, matchers, starts_at, ends_at, created_by, comment FROM silence
            WHERE starts_at <= @at AND ends_at > @at ORDER BY starts_at, id
            """);
        command.AddInt64("@at", StoreTime.ToMs(activeAt));
        return await command.ReadAllAsync(ReadSilence, cancellationToken);
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
    };

    private static Silence ReadSilence(DbDataReader reader) => new()
    {
        Id = reader.GetString(0),
        Matchers = StoreJson.Dictionary(reader.GetString(1)),
        StartsAt = reader.GetInstant(2),
        EndsAt = reader.GetInstant(3),
        CreatedBy = reader.GetString(4),
        Comment = reader.GetString(5),
    };
}
