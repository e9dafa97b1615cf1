using System.Runtime.CompilerServices;
using Observe.Collectors.Aws;

namespace Observe.Collectors.Lambda;

/// <summary>The Lambda control-plane calls the inventory collector needs, for one account and region.</summary>
public interface ILambdaClient
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

    public async IAsyncEnumerable<LambdaFunctionConfiguration> ListFunctionsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? marker = null;
        do
        {
            var page = await RestAsync("ListFunctions", HttpMethod.Get, $"2015-03-31/functions/?MaxItems={PageSize}{Marker(marker)}", null, Json.ListFunctionsResponse, cancellationToken).ConfigureAwait(false);
            foreach (var function in page.Functions ?? [])
            {
                yield return function;
            }

            marker = page.NextMarker;
        }
        while (!string.IsNullOrEmpty(marker));
    }

    public async Task<IReadOnlyDictionary<string, string>> ListTagsAsync(string functionArn, CancellationToken cancellationToken)
    {
        var response = await RestAsync("ListTags", HttpMethod.Get, $"2017-03-31/tags/{Uri.EscapeDataString(functionArn)}", null, Json.ListTagsResponse, cancellationToken).ConfigureAwait(false);
        return response.Tags ?? [];
    }

    public async IAsyncEnumerable<LambdaEventSourceMapping> ListEventSourceMappingsAsync(string? functionName, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var filter = functionName is null ? "" : $"&FunctionName={Uri.EscapeDataString(functionName)}";
        string? marker = null;
        do
        {
            var page = await RestAsync("ListEventSourceMappings", HttpMethod.Get, $"2015-03-31/event-source-mappings/?MaxItems={PageSize}{filter}{Marker(marker)}", null, Json.ListEventSourceMappingsResponse, cancellationToken).ConfigureAwait(false);
            foreach (var mapping in page.EventSourceMappings ?? [])
            {
                yield return mapping;
            }

            marker = page.NextMarker;
        }
        while (!string.IsNullOrEmpty(marker));
    }

    public async IAsyncEnumerable<LambdaFunctionConfiguration> ListVersionsByFunctionAsync(string functionName, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? marker = null;
        do
        {
            var page = await RestAsync("ListVersionsByFunction", HttpMethod.Get, $"2015-03-31/functions/{Uri.EscapeDataString(functionName)}/versions?MaxItems={PageSize}{Marker(marker)}", null, Json.ListVersionsByFunctionResponse, cancellationToken).ConfigureAwait(false);
            foreach (var version in page.Versions ?? [])
            {
                yield return version;
            }

            marker = page.NextMarker;
        }
        while (!string.IsNullOrEmpty(marker));
    }

    public async IAsyncEnumerable<LambdaAlias> ListAliasesAsync(string functionName, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? marker = null;
        do
        {
            var page = await RestAsync("ListAliases", HttpMethod.Get, $"2015-03-31/functions/{Uri.EscapeDataString(functionName)}/aliases?MaxItems={PageSize}{Marker(marker)}", null, Json.ListAliasesResponse, cancellationToken).ConfigureAwait(false);
            foreach (var alias in page.Aliases ?? [])
            {
                yield return alias;
            }

            marker = page.NextMarker;
        }
        while (!string.IsNullOrEmpty(marker));
    }

    public async Task<int?> GetFunctionConcurrencyAsync(string functionName, CancellationToken cancellationToken)
    {
        var response = await RestAsync("GetFunctionConcurrency", HttpMethod.Get, $"2019-09-30/functions/{Uri.EscapeDataString(functionName)}/concurrency", null, Json.GetFunctionConcurrencyResponse, cancellationToken).ConfigureAwait(false);
        return response.ReservedConcurrentExecutions;
    }

    public async IAsyncEnumerable<LambdaProvisionedConcurrencyConfig> ListProvisionedConcurrencyConfigsAsync(string functionName, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? marker = null;
        do
        {
            var page = await RestAsync("ListProvisionedConcurrencyConfigs", HttpMethod.Get, $"2019-09-30/functions/{Uri.EscapeDataString(functionName)}/provisioned-concurrency?List=ALL&MaxItems={PageSize}{Marker(marker)}", null, Json.ListProvisionedConcurrencyConfigsResponse, cancellationToken).ConfigureAwait(false);
            foreach (var config in page.ProvisionedConcurrencyConfigs ?? [])
            {
                yield return config;
            }

            marker = page.NextMarker;
        }
        while (!string.IsNullOrEmpty(marker));
    }

    private static string Marker(string? marker) => marker is null ? "" : "&Marker=" + Uri.EscapeDataString(marker);
}
