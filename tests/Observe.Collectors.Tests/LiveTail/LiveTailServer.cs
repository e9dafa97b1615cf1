using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;

namespace Observe.Collectors.Tests.LiveTail;

/// <summary>A StartLiveTail request as the server received it.</summary>
internal sealed record LiveTailServerRequest(string RequestLine, IReadOnlyDictionary<string, string> Headers, string Body);

/// <summary>
/// A stand-in for the CloudWatch Logs streaming endpoint on 127.0.0.1, because moto does not implement StartLiveTail.
/// It speaks HTTP/1.1 with a chunked response body (the client asks for HTTP/2 but accepts 1.1; AWS itself serves
/// HTTP/2), and hands each request to the test as an exchange the test writes event-stream frames into.
/// </summary>
internal sealed class LiveTailServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Channel<LiveTailExchange> _exchanges = Channel.CreateUnbounded<LiveTailExchange>();
    private readonly ConcurrentQueue<LiveTailServerRequest> _requests = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    public LiveTailServer()
    {
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public string Url => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/";

    public IReadOnlyList<LiveTailServerRequest> Requests => [.. _requests];

    /// <summary>The next request, waited for at most 30 s (a cap for a broken test: a loaded CI machine can be slow).</summary>
    public async Task<LiveTailExchange> NextAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return await _exchanges.Reader.ReadAsync(timeout.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopping the listener ends the accept loop this way.
        }

        while (_exchanges.Reader.TryRead(out var exchange))
        {
            exchange.Dispose();
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            var stream = client.GetStream();
            var request = await ReadRequestAsync(stream);
            _requests.Enqueue(request);
            await _exchanges.Writer.WriteAsync(new LiveTailExchange(client, stream, request));
        }
    }

    private static async Task<LiveTailServerRequest> ReadRequestAsync(NetworkStream stream)
    {
        var head = new List<byte>();
        var one = new byte[1];
        while (!(head.Count >= 4 && head[^4] == '\r' && head[^3] == '\n' && head[^2] == '\r' && head[^1] == '\n'))
        {
            if (await stream.ReadAsync(one) == 0)
            {
                throw new IOException("the client closed the connection inside the request head");
            }

            head.Add(one[0]);
        }

        var lines = Encoding.ASCII.GetString([.. head]).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var headers = lines.Skip(1).Select(l => l.Split(':', 2)).ToDictionary(p => p[0].Trim(), p => p[1].Trim(), StringComparer.OrdinalIgnoreCase);
        var body = new byte[int.Parse(headers.GetValueOrDefault("Content-Length", "0"), System.Globalization.CultureInfo.InvariantCulture)];
        await stream.ReadExactlyAsync(body);
        return new LiveTailServerRequest(lines[0], headers, Encoding.UTF8.GetString(body));
    }
}

/// <summary>One StartLiveTail call: the test answers it with frames, an error, or a broken connection.</summary>
internal sealed class LiveTailExchange(TcpClient client, NetworkStream stream, LiveTailServerRequest request) : IDisposable
{
    private readonly TaskCompletionSource _gone = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public LiveTailServerRequest Request { get; } = request;

    /// <summary>Completes when the client closes the connection (it left the session).</summary>
    public Task ClientGone => _gone.Task;

    public async Task StartStreamAsync()
    {
        await WriteAsync("HTTP/1.1 200 OK\r\nContent-Type: application/vnd.amazon.eventstream\r\nTransfer-Encoding: chunked\r\nx-amzn-RequestId: test-request\r\n\r\n"u8.ToArray());
        _ = WatchAsync();
    }

    /// <summary>Writes bytes as one chunk of the response body.</summary>
    public async Task SendAsync(byte[] bytes)
    {
        await WriteAsync(Encoding.ASCII.GetBytes($"{bytes.Length:x}\r\n"));
        await WriteAsync(bytes);
        await WriteAsync("\r\n"u8.ToArray());
    }

    /// <summary>Ends the response body cleanly (the last chunk).</summary>
    public Task EndAsync() => WriteAsync("0\r\n\r\n"u8.ToArray());

    /// <summary>An AWS JSON error answer instead of a stream.</summary>
    public async Task RespondErrorAsync(int status, string type, string message)
    {
        var body = Encoding.UTF8.GetBytes($"{{\"__type\":\"{type}\",\"message\":\"{message}\"}}");
        await WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 {status} Error\r\nContent-Type: application/x-amz-json-1.1\r\nx-amzn-ErrorType: {type}\r\nx-amzn-RequestId: test-error\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n"));
        await WriteAsync(body);
    }

    /// <summary>Drops the connection mid-stream, as a network failure would.</summary>
    public void Abort()
    {
        client.Client.LingerState = new LingerOption(true, 0);
        client.Dispose();
    }

    public void Dispose() => client.Dispose();

    private async Task WriteAsync(byte[] bytes)
    {
        await stream.WriteAsync(bytes);
        await stream.FlushAsync();
    }

    private async Task WatchAsync()
    {
        // The client sends nothing more on this connection while the response runs: any end of input means it left.
        var buffer = new byte[256];
        try
        {
            while (await stream.ReadAsync(buffer) > 0)
            {
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException)
        {
            // A reset counts as leaving too.
        }

        _gone.TrySetResult();
    }
}
