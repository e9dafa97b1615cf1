using System.IO.Compression;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Observe.Collectors.Tests.Infrastructure;

namespace Observe.Dashboard.Tests.Browser;

/// <summary>
/// The Lambda calls the moto fleet needs beyond <see cref="MotoSeeder"/>: a function with the whole configuration
/// (architecture, timeout, layers, environment), a layer to attach, and GetFunction to read back what moto holds,
/// independently of the collectors. Plain HTTP; the account from moto's <c>x-moto-account-id</c> header.
/// </summary>
internal sealed class MotoLambda(string accountId) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = new Uri(Moto.Url + "/") };
    private bool _role;

    /// <summary>PublishLayerVersion with a tiny zip; returns the layer version ARN.</summary>
    public async Task<string> PublishLayerAsync(string region, string name)
    {
        var body = new JsonObject
        {
            ["LayerName"] = name,
            ["Content"] = new JsonObject { ["ZipFile"] = Convert.ToBase64String(TinyZip("layer.txt")) },
            ["CompatibleRuntimes"] = new JsonArray("nodejs22.x", "python3.13"),
        };
        var response = await SendAsync(region, "lambda", HttpMethod.Post, $"2018-10-31/layers/{name}/versions", body.ToJsonString(), "application/json");
        return JsonNode.Parse(response)!["LayerVersionArn"]!.GetValue<string>();
    }

    /// <summary>CreateFunction with <paramref name="function"/>'s whole configuration; a container image when it has no runtime.</summary>
    public async Task CreateFunctionAsync(SeededFunction function, IReadOnlyList<string> layerArns)
    {
        await EnsureRoleAsync();
        var image = function.Runtime is null;
        var body = new JsonObject
        {
            ["FunctionName"] = function.Key.Name,
            ["Role"] = $"arn:aws:iam::{accountId}:role/lambda-role",
            ["MemorySize"] = function.MemoryMb,
            ["Timeout"] = function.TimeoutSeconds,
            ["Architectures"] = new JsonArray(function.Architecture),
            // moto does not check that the image exists in ECR.
            ["PackageType"] = image ? "Image" : "Zip",
            ["Code"] = image
                ? new JsonObject { ["ImageUri"] = $"{accountId}.dkr.ecr.{function.Key.Region}.amazonaws.com/{function.Key.Name}:1" }
                : new JsonObject { ["ZipFile"] = Convert.ToBase64String(TinyZip("index.js")) },
            ["Tags"] = new JsonObject(function.Tags.Select(t => KeyValuePair.Create(t.Key, (JsonNode?)t.Value))),
            ["Layers"] = new JsonArray(layerArns.Select(a => (JsonNode?)a).ToArray()),
            ["Environment"] = new JsonObject
            {
                ["Variables"] = new JsonObject(function.Environment.Select(e => KeyValuePair.Create(e.Key, (JsonNode?)e.Value))),
            },
        };
        if (!image)
        {
            body["Runtime"] = function.Runtime;
            body["Handler"] = "index.handler";
        }

        await SendAsync(function.Key.Region, "lambda", HttpMethod.Post, "2015-03-31/functions", body.ToJsonString(), "application/json");
    }

    /// <summary>GetFunction as moto answers it: <c>Configuration</c>, <c>Tags</c> and the rest.</summary>
    public async Task<JsonObject> GetFunctionAsync(string region, string name) =>
        JsonNode.Parse(await SendAsync(region, "lambda", HttpMethod.Get, $"2015-03-31/functions/{name}", null, null))!.AsObject();

    public void Dispose() => _http.Dispose();

    private async Task EnsureRoleAsync()
    {
        if (_role)
        {
            return;
        }

        // Lambda in moto checks that the execution role exists; a second CreateRole answers 409, which is fine.
        var form = "Action=CreateRole&Version=2010-05-08&RoleName=lambda-role&AssumeRolePolicyDocument=" + Uri.EscapeDataString("{}");
        using var request = Request("us-east-1", "iam", HttpMethod.Post, "", form, "application/x-www-form-urlencoded");
        using var response = await _http.SendAsync(request);
        _role = true;
    }

    private async Task<string> SendAsync(string region, string service, HttpMethod method, string path, string? body, string? contentType)
    {
        using var request = Request(region, service, method, path, body, contentType);
        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"moto ({service} {method} {path}) failed: HTTP {(int)response.StatusCode} {text}");
        }

        return text;
    }

    private HttpRequestMessage Request(string region, string service, HttpMethod method, string path, string? body, string? contentType)
    {
        var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType!);
        }

        request.Headers.TryAddWithoutValidation("x-moto-account-id", accountId);
        request.Headers.TryAddWithoutValidation("Authorization", $"AWS4-HMAC-SHA256 Credential=AKIAOBSERVESEED/20260101/{region}/{service}/aws4_request, SignedHeaders=host, Signature=0");
        return request;
    }

    private static byte[] TinyZip(string entry)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            using var writer = new StreamWriter(zip.CreateEntry(entry).Open());
            writer.Write("moto never runs it");
        }

        return buffer.ToArray();
    }
}
