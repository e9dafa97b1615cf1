using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Observe.Collectors.Tests.Credentials;

/// <summary>A request the server received: method, path and query, and the headers a test checks.</summary>
internal sealed record ServedRequest(string Method, string PathAndQuery, string? BearerToken);

/// <summary>
/// A loopback HTTP server answering with responses written from the AWS API reference, for the endpoints moto does not
/// have (the SSO portal) and for error answers moto cannot be made to give (STS refusing a token).
/// </summary>
internal sealed class RecordedHttpServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Func<ServedRequest, (int Status, string ContentType, string Body)> _respond;
    private readonly List<ServedRequest> _served = [];
    private readonly Task _serving;

    public RecordedHttpServer(Func<ServedRequest, (int Status, string ContentType, string Body)> respond)
    {
        _respond = respond;
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        Url = $"http://127.0.0.1:{port}";
        _listener.Prefixes.Add(Url + "/");
        _listener.Start();
        _serving = ServeAsync();
    }

    public string Url { get; }

    public IReadOnlyList<ServedRequest> Served
    {
        get
        {
            lock (_served)
            {
                return [.. _served];
            }
        }
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        try
        {
            _serving.GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
        {
        }
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            var request = new ServedRequest(context.Request.HttpMethod, context.Request.Url!.PathAndQuery, context.Request.Headers["x-amz-sso_bearer_token"]);
            lock (_served)
            {
                _served.Add(request);
            }

            var (status, contentType, body) = _respond(request);
            var bytes = Encoding.UTF8.GetBytes(body);
            context.Response.StatusCode = status;
            context.Response.ContentType = contentType;
            context.Response.Headers["x-amzn-RequestId"] = $"recorded-{Served.Count}";
            context.Response.ContentLength64 = bytes.Length;
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
    }
}
