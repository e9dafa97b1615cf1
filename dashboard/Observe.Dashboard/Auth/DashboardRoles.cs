using Microsoft.AspNetCore.Authorization;

namespace Observe.Dashboard.Auth;

/// <summary>
/// The three roles, each an authorization policy of the same name. They nest: an Admin may do what a Responder may,
/// a Responder what a Viewer may. Mark a page with <c>@attribute [Authorize(Policy = DashboardRoles.Responder)]</c>
/// (a page without one needs <see cref="Viewer"/>, the fallback), and a write with <see cref="DashboardUser.DemandAsync"/>.
/// </summary>
public static class DashboardRoles
{
    /// <summary>Reads every page.</summary>
    public const string Viewer = "Viewer";

    /// <summary>Acknowledges, silences and changes error-group status.</summary>
    public const string Responder = "Responder";

    /// <summary>Edits rules, channels and settings.</summary>
    public const string Admin = "Admin";

    /// <summary>Every role, lowest first.</summary>
    public static IReadOnlyList<string> All { get; } = [Viewer, Responder, Admin];

    /// <summary>The role claims that satisfy <paramref name="role"/>: itself and every role above it.</summary>
    public static IReadOnlyList<string> SatisfiedBy(string role)
    {
        var index = IndexOf(role);
        return index < 0 ? throw new ArgumentException($"'{role}' is not a dashboard role ({string.Join(", ", All)})", nameof(role)) : All.Skip(index).ToList();
    }

    /// <summary>The roles a holder of <paramref name="role"/> has, itself and every role below it; empty for an unknown one.</summary>
    public static IEnumerable<string> Implied(string role) => All.Take(IndexOf(role) + 1);

    internal static void AddPolicies(AuthorizationOptions options)
    {
        foreach (var role in All)
        {
            options.AddPolicy(role, policy => policy.RequireAuthenticatedUser().RequireRole(SatisfiedBy(role)));
        }

        // Every endpoint and page without its own rule (the Blazor hub, the exports, pages) needs a Viewer; the
        // few open ones (sign-in, health, the sign-in page's assets) say so with AllowAnonymous.
        options.FallbackPolicy = options.GetPolicy(Viewer);
    }

    private static int IndexOf(string role)
    {
        for (var i = 0; i < All.Count; i++)
        {
            if (string.Equals(All[i], role, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }
}
