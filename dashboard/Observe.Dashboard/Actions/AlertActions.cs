using System.Globalization;
using Observe.Alerting.Rules;
using Observe.Dashboard.Auditing;
using Observe.Dashboard.Auth;
using Observe.Dashboard.Model;
using Observe.Store;
using Observe.Store.Model;

namespace Observe.Dashboard.Actions;

/// <summary>
/// Every write the Alerts pages make (acknowledge, create and expire silences): a Responder's, recorded under their name.
/// </summary>
public sealed class AlertActions(IAlertLifecycleStore lifecycle, IAlertStateStore state, DashboardUser user, ActionAudit audit, TimeProvider time)
{
    /// <summary>Acknowledges an open alert (repeats stop; it still resolves on its own); null when it is no longer open.</summary>
    /// <exception cref="DashboardAccessDeniedException">The user is not a Responder; nothing was written.</exception>
    [RequiresRole(DashboardRoles.Responder)]
    public async Task<AlertInstance?> AcknowledgeAsync(string ruleId, string labelsKey, CancellationToken cancellationToken)
    {
        var actor = await user.DemandAsync(DashboardRoles.Responder);
        var now = time.GetUtcNow();
        var instance = await lifecycle.AcknowledgeAlertAsync(ruleId, labelsKey, actor, now, cancellationToken);
        // The store acknowledges only an unacknowledged instance and returns it as it stands otherwise, so whether this
        // call changed it shows in who and when it names.
        var changed = instance is not null && instance.AcknowledgedBy == actor && instance.AcknowledgedAt == StoreMillisecond(now);
        await audit.RecordAsync(
            actor, "alert.acknowledge", $"{ruleId} {labelsKey}",
            instance is null ? null : new { status = instance.Status.ToString(), acknowledgedBy = changed ? null : instance.AcknowledgedBy, acknowledgedAt = changed ? null : instance.AcknowledgedAt },
            instance is null
                ? new { outcome = "the alert is no longer open; nothing changed" }
                : new { status = instance.Status.ToString(), acknowledgedBy = instance.AcknowledgedBy, acknowledgedAt = instance.AcknowledgedAt },
            cancellationToken);
        return instance;
    }

    /// <summary>Ends a silence now; null when it had already ended.</summary>
    /// <exception cref="DashboardAccessDeniedException">The user is not a Responder; nothing was written.</exception>
    [RequiresRole(DashboardRoles.Responder)]
    public async Task<Silence?> ExpireSilenceAsync(string silenceId, CancellationToken cancellationToken)
    {
        var actor = await user.DemandAsync(DashboardRoles.Responder);
        var now = time.GetUtcNow();
        var before = (await lifecycle.GetSilencesEndingAfterAsync(now, cancellationToken)).FirstOrDefault(s => s.Id == silenceId);
        var expired = await lifecycle.ExpireSilenceAsync(silenceId, actor, now, cancellationToken);
        await audit.RecordAsync(
            actor, "silence.expire", silenceId,
            before is null ? null : SilenceState(before),
            expired is null ? new { outcome = "the silence had already ended; nothing changed" } : SilenceState(expired),
            cancellationToken);
        return expired;
    }

    /// <summary>Validates the draft and stores the silence, starting now; nothing is stored when the draft has a problem.</summary>
    /// <exception cref="DashboardAccessDeniedException">The user is not a Responder; nothing was written.</exception>
    [RequiresRole(DashboardRoles.Responder)]
    public async Task<SilenceResult> CreateSilenceAsync(SilenceDraft draft, CancellationToken cancellationToken)
    {
        var actor = await user.DemandAsync(DashboardRoles.Responder);
        ArgumentNullException.ThrowIfNull(draft);
        var now = time.GetUtcNow();
        var errors = new List<string>();
        var matchers = ParseMatchers(draft.Matchers, errors);
        var ends = ParseEnds(draft.Ends, now, errors);
        if (string.IsNullOrWhiteSpace(draft.Comment))
        {
            errors.Add("comment: say why the alerts are silenced; it is required, so whoever finds the silence knows whether it may end");
        }

        if (errors.Count > 0 || ends is not { } endsAt)
        {
            await audit.RecordAsync(actor, "silence.create", "(refused)", null, new { refused = errors, draft }, cancellationToken);
            return new SilenceResult(null, errors);
        }

        var silence = new Silence
        {
            Id = "silence-" + Guid.NewGuid().ToString("N"),
            Matchers = matchers,
            StartsAt = now,
            EndsAt = endsAt,
            CreatedBy = actor,
            Comment = draft.Comment.Trim(),
        };
        await state.UpsertSilenceAsync(silence, cancellationToken);
        await audit.RecordAsync(actor, "silence.create", silence.Id, null, SilenceState(silence), cancellationToken);
        return new SilenceResult(silence, []);
    }

    private static object SilenceState(Silence silence) => new
    {
        matchers = silence.Matchers,
        startsAt = silence.StartsAt,
        endsAt = silence.EndsAt,
        createdBy = silence.CreatedBy,
        comment = silence.Comment,
        expiredBy = silence.ExpiredBy,
    };

    /// <summary>The store keeps instants to the millisecond.</summary>
    private static DateTimeOffset StoreMillisecond(DateTimeOffset at) => DateTimeOffset.FromUnixTimeMilliseconds(at.ToUnixTimeMilliseconds());

    /// <summary>The draft's matchers text for an alert's labels: "silence like this" starts from every label it has.</summary>
    public static string MatchersFor(IReadOnlyDictionary<string, string> labels) =>
        string.Join('\n', labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}"));

    private static Dictionary<string, string> ParseMatchers(string text, List<string> errors)
    {
        var matchers = new Dictionary<string, string>(StringComparer.Ordinal);
        var lines = (text ?? "").Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0)
            {
                continue;
            }

            var where = $"matchers, line {i + 1}";
            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals < 0)
            {
                errors.Add($"{where}: \"{line}\" is not label=value (for example function=orders-api)");
                continue;
            }

            var label = line[..equals].Trim();
            var value = line[(equals + 1)..].Trim();
            if (label.Length == 0)
            {
                errors.Add($"{where}: the label before '=' is empty");
            }
            else if (value.Length == 0)
            {
                errors.Add($"{where}: the value of '{label}' is empty (use * to match any value)");
            }
            else if (!matchers.TryAdd(label, value))
            {
                errors.Add($"{where}: '{label}' is given twice; an alert has one value per label");
            }
        }

        if (matchers.Count == 0 && errors.Count == 0)
        {
            errors.Add("matchers: give at least one label=value; a silence without matchers would cover nothing");
        }

        return matchers;
    }

    private static DateTimeOffset? ParseEnds(string text, DateTimeOffset now, List<string> errors)
    {
        var trimmed = (text ?? "").Trim();
        if (trimmed.Length == 0)
        {
            errors.Add("ends: give a duration (2h, 30m, 1d) or a UTC time (2026-12-04 18:00)");
            return null;
        }

        if (RuleDurations.TryParse(trimmed, out var duration))
        {
            if (duration <= TimeSpan.Zero)
            {
                errors.Add($"ends: the duration \"{trimmed}\" must be longer than zero");
                return null;
            }

            return now + duration;
        }

        if (DateTimeOffset.TryParseExact(trimmed, ["yyyy-MM-dd HH:mm", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-ddTHH:mm", "yyyy-MM-ddTHH:mm:ss", "O"],
                CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at))
        {
            if (at <= now)
            {
                errors.Add($"ends: {at.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC is in the past; the silence would end before it starts");
                return null;
            }

            return at;
        }

        errors.Add($"ends: \"{trimmed}\" is neither a duration (2h, 30m, 1d) nor a UTC time (2026-12-04 18:00)");
        return null;
    }
}
