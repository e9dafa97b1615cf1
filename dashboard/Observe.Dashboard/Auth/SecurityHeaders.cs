using System.Security.Cryptography;

namespace Observe.Dashboard.Auth;

/// <summary>
/// Headers on every response: a Content-Security-Policy Blazor Server and MudBlazor work under, no framing,
/// nosniff, no referrer to other sites, and HSTS on HTTPS. Scripts come from the dashboard itself, plus the import
/// map the page writes inline, allowed by a per-request nonce; styles allow inline because MudBlazor sets style
/// attributes and writes its theme as a style element.
/// </summary>
internal static class SecurityHeaders
{
    private const string NonceKey = "observe:csp-nonce";

    /// <summary>The nonce of this request's inline scripts (the import map); App puts it on them.</summary>
    public static string Nonce(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Items[NonceKey] is not string nonce)
        {
            // Hex: nothing in it for HTML encoding to change between the header and the attribute.
            nonce = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
            context.Items[NonceKey] = nonce;
        }

        return nonce;
    }

    public static string ContentSecurityPolicy(string nonce) =>
        $"default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; " +
        "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = ContentSecurityPolicy(Nonce(context));
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            if (context.Request.IsHttps)
            {
                headers.StrictTransportSecurity = "max-age=31536000; includeSubDomains";
            }

            return Task.CompletedTask;
        });
        return next(context);
    });
}
