using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Observe.Collectors.Tests.Infrastructure;

namespace Observe.Collectors.Tests.Inventory;

/// <summary>
/// The Lambda and SQS changes the inventory tests make in moto beyond <see cref="MotoSeeder"/>: plain HTTP, the account
/// from moto's <c>x-moto-account-id</c> header, independent of the clients under test.
/// </summary>
internal sealed class MotoLambdaSeeder(string accountId) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = new Uri(Moto.Url + "/") };

    public Task DeleteFunctionAsync(string region, string name) =>
        SendAsync(region, "lambda", HttpMethod.Delete, $"2015-03-31/functions/{name}", null, null);

    public Task UpdateMemoryAsync(string region, string name, int memoryMb) =>
        SendAsync(region, "lambda", HttpMethod.Put, $"2015-03-31/functions/{name}/configuration",
            new JsonObject { ["MemorySize"] = memoryMb }.ToJsonString(), "application/json");

    /// <summary>UpdateAlias: points the alias at a version, sending <paramref name="weight"/> of its traffic to <paramref name="additionalVersion"/>.</summary>
    public Task UpdateAliasAsync(string region, string name, string alias, string version, string? additionalVersion = null, double weight = 0) =>
        SendAsync(region, "lambda", HttpMethod.Put, $"2015-03-31/functions/{name}/aliases/{alias}",
            new JsonObject
            {
                ["FunctionVersion"] = version,
                ["RoutingConfig"] = additionalVersion is null ? null : new JsonObject { ["AdditionalVersionWeights"] = new JsonObject { [additionalVersion] = weight } },
            }.ToJsonString(),
            "application/json");

    /// <summary>TagResource: changes neither LastModified nor RevisionId of the function.</summary>
    public Task TagAsync(string region, string functionArn, string key, string value) =>
        SendAsync(region, "lambda", HttpMethod.Post, $"2017-03-31/tags/{Uri.EscapeDataString(functionArn)}",
            new JsonObject { ["Tags"] = new JsonObject { [key] = value } }.ToJsonString(), "application/json");

    /// <summary>Creates an SQS queue and maps it to the function; returns the queue ARN.</summary>
    public async Task<string> MapQueueAsync(string region, string functionName, string queueName, int batchSize)
    {
        await SendAsync(region, "sqs", HttpMethod.Post, "", new JsonObject { ["QueueName"] = queueName }.ToJsonString(), "application/x-amz-json-1.0", "AmazonSQS.CreateQueue");
        var queueArn = $"arn:aws:sqs:{region}:{accountId}:{queueName}";
        await SendAsync(region, "lambda", HttpMethod.Post, "2015-03-31/event-source-mappings",
            new JsonObject { ["EventSourceArn"] = queueArn, ["FunctionName"] = functionName, ["BatchSize"] = batchSize }.ToJsonString(), "application/json");
        return queueArn;
    }

    public void Dispose() => _http.Dispose();

    private async Task SendAsync(string region, string service, HttpMethod method, string path, string? body, string? contentType, string? target = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType!);
        }

        request.Headers.TryAddWithoutValidation("x-moto-account-id", accountId);
        request.Headers.TryAddWithoutValidation("Authorization", $"AWS4-HMAC-SHA256 Credential=AKIAOBSERVESEED/20260101/{region}/{service}/aws4_request, SignedHeaders=host, Signature=0");
        if (target is not null)
        {
            request.Headers.TryAddWithoutValidation("X-Amz-Target", target);
        }

        using var response = await _http.SendAsync(request);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"seeding moto ({service} {target ?? path}) failed: HTTP {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }
}
