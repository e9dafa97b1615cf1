using Observe.Dashboard.Auditing;
using Observe.Dashboard.Auth;
using Observe.Store;
using Observe.Store.Model;

namespace Observe.Dashboard.Actions;

/// <summary>The Errors page's write: an error group's status, set by a Responder and recorded under their name.</summary>
public sealed class ErrorStatusActions(IErrorStatusWriter writer, DashboardUser user, ActionAudit audit, TimeProvider time)
{
    /// <summary>Sets the status of the groups with <paramref name="fingerprint"/>, recording who and when.</summary>
    /// <exception cref="DashboardAccessDeniedException">The user is not a Responder; nothing was written.</exception>
    [RequiresRole(DashboardRoles.Responder)]
    public async Task<ErrorStatusChange?> SetStatusAsync(string fingerprint, ErrorStatus status, CancellationToken cancellationToken)
    {
        var actor = await user.DemandAsync(DashboardRoles.Responder);
        var change = await writer.SetErrorStatusAsync(fingerprint, status, actor, time.GetUtcNow(), cancellationToken);
        await audit.RecordAsync(
            actor, "error.status", fingerprint,
            change is null ? null : new { status = change.From.ToString() },
            change is null ? new { outcome = "no error group has this fingerprint; nothing changed" } : new { status = change.To.ToString() },
            cancellationToken);
        return change;
    }
}
