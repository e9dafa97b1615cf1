using System.Globalization;
using Microsoft.Extensions.Options;
using Observe.Dashboard.Configuration;

namespace Observe.Dashboard.Auth;

/// <summary>Checks <see cref="AuthOptions"/> at start; every message names the setting.</summary>
internal sealed partial class AuthOptionsValidator : IValidateOptions<AuthOptions>
{
    private const string Section = AuthOptions.SectionName;

    /// <summary>Shortest configured browser token: as hard to guess as 24 random bytes, base64-encoded.</summary>
    internal const int MinimumTokenLength = 32;

    public ValidateOptionsResult Validate(string? name, AuthOptions options)
    {
        var failures = new List<string>();
        if (!Enum.IsDefined(options.Mode))
        {
            failures.Add($"{Section}:Mode must be one of {string.Join(", ", Enum.GetNames<AuthMode>())}.");
        }
        else if (options.Mode == AuthMode.OpenIdConnect)
        {
            ValidateOpenIdConnect(failures, options.OpenIdConnect);
        }
        else if (options.Mode == AuthMode.AwsAlb)
        {
            ValidateAwsAlb(failures, options.AwsAlb);
        }

        if (!string.IsNullOrEmpty(options.BrowserToken) && options.BrowserToken.Length < MinimumTokenLength)
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture,
                $"{Section}:BrowserToken has {options.BrowserToken.Length} characters; it needs {MinimumTokenLength} or more (leave it empty for a random one at every start)."));
        }

        if (options.SessionLifetime < TimeSpan.FromMinutes(1) || options.SessionLifetime > TimeSpan.FromDays(30))
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture, $"{Section}:SessionLifetime is {options.SessionLifetime:c}; it must be between 00:01:00 and 30.00:00:00."));
        }

        if (options.LoginAttemptsPerMinute is < 1 or > 1000)
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture, $"{Section}:LoginAttemptsPerMinute is {options.LoginAttemptsPerMinute}; it must be between 1 and 1000."));
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private const string OidcSection = Section + ":OpenIdConnect";
    private const string AlbSection = Section + ":AwsAlb";

    private static void ValidateOpenIdConnect(List<string> failures, OpenIdConnectSignInOptions oidc)
    {
        if (oidc.Authority is null)
        {
            failures.Add($"{OidcSection}:Authority is required in Mode {AuthMode.OpenIdConnect}: the provider's issuer address, e.g. https://login.example.com/realms/ops.");
        }
        else
        {
            CheckAddress(failures, $"{OidcSection}:Authority", oidc.Authority);
        }

        if (string.IsNullOrWhiteSpace(oidc.ClientId))
        {
            failures.Add($"{OidcSection}:ClientId is required in Mode {AuthMode.OpenIdConnect}: the dashboard's client id at the provider.");
        }

        if (oidc.Scopes.Any(string.IsNullOrWhiteSpace) || oidc.Scopes.Any(s => s.Any(char.IsWhiteSpace)))
        {
            failures.Add($"{OidcSection}:Scopes has an empty value or one with spaces; give one scope per entry (Scopes:0=openid, Scopes:1=groups).");
        }

        ValidateMapping(failures, OidcSection, oidc);
    }

    private static void ValidateAwsAlb(List<string> failures, AwsAlbSignInOptions alb)
    {
        if (string.IsNullOrWhiteSpace(alb.AlbArn))
        {
            failures.Add($"{AlbSection}:AlbArn is required in Mode {AuthMode.AwsAlb}: the load balancer's ARN, which signs every request's x-amzn-oidc-data header.");
        }
        else if (!alb.AlbArn.StartsWith("arn:", StringComparison.Ordinal) || !alb.AlbArn.Contains(":elasticloadbalancing:", StringComparison.Ordinal) || !alb.AlbArn.Contains(":loadbalancer/app/", StringComparison.Ordinal))
        {
            failures.Add($"{AlbSection}:AlbArn '{alb.AlbArn}' is not an Application Load Balancer's ARN (arn:aws:elasticloadbalancing:<region>:<account>:loadbalancer/app/<name>/<id>).");
        }

        if (string.IsNullOrWhiteSpace(alb.Region))
        {
            failures.Add($"{AlbSection}:Region is required in Mode {AuthMode.AwsAlb}: the load balancer's region (eu-west-1), whose endpoint serves its signing keys.");
        }
        else if (!RegionName().IsMatch(alb.Region))
        {
            failures.Add($"{AlbSection}:Region '{alb.Region}' is not a region name like eu-west-1.");
        }

        if (alb.KeyEndpoint is not null)
        {
            CheckAddress(failures, $"{AlbSection}:KeyEndpoint", alb.KeyEndpoint);
        }

        if (alb.SignOutUrl is not null && (!alb.SignOutUrl.IsAbsoluteUri || alb.SignOutUrl.Scheme != Uri.UriSchemeHttps && !alb.SignOutUrl.IsLoopback))
        {
            failures.Add($"{AlbSection}:SignOutUrl '{alb.SignOutUrl}' must be an absolute https:// address (the provider's sign-out page).");
        }

        OptionChecks.Between(failures, $"{AlbSection}:ClockSkew", alb.ClockSkew, TimeSpan.Zero, TimeSpan.FromMinutes(5));
        ValidateMapping(failures, AlbSection, alb);
    }

    /// <summary>An absolute address, https unless on loopback: keys and tokens fetched over plain http could be replaced on the way.</summary>
    private static void CheckAddress(List<string> failures, string setting, Uri address)
    {
        if (!address.IsAbsoluteUri || (address.Scheme != Uri.UriSchemeHttps && address.Scheme != Uri.UriSchemeHttp))
        {
            failures.Add($"{setting} '{address}' must be an absolute https:// address.");
        }
        else if (address.Scheme == Uri.UriSchemeHttp && !address.IsLoopback)
        {
            failures.Add($"{setting} '{address}' uses plain http:// on a host other than loopback; use https://, so what the dashboard trusts cannot be replaced on the way.");
        }
    }

    private static void ValidateMapping(List<string> failures, string section, ClaimMappingOptions mapping)
    {
        if (string.IsNullOrWhiteSpace(mapping.RoleClaim))
        {
            failures.Add($"{section}:RoleClaim is empty; name the claim listing the user's groups (default groups).");
        }

        if (string.IsNullOrWhiteSpace(mapping.NameClaim))
        {
            failures.Add($"{section}:NameClaim is empty; name the claim shown as the user's name (default name).");
        }

        if (mapping.AdminValues.Count + mapping.ResponderValues.Count + mapping.ViewerValues.Count == 0)
        {
            failures.Add($"{section}: none of AdminValues, ResponderValues, ViewerValues is set, so nobody could get a role; list the '{mapping.RoleClaim}' values that grant each (e.g. {section}:AdminValues:0=observe-admins).");
        }
        else if (mapping.AdminValues.Concat(mapping.ResponderValues).Concat(mapping.ViewerValues).Any(string.IsNullOrWhiteSpace))
        {
            failures.Add($"{section}: AdminValues, ResponderValues and ViewerValues must not contain an empty value.");
        }
    }

    [System.Text.RegularExpressions.GeneratedRegex("^[a-z]{2}(-[a-z]+)+-[0-9]+$")]
    private static partial System.Text.RegularExpressions.Regex RegionName();
}
