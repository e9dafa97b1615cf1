using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.Options;
using Microsoft.AspNetCore.Mvc;

namespace Observe.Dashboard.Auth;

/// <summary>
/// Exchanging the browser token for a session cookie: the sign-in page's form (<c>POST /auth/login</c>, with
/// anti-forgery) and the link printed at start (<c>GET /auth/login?t=</c>), both rate-limited per client address;
/// and signing out. With <see cref="AuthMode.OpenIdConnect"/>, <c>GET /auth/login</c> goes to the provider instead.
/// </summary>
internal static class AuthEndpoints
{
    public const string LoginPage = "/login";
    public const string LoginPath = "/auth/login";
    public const string LogoutPath = "/auth/logout";
    public const string RateLimitPolicy = "login";

    /// <summary>The query parameter and form field carrying the token.</summary>
    public const string TokenParameter = "t";

    /// <summary>Where to go after signing in, as the cookie handler names it.</summary>
    public const string ReturnUrlParameter = "ReturnUrl";

    /// <summary>Set on the sign-in started again after the provider's key changed (<see cref="AuthExtensions.KeyRetryItem"/>).</summary>
    public const string KeyRetryParameter = "keyRetry";

    public static void Map(WebApplication app, AuthMode mode)
    {
        if (mode == AuthMode.BrowserToken)
        {
            app.MapGet(LoginPath, (HttpContext context, BrowserToken token, [FromQuery(Name = TokenParameter)] string? t, [FromQuery(Name = ReturnUrlParameter)] string? returnUrl) =>
                    SignInAsync(context, token, t, returnUrl))
                .AllowAnonymous().RequireRateLimiting(RateLimitPolicy);
            app.MapPost(LoginPath, (HttpContext context, BrowserToken token, [FromForm(Name = TokenParameter)] string? t, [FromForm(Name = ReturnUrlParameter)] string? returnUrl) =>
                    SignInAsync(context, token, t, returnUrl))
                .AllowAnonymous().RequireRateLimiting(RateLimitPolicy);
        }

        else if (mode == AuthMode.OpenIdConnect)
        {
            // The sign-in page's button: off to the provider, back to the page asked for.
            app.MapGet(LoginPath, ([FromQuery(Name = ReturnUrlParameter)] string? returnUrl, [FromQuery(Name = KeyRetryParameter)] string? retry) =>
                {
                    var properties = new AuthenticationProperties { RedirectUri = LocalOrRoot(returnUrl) };
                    if (retry is not null)
                    {
                        properties.Items[AuthExtensions.KeyRetryItem] = "1";
                    }

                    return Results.Challenge(properties, [OpenIdConnectDefaults.AuthenticationScheme]);
                })
                .AllowAnonymous().RequireRateLimiting(RateLimitPolicy);
        }

        // Any signed-in user may sign out; the form carries an anti-forgery token, so another site cannot do it for them.
        app.MapPost(LogoutPath, (Func<HttpContext, Task<IResult>>)(context => mode switch
            {
                AuthMode.OpenIdConnect => SignOutOfProviderAsync(context),
                AuthMode.AwsAlb => Task.FromResult(SignOutOfLoadBalancer(context)),
                _ => SignOutAsync(context),
            }))
            .RequireAuthorization(new Microsoft.AspNetCore.Authorization.AuthorizeAttribute());
    }

    private static async Task<IResult> SignOutAsync(HttpContext context)
    {
        await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        return Results.Redirect(LoginPage);
    }

    /// <summary>Ends the dashboard's session and, when the provider has an end-session endpoint, the provider's too.</summary>
    private static async Task<IResult> SignOutOfProviderAsync(HttpContext context)
    {
        var options = context.RequestServices.GetRequiredService<IOptionsMonitor<OpenIdConnectOptions>>().Get(OpenIdConnectDefaults.AuthenticationScheme);
        var configuration = options.ConfigurationManager is { } manager ? await manager.GetConfigurationAsync(context.RequestAborted) : null;
        if (string.IsNullOrEmpty(configuration?.EndSessionEndpoint))
        {
            return await SignOutAsync(context);
        }

        // The provider's handler reads the id token from the request's cookie, so both sign out in this one request.
        return Results.SignOut(new AuthenticationProperties { RedirectUri = LoginPage }, [CookieAuthenticationDefaults.AuthenticationScheme, OpenIdConnectDefaults.AuthenticationScheme]);
    }

    /// <summary>Expires the load balancer's session cookies, then goes to the provider's sign-out page when one is configured.</summary>
    private static IResult SignOutOfLoadBalancer(HttpContext context)
    {
        foreach (var name in context.Request.Cookies.Keys.Where(k => k.StartsWith(AwsAlbAuthenticationHandler.SessionCookiePrefix, StringComparison.Ordinal)))
        {
            context.Response.Cookies.Delete(name, new CookieOptions { Path = "/", Secure = context.Request.IsHttps });
        }

        var signOut = context.RequestServices.GetRequiredService<IOptions<AuthOptions>>().Value.AwsAlb.SignOutUrl;
        return Results.Redirect(signOut?.ToString() ?? $"{LoginPage}?signedOut=1");
    }

    /// <summary>Signs the token's holder in as an Admin and sends them on; a wrong token goes back to the page, saying so.</summary>
    private static async Task<IResult> SignInAsync(HttpContext context, BrowserToken token, string? candidate, string? returnUrl)
    {
        var target = LocalOrRoot(returnUrl);
        if (!token.Matches(candidate))
        {
            return Results.Redirect($"{LoginPage}?failed=1&{ReturnUrlParameter}={Uri.EscapeDataString(target)}");
        }

        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, BrowserTokenUserName), new Claim(ClaimTypes.Role, DashboardRoles.Admin), new Claim(BrowserToken.TokenClaim, token.Hash)],
            CookieAuthenticationDefaults.AuthenticationScheme);
        await context.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity));
        // The redirect also takes the token out of the address bar and the history.
        return Results.Redirect(target);
    }

    /// <summary>The name changes made by the token's holder are recorded under.</summary>
    public const string BrowserTokenUserName = "browser-token holder";

    /// <summary>Only a path on this site: an absolute or protocol-relative address would make the sign-in an open redirect.</summary>
    internal static string LocalOrRoot(string? returnUrl) =>
        returnUrl is { Length: > 0 } && returnUrl[0] == '/' && (returnUrl.Length == 1 || (returnUrl[1] != '/' && returnUrl[1] != '\\')) ? returnUrl : "/";
}
