using System.IO.Compression;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Observe.Collectors.Tests.Infrastructure;

/// <summary>
/// The moto server scripts/test.sh starts. Tests that need it fail (never skip) when it is missing, so CI cannot pass
/// with the peer broken. moto is shared by the whole run: each test class uses its own account ids (reached by
/// AssumeRole into that account, which is how moto maps credentials to accounts), never a reset.
/// </summary>
internal static class Moto
{
    public static string Url =>
        Environment.GetEnvironmentVariable("OBSERVE_TEST_MOTO_URL") is { Length: > 0 } url
            ? url.TrimEnd('/')
            : throw new InvalidOperationException("OBSERVE_TEST_MOTO_URL is not set: run the tests with scripts/test.sh, which starts moto (or `source .peers/env` after scripts/peers.sh start)");

    public static string RoleArn(string accountId) => $"arn:aws:iam::{accountId}:role/observe-read";
}

/// <summary>
/// Puts test data into moto with plain HTTP, independent of the code under test: the account comes from moto's
/// <c>x-moto-account-id</c> header, the region and service from an unsigned credential scope (moto checks no signature).
/// </summary>
internal sealed class MotoSeeder(string accountId) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = new Uri(Moto.Url + "/") };

    public string AccountId => accountId;

    public async Task<string> CreateFunctionAsync(string region, string name, IReadOnlyDictionary<string, string>? tags = null, int memoryMb = 256, string runtime = "dotnet8")
    {
        await EnsureRoleAsync();
        var body = new JsonObject
        {
            ["FunctionName"] = name,
            ["Runtime"] = runtime,
            ["Role"] = $"arn:aws:iam::{accountId}:role/lambda-role",
            ["Handler"] = "Function::Handler",
            ["MemorySize"] = memoryMb,
            ["Timeout"] = 30,
            ["Code"] = new JsonObject { ["ZipFile"] = Convert.ToBase64String(TinyZip()) },
            ["Tags"] = tags is null ? null : new JsonObject(tags.Select(t => KeyValuePair.Create(t.Key, (JsonNode?)t.Value))),
        };
        var response = await SendAsync(region, "lambda", HttpMethod.Post, "2015-03-31/functions", body.ToJsonString(), "application/json");
        return JsonNode.Parse(response)!["FunctionArn"]!.GetValue<string>();
    }

    public Task PublishVersionAsync(string region, string name) =>
        SendAsync(region, "lambda", HttpMethod.Post, $"2015-03-31/functions/{name}/versions", "{}", "application/json");

    public Task CreateAliasAsync(string region, string name, string alias, string version) =>
        SendAsync(region, "lambda", HttpMethod.Post, $"2015-03-31/functions/{name}/aliases",
            new JsonObject { ["Name"] = alias, ["FunctionVersion"] = version }.ToJsonString(), "application/json");

    public Task PutFunctionConcurrencyAsync(string region, string name, int reserved) =>
        SendAsync(region, "lambda", HttpMethod.Put, $"2017-10-31/functions/{name}/concurrency",
            new JsonObject { ["ReservedConcurrentExecutions"] = reserved }.ToJsonString(), "application/json");

    public Task CloudWatchAsync(string region, string operation, JsonObject body) =>
        SendAsync(region, "monitoring", HttpMethod.Post, "", body.ToJsonString(), "application/x-amz-json-1.0", "GraniteServiceVersion20100801." + operation);

    /// <summary>A Sum &gt;= 1 over one minute alarm on one metric with one dimension.</summary>
    public Task PutMetricAlarmAsync(string region, string name, string ns, string metric, string dimension, string value) =>
        CloudWatchAsync(region, "PutMetricAlarm", new JsonObject
        {
            ["AlarmName"] = name,
            ["Namespace"] = ns,
            ["MetricName"] = metric,
            ["Statistic"] = "Sum",
            ["Period"] = 60,
            ["EvaluationPeriods"] = 1,
            ["Threshold"] = 1,
            ["ComparisonOperator"] = "GreaterThanOrEqualToThreshold",
            ["Dimensions"] = new JsonArray(new JsonObject { ["Name"] = dimension, ["Value"] = value }),
        });

    public Task LogsAsync(string region, string operation, JsonObject body) =>
        SendAsync(region, "logs", HttpMethod.Post, "", body.ToJsonString(), "application/x-amz-json-1.1", "Logs_20140328." + operation);

    public async Task PutLogEventsAsync(string region, string group, string stream, IEnumerable<(DateTimeOffset At, string Message)> events)
    {
        await LogsAsync(region, "CreateLogGroup", new JsonObject { ["logGroupName"] = group });
        await LogsAsync(region, "CreateLogStream", new JsonObject { ["logGroupName"] = group, ["logStreamName"] = stream });
        var list = new JsonArray();
        foreach (var (at, message) in events.OrderBy(e => e.At))
        {
            list.Add(new JsonObject { ["timestamp"] = at.ToUnixTimeMilliseconds(), ["message"] = message });
        }

        await LogsAsync(region, "PutLogEvents", new JsonObject { ["logGroupName"] = group, ["logStreamName"] = stream, ["logEvents"] = list });
    }

    public Task PutTraceSegmentsAsync(string region, IEnumerable<JsonObject> segments)
    {
        var documents = new JsonArray();
        foreach (var segment in segments)
        {
            documents.Add(segment.ToJsonString());
        }

        return SendAsync(region, "xray", HttpMethod.Post, "TraceSegments", new JsonObject { ["TraceSegmentDocuments"] = documents }.ToJsonString(), "application/json");
    }

    public void Dispose() => _http.Dispose();

    private async Task EnsureRoleAsync()
    {
        // Lambda in moto checks that the execution role exists; a second CreateRole answers 409, which is fine.
        var form = "Action=CreateRole&Version=2010-05-08&RoleName=lambda-role&AssumeRolePolicyDocument=" + Uri.EscapeDataString("{}");
        using var request = Request("us-east-1", "iam", HttpMethod.Post, "", form, "application/x-www-form-urlencoded", null);
        using var response = await _http.SendAsync(request);
    }

    private async Task<string> SendAsync(string region, string service, HttpMethod method, string path, string body, string contentType, string? target = null)
    {
        using var request = Request(region, service, method, path, body, contentType, target);
        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"seeding moto ({service} {target ?? path}) failed: HTTP {(int)response.StatusCode} {text}");
        }

        return text;
    }

    private HttpRequestMessage Request(string region, string service, HttpMethod method, string path, string body, string contentType, string? target)
    {
        var request = new HttpRequestMessage(method, path) { Content = new StringContent(body, Encoding.UTF8) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        request.Headers.TryAddWithoutValidation("x-moto-account-id", accountId);
        request.Headers.TryAddWithoutValidation("Authorization", $"AWS4-HMAC-SHA256 Credential=AKIAOBSERVESEED/20260101/{region}/{service}/aws4_request, SignedHeaders=host, Signature=0");
        if (target is not null)
        {
            request.Headers.TryAddWithoutValidation("X-Amz-Target", target);
        }

        return request;
    }

    private static byte[] TinyZip()
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            using var writer = new StreamWriter(zip.CreateEntry("Function.dll").Open());
            writer.Write("not a real assembly: moto never runs it");
        }

        return buffer.ToArray();
    }
}
