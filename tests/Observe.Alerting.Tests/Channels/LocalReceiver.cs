using System.Collections.Concurrent;
using System.Collections.Specialized;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace Observe.Alerting.Tests.Channels;

/// <summary>What the receiver got: the request as it arrived on the wire.</summary>
internal sealed record ReceivedRequest(string Method, string Path, NameValueCollection Headers, byte[] Body)
{
    public string Text => Encoding.UTF8.GetString(Body);

    public JsonNode Json => JsonNode.Parse(Body) ?? throw new InvalidOperationException("the body is the JSON literal null");
}

/// <summary>
/// A real HTTP server on 127.0.0.1 that plays Slack, Teams, PagerDuty or a webhook consumer. Each request is recorded,
/// then answered with the next scripted answer (200 when none is left); <see cref="Hang"/> makes the next request wait
/// for an answer that never comes (until the receiver is disposed).
/// </summary>
internal sealed class LocalReceiver : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Channel<ReceivedRequest> _received = Channel.CreateUnbounded<ReceivedRequest>();
    private readonly ConcurrentQueue<Scripted> _answers = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public LocalReceiver()
    {
        // A port nobody holds right now; HttpListener cannot bind port 0 itself.
        for (var attempt = 0; ; attempt++)
        {
            var port = FreePort();
            _listener.Prefixes.Clear();
            _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            try
            {
                _listener.Start();
                Url = new Uri($"http://127.0.0.1:{port}/");
                break;
            }
            catch (HttpListenerException) when (attempt < 5)
            {
            }
        }

        _loop = Task.Run(LoopAsync);
    }

    public Uri Url { get; }

    public Uri At(string path) => new(Url, path);

    /// <summary>The status answered when no scripted answer is left (200 unless set: 500 plays a channel that is down).</summary>
    public int DefaultStatus { get; set; } = 200;

    public void Answer(int status, string body = "", string? retryAfter = null) => _answers.Enqueue(new Scripted(status, body, retryAfter, Hang: false));

    public void Hang() => _answers.Enqueue(new Scripted(0, "", null, Hang: true));

    /// <summary>Requests that arrived and were not read yet.</summary>
    public int Pending => _received.Reader.Count;

    /// <summary>The next request that arrived (waits for it).</summary>
    public async Task<ReceivedRequest> NextAsync()
    {
        // A cap for a broken test, not a wait: a worker process starting on a loaded 2-core machine can take half a
        // minute before its first send.
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        try
        {
            return await _received.Reader.ReadAsync(guard.Token);
        }
        catch (OperationCanceledException) when (guard.IsCancellationRequested)
        {
            throw new TimeoutException($"no request reached {Url} within 120 s");
        }
    }

    /// <summary>A loopback port with nothing listening: connections to it are refused.</summary>
    public static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(() => HandleAsync(context));
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        using var body = new MemoryStream();
        await context.Request.InputStream.CopyToAsync(body);
        var answer = _answers.TryDequeue(out var scripted) ? scripted : new Scripted(DefaultStatus, DefaultStatus == 200 ? "ok" : "down", null, Hang: false);
        _received.Writer.TryWrite(new ReceivedRequest(context.Request.HttpMethod, context.Request.Url!.AbsolutePath, context.Request.Headers, body.ToArray()));
        try
        {
            if (answer.Hang)
            {
                await Task.Delay(Timeout.Infinite, _stop.Token);
            }

            context.Response.StatusCode = answer.Status;
            if (answer.RetryAfter is not null)
            {
                context.Response.AddHeader("Retry-After", answer.RetryAfter);
            }

            var bytes = Encoding.UTF8.GetBytes(answer.Body);
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
        catch (Exception e) when (e is OperationCanceledException or HttpListenerException or ObjectDisposedException)
        {
            context.Response.Abort();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Close();
        await _loop;
        _stop.Dispose();
    }

    private sealed record Scripted(int Status, string Body, string? RetryAfter, bool Hang);
}
