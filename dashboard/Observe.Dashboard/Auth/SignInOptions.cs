namespace Observe.Dashboard.Auth;

/// <summary>
/// How a provider's claims become a dashboard user: the claim whose values grant a role, the values per role, and the
/// claim naming the user. Shared by <see cref="AuthMode.OpenIdConnect"/> and <see cref="AuthMode.AwsAlb"/>.
/// </summary>
public abstract class ClaimMappingOptions
{
    /// <summary>The claim listing the user's groups (or roles) at the provider. Default <c>groups</c>.</summary>
    public string RoleClaim { get; set; } = "groups";

    /// <summary>Values of <see cref="RoleClaim"/> that make the user an Admin (compared exactly, case included).</summary>
    public List<string> AdminValues { get; set; } = [];

    /// <summary>Values of <see cref="RoleClaim"/> that make the user a Responder.</summary>
    public List<string> ResponderValues { get; set; } = [];

    /// <summary>Values of <see cref="RoleClaim"/> that make the user a Viewer.</summary>
    public List<string> ViewerValues { get; set; } = [];

    /// <summary>The claim shown as the user's name and recorded with their changes; <c>email</c>, then <c>sub</c> when it is missing. Default <c>name</c>.</summary>
    public string NameClaim { get; set; } = "name";
}

/// <summary><c>Observe:Auth:OpenIdConnect</c>: any OpenID Connect provider, code flow with PKCE.</summary>
public sealed class OpenIdConnectSignInOptions : ClaimMappingOptions
{
    /// <summary>The provider's issuer address; its <c>/.well-known/openid-configuration</c> is read from there. HTTPS unless on loopback.</summary>
    public Uri? Authority { get; set; }

    /// <summary>The dashboard's client id at the provider.</summary>
    public string? ClientId { get; set; }

    /// <summary>The client secret, for a confidential client; empty for a public one (PKCE alone).</summary>
    public string? ClientSecret { get; set; }

    /// <summary>Scopes asked for; empty means <c>openid profile email</c>. <c>openid</c> is always asked for.</summary>
    public List<string> Scopes { get; set; } = [];

    /// <summary>The scopes actually requested.</summary>
    internal IReadOnlyList<string> EffectiveScopes =>
        (Scopes.Count == 0 ? ["openid", "profile", "email"] : Scopes.Prepend("openid")).Distinct(StringComparer.Ordinal).ToList();
}

/// <summary><c>Observe:Auth:AwsAlb</c>: behind an Application Load Balancer whose listener signs users in with OIDC.</summary>
public sealed class AwsAlbSignInOptions : ClaimMappingOptions
{
    /// <summary>The load balancer's ARN: the <c>signer</c> every accepted <c>x-amzn-oidc-data</c> token must name.</summary>
    public string? AlbArn { get; set; }

    /// <summary>The load balancer's region, which serves its public keys.</summary>
    public string? Region { get; set; }

    /// <summary>Where the signing keys are read (<c>{KeyEndpoint}/{kid}</c>); default <c>https://public-keys.auth.elb.{Region}.amazonaws.com</c>.</summary>
    public Uri? KeyEndpoint { get; set; }

    /// <summary>When set, a token's <c>iss</c> must be this (the provider's issuer).</summary>
    public string? Issuer { get; set; }

    /// <summary>How far past its <c>exp</c> a token is still accepted, for clocks apart. Default 1 minute.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Where <c>/auth/logout</c> sends the browser after ending the load balancer's session (the provider's sign-out page); empty: the sign-in page.</summary>
    public Uri? SignOutUrl { get; set; }

    /// <summary>The base address of the keys.</summary>
    internal Uri KeyBase => KeyEndpoint ?? new Uri($"https://public-keys.auth.elb.{Region}.amazonaws.com");
}
