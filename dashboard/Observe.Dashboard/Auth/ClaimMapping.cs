using System.Security.Claims;

namespace Observe.Dashboard.Auth;

/// <summary>
/// Turns a provider's claims into the dashboard's user, the same way for OpenID Connect and the ALB: the display name
/// from <see cref="ClaimMappingOptions.NameClaim"/> (then <c>email</c>, then <c>sub</c>), and the highest role any
/// value of <see cref="ClaimMappingOptions.RoleClaim"/> grants.
/// </summary>
internal static class ClaimMapping
{
    /// <summary>The claim type of the roles on the dashboard's own identity, which the role policies read.</summary>
    public const string RoleType = ClaimTypes.Role;

    /// <summary>Name, highest role (null: none granted) and the subject, from the provider's <paramref name="claims"/>, read by their raw names.</summary>
    public static (string Name, string? Role, string? Subject) Map(ClaimMappingOptions options, IEnumerable<Claim> claims)
    {
        ArgumentNullException.ThrowIfNull(options);
        var list = claims as IReadOnlyCollection<Claim> ?? claims.ToList();
        string? First(string type) => list.FirstOrDefault(c => c.Type == type && c.Value.Length > 0)?.Value;

        var subject = First("sub");
        var name = First(options.NameClaim) ?? First("email") ?? subject ?? "unknown";
        var values = list.Where(c => c.Type == options.RoleClaim).Select(c => c.Value).ToHashSet(StringComparer.Ordinal);
        string? role = values.Overlaps(options.AdminValues) ? DashboardRoles.Admin
            : values.Overlaps(options.ResponderValues) ? DashboardRoles.Responder
            : values.Overlaps(options.ViewerValues) ? DashboardRoles.Viewer
            : null;
        return (name, role, subject);
    }

    /// <summary>The dashboard's identity: the name, the role when there is one, the subject; nothing else of the provider's.</summary>
    public static ClaimsIdentity Identity(string authenticationType, string name, string? role, string? subject)
    {
        var claims = new List<Claim> { new(ClaimTypes.Name, name) };
        if (role is not null)
        {
            claims.Add(new Claim(RoleType, role));
        }

        if (subject is not null)
        {
            claims.Add(new Claim(ClaimTypes.NameIdentifier, subject));
        }

        return new ClaimsIdentity(claims, authenticationType, ClaimTypes.Name, RoleType);
    }

    /// <summary>What a signed-in user without a role is told: the claim and the values that would grant one.</summary>
    public static string NoRole(ClaimMappingOptions options, string settingsSection, string name) =>
        $"You are signed in as {name}, but no value of your '{options.RoleClaim}' claim grants a dashboard role. " +
        $"Admin needs one of [{string.Join(", ", options.AdminValues)}], Responder one of [{string.Join(", ", options.ResponderValues)}], " +
        $"Viewer one of [{string.Join(", ", options.ViewerValues)}] ({settingsSection}:AdminValues, ResponderValues, ViewerValues). " +
        "Ask whoever runs your sign-in provider to add you to one of them.";
}
