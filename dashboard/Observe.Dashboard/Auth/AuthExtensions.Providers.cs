using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Observe.Dashboard.Auth;

/// <summary>The two modes where someone else signs people in: an OpenID Connect provider, or the AWS load balancer.</summary>
internal static partial class AuthExtensions
{
    /// <summary>
    /// Code flow with PKCE against <see cref="OpenIdConnectSignInOptions.Authority"/>, then the dashboard's own session
    /// cookie holding only the mapped name, role and subject (and the id token, for the provider's sign-out).
    /// </summary>
    private static void AddOpenIdConnect(IServiceCollection services, AuthOptions options)
    {
        services.AddAuthentication(scheme =>
            {
                scheme.DefaultScheme = CookieAuthenticationDefaults.AuthenticationScheme;
                scheme.DefaultChallengeScheme = OpenIdConnectDefaults.AuthenticationScheme;
                scheme.DefaultForbidScheme = CookieAuthenticationDefaults.AuthenticationScheme;
            })
            .AddCookie(cookie => ConfigureCookie(cookie, options))
            .AddOpenIdConnect(oidc => ConfigureOpenIdConnect(oidc, options.OpenIdConnect));
        // After the handler's own post-configuration, which made the back channel this reads over.
        services.AddSingleton<IPostConfigureOptions<OpenIdConnectOptions>, ProviderMetadata.Install>();
    }

    /// <summary>Marks a sign-in started again after the provider's key changed, so it is started again only once.</summary>
    internal const string KeyRetryItem = "observe:key-retry";

    private static void ConfigureOpenIdConnect(OpenIdConnectOptions oidc, OpenIdConnectSignInOptions provider)
    {
        oidc.Authority = provider.Authority?.ToString();
        oidc.ClientId = provider.ClientId;
        oidc.ClientSecret = string.IsNullOrEmpty(provider.ClientSecret) ? null : provider.ClientSecret;
        oidc.ResponseType = OpenIdConnectResponseType.Code;
        // The code comes back on a top-level GET, which carries the SameSite=Lax correlation cookies; form_post, the
        // default, is a cross-site POST that would need SameSite=None cookies.
        oidc.ResponseMode = OpenIdConnectResponseMode.Query;
        oidc.UsePkce = true;
        oidc.RequireHttpsMetadata = provider.Authority?.IsLoopback != true;
        oidc.Scope.Clear();
        foreach (var scope in provider.EffectiveScopes)
        {
            oidc.Scope.Add(scope);
        }

        // Claims under the names the provider gives them, which the settings name; the user info endpoint adds the
        // groups some providers only put there.
        oidc.MapInboundClaims = false;
        oidc.GetClaimsFromUserInfoEndpoint = true;
        oidc.ClaimActions.MapJsonKey(provider.RoleClaim, provider.RoleClaim);
        oidc.ClaimActions.MapUniqueJsonKey(provider.NameClaim, provider.NameClaim);
        oidc.SaveTokens = true;
        oidc.SignedOutRedirectUri = AuthEndpoints.LoginPage;
        foreach (var cookie in new[] { oidc.CorrelationCookie, oidc.NonceCookie })
        {
            cookie.SameSite = SameSiteMode.Lax;
            cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        }

        oidc.Events.OnRedirectToIdentityProvider = context =>
        {
            if (WantsPage(context.Request))
            {
                return Task.CompletedTask;
            }

            context.HandleResponse();
            return Refuse(context.Response, StatusCodes.Status401Unauthorized, "Sign in first: open the dashboard in a browser, which sends you to your sign-in provider.");
        };
        oidc.Events.OnTicketReceived = context =>
        {
            var (name, role, subject) = ClaimMapping.Map(provider, context.Principal?.Claims ?? []);
            if (role is null)
            {
                // No session for a user nobody granted a role: they are told which claim values would grant one.
                context.HandleResponse();
                return Refuse(context.Response, StatusCodes.Status403Forbidden, ClaimMapping.NoRole(provider, AuthOptions.SectionName + ":OpenIdConnect", name));
            }

            context.Principal = new ClaimsPrincipal(ClaimMapping.Identity(OpenIdConnectDefaults.AuthenticationScheme, name, role, subject));
            var idToken = context.Properties?.GetTokenValue(OpenIdConnectParameterNames.IdToken);
            context.Properties?.StoreTokens(idToken is null ? [] : [new AuthenticationToken { Name = OpenIdConnectParameterNames.IdToken, Value = idToken }]);
            return Task.CompletedTask;
        };
        oidc.Events.OnTokenResponseReceived = async context =>
        {
            // The id token names a key not read yet (the provider rotated its key): read the keys again and start the
            // sign-in over once; the provider still knows the user, and the handler validates with the keys it had
            // when this answer came, so validating now could only fail.
            var kid = context.TokenEndpointResponse.IdToken is { } idToken && new JsonWebTokenHandler().CanReadToken(idToken) ? new JsonWebToken(idToken).Kid : null;
            if (context.Options.ConfigurationManager is ProviderMetadata metadata && !await metadata.KnowsKeyAsync(kid, context.HttpContext.RequestAborted)
                && context.Properties?.Items.ContainsKey(KeyRetryItem) != true)
            {
                context.HandleResponse();
                context.Response.Redirect($"{AuthEndpoints.LoginPath}?{AuthEndpoints.ReturnUrlParameter}={Uri.EscapeDataString(AuthEndpoints.LocalOrRoot(context.Properties?.RedirectUri))}&{AuthEndpoints.KeyRetryParameter}=1");
            }
        };
        oidc.Events.OnRemoteFailure = context =>
        {
            // The handler has logged why (an expired or forged token, a wrong audience); the browser gets what to do.
            context.HandleResponse();
            return Refuse(context.Response, StatusCodes.Status401Unauthorized,
                "Signing in with your sign-in provider did not work: its answer was refused or came too late. Open the dashboard again to start over; if it keeps failing, the dashboard's log says why.");
        };
    }

    /// <summary>Every request authenticated by the load balancer's signed header; no cookie of the dashboard's own.</summary>
    private static void AddAwsAlb(IServiceCollection services)
    {
        services.AddHttpClient(AwsAlbKeys.ClientName);
        services.AddSingleton<AwsAlbKeys>();
        services.AddAuthentication(AwsAlbAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, AwsAlbAuthenticationHandler>(AwsAlbAuthenticationHandler.SchemeName, null);
    }
}
