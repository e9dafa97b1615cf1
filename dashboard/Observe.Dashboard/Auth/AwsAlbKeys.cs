using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace Observe.Dashboard.Auth;

/// <summary>
/// The load balancer's public keys, read by key id from <c>{KeyEndpoint}/{kid}</c> (a PEM) and kept: a key id names
/// one key for good, so a key once read is never read again. One read per key id at a time.
/// </summary>
internal sealed partial class AwsAlbKeys(IHttpClientFactory clients, IOptions<AuthOptions> options, ILogger<AwsAlbKeys> logger)
{
    /// <summary>The named HTTP client the keys are read with.</summary>
    public const string ClientName = "observe-alb-keys";

    /// <summary>Longest key document read; a PEM P-256 public key is under 200 bytes.</summary>
    private const int MaxKeyBytes = 4096;

    private readonly ConcurrentDictionary<string, Lazy<Task<ECDsa?>>> _keys = new(StringComparer.Ordinal);

    /// <summary>The P-256 key of <paramref name="kid"/>; null when the endpoint does not know it (404) or it is no P-256 key.</summary>
    /// <exception cref="HttpRequestException">The key endpoint could not be read (not a 404).</exception>
    public async Task<ECDsa?> GetAsync(string kid, CancellationToken cancellationToken)
    {
        var entry = _keys.GetOrAdd(kid, id => new Lazy<Task<ECDsa?>>(() => ReadAsync(id)));
        try
        {
            var key = await entry.Value.WaitAsync(cancellationToken);
            if (key is null)
            {
                // Unknown today may be published later; only found keys are kept.
                _keys.TryRemove(new KeyValuePair<string, Lazy<Task<ECDsa?>>>(kid, entry));
            }

            return key;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _keys.TryRemove(new KeyValuePair<string, Lazy<Task<ECDsa?>>>(kid, entry));
            throw;
        }
    }

    private async Task<ECDsa?> ReadAsync(string kid)
    {
        var address = new Uri(options.Value.AwsAlb.KeyBase.ToString().TrimEnd('/') + "/" + Uri.EscapeDataString(kid));
        // Not the request's token: a reader that gave up must not fail the read the others wait for.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        using var http = clients.CreateClient(ClientName);
        using var response = await http.GetAsync(address, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Forbidden)
        {
            LogUnknownKey(logger, kid, address, (int)response.StatusCode);
            return null;
        }

        response.EnsureSuccessStatusCode();
        if (response.Content.Headers.ContentLength > MaxKeyBytes)
        {
            throw new HttpRequestException($"The key document at {address} is larger than {MaxKeyBytes} bytes.");
        }

        var pem = await response.Content.ReadAsStringAsync(timeout.Token);
        if (pem.Length > MaxKeyBytes)
        {
            // Sent without a length: refused as the larger one above, never cut short into a key.
            throw new HttpRequestException($"The key document at {address} is larger than {MaxKeyBytes} bytes.");
        }

        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
            if (key.KeySize != 256)
            {
                LogWrongKey(logger, kid, address, key.KeySize);
                key.Dispose();
                return null;
            }

            return key;
        }
        catch (ArgumentException ex)
        {
            key.Dispose();
            throw new HttpRequestException($"The key document at {address} is not a PEM public key: {ex.Message}", ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The load balancer's key endpoint does not know key {Kid} ({Address} answered {Status})")]
    private static partial void LogUnknownKey(ILogger logger, string kid, Uri address, int status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Key {Kid} from {Address} is {Bits} bits, not a P-256 key; tokens signed with it are refused")]
    private static partial void LogWrongKey(ILogger logger, string kid, Uri address, int bits);
}
