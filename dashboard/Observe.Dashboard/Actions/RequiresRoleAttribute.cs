using Observe.Dashboard.Auth;

namespace Observe.Dashboard.Actions;

/// <summary>
/// Names the role a dashboard write needs. Every public method of an action service (this namespace) carries one, and
/// begins with <see cref="DashboardUser.DemandAsync"/> of the same role; the authorization tests find them all by it.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class RequiresRoleAttribute(string role) : Attribute
{
    /// <summary>One of <see cref="DashboardRoles"/>.</summary>
    public string Role { get; } = role;
}
