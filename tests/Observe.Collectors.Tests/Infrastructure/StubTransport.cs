using System.Net;
using System.Text;

namespace Observe.Collectors.Tests.Infrastructure;

/// <summary>A request as the transport received it: signed, after every handler above.</summary>
internal sealed record SeenRequest(HttpMethod Method, Uri Uri, string? Target, string? Authorization, string Body);

/// <summary>
/// The transport under the signer answering from recorded responses, for what moto does not implement. It sees the
/// final signed request, so tests can check paths, targets and signatures as AWS would receive them.
/// </summary>
internal sealed class StubTransport(Func<SeenRequest, int, (HttpStatusCode Status, string Body)> respond) : HttpMessageHandler
{
    private readonly List<SeenRequest> _seen = [];

    public IReadOnlyList<SeenRequest> Seen
    {
        get
        {
            lock (_seen)
            {
                return [.. _seen];
            }
        }
    }

    public static string Recorded(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Recorded", name));

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
        var seen = new SeenRequest(
            request.Method,
            request.RequestUri!,
            request.Headers.TryGetValues("X-Amz-Target", out var target) ? target.Single() : null,
            request.Headers.TryGetValues("Authorization", out var authorization) ? authorization.Single() : null,
            body);
        int index;
        lock (_seen)
        {
            _seen.Add(seen);
            index = _seen.Count - 1;
        }

        var (status, responseBody) = respond(seen, index);
        var response = new HttpResponseMessage(status) { Content = new StringContent(responseBody, Encoding.UTF8, "application/json") };
        response.Headers.TryAddWithoutValidation("x-amzn-RequestId", $"stub-{index}");
        return response;
    }
}
