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

    public string Region { get; }

    /// <summary>
    /// Every item of every page: fetches a page for the current token, yields its items, and continues while the page
    /// names a next token (Marker, NextToken, nextToken). An empty page with a token is not the end.
    /// </summary>
    protected static async IAsyncEnumerable<TItem> PagesAsync<TPage, TItem>(
        string? firstToken,
        Func<string?, CancellationToken, Task<TPage>> fetch,
        Func<TPage, IEnumerable<TItem>?> items,
        Func<TPage, string?> nextToken,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var token = firstToken;
        do
        {
            var page = await fetch(token, cancellationToken).ConfigureAwait(false);
            foreach (var item in items(page) ?? [])
            {
                yield return item;
            }

            token = nextToken(page);
        }
        while (!string.IsNullOrEmpty(token));
    }

    /// <summary>A REST-JSON call (Lambda, X-Ray): the operation is in the method and path.</summary>
    protected Task<TResponse> RestAsync<TResponse>(string operation, HttpMethod method, string pathAndQuery, byte[]? body, JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken) =>
        CallAsync(operation, new AwsRequest(method, pathAndQuery, body, body is null ? null : "application/json", null), responseType, cancellationToken);

    /// <summary>A JSON RPC call (CloudWatch JSON 1.0, Logs JSON 1.1): POST / with <c>X-Amz-Target: {prefix}.{operation}</c>.</summary>
    protected Task<TResponse> RpcAsync<TRequest, TResponse>(string targetPrefix, string jsonVersion, string operation, TRequest payload, JsonTypeInfo<TRequest> requestType, JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken, int metricsRequested = 0) =>
        CallAsync(
            operation,
            new AwsRequest(HttpMethod.Post, "", JsonSerializer.SerializeToUtf8Bytes(payload, requestType), $"application/x-amz-json-{jsonVersion}", $"{targetPrefix}.{operation}", metricsRequested),
            responseType,
            cancellationToken);

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
    protected AwsServiceException Malformed(string operation, string problem, Exception? inner = null) => new(
        $"account {Account.DisplayName}, {Region}, {_service.Name} {operation}: the response is not what AWS documents ({problem})",
        Account.AccountId, _service.Name, operation, HttpStatusCode.OK, "MalformedResponse", problem, null, 1, isCredentialError: false, inner);
}
