using System.Buffers.Text;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Observe.Dashboard.Auth;

/// <summary>
/// <see cref="AuthMode.AwsAlb"/>: the load balancer signed the user in with OIDC and passes their claims in the
/// <c>x-amzn-oidc-data</c> header, a JWT it signs itself (ES256, P-256). Accepted only when the header names the
/// configured load balancer as <c>signer</c>, the key of its <c>kid</c> (read from the region's key endpoint) verifies
/// the signature, <c>exp</c> has not passed (with <see cref="AwsAlbSignInOptions.ClockSkew"/>) and, when configured,
/// <c>iss</c> matches. Every request carries the header, so nothing is kept between requests.
/// </summary>
internal sealed partial class AwsAlbAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IOptions<AuthOptions> auth,
    AwsAlbKeys keys,
    TimeProvider time)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "AwsAlb";

    /// <summary>The header the load balancer sets with the user's claims.</summary>
    public const string DataHeader = "x-amzn-oidc-data";

    /// <summary>The load balancer's session cookies (split in shards <c>-0</c>, <c>-1</c>, …), expired on sign-out.</summary>
    public const string SessionCookiePrefix = "AWSELBAuthSessionCookie";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var values = Request.Headers[DataHeader];
        if (values.Count == 0)
        {
            return AuthenticateResult.NoResult();
        }

        if (values.Count > 1 || string.IsNullOrEmpty(values[0]))
        {
            return Refuse($"{values.Count} {DataHeader} headers");
        }

        var alb = auth.Value.AwsAlb;
        var parts = values[0]!.Split('.');
        if (parts.Length != 3 || Decode(parts[0]) is not { } headerBytes || Decode(parts[1]) is not { } payloadBytes || Decode(parts[2]) is not { Length: 64 } signature)
        {
            return Refuse("not three base64url parts with a 64-byte signature");
        }

        JsonElement header, payload;
        try
        {
            header = JsonDocument.Parse(headerBytes).RootElement.Clone();
            payload = JsonDocument.Parse(payloadBytes).RootElement.Clone();
        }
        catch (JsonException)
        {
            return Refuse("header or payload not JSON");
        }

        if (header.ValueKind != JsonValueKind.Object || payload.ValueKind != JsonValueKind.Object)
        {
            return Refuse("header or payload not a JSON object");
        }

        if (Text(header, "alg") != "ES256")
        {
            return Refuse($"alg {Text(header, "alg") ?? "missing"}, not ES256");
        }

        // Checked before any key is read: a token naming another load balancer gets no key fetched for it.
        if (!string.Equals(Text(header, "signer"), alb.AlbArn, StringComparison.Ordinal))
        {
            return Refuse("signed by another load balancer than Observe:Auth:AwsAlb:AlbArn");
        }

        var kid = Text(header, "kid");
        if (kid is null || kid.Length is 0 or > 128 || !kid.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            return Refuse("no usable kid");
        }

        // The header's exp is the load balancer's; the payload's, when present, the provider's. Both must hold.
        var now = time.GetUtcNow();
        foreach (var source in new[] { header, payload })
        {
            if (source.TryGetProperty("exp", out var exp) && !(exp.TryGetInt64(out var seconds) && DateTimeOffset.FromUnixTimeSeconds(seconds) + alb.ClockSkew > now))
            {
                return Refuse("expired");
            }
        }

        if (!header.TryGetProperty("exp", out _))
        {
            return Refuse("no exp");
        }

        if (alb.Issuer is { Length: > 0 } issuer && !string.Equals(Text(header, "iss") ?? Text(payload, "iss"), issuer, StringComparison.Ordinal))
        {
            return Refuse("issued by another issuer than Observe:Auth:AwsAlb:Issuer");
        }

        ECDsa? key;
        try
        {
            key = await keys.GetAsync(kid, Context.RequestAborted);
        }
        catch (HttpRequestException ex)
        {
            LogKeyUnavailable(Logger, ex, kid);
            return AuthenticateResult.Fail("The load balancer's signing key could not be read.");
        }

        if (key is null)
        {
            return Refuse($"unknown key {kid}");
        }

        // The signature covers the two parts as sent, padding included.
        var signed = Encoding.ASCII.GetBytes(string.Concat(parts[0], ".", parts[1]));
        if (!key.VerifyData(signed, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation))
        {
            return Refuse("signature does not verify");
        }

        var (name, role, subject) = ClaimMapping.Map(alb, Claims(payload));
        var identity = ClaimMapping.Identity(SchemeName, name, role, subject);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    /// <summary>No valid header: the request did not come through the load balancer, which signs people in before it forwards.</summary>
    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        Plain(StatusCodes.Status401Unauthorized,
            "This dashboard signs people in through its AWS load balancer, and this request did not come through it with a valid sign-in. Open the dashboard at the load balancer's address.");

    /// <summary>A page the role does not allow goes to the access-denied page; a user without any role is told which claim values grant one.</summary>
    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        var user = Context.User;
        if (user.Identity?.IsAuthenticated == true && !DashboardRoles.All.Any(user.IsInRole))
        {
            return Plain(StatusCodes.Status403Forbidden, ClaimMapping.NoRole(auth.Value.AwsAlb, AuthOptions.SectionName + ":AwsAlb", DashboardUser.NameOf(user)));
        }

        if (AuthExtensions.WantsPage(Request))
        {
            Response.Redirect(AuthExtensions.AccessDeniedPage);
            return Task.CompletedTask;
        }

        return Plain(StatusCodes.Status403Forbidden, AuthExtensions.RoleRefusal);
    }

    private Task Plain(int status, string message)
    {
        Response.StatusCode = status;
        Response.ContentType = "text/plain; charset=utf-8";
        return Response.WriteAsync(message, Context.RequestAborted);
    }

    private AuthenticateResult Refuse(string reason)
    {
        LogRefused(Logger, reason, Context.Connection.RemoteIpAddress?.ToString() ?? "unknown");
        return AuthenticateResult.Fail($"The {DataHeader} header was refused: {reason}.");
    }

    /// <summary>base64url as the load balancer writes it: with '=' padding, which JWS does not allow, or without.</summary>
    internal static byte[]? Decode(string part)
    {
        var trimmed = part.TrimEnd('=');
        if (part.Length - trimmed.Length > 2)
        {
            return null;
        }

        try
        {
            return Base64Url.DecodeFromChars(trimmed);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>Each string or number of the payload as a claim; an array as one claim per element.</summary>
    private static IEnumerable<Claim> Claims(JsonElement payload)
    {
        foreach (var property in payload.EnumerateObject())
        {
            var items = property.Value.ValueKind == JsonValueKind.Array ? property.Value.EnumerateArray().ToList() : [property.Value];
            foreach (var item in items)
            {
                var value = item.ValueKind switch
                {
                    JsonValueKind.String => item.GetString(),
                    JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => item.GetRawText(),
                    _ => null,
                };
                if (value is not null)
                {
                    yield return new Claim(property.Name, value);
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a request's x-amzn-oidc-data header from {Client}: {Reason}")]
    private static partial void LogRefused(ILogger logger, string reason, string client);

    [LoggerMessage(Level = LogLevel.Error, Message = "The load balancer's signing key {Kid} could not be read; its users cannot sign in until it can")]
    private static partial void LogKeyUnavailable(ILogger logger, Exception exception, string kid);
}
