using System.Net;

namespace Observe.Collectors.Tests.Metrics;

/// <summary>
/// Once armed, answers the n-th GetMetricData request with an expired-credentials error, which is neither retried nor
/// split into smaller calls (no part of the call could succeed), so the pass ends there the way a crash cuts it short
/// after its earlier calls were written. Every other request goes to <paramref name="inner"/>.
/// </summary>
internal sealed class FailNth(HttpMessageHandler inner, int n) : DelegatingHandler(inner)
{
    private int _seen = -1;

    /// <summary>Requests seen, for tests that must check what was asked.</summary>
    public List<string> Bodies { get; } = [];

    public void Arm() => _seen = 0;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
        lock (Bodies)
        {
            Bodies.Add(body);
        }

        if (_seen >= 0 && request.Headers.GetValues("X-Amz-Target").Single().EndsWith("GetMetricData", StringComparison.Ordinal) && ++_seen == n)
        {
            return new HttpResponseMessage(HttpStatusCode.Forbidden)
            {
                Content = new StringContent("""{"__type":"ExpiredTokenException","message":"injected: the process stops here"}"""),
            };
        }

        return await base.SendAsync(request, cancellationToken);
    }
}
