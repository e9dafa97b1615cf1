using Amazon.Runtime;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;

namespace Observe.Collectors.Aws;

/// <summary>
/// Credentials of a role assumed in another account, cached and renewed <see cref="RefreshingAWSCredentials.PreemptExpiryTime"/>
/// before they expire. AWSSDK.Core's own <c>AssumeRoleAWSCredentials</c> cannot be pointed at an STS endpoint override
/// (needed for moto and for VPC endpoints), so this calls <see cref="AmazonSecurityTokenServiceClient"/> itself.
/// </summary>
internal sealed class AssumeRoleCredentials : RefreshingAWSCredentials
{
    private readonly AmazonSecurityTokenServiceClient _sts;
    private readonly AwsAccountOptions _account;
    private readonly AwsOptions _options;
    private readonly Action _onAssumed;

    public AssumeRoleCredentials(AWSCredentials source, AwsAccountOptions account, AwsOptions options, Uri stsEndpoint, string stsRegion, Action onAssumed)
    {
        _account = account;
        _options = options;
        _onAssumed = onAssumed;
        _sts = new AmazonSecurityTokenServiceClient(source, new AmazonSecurityTokenServiceConfig
        {
            ServiceURL = stsEndpoint.ToString(),
            AuthenticationRegion = stsRegion,
            Timeout = options.AttemptTimeout,
        });
        PreemptExpiryTime = options.CredentialRefreshBefore;
    }

    // AWSSDK.SecurityToken has no synchronous AssumeRole on .NET 8, and SigV4SigningHandler resolves credentials
    // asynchronously; blocking on the async call here could deadlock a caller's synchronization context.
    protected override CredentialsRefreshState GenerateNewCredentials() =>
        throw new NotSupportedException("assumed-role credentials are resolved asynchronously only (GetCredentialsAsync)");

    protected override async Task<CredentialsRefreshState> GenerateNewCredentialsAsync()
    {
        var response = await _sts.AssumeRoleAsync(CreateRequest()).ConfigureAwait(false);
        return ToState(response);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _sts.Dispose();
        }

        base.Dispose(disposing);
    }

    private AssumeRoleRequest CreateRequest() => new()
    {
        RoleArn = _account.RoleArn,
        RoleSessionName = _options.RoleSessionName,
        ExternalId = _account.ExternalId,
        DurationSeconds = (int)_options.AssumeRoleDuration.TotalSeconds,
    };

    private CredentialsRefreshState ToState(AssumeRoleResponse response)
    {
        _onAssumed();
        var c = response.Credentials;
        return new CredentialsRefreshState(
            new ImmutableCredentials(c.AccessKeyId, c.SecretAccessKey, c.SessionToken),
            c.Expiration ?? DateTime.UtcNow.Add(_options.AssumeRoleDuration));
    }
}
