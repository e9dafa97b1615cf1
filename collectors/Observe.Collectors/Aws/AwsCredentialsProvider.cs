using System.Collections.Concurrent;
using Amazon.Runtime;
using Amazon.Runtime.CredentialManagement;
using Amazon.Runtime.Credentials;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Observe.Collectors.Aws;

/// <summary>
/// The credentials each account is read with: the standard chain (environment, web identity, profile, container and
/// instance metadata, in AWS's order) or a named profile (static keys, role_arn/source_profile, SSO), then, when the
/// account has a <c>RoleArn</c>, a role assumed with those credentials. Resolved once per account and cached; assumed
/// roles renew themselves before they expire. At first use the credentials are checked with STS GetCallerIdentity:
/// credentials of another account would otherwise collect that account's fleet under this account's name.
/// </summary>
internal sealed class AwsCredentialsProvider : IDisposable
{
    /// <summary>Resolves the base (pre-AssumeRole) credentials of an account.</summary>
    public delegate Task<AWSCredentials> BaseCredentialsResolver(AwsAccountOptions account, CancellationToken cancellationToken);

    private readonly ConcurrentDictionary<string, AWSCredentials> _cache = new(StringComparer.Ordinal);

    // One gate per account: resolving and checking one account's credentials (an STS call that may hang until its
    // timeout) must not hold up the others.
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _resolving = new(StringComparer.Ordinal);
    private readonly AwsOptions _options;
    private readonly AwsEndpointResolver _endpoints;
    private readonly AwsUsageMeter _meter;
    private readonly ILogger _logger;
    private readonly BaseCredentialsResolver _baseCredentials;
    private readonly bool _verifyAccount;

    public AwsCredentialsProvider(IOptions<AwsOptions> options, AwsEndpointResolver endpoints, AwsUsageMeter meter, ILogger<AwsCredentialsProvider> logger)
        : this(options, endpoints, meter, logger, null, verifyAccount: true)
    {
    }

    /// <summary>
    /// For tests: fixed base credentials, and the GetCallerIdentity check only when asked for (tests answering from
    /// recorded responses have no STS to ask).
    /// </summary>
    internal AwsCredentialsProvider(IOptions<AwsOptions> options, AwsEndpointResolver endpoints, AwsUsageMeter meter, ILogger<AwsCredentialsProvider> logger, BaseCredentialsResolver? baseCredentials, bool verifyAccount = false)
    {
        _options = options.Value;
        _endpoints = endpoints;
        _meter = meter;
        _logger = logger;
        _baseCredentials = baseCredentials ?? ResolveBaseAsync;
        _verifyAccount = verifyAccount;
    }

    /// <summary>
    /// Where an account's credentials come from, for errors: <c>profile 'ops'</c>, <c>role arn:... assumed with the
    /// default credential chain</c>, ...
    /// </summary>
    public static string SourceOf(AwsAccountOptions account)
    {
        var source = account.Profile is { } profile ? $"profile '{profile}'" : "the default credential chain";
        return account.RoleArn is { } role ? $"role {role} assumed with {source}" : source;
    }

    /// <summary>
    /// The account's credentials; throws <see cref="AwsServiceException"/> (a credential error) when none can be found,
    /// when they are rejected, or when they belong to another account.
    /// </summary>
    public async Task<AWSCredentials> GetAsync(AwsAccountOptions account, CancellationToken cancellationToken)
    {
        if (_cache.TryGetValue(account.AccountId, out var cached))
        {
            return cached;
        }

        var gate = _resolving.GetOrAdd(account.AccountId, static _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_cache.TryGetValue(account.AccountId, out cached))
            {
                return cached;
            }

            AWSCredentials source;
            try
            {
                source = await _baseCredentials(account, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is AmazonClientException or InvalidOperationException or IOException)
            {
                throw CredentialsUnavailable(account, e);
            }

            var credentials = account.RoleArn is null ? source : AssumeRole(account, source);
            if (_verifyAccount)
            {
                try
                {
                    await VerifyAccountAsync(account, credentials, cancellationToken).ConfigureAwait(false);
                }
                catch (AwsServiceException)
                {
                    (credentials as IDisposable)?.Dispose();
                    throw;
                }
            }

            _cache[account.AccountId] = credentials;
            _logger.LogInformation("Credentials for AWS account {Account} resolved ({Kind})", account.DisplayName, account.RoleArn is null ? source.GetType().Name : "assumed role " + account.RoleArn);
            return credentials;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// Called when AWS says the account's token is expired or invalid. Renewable credentials fetch new ones on the next
    /// call instead of waiting for their own expiry time (a role session can be revoked early); other credentials are
    /// forgotten, so the next pass resolves (and checks) them again and picks up renewed keys or a new SSO login
    /// without a restart.
    /// </summary>
    public void Invalidate(string accountId)
    {
        if (_cache.TryGetValue(accountId, out var credentials) && credentials is RefreshingAWSCredentials refreshing)
        {
            refreshing.ClearCredentials();
        }
        else
        {
            // Not disposed: a call in flight may still be signing with them.
            _cache.TryRemove(accountId, out _);
        }
    }

    public void Dispose()
    {
        foreach (var credentials in _cache.Values)
        {
            (credentials as IDisposable)?.Dispose();
        }

        foreach (var gate in _resolving.Values)
        {
            gate.Dispose();
        }
    }

    private AssumeRoleCredentials AssumeRole(AwsAccountOptions account, AWSCredentials source)
    {
        // STS is called in the account's first region: a regional endpoint in the right partition (aws-cn, aws-us-gov)
        // with no dependency on the global endpoint.
        var region = account.Regions[0];
        return new AssumeRoleCredentials(source, account, _options, _endpoints.Resolve(AwsService.Sts, region), region,
            () => _meter.RecordCall(account.AccountId, region, AwsService.Sts, "AssumeRole"));
    }

    private static async Task<AWSCredentials> ResolveBaseAsync(AwsAccountOptions account, CancellationToken cancellationToken)
    {
        if (account.Profile is { } profile)
        {
            // The profile store resolves role_arn/source_profile profiles too, through AWSSDK.SecurityToken.
            return new CredentialProfileStoreChain().TryGetAWSCredentials(profile, out var fromProfile)
                ? fromProfile
                : throw new InvalidOperationException($"profile '{profile}' was not found in the shared AWS config and credentials files");
        }

        using var chain = new DefaultAWSCredentialsIdentityResolver();
        return await chain.ResolveIdentityAsync(null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// STS GetCallerIdentity with the account's credentials: they must work and belong to the configured account.
    /// Called in the account's first region, like AssumeRole, through that region's STS endpoint (or the override).
    /// </summary>
    private async Task VerifyAccountAsync(AwsAccountOptions account, AWSCredentials credentials, CancellationToken cancellationToken)
    {
        var region = account.Regions[0];
        try
        {
            // Obtaining the credentials (AssumeRole, an SSO token) fails differently from using them: say which.
            await credentials.GetCredentialsAsync().ConfigureAwait(false);
        }
        catch (AmazonServiceException e)
        {
            var problem = AwsErrorClassifier.CredentialProblem(e.ErrorCode ?? "") ?? e.Message;
            throw new AwsServiceException(
                $"account {account.DisplayName}: could not obtain credentials{(account.RoleArn is null ? "" : $" by assuming {account.RoleArn}")}: {problem} ({e.ErrorCode}); credentials from {SourceOf(account)}",
                account.AccountId, AwsService.Sts.Name, "AssumeRole", e.StatusCode, e.ErrorCode ?? "AssumeRoleFailed", e.Message, e.RequestId, 1, isCredentialError: true, e);
        }
        catch (Exception e) when (e is AmazonClientException or InvalidOperationException or IOException)
        {
            // An SSO profile whose token is missing or expired: only a person can sign in again.
            throw CredentialsUnavailable(account, e, credentials is SSOAWSCredentials && account.Profile is { } profile
                ? $" (sign in again with `aws sso login --profile {profile}`)"
                : "");
        }

        using var sts = new AmazonSecurityTokenServiceClient(credentials, new AmazonSecurityTokenServiceConfig
        {
            ServiceURL = _endpoints.Resolve(AwsService.Sts, region).ToString(),
            AuthenticationRegion = region,
            Timeout = _options.AttemptTimeout,
        });
        _meter.RecordCall(account.AccountId, region, AwsService.Sts, "GetCallerIdentity");
        GetCallerIdentityResponse identity;
        try
        {
            identity = await sts.GetCallerIdentityAsync(new GetCallerIdentityRequest(), cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonServiceException e)
        {
            _meter.RecordFailure(account.AccountId, region, AwsService.Sts, "GetCallerIdentity");
            var problem = AwsErrorClassifier.CredentialProblem(e.ErrorCode ?? "") ?? e.Message;
            throw new AwsServiceException(
                $"account {account.DisplayName}: STS GetCallerIdentity rejected the credentials: {problem} ({e.ErrorCode ?? e.StatusCode.ToString()}); credentials from {SourceOf(account)}",
                account.AccountId, AwsService.Sts.Name, "GetCallerIdentity", e.StatusCode, e.ErrorCode ?? "CredentialsRejected", e.Message, e.RequestId, 1, isCredentialError: true, e);
        }
        catch (Exception e) when (e is AmazonClientException or HttpRequestException or IOException)
        {
            _meter.RecordFailure(account.AccountId, region, AwsService.Sts, "GetCallerIdentity");
            throw new AwsServiceException(
                $"account {account.DisplayName}: could not check the credentials with STS GetCallerIdentity at {_endpoints.Resolve(AwsService.Sts, region)}: {e.Message}; credentials from {SourceOf(account)}",
                account.AccountId, AwsService.Sts.Name, "GetCallerIdentity", null, "NetworkError", e.Message, null, 1, isCredentialError: true, e);
        }

        if (!string.Equals(identity.Account, account.AccountId, StringComparison.Ordinal))
        {
            throw new AwsServiceException(
                $"account {account.DisplayName}: the credentials from {SourceOf(account)} belong to account {identity.Account} ({identity.Arn}), not {account.AccountId}; " +
                $"fix {AwsOptions.SectionName}:Accounts (AccountId, Profile or RoleArn)",
                account.AccountId, AwsService.Sts.Name, "GetCallerIdentity", null, "AccountMismatch", null, identity.ResponseMetadata?.RequestId, 1, isCredentialError: true);
        }
    }

    private static AwsServiceException CredentialsUnavailable(AwsAccountOptions account, Exception e, string hint = "") => new(
        $"account {account.DisplayName}: no credentials could be resolved ({e.Message}); credentials from {SourceOf(account)}{hint}",
        account.AccountId, "Credentials", account.Profile is null ? "DefaultChain" : "Profile", null, "CredentialsUnavailable", e.Message, null, 0, isCredentialError: true, e);
}
