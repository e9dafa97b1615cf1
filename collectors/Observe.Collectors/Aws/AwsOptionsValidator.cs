using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Observe.Collectors.Aws;

/// <summary>
/// Validates <see cref="AwsOptions"/> at start. Every message names the setting by its configuration path
/// (<c>Observe:Aws:Accounts:0:AccountId 'abc' is not a 12-digit account id</c>) so a bad value is found without reading code.
/// </summary>
internal sealed partial class AwsOptionsValidator : IValidateOptions<AwsOptions>
{
    private const string Section = AwsOptions.SectionName;

    public ValidateOptionsResult Validate(string? name, AwsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        ValidateAccounts(options.Accounts, errors);
        ValidateEndpoints(options.Endpoints, options.AllowPlainHttpEndpoints, errors);
        ValidateTimings(options, errors);
        ValidateRateBudgets(options.RateBudgets, errors);
        ValidatePrices(options.Prices, errors);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void ValidateAccounts(List<AwsAccountOptions>? accounts, List<string> errors)
    {
        if (accounts is null)
        {
            return;
        }

        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < accounts.Count; i++)
        {
            var path = $"{Section}:Accounts:{i}";
            var account = accounts[i];
            if (account is null)
            {
                errors.Add($"{path} is empty: give at least AccountId and Regions");
                continue;
            }

            if (!AccountIdPattern().IsMatch(account.AccountId ?? ""))
            {
                errors.Add($"{path}:AccountId '{account.AccountId}' is not a 12-digit account id");
            }
            else if (seen.TryGetValue(account.AccountId!, out var first))
            {
                errors.Add($"{path}:AccountId '{account.AccountId}' is listed twice (also {Section}:Accounts:{first})");
            }
            else
            {
                seen[account.AccountId!] = i;
            }

            ValidateRegions(path, account.Regions, errors);
            ValidateRole(path, account, errors);

            if (account.Profile is { } profile && string.IsNullOrWhiteSpace(profile))
            {
                errors.Add($"{path}:Profile is blank: remove it to use the standard credentials chain");
            }
        }
    }

    private static void ValidateRegions(string path, List<string>? regions, List<string> errors)
    {
        if (regions is null || regions.Count == 0)
        {
            errors.Add($"{path}:Regions is empty: list at least one region, for example eu-west-1");
            return;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var r = 0; r < regions.Count; r++)
        {
            var region = regions[r];
            if (!IsRegionName(region))
            {
                errors.Add($"{path}:Regions:{r} '{region}' is not a region name like eu-west-1");
            }
            else if (!seen.Add(region))
            {
                errors.Add($"{path}:Regions:{r} '{region}' is listed twice");
            }
        }
    }

    private static void ValidateRole(string path, AwsAccountOptions account, List<string> errors)
    {
        if (account.RoleArn is null)
        {
            if (account.ExternalId is not null)
            {
                errors.Add($"{path}:ExternalId is set without RoleArn: an external id only applies when assuming a role");
            }

            return;
        }

        var match = RoleArnPattern().Match(account.RoleArn);
        if (!match.Success)
        {
            errors.Add($"{path}:RoleArn '{account.RoleArn}' is not an IAM role ARN like arn:aws:iam::123456789012:role/observe-read");
        }
        else if (AccountIdPattern().IsMatch(account.AccountId ?? "") && match.Groups["account"].Value != account.AccountId)
        {
            // The role lives in the account it gives access to: a mismatch would file one account's data under another.
            errors.Add($"{path}:RoleArn '{account.RoleArn}' is in account {match.Groups["account"].Value}, not in AccountId {account.AccountId}");
        }

        if (account.ExternalId is { } externalId && !ExternalIdPattern().IsMatch(externalId))
        {
            errors.Add($"{path}:ExternalId must be 2 to 1224 characters of letters, digits and +=,.@:/-");
        }
    }

    private static void ValidateEndpoints(AwsEndpointOptions? endpoints, bool allowPlainHttp, List<string> errors)
    {
        if (endpoints is null)
        {
            return;
        }

        Check("Lambda", endpoints.Lambda);
        Check("CloudWatch", endpoints.CloudWatch);
        Check("Logs", endpoints.Logs);
        Check("XRay", endpoints.XRay);
        Check("Sts", endpoints.Sts);
        Check("Sns", endpoints.Sns);

        void Check(string service, string? url)
        {
            if (url is null)
            {
                return;
            }

            if (!(Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)))
            {
                errors.Add($"{Section}:Endpoints:{service} '{url}' is not an absolute http(s) URL");
            }
            else if (uri.Scheme == Uri.UriSchemeHttp && !uri.IsLoopback && !allowPlainHttp)
            {
                errors.Add($"{Section}:Endpoints:{service} '{url}' is plain http to {uri.Host}, which is not loopback: signed requests and the fleet's data " +
                    $"would cross the network in clear. Use https, or set {Section}:AllowPlainHttpEndpoints=true if the network path is protected otherwise");
            }
        }
    }

    private static void ValidateTimings(AwsOptions options, List<string> errors)
    {
        Positive("AttemptTimeout", options.AttemptTimeout);
        Positive("CallTimeout", options.CallTimeout);
        if (options.AttemptTimeout > options.CallTimeout)
        {
            errors.Add($"{Section}:AttemptTimeout ({options.AttemptTimeout}) is longer than {Section}:CallTimeout ({options.CallTimeout})");
        }

        var retry = options.Retry ?? new AwsRetryOptions();
        if (retry.MaxAttempts is < 1 or > 20)
        {
            errors.Add($"{Section}:Retry:MaxAttempts {retry.MaxAttempts} is outside 1 to 20");
        }

        Positive("Retry:ThrottlingBaseDelay", retry.ThrottlingBaseDelay);
        Positive("Retry:TransientBaseDelay", retry.TransientBaseDelay);
        if (retry.ThrottlingMaxDelay < retry.ThrottlingBaseDelay)
        {
            errors.Add($"{Section}:Retry:ThrottlingMaxDelay ({retry.ThrottlingMaxDelay}) is shorter than {Section}:Retry:ThrottlingBaseDelay ({retry.ThrottlingBaseDelay})");
        }

        if (retry.TransientMaxDelay < retry.TransientBaseDelay)
        {
            errors.Add($"{Section}:Retry:TransientMaxDelay ({retry.TransientMaxDelay}) is shorter than {Section}:Retry:TransientBaseDelay ({retry.TransientBaseDelay})");
        }

        if (options.AssumeRoleDuration < TimeSpan.FromMinutes(15) || options.AssumeRoleDuration > TimeSpan.FromHours(12))
        {
            errors.Add($"{Section}:AssumeRoleDuration ({options.AssumeRoleDuration}) is outside what STS allows (00:15:00 to 12:00:00)");
        }

        if (options.CredentialRefreshBefore < TimeSpan.Zero || options.CredentialRefreshBefore >= options.AssumeRoleDuration)
        {
            errors.Add($"{Section}:CredentialRefreshBefore ({options.CredentialRefreshBefore}) must be at least 0 and shorter than {Section}:AssumeRoleDuration");
        }

        if (!RoleSessionNamePattern().IsMatch(options.RoleSessionName ?? ""))
        {
            errors.Add($"{Section}:RoleSessionName '{options.RoleSessionName}' must be 2 to 64 characters of letters, digits and +=,.@-");
        }

        if (options.GetMetricDataPricePer1000Metrics is not null)
        {
            errors.Add($"{Section}:GetMetricDataPricePer1000Metrics is replaced by {Section}:Prices:GetMetricDataPer1000Metrics (with {Section}:Prices:AsOf, the date the price was taken): move the value there");
        }

        if (options.UnprocessedTraceRetries is < 0 or > 10)
        {
            errors.Add($"{Section}:UnprocessedTraceRetries {options.UnprocessedTraceRetries} is outside 0 to 10");
        }

        if (options.UnprocessedTraceRetryDelay < TimeSpan.Zero)
        {
            errors.Add($"{Section}:UnprocessedTraceRetryDelay ({options.UnprocessedTraceRetryDelay}) is negative");
        }

        if (options.MaxResponseBytes is < 1024 * 1024 or > 1024 * 1024 * 1024)
        {
            errors.Add($"{Section}:MaxResponseBytes {options.MaxResponseBytes.ToString(CultureInfo.InvariantCulture)} is outside 1048576 (1 MiB) to 1073741824 (1 GiB)");
        }

        if (options.UsageRetentionDays < 1)
        {
            errors.Add($"{Section}:UsageRetentionDays {options.UsageRetentionDays} must be at least 1");
        }

        void Positive(string setting, TimeSpan value)
        {
            if (value <= TimeSpan.Zero)
            {
                errors.Add($"{Section}:{setting} ({value}) must be longer than zero");
            }
        }
    }

    private static void ValidatePrices(AwsPriceOptions? prices, List<string> errors)
    {
        if (prices is null)
        {
            return;
        }

        // An estimate without its date cannot be checked against AWS's current page.
        if (prices.AsOf == default)
        {
            errors.Add($"{Section}:Prices:AsOf is not set: give the date the prices were taken, for example 2026-12-03");
        }

        Price("GetMetricDataPer1000Metrics", prices.GetMetricDataPer1000Metrics);
        Price("CloudWatchRequestsPer1000", prices.CloudWatchRequestsPer1000);
        Price("InsightsPerGbScanned", prices.InsightsPerGbScanned);
        Price("LiveTailPerSessionMinute", prices.LiveTailPerSessionMinute);
        Price("XRayPerMillionTracesScanned", prices.XRayPerMillionTracesScanned);
        Price("XRayPerMillionTracesRetrieved", prices.XRayPerMillionTracesRetrieved);

        void Price(string setting, decimal value)
        {
            // Every list price is cents or dollars per unit block; a thousand dollars is a misplaced decimal point.
            if (value is < 0 or > 1000)
            {
                errors.Add($"{Section}:Prices:{setting} {value.ToString(CultureInfo.InvariantCulture)} is outside 0 to 1000 US dollars");
            }
        }
    }

    private static void ValidateRateBudgets(Dictionary<string, RateBudgetOptions>? budgets, List<string> errors)
    {
        if (budgets is null)
        {
            return;
        }

        foreach (var (key, budget) in budgets)
        {
            var path = $"{Section}:RateBudgets:{key}";
            if (!RateBudgetDefaults.IsKnownKey(key))
            {
                var known = string.Join(", ", AwsService.Budgeted.SelectMany(s => s.Operations.Prepend(s.Name)));
                errors.Add($"{path} names no operation or service Observe calls (known: {known})");
            }

            if (budget is null || !(budget.PerSecond > 0) || double.IsInfinity(budget.PerSecond))
            {
                errors.Add($"{path}:PerSecond must be a number above 0");
            }

            if (budget?.Burst is < 1)
            {
                errors.Add($"{path}:Burst {budget.Burst} must be at least 1");
            }
        }
    }

    /// <summary>AWS region names: <c>eu-west-1</c>, <c>us-gov-west-1</c>, <c>cn-north-1</c>, <c>eu-isoe-west-1</c>.</summary>
    public static bool IsRegionName(string? region) => region is not null && RegionPattern().IsMatch(region);

    [GeneratedRegex("^[0-9]{12}$")]
    private static partial Regex AccountIdPattern();

    [GeneratedRegex("^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}$")]
    private static partial Regex RegionPattern();

    [GeneratedRegex("^arn:aws(-[a-z]+)*:iam::(?<account>[0-9]{12}):role/[A-Za-z0-9+=,.@_/-]{1,512}$")]
    private static partial Regex RoleArnPattern();

    [GeneratedRegex(@"^[A-Za-z0-9+=,.@:/_-]{2,1224}$")]
    private static partial Regex ExternalIdPattern();

    [GeneratedRegex("^[A-Za-z0-9+=,.@_-]{2,64}$")]
    private static partial Regex RoleSessionNamePattern();
}
