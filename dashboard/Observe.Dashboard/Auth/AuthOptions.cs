namespace Observe.Dashboard.Auth;

/// <summary>How people sign in to the dashboard.</summary>
public enum AuthMode
{
    /// <summary>A random token printed at start-up, exchanged for a session cookie; the holder is an Admin.</summary>
    BrowserToken,

    /// <summary>An OpenID Connect provider (code flow with PKCE).</summary>
    OpenIdConnect,

    /// <summary>Behind an AWS Application Load Balancer that signs the user in with OIDC.</summary>
    AwsAlb,

    /// <summary>No sign-in: everyone who can reach the dashboard is an Admin. Only by explicit choice.</summary>
    Unsecured,
}

/// <summary>Sign-in settings, <c>Observe:Auth</c>.</summary>
public sealed class AuthOptions
{
    public const string SectionName = "Observe:Auth";

    /// <summary>Default <see cref="AuthMode.BrowserToken"/>.</summary>
    public AuthMode Mode { get; set; } = AuthMode.BrowserToken;

    /// <summary>
    /// The browser token; empty (the default) draws a new random one at every start. Set it (32 characters or more)
    /// when several replicas must accept the same token or a test needs to know it.
    /// </summary>
    public string? BrowserToken { get; set; }

    /// <summary>How long a signed-in browser stays signed in without a request. Default 12 hours.</summary>
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(12);

    /// <summary>Sign-in attempts one client address may make per minute (token form and link). Default 10.</summary>
    public int LoginAttemptsPerMinute { get; set; } = 10;

    /// <summary><see cref="AuthMode.Unsecured"/> on an address other than loopback: refused unless this is true.</summary>
    public bool AllowUnsecuredOnNetwork { get; set; }

    /// <summary>The provider of <see cref="AuthMode.OpenIdConnect"/>, <c>Observe:Auth:OpenIdConnect</c>.</summary>
    public OpenIdConnectSignInOptions OpenIdConnect { get; set; } = new();

    /// <summary>The load balancer of <see cref="AuthMode.AwsAlb"/>, <c>Observe:Auth:AwsAlb</c>.</summary>
    public AwsAlbSignInOptions AwsAlb { get; set; } = new();
}
