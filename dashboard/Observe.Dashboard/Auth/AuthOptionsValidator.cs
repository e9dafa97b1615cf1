using System.Globalization;
using Microsoft.Extensions.Options;

namespace Observe.Dashboard.Auth;

/// <summary>Checks <see cref="AuthOptions"/> at start; every message names the setting.</summary>
internal sealed class AuthOptionsValidator : IValidateOptions<AuthOptions>
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
        else if (options.Mode is AuthMode.OpenIdConnect or AuthMode.AwsAlb)
        {
            // Named in the contract so configurations can be written against it; refused rather than half-served.
            failures.Add($"{Section}:Mode {options.Mode} is not available in this build yet; use {AuthMode.BrowserToken} (the default) or {AuthMode.Unsecured}.");
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
}
