using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Observe.Collectors.Aws;

/// <summary>
/// What the typed clients share: one account and region, the caller, and (de)serialization through source-generated
/// contexts. A successful response that is not the JSON the model expects becomes an <see cref="AwsServiceException"/>
/// (<c>MalformedResponse</c>), like any other failed call.
/// </summary>
internal abstract class AwsClientBase
{
    private readonly AwsCaller _caller;
    private readonly AwsService _service;

    protected AwsClientBase(AwsCaller caller, AwsAccountOptions account, string region, AwsService service)
    {
        _caller = caller;
        Account = account;
        Region = region;
        _service = service;
    }

    public AwsAccountOptions Account { get; }

    /// <summary>The meter of the shared pipeline, for billed quantities a response reports (bytes scanned, traces).</summary>
    private protected AwsUsageMeter Meter => _caller.Meter;

    private protected AwsService Service => _service;

    public string Region { get; }

    /// <summary>
    /// Every item of every page: fetches a page for the current token, yields its items, and continues while the page
    /// names a next token (Marker, NextToken, nextToken). An empty page with a token is not the end. A token seen
    /// before in this listing fails the call (<c>RepeatedPageToken</c>): a server that hands the same token back would
    /// otherwise be asked for the same page until the pass timeout, and its items would be yielded again each time.
    /// </summary>
    protected async IAsyncEnumerable<TItem> PagesAsync<TPage, TItem>(
        string operation,
        string? firstToken,
        Func<string?, CancellationToken, Task<TPage>> fetch,
        Func<TPage, IEnumerable<TItem>?> items,
        Func<TPage, string?> nextToken,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var seen = new PageTokens(this, operation);
        var token = firstToken;
        seen.Check(token);
        do
        {
            var page = await fetch(token, cancellationToken).ConfigureAwait(false);
            foreach (var item in items(page) ?? [])
            {
                yield return item;
            }

            token = nextToken(page);
            seen.Check(token);
        }
        while (!string.IsNullOrEmpty(token));
    }

    /// <summary>
    /// The tokens one listing has followed. A cycle of any length (A, B, A) is caught, not only the same token twice in
    /// a row; the set holds one string per page, which a listing already holds many times over in its items.
    /// </summary>
    protected sealed class PageTokens(AwsClientBase client, string operation)
    {
        private readonly HashSet<string> _seen = new(StringComparer.Ordinal);

        /// <summary>Records <paramref name="token"/>; throws when this listing has followed it before.</summary>
        public void Check(string? token)
        {
            if (!string.IsNullOrEmpty(token) && !_seen.Add(token))
            {
                // The token's start is enough to compare with a capture; a whole token can run to kilobytes.
                var shown = token.Length <= 40 ? token : token[..40] + "...";
                throw client.Malformed(
                    operation,
                    $"after {_seen.Count} page tokens the server returned '{shown}', a page token already followed, so paging would never end; stopped",
                    code: "RepeatedPageToken");
            }
        }
    }

    /// <summary>
    /// A REST-JSON call (Lambda, X-Ray): the operation is in the method and path. <paramref name="isExpectedAnswer"/>
    /// names the errors that answer the question rather than fail it (see <see cref="AwsRequest.IsExpectedAnswer"/>).
    /// </summary>
    protected Task<TResponse> RestAsync<TResponse>(string operation, HttpMethod method, string pathAndQuery, byte[]? body, JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken, Func<AwsServiceException, bool>? isExpectedAnswer = null) =>
        CallAsync(operation, new AwsRequest(method, pathAndQuery, body, body is null ? null : "application/json", null) { IsExpectedAnswer = isExpectedAnswer }, responseType, cancellationToken);

    /// <summary>A JSON RPC call (CloudWatch JSON 1.0, Logs JSON 1.1): POST / with <c>X-Amz-Target: {prefix}.{operation}</c>.</summary>
    protected Task<TResponse> RpcAsync<TRequest, TResponse>(string targetPrefix, string jsonVersion, string operation, TRequest payload, JsonTypeInfo<TRequest> requestType, JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken, int metricsRequested = 0, Func<AwsServiceException, bool>? isExpectedAnswer = null) =>
        CallAsync(
            operation,
            new AwsRequest(HttpMethod.Post, "", JsonSerializer.SerializeToUtf8Bytes(payload, requestType), $"application/x-amz-json-{jsonVersion}", $"{targetPrefix}.{operation}", metricsRequested) { IsExpectedAnswer = isExpectedAnswer },
            responseType,
            cancellationToken);

    /// <summary>
    /// The service's own "no such resource" (<c>ResourceNotFoundException</c>). A bare 404 is not it: a proxy or a
    /// wrong endpoint answers 404 too, and must read as a failure, not as "the resource does not exist".
    /// </summary>
    public static bool IsServiceNotFound(AwsServiceException exception) =>
        exception is { ErrorCode: "ResourceNotFoundException" or "ResourceNotFound" };

    private async Task<TResponse> CallAsync<TResponse>(string operation, AwsRequest request, JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken)
    {
        var body = await _caller.SendAsync(new AwsCallTarget(Account, Region, _service, operation), request, cancellationToken).ConfigureAwait(false);
        try
        {
            // Some operations answer 200 with no body (GetFunctionConcurrency without a reservation).
            var json = body.Length == 0 ? "{}"u8 : body.AsSpan();
            return JsonSerializer.Deserialize(json, responseType)
                   ?? throw new JsonException("the response body is the JSON literal null");
        }
        catch (JsonException e)
        {
            throw Malformed(operation, e.Message, e);
        }
    }

    /// <summary>A successful response that does not say what AWS documents.</summary>
    protected AwsServiceException Malformed(string operation, string problem, Exception? inner = null, string code = "MalformedResponse") => new(
        $"account {Account.DisplayName}, {Region}, {_service.Name} {operation}: the response is not what AWS documents ({problem})",
        Account.AccountId, _service.Name, operation, HttpStatusCode.OK, code, problem, null, 1, isCredentialError: false, inner);
}
