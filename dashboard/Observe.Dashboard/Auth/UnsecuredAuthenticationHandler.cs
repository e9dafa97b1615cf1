using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Observe.Dashboard.Auth;

/// <summary>
/// <see cref="AuthMode.Unsecured"/>: every request is the same Admin, named <see cref="UserName"/> so a change it makes
/// is recorded as made without sign-in.
/// </summary>
internal sealed class UnsecuredAuthenticationHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Unsecured";

    /// <summary>The name changes are recorded under.</summary>
    public const string UserName = "anonymous (unsecured)";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, UserName), new Claim(ClaimTypes.Role, DashboardRoles.Admin)], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }
}
