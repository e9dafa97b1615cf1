using System.Net;
using System.Text;

namespace Observe.Collectors.Tests.Inventory;

/// <summary>
/// The transport under the signer: everything goes to moto except ListProvisionedConcurrencyConfigs, which moto does
/// not implement (it answers 404 for the path). Those calls get responses written from the Lambda API reference
/// (shape as in Recorded/lambda-provisioned-concurrency.json): the configurations a test sets per function, else none.
/// </summary>
internal sealed class ProvisionedConcurrencyTransport() : DelegatingHandler(new SocketsHttpHandler { AllowAutoRedirect = false })
{
    private readonly Dictionary<string, string> _configs = new(StringComparer.Ordinal);

    public void Set(string functionName, string responseJson)
    {
        lock (_configs)
        {
            _configs[functionName] = responseJson;
        }
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var path = request.RequestUri!.AbsolutePath;
        if (!path.EndsWith("/provisioned-concurrency", StringComparison.Ordinal))
        {
            return base.SendAsync(request, cancellationToken);
        }

        var name = Uri.UnescapeDataString(path.Split('/')[^2]);
        string body;
        lock (_configs)
        {
            body = _configs.GetValueOrDefault(name) ?? """{"ProvisionedConcurrencyConfigs":[]}""";
        }

        var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        response.Headers.TryAddWithoutValidation("x-amzn-RequestId", "recorded-provisioned-concurrency");
        return Task.FromResult(response);
    }
}
