using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Observe.Alerting.Channels;
using Observe.Dashboard.Auth;
using Observe.Store;
using Observe.Store.Model;

namespace Observe.Dashboard.Auditing;

/// <summary>
/// Records what an action service did in the audit log: one <see cref="RecordAsync"/> per call that passed its role
/// check, changed or refused, right after the change. A failed write fails the action with
/// <see cref="AuditWriteException"/>: a change is never left unrecorded without the user hearing of it.
/// </summary>
public sealed partial class ActionAudit(IAuditLogWriter writer, TimeProvider time, ILogger<ActionAudit> logger)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// Writes who did <paramref name="action"/> to <paramref name="target"/>, with the state before and after (any
    /// object, serialised as JSON; null for none). Values of secret-looking properties (a secret, password, token,
    /// webhook URL or key) are masked whatever the caller passed.
    /// </summary>
    /// <exception cref="AuditWriteException">The entry could not be written; the message says the change stands unrecorded.</exception>
    public async Task RecordAsync(string actor, string action, string target, object? before, object? after, CancellationToken cancellationToken)
    {
        var entry = new AuditEntry
        {
            At = time.GetUtcNow(),
            Actor = actor,
            Action = action,
            Target = target,
            Before = Serialize(before),
            After = Serialize(after),
        };
        try
        {
            await writer.AppendAuditEntryAsync(entry, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogAuditWriteFailed(logger, ex, action, target, actor);
            throw new AuditWriteException(
                $"The change ({action} of {target}) was made, but it could not be written to the audit log, so it is not recorded there. " +
                "Check that the store is reachable (the Observe:Store settings) and tell an Admin what you changed; the dashboard's log has the details.", ex);
        }
    }

    /// <summary>The JSON stored for <paramref name="value"/>, secrets masked; null for null.</summary>
    internal static string? Serialize(object? value)
    {
        if (value is null)
        {
            return null;
        }

        var node = JsonSerializer.SerializeToNode(value, value.GetType(), Json);
        Mask(node);
        return node?.ToJsonString(Json);
    }

    private static void Mask(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, child) in obj.ToList())
                {
                    if (child is JsonValue value && value.TryGetValue<string>(out var text) && SecretName().IsMatch(name))
                    {
                        obj[name] = Uri.TryCreate(text, UriKind.Absolute, out _) ? SecretMask.Url(text) : SecretMask.Key(text);
                    }
                    else
                    {
                        Mask(child);
                    }
                }

                break;
            case JsonArray array:
                foreach (var child in array)
                {
                    Mask(child);
                }

                break;
        }
    }

    /// <summary>Property names whose values are secrets: labels keys and the like are not, so "key" alone does not match.</summary>
    [GeneratedRegex("(secret|password|token|webhookurl|routingkey|apikey|primarykey|secondarykey)$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SecretName();

    [LoggerMessage(Level = LogLevel.Error, Message = "The audit entry for {Action} of {Target} by {Actor} could not be written; the change was made and is not in the audit log")]
    private static partial void LogAuditWriteFailed(ILogger logger, Exception exception, string action, string target, string actor);
}

/// <summary>A change that was made but could not be written to the audit log; the message says so and what to do.</summary>
public sealed class AuditWriteException(string message, Exception innerException) : DashboardActionException(message, innerException);
