using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace Observe.Dashboard.Auth;

/// <summary>
/// The provider's metadata and signing keys, read again at once when asked to: when an id token names a key not read
/// yet (the provider rotated its key). IdentityModel's own manager refreshes in the background and answers the old keys
/// meanwhile, and the handler validates with the keys it read when the sign-in came back, so both the sign-in that
/// noticed and one started again at once would fail. Here the next read waits for the new document. Reads forced that way are at most one per
/// <see cref="MinimumRefreshInterval"/>, so tokens naming made-up keys cannot make the dashboard hammer the provider.
/// </summary>
internal sealed class ProviderMetadata(string metadataAddress, IDocumentRetriever retriever, TimeProvider time)
    : IConfigurationManager<OpenIdConnectConfiguration>
{
    /// <summary>How long a document is used before it is read again on its own.</summary>
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromHours(12);

    public static readonly TimeSpan MinimumRefreshInterval = TimeSpan.FromSeconds(10);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private OpenIdConnectConfiguration? _current;
    private DateTimeOffset _readAt;
    private DateTimeOffset _forcedAt = DateTimeOffset.MinValue;
    private volatile bool _refreshRequested;

    public async Task<OpenIdConnectConfiguration> GetConfigurationAsync(CancellationToken cancel)
    {
        if (_current is { } current && !Due())
        {
            return current;
        }

        await _gate.WaitAsync(cancel);
        try
        {
            if (_current is null || Due())
            {
                var forced = _current is not null && _refreshRequested;
                _current = await OpenIdConnectConfigurationRetriever.GetAsync(metadataAddress, retriever, cancel);
                _readAt = time.GetUtcNow();
                _forcedAt = forced ? _readAt : _forcedAt;
                _refreshRequested = false;
            }

            return _current;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void RequestRefresh() => _refreshRequested = true;

    private bool Due()
    {
        var now = time.GetUtcNow();
        return now - _readAt >= RefreshInterval || (_refreshRequested && now - _forcedAt >= MinimumRefreshInterval);
    }

    /// <summary>Whether the keys read so far include <paramref name="kid"/>; false also asks for the keys to be read again.</summary>
    public async Task<bool> KnowsKeyAsync(string? kid, CancellationToken cancel)
    {
        var configuration = await GetConfigurationAsync(cancel);
        if (kid is null || configuration.SigningKeys.Any(k => string.Equals(k.KeyId, kid, StringComparison.Ordinal)))
        {
            return true;
        }

        RequestRefresh();
        return false;
    }

    /// <summary>Puts <see cref="ProviderMetadata"/> in place of the manager the handler made, over the same back channel.</summary>
    internal sealed class Install(TimeProvider time) : IPostConfigureOptions<OpenIdConnectOptions>
    {
        public void PostConfigure(string? name, OpenIdConnectOptions options)
        {
            if (name != OpenIdConnectDefaults.AuthenticationScheme || options.Authority is null || options.Backchannel is null)
            {
                return;
            }

            var address = options.MetadataAddress ?? options.Authority.TrimEnd('/') + "/.well-known/openid-configuration";
            options.ConfigurationManager = new ProviderMetadata(address, new HttpDocumentRetriever(options.Backchannel) { RequireHttps = options.RequireHttpsMetadata }, time);
        }
    }
}
