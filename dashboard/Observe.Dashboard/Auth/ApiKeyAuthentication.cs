using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using Observe.Store;

namespace Observe.Dashboard.Auth;

/// <summary>
/// API keys for machines: the <see cref="SchemeName"/> scheme reads a key from <see cref="HeaderName"/> (or
/// <c>Authorization: Bearer</c>), and <see cref="MachineScheme"/> picks it for a request that carries one and for the
/// MCP endpoint, the sign-in's own scheme otherwise. Only endpoints marked with <see cref="RequireMachineAccess{TBuilder}"/>
/// use the machine scheme: pages and the Blazor hub never look at a key.
/// </summary>
internal static class ApiKeyAuthentication
{
    public const string SchemeName = "ApiKey";
    public const string MachineScheme = "Machine";

    /// <summary>The sign-in's own schemes, for a request to a machine endpoint without a key.</summary>
    private const string SessionScheme = "Session";
    public const string HeaderName = "X-Observe-Api-Key";

    /// <summary>The claim naming the key's id (the name claim holds its name).</summary>
    public const string KeyIdClaim = "observe_api_key";

    /// <summary>Where the MCP endpoint is mapped; with no key a request there is answered as a machine's, never sent to sign in.</summary>
    public const string McpPath = "/mcp";

    public static IServiceCollection AddApiKeyAuthentication(this IServiceCollection services)
    {
        services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(SchemeName, null)
            .AddPolicyScheme(MachineScheme, "API key or sign-in", policy => policy.ForwardDefaultSelector = context =>
                HasKey(context.Request) || context.Request.Path.StartsWithSegments(McpPath) ? SchemeName : SessionScheme)
            .AddPolicyScheme(SessionScheme, "Sign-in", _ => { });
        // Without a key a request is the sign-in's, each step to the scheme the mode made the default for it: under
        // OpenIdConnect a page is challenged by the provider, not by the session cookie.
        services.AddOptions<PolicySchemeOptions>(SessionScheme).Configure<IOptions<AuthenticationOptions>>((session, authentication) =>
        {
            var defaults = authentication.Value;
            session.ForwardDefault = defaults.DefaultScheme;
            session.ForwardAuthenticate = defaults.DefaultAuthenticateScheme ?? defaults.DefaultScheme;
            session.ForwardChallenge = defaults.DefaultChallengeScheme ?? defaults.DefaultScheme;
            session.ForwardForbid = defaults.DefaultForbidScheme ?? defaults.DefaultScheme;
        });
        return services;
    }

    /// <summary>The endpoint takes an API key (with the Viewer role or above) as well as a signed-in session.</summary>
    public static TBuilder RequireMachineAccess<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(new AuthorizeAttribute(DashboardRoles.Viewer) { AuthenticationSchemes = MachineScheme });

    internal static bool HasKey(HttpRequest request) =>
        request.Headers.ContainsKey(HeaderName)
        || request.Headers.Authorization.Any(a => a?.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) == true);

    internal static string? PresentedKey(HttpRequest request) =>
        request.Headers[HeaderName].FirstOrDefault()
        ?? request.Headers.Authorization.Select(a => a?.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) == true ? a[7..].Trim() : null).FirstOrDefault(a => a is not null);
}

/// <summary>
/// Authenticates a request by its API key: the key's name and role become the user. A missing, malformed, unknown or
/// revoked key, or a wrong secret, fails with a sentence saying what to do, sent with the 401.
/// </summary>
internal sealed partial class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IApiKeyCredentialReader keys,
    TimeProvider time)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    /// <summary>Last-used times are written at most this often per key, so a busy client does not write on every request.</summary>
    private static readonly TimeSpan UseRecording = TimeSpan.FromMinutes(1);

    private const string WhereToGetOne = "An Admin creates keys on the dashboard's Settings, API keys page (/settings/api-keys).";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var presented = ApiKeyAuthentication.PresentedKey(Request);
        if (string.IsNullOrEmpty(presented))
        {
            return AuthenticateResult.NoResult();
        }

        if (!ApiKeySecrets.TryParse(presented, out var id, out var secret))
        {
            return AuthenticateResult.Fail($"The API key is not one the dashboard issues (they start with {ApiKeySecrets.Prefix}). Send the whole key as shown when it was created. {WhereToGetOne}");
        }

        var credential = await keys.GetApiKeyCredentialAsync(id, Context.RequestAborted);
        if (credential is null)
        {
            LogUnknownKey(Logger, id);
            return AuthenticateResult.Fail($"This API key is not known to the dashboard. {WhereToGetOne}");
        }

        var key = credential.Key;
        if (key.RevokedAt is { } revoked)
        {
            LogRevokedKey(Logger, key.Name, id);
            return AuthenticateResult.Fail($"The API key '{key.Name}' was revoked on {revoked.UtcDateTime:yyyy-MM-dd HH:mm} UTC. Ask an Admin for a new key. {WhereToGetOne}");
        }

        // Both compared whatever the first says, so the time taken does not tell which secret a key holds.
        var primary = ApiKeySecrets.Matches(secret, credential.PrimaryHash);
        var secondary = ApiKeySecrets.Matches(secret, credential.SecondaryHash);
        if (!primary && !secondary)
        {
            LogWrongSecret(Logger, key.Name, id);
            return AuthenticateResult.Fail($"The secret of API key '{key.Name}' is not current: it was rotated and the old secret retired. Ask an Admin for the current one. {WhereToGetOne}");
        }

        var now = time.GetUtcNow();
        if (key.LastUsedAt is not { } last || now - last >= UseRecording)
        {
            await keys.RecordApiKeyUseAsync(id, now, Context.RequestAborted);
        }

        var identity = new ClaimsIdentity(
            [
                new Claim(ClaimTypes.Name, $"API key '{key.Name}'"),
                new Claim(ClaimTypes.Role, key.Role),
                new Claim(ApiKeyAuthentication.KeyIdClaim, id),
            ],
            Scheme.Name);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        var message = result.Failure?.Message
            ?? $"This address needs an API key: send it in the {ApiKeyAuthentication.HeaderName} header (or as Authorization: Bearer). {WhereToGetOne}";
        await Refuse(StatusCodes.Status401Unauthorized, message);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        Refuse(StatusCodes.Status403Forbidden, "This API key's role does not allow this. Ask an Admin for a key with the role it needs.");

    private Task Refuse(int status, string message)
    {
        Response.StatusCode = status;
        Response.ContentType = "text/plain; charset=utf-8";
        return Response.WriteAsync(message, Context.RequestAborted);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A request presented API key id {KeyId}, which is not known")]
    private static partial void LogUnknownKey(ILogger logger, string keyId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A request presented the revoked API key {KeyName} ({KeyId})")]
    private static partial void LogRevokedKey(ILogger logger, string keyName, string keyId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A request presented API key {KeyName} ({KeyId}) with a secret that is not current")]
    private static partial void LogWrongSecret(ILogger logger, string keyName, string keyId);
}
