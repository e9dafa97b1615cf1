using System.Text.RegularExpressions;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using Observe.Dashboard.Configuration;

namespace Observe.Dashboard.Auth;

/// <summary>Sign-in, roles and the hardening around them: registration and the request pipeline.</summary>
internal static partial class AuthExtensions
{
    /// <summary>The session cookie's name.</summary>
    public const string CookieName = ".Observe.Session";

    /// <summary>
    /// Registers <c>Observe:Auth</c> (validated at start), the scheme of its mode, the role policies with Viewer as
    /// the fallback, <see cref="DashboardUser"/>, and the sign-in rate limit.
    /// </summary>
    public static void AddDashboardAuth(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var bound = BoundOptions<AuthOptions>.Bind(builder.Configuration, AuthOptions.SectionName);
        bound.Register(services);
        services.AddSingleton(bound);
        services.AddSingleton<IValidateOptions<AuthOptions>, AuthOptionsValidator>();

        services.AddScoped<DashboardUser>();
        StoreXmlRepository.AddStoreDataProtection(services);
        services.AddSingleton<DataProtectionStatus>();
        services.AddCascadingAuthenticationState();
        services.AddAuthorization(DashboardRoles.AddPolicies);

        var options = bound.Value;
        if (options.Mode == AuthMode.Unsecured)
        {
            services.AddAuthentication(UnsecuredAuthenticationHandler.SchemeName)
                .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, UnsecuredAuthenticationHandler>(UnsecuredAuthenticationHandler.SchemeName, null);
        }
        else if (options.Mode == AuthMode.OpenIdConnect)
        {
            AddOpenIdConnect(services, options);
        }
        else if (options.Mode == AuthMode.AwsAlb)
        {
            AddAwsAlb(services);
        }
        else
        {
            services.AddSingleton<BrowserToken>();
            services.AddHostedService<BrowserTokenAnnouncer>();
            services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie(cookie => ConfigureCookie(cookie, options));
        }

        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.OnRejected = (context, cancellationToken) =>
            {
                context.HttpContext.Response.ContentType = "text/plain; charset=utf-8";
                return new ValueTask(context.HttpContext.Response.WriteAsync(
                    "Too many sign-in attempts from this address. Wait a minute, then try again with the token the dashboard printed at start.", cancellationToken));
            };
            // Per client address; behind a proxy every user shares the proxy's address, which the decisions note.
            limiter.AddPolicy(AuthEndpoints.RateLimitPolicy, context => RateLimitPartition.GetFixedWindowLimiter(
                context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new FixedWindowRateLimiterOptions { PermitLimit = options.LoginAttemptsPerMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
        });
    }

    /// <summary>
    /// Security headers, authentication, authorization and the sign-in rate limit, in that order; call before
    /// anti-forgery and the endpoints.
    /// </summary>
    public static void UseDashboardAuth(this WebApplication app)
    {
        app.UseSecurityHeaders();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
    }

    /// <summary>The sign-in endpoints; and the sign-in page's own assets (its stylesheet, the icon) open to anyone.</summary>
    public static void MapDashboardAuth(this WebApplication app, IEndpointConventionBuilder staticAssets)
    {
        AuthEndpoints.Map(app, app.Services.GetRequiredService<BoundOptions<AuthOptions>>().Value.Mode);
        staticAssets.Add(endpoint =>
        {
            if (endpoint is RouteEndpointBuilder { RoutePattern.RawText: { } route } && LoginAssets().IsMatch(route))
            {
                endpoint.Metadata.Add(new AllowAnonymousAttribute());
            }
        });
    }

    /// <summary>app.css and favicon.svg, with or without the build's fingerprint.</summary>
    [GeneratedRegex(@"^/?(app\.([a-z0-9]+\.)?css|favicon\.([a-z0-9]+\.)?svg)$")]
    internal static partial Regex LoginAssets();

    private static void ConfigureCookie(CookieAuthenticationOptions cookie, AuthOptions options)
    {
        cookie.Cookie.Name = CookieName;
        cookie.Cookie.HttpOnly = true;
        // Secure whenever the request came over HTTPS. Lax rather than Strict: a link to a page pasted in a chat is a
        // cross-site navigation, which would arrive without a Strict cookie and look signed out. Writes go over the
        // Blazor socket (same origin only) or forms with anti-forgery tokens.
        cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        cookie.Cookie.SameSite = SameSiteMode.Lax;
        cookie.ExpireTimeSpan = options.SessionLifetime;
        cookie.SlidingExpiration = true;
        cookie.LoginPath = AuthEndpoints.LoginPage;
        cookie.AccessDeniedPath = AccessDeniedPage;
        cookie.ReturnUrlParameter = AuthEndpoints.ReturnUrlParameter;
        cookie.Events.OnRedirectToLogin = context => WantsPage(context.Request)
            ? Redirect(context.Response, context.RedirectUri)
            : Refuse(context.Response, StatusCodes.Status401Unauthorized, "Sign in first: open the dashboard in a browser and use the sign-in link it printed at start.");
        cookie.Events.OnRedirectToAccessDenied = context => WantsPage(context.Request)
            ? Redirect(context.Response, context.RedirectUri)
            : Refuse(context.Response, StatusCodes.Status403Forbidden, RoleRefusal);
        if (options.Mode != AuthMode.BrowserToken)
        {
            return;
        }

        cookie.Events.OnValidatePrincipal = context =>
        {
            // A session from before the token changed (a restart drew a new one) is over.
            var token = context.HttpContext.RequestServices.GetRequiredService<BrowserToken>();
            if (context.Principal?.FindFirst(BrowserToken.TokenClaim)?.Value != token.Hash)
            {
                context.RejectPrincipal();
            }

            return Task.CompletedTask;
        };
    }

    /// <summary>The page a signed-in user without the role a page needs is sent to.</summary>
    public const string AccessDeniedPage = "/access-denied";

    /// <summary>What a signed-in user is told when their role does not allow a request that is no page.</summary>
    internal const string RoleRefusal = "Your role does not allow this. Ask an Admin of the dashboard for the role it needs.";

    /// <summary>A browser asking for a page gets sent to one; scripts, the Blazor hub and downloads get the status.</summary>
    internal static bool WantsPage(HttpRequest request) =>
        (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method))
        && request.Headers.Accept.Any(a => a?.Contains("text/html", StringComparison.OrdinalIgnoreCase) == true);

    private static Task Redirect(HttpResponse response, string uri)
    {
        response.Redirect(uri);
        return Task.CompletedTask;
    }

    /// <summary>The status with a line saying what to do; the content type keeps the status-code pages from replacing it.</summary>
    internal static Task Refuse(HttpResponse response, int status, string message)
    {
        response.StatusCode = status;
        response.ContentType = "text/plain; charset=utf-8";
        return response.WriteAsync(message);
    }
}
