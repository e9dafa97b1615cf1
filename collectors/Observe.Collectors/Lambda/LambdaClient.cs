using Observe.Collectors.Aws;

namespace Observe.Collectors.Lambda;

/// <summary>The Lambda control-plane calls the inventory collector needs, for one account and region.</summary>
internal interface ILambdaClient
{
    /// <summary>Every function (unpublished configuration), page by page through <c>Marker</c>.</summary>
    IAsyncEnumerable<LambdaFunctionConfiguration> ListFunctionsAsync(CancellationToken cancellationToken);

    Task<IReadOnlyDictionary<string, string>> ListTagsAsync(string functionArn, CancellationToken cancellationToken);

    /// <summary>Event source mappings of one function, or of the whole region when <paramref name="functionName"/> is null.</summary>
    IAsyncEnumerable<LambdaEventSourceMapping> ListEventSourceMappingsAsync(string? functionName, CancellationToken cancellationToken);

    IAsyncEnumerable<LambdaFunctionConfiguration> ListVersionsByFunctionAsync(string functionName, CancellationToken cancellationToken);

    IAsyncEnumerable<LambdaAlias> ListAliasesAsync(string functionName, CancellationToken cancellationToken);

    /// <summary>Reserved concurrency, or null when the function uses the account's unreserved pool.</summary>
    Task<int?> GetFunctionConcurrencyAsync(string functionName, CancellationToken cancellationToken);

    IAsyncEnumerable<LambdaProvisionedConcurrencyConfig> ListProvisionedConcurrencyConfigsAsync(string functionName, CancellationToken cancellationToken);
}

/// <summary>Lambda over REST-JSON (API version 2015-03-31, concurrency under 2019-09-30, tags under 2017-03-31).</summary>
internal sealed class LambdaClient(AwsCaller caller, AwsAccountOptions account, string region)
    : AwsClientBase(caller, account, region, AwsService.Lambda), ILambdaClient
{
    // Lambda's maximum page size; it returns at most 50 whatever MaxItems says.
    private const int PageSize = 50;

    private static LambdaJsonContext Json => LambdaJsonContext.Default;

    public IAsyncEnumerable<LambdaFunctionConfiguration> ListFunctionsAsync(CancellationToken cancellationToken) =>
        PagesAsync(
            "ListFunctions",
            null,
            (marker, ct) => RestAsync("ListFunctions", HttpMethod.Get, $"2015-03-31/functions/?MaxItems={PageSize}{Marker(marker)}", null, Json.ListFunctionsResponse, ct),
            page => page.Functions,
            page => page.NextMarker,
            cancellationToken);

    public async Task<IReadOnlyDictionary<string, string>> ListTagsAsync(string functionArn, CancellationToken cancellationToken)
    {
        var response = await RestAsync("ListTags", HttpMethod.Get, $"2017-03-31/tags/{Uri.EscapeDataString(functionArn)}", null, Json.ListTagsResponse, cancellationToken, FunctionGone).ConfigureAwait(false);
        return response.Tags ?? [];
    }

    public IAsyncEnumerable<LambdaEventSourceMapping> ListEventSourceMappingsAsync(string? functionName, CancellationToken cancellationToken)
    {
        var filter = functionName is null ? "" : $"&FunctionName={Uri.EscapeDataString(functionName)}";
        return PagesAsync(
            "ListEventSourceMappings",
            null,
            (marker, ct) => RestAsync("ListEventSourceMappings", HttpMethod.Get, $"2015-03-31/event-source-mappings/?MaxItems={PageSize}{filter}{Marker(marker)}", null, Json.ListEventSourceMappingsResponse, ct),
            page => page.EventSourceMappings,
            page => page.NextMarker,
            cancellationToken);
    }

    public IAsyncEnumerable<LambdaFunctionConfiguration> ListVersionsByFunctionAsync(string functionName, CancellationToken cancellationToken) =>
        PagesAsync(
            "ListVersionsByFunction",
            null,
            (marker, ct) => RestAsync("ListVersionsByFunction", HttpMethod.Get, $"2015-03-31/functions/{Uri.EscapeDataString(functionName)}/versions?MaxItems={PageSize}{Marker(marker)}", null, Json.ListVersionsByFunctionResponse, ct, FunctionGone),
            page => page.Versions,
            page => page.NextMarker,
            cancellationToken);

    public IAsyncEnumerable<LambdaAlias> ListAliasesAsync(string functionName, CancellationToken cancellationToken) =>
        PagesAsync(
            "ListAliases",
            null,
            (marker, ct) => RestAsync("ListAliases", HttpMethod.Get, $"2015-03-31/functions/{Uri.EscapeDataString(functionName)}/aliases?MaxItems={PageSize}{Marker(marker)}", null, Json.ListAliasesResponse, ct, FunctionGone),
            page => page.Aliases,
            page => page.NextMarker,
            cancellationToken);

    public async Task<int?> GetFunctionConcurrencyAsync(string functionName, CancellationToken cancellationToken)
    {
        var response = await RestAsync("GetFunctionConcurrency", HttpMethod.Get, $"2019-09-30/functions/{Uri.EscapeDataString(functionName)}/concurrency", null, Json.GetFunctionConcurrencyResponse, cancellationToken, FunctionGone).ConfigureAwait(false);
        return response.ReservedConcurrentExecutions;
    }

    public IAsyncEnumerable<LambdaProvisionedConcurrencyConfig> ListProvisionedConcurrencyConfigsAsync(string functionName, CancellationToken cancellationToken) =>
        PagesAsync(
            "ListProvisionedConcurrencyConfigs",
            null,
            (marker, ct) => RestAsync("ListProvisionedConcurrencyConfigs", HttpMethod.Get, $"2019-09-30/functions/{Uri.EscapeDataString(functionName)}/provisioned-concurrency?List=ALL&MaxItems={PageSize}{Marker(marker)}", null, Json.ListProvisionedConcurrencyConfigsResponse, ct, FunctionGone),
            page => page.ProvisionedConcurrencyConfigs,
            page => page.NextMarker,
            cancellationToken);

    // A read about one function answered "no such function" says the function is gone (deleted since it was listed):
    // an answer about the fleet, which the inventory records as a deletion, not a failed call. Only Lambda's own code
    // counts; a bare 404 from a proxy or a wrong endpoint stays a failure.
    private static bool FunctionGone(AwsServiceException e) => IsServiceNotFound(e);

    private static string Marker(string? marker) => marker is null ? "" : "&Marker=" + Uri.EscapeDataString(marker);
}
