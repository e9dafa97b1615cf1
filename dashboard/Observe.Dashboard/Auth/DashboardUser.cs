using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Authorization;

namespace Observe.Dashboard.Auth;

/// <summary>
/// The signed-in user of this circuit or request: the name recorded with a change, the roles, and the server-side
/// check every write makes before it writes (<see cref="DemandAsync"/>), whatever buttons the page showed.
/// </summary>
public sealed class DashboardUser(AuthenticationStateProvider authentication, IAuthorizationService authorization)
{
    /// <summary>The display name: the <c>name</c> claim, else the identity's name, else its subject.</summary>
    public async Task<string> GetNameAsync() => NameOf(await PrincipalAsync());

    /// <summary>The roles held, the implied lower ones included (an Admin is also a Responder and a Viewer).</summary>
    public async Task<IReadOnlyList<string>> GetRolesAsync()
    {
        var principal = await PrincipalAsync();
        return DashboardRoles.All.Where(r => DashboardRoles.SatisfiedBy(r).Any(principal.IsInRole)).ToList();
    }

    /// <summary>Whether the user may act as <paramref name="role"/> (one of <see cref="DashboardRoles"/>).</summary>
    public async Task<bool> HasRoleAsync(string role)
    {
        var principal = await PrincipalAsync();
        return (await authorization.AuthorizeAsync(principal, role)).Succeeded;
    }

    /// <summary>Returns the user's name when they may act as <paramref name="role"/>; throws otherwise.</summary>
    /// <exception cref="DashboardAccessDeniedException">Not signed in, or without the role.</exception>
    public async Task<string> DemandAsync(string role)
    {
        var principal = await PrincipalAsync();
        if ((await authorization.AuthorizeAsync(principal, role)).Succeeded)
        {
            return NameOf(principal);
        }

        throw new DashboardAccessDeniedException(principal.Identity?.IsAuthenticated == true
            ? $"This needs the {role} role; {NameOf(principal)} does not have it. Ask an Admin to grant it."
            : $"This needs the {role} role and nobody is signed in. Sign in again.");
    }

    internal static string NameOf(ClaimsPrincipal principal) =>
        principal.FindFirst("name")?.Value is { Length: > 0 } name ? name
        : principal.Identity?.Name is { Length: > 0 } identity ? identity
        : principal.FindFirst(ClaimTypes.NameIdentifier)?.Value ?? "unknown";

    private async Task<ClaimsPrincipal> PrincipalAsync() => (await authentication.GetAuthenticationStateAsync()).User;
}

/// <summary>A dashboard action that did not go as asked; the message, shown as it is, says what happened and what to do.</summary>
public abstract class DashboardActionException(string message, Exception? innerException = null) : Exception(message, innerException);

/// <summary>A write refused because the user lacks the role it needs; the message says which and what to do.</summary>
public sealed class DashboardAccessDeniedException(string message) : DashboardActionException(message);
