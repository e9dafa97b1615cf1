using System.Collections.Concurrent;
using Amazon.Runtime;
using Amazon.Runtime.CredentialManagement;
using Amazon.Runtime.Credentials;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Observe.Collectors.Aws;

/// <summary>
/// The credentials each account is read with: the standard chain (environment, web identity, profile, container and
/// instance metadata, in AWS's order) or a named profile, then, when the account has a <c>RoleArn</c>, a role assumed
/// with those credentials. Resolved once per account and cached; assumed roles renew themselves before they expire.
/// </summary>
internal sealed class AwsCredentialsProvider : IDisposable
{
    /// <summary>Resolves the base (pre-AssumeRole) credentials of an account.</summary>
    public delegate Task<AWSCredentials> BaseCredentialsResolver(AwsAccountOptions account, CancellationToken cancellationToken);

    private readonly ConcurrentDictionary<string, AWSCredentials> _cache = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _resolving = new(1, 1);
    private readonly AwsOptions _options;
    private readonly AwsEndpointResolver _endpoints;
    private readonly AwsUsageMeter _meter;
    private readonly ILogger _logger;
    private readonly BaseCredentialsResolver _baseCredentials;

    public AwsCredentialsProvider(IOptions<AwsOptions> options, AwsEndpointResolver endpoints, AwsUsageMeter meter, ILogger<AwsCredentialsProvider> logger, BaseCredentialsResolver? baseCredentials = null)
    {
        _options = options.Value;
        _endpoints = endpoints;
        _meter = meter;
        _logger = logger;
        _baseCredentials = baseCredentials ?? ResolveBaseAsync;
    }

    /// <summary>The account's credentials; throws <see cref="AwsServiceException"/> (a credential error) when none can be found.</summary>
    public async Task<AWSCredentials> GetAsync(AwsAccountOptions account, CancellationToken cancellationToken)
    {
        if (_cache.TryGetValue(account.AccountId, out var cached))
        {
            return cached;
        }

        await _resolving.WaitAsync(cancellationToken).ConfigureAwait(false);
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
            _cache[account.AccountId] = credentials;
            _logger.LogInformation("Credentials for AWS account {Account} resolved ({Kind})", account.DisplayName, account.RoleArn is null ? source.GetType().Name : "assumed role " + account.RoleArn);
            return credentials;
        }
        finally
        {
            _resolving.Release();
        }
    }

    /// <summary>
    /// Called when AWS says the account's token is expired or invalid: renewable credentials fetch new ones on the next
    /// call instead of waiting for their own expiry time (a role session can be revoked early).
    /// </summary>
    public void Invalidate(string accountId)
    {
        if (_cache.TryGetValue(accountId, out var credentials) && credentials is RefreshingAWSCredentials refreshing)
        {
            refreshing.ClearCredentials();
        }
    }

    public void Dispose()
    {
        foreach (var credentials in _cache.Values)
        {
            (credentials as IDisposable)?.Dispose();
        }

        _resolving.Dispose();
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

    private static AwsServiceException CredentialsUnavailable(AwsAccountOptions account, Exception e) => new(
        $"account {account.DisplayName}: no credentials could be resolved ({e.Message})",
        account.AccountId, "Credentials", account.Profile is null ? "DefaultChain" : "Profile", null, "CredentialsUnavailable", e.Message, null, 0, isCredentialError: true, e);
}
