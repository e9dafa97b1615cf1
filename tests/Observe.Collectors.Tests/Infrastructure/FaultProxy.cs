using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Observe.Collectors.Tests.Infrastructure;

public enum Fault
{
    /// <summary>Forward to moto and relay its answer.</summary>
    Pass,

    /// <summary>HTTP 400 with AWS's JSON throttling error (<c>ThrottlingException</c>).</summary>
    Throttling400,

    /// <summary>HTTP 429 <c>TooManyRequestsException</c>, as Lambda throttles.</summary>
    TooManyRequests429,

    /// <summary>HTTP 503 <c>ServiceUnavailableException</c>.</summary>
    Unavailable503,

    /// <summary>The connection is reset (TCP RST) after the request is read.</summary>
    ConnectionReset,

    /// <summary>The request is read and never answered.</summary>
    Hang,

    /// <summary>HTTP 400 <c>ValidationException</c>: a client error that must not be retried.</summary>
    Validation400,

    /// <summary>HTTP 403 <c>ExpiredTokenException</c>.</summary>
    ExpiredToken403,
}

/// <summary>
/// A loopback HTTP/1.1 proxy in front of moto that answers the next requests with scripted faults (one per request,
/// in order; <see cref="Fault.Pass"/> once the script is empty). One request per connection, so a reset or a hang
/// affects exactly one attempt.
/// </summary>
public sealed class FaultProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly ConcurrentQueue<Fault> _script = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly HttpClient _upstream;
    private readonly Task _accepting;
    private int _requests;

    public FaultProxy(string upstream)
    {
        _upstream = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(upstream + "/") };
        _listener.Start();
        Url = $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";
        _accepting = AcceptAsync();
    }

    public string Url { get; }

    /// <summary>Requests received, faulted or not.</summary>
    public int Requests => Volatile.Read(ref _requests);

    public void Script(params Fault[] faults)
    {
        foreach (var fault in faults)
        {
            _script.Enqueue(fault);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (OperationCanceledException)
        {
        }

        _upstream.Dispose();
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(() => HandleAsync(socket));
        }
    }

    private async Task HandleAsync(Socket socket)
    {
        using var connection = socket;
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        var request = await ReadRequestAsync(stream);
        if (request is null)
        {
            return;
        }

        Interlocked.Increment(ref _requests);
        var fault = _script.TryDequeue(out var next) ? next : Fault.Pass;
        switch (fault)
        {
            case Fault.Pass:
                await ForwardAsync(stream, request.Value);
                break;
            case Fault.Throttling400:
                await WriteAsync(stream, 400, "ThrottlingException", """{"__type":"ThrottlingException","message":"Rate exceeded"}""");
                break;
            case Fault.TooManyRequests429:
                await WriteAsync(stream, 429, "TooManyRequestsException", """{"Type":"User","message":"Rate exceeded"}""");
                break;
            case Fault.Unavailable503:
                await WriteAsync(stream, 503, "ServiceUnavailableException", """{"__type":"ServiceUnavailableException","message":"Service unavailable"}""");
                break;
            case Fault.Validation400:
                await WriteAsync(stream, 400, "ValidationException", """{"__type":"ValidationException","message":"1 validation error detected"}""");
                break;
            case Fault.ExpiredToken403:
                await WriteAsync(stream, 403, "ExpiredTokenException", """{"__type":"ExpiredTokenException","message":"The security token included in the request is expired"}""");
                break;
            case Fault.ConnectionReset:
                // Linger 0 makes Close send RST instead of FIN: the client sees "connection reset by peer".
                socket.LingerState = new LingerOption(true, 0);
                socket.Close();
                break;
            case Fault.Hang:
                try
                {
                    // Wait for the client to give up (it closes the connection) or the proxy to stop.
                    _ = await stream.ReadAsync(new byte[1], _stop.Token);
                }
                catch (Exception e) when (e is OperationCanceledException or IOException)
                {
                }

                break;
        }
    }

    private async Task ForwardAsync(NetworkStream stream, (string Method, string Path, List<(string Name, string Value)> Headers, byte[] Body) request)
    {
        using var upstream = new HttpRequestMessage(new HttpMethod(request.Method), request.Path.TrimStart('/'));
        upstream.Content = new ByteArrayContent(request.Body);
        foreach (var (name, value) in request.Headers)
        {
            if (name.Equals("Host", StringComparison.OrdinalIgnoreCase) || name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)
                || name.Equals("Connection", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (!upstream.Headers.TryAddWithoutValidation(name, value))
            {
                upstream.Content.Headers.TryAddWithoutValidation(name, value);
            }
        }

        using var response = await _upstream.SendAsync(upstream);
        var body = await response.Content.ReadAsByteArrayAsync();
        var head = new StringBuilder($"HTTP/1.1 {(int)response.StatusCode} {response.ReasonPhrase}\r\n");
        foreach (var header in response.Headers.Concat(response.Content.Headers))
        {
            if (!header.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase) && !header.Key.Equals("Connection", StringComparison.OrdinalIgnoreCase)
                && !header.Key.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
            {
                head.Append(header.Key).Append(": ").Append(string.Join(",", header.Value)).Append("\r\n");
            }
        }

        head.Append($"Content-Length: {body.Length}\r\nConnection: close\r\n\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()));
        await stream.WriteAsync(body);
    }

    private static async Task WriteAsync(NetworkStream stream, int status, string errorType, string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var head = $"HTTP/1.1 {status} Fault\r\nContent-Type: application/x-amz-json-1.1\r\nx-amzn-ErrorType: {errorType}\r\nx-amzn-RequestId: fault-{Guid.NewGuid():N}\r\nContent-Length: {bytes.Length}\r\nConnection: close\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
        await stream.WriteAsync(bytes);
    }

    private static async Task<(string Method, string Path, List<(string Name, string Value)> Headers, byte[] Body)?> ReadRequestAsync(NetworkStream stream)
    {
        var buffer = new List<byte>(4096);
        var chunk = new byte[4096];
        int headerEnd;
        while ((headerEnd = IndexOfHeaderEnd(buffer)) < 0)
        {
            var read = await stream.ReadAsync(chunk);
            if (read == 0)
            {
                return null;
            }

            buffer.AddRange(chunk.AsSpan(0, read));
        }

        var lines = Encoding.ASCII.GetString(buffer.GetRange(0, headerEnd).ToArray()).Split("\r\n");
        var requestLine = lines[0].Split(' ');
        var headers = lines.Skip(1).Select(l => l.Split(':', 2)).Where(p => p.Length == 2).Select(p => (p[0].Trim(), p[1].Trim())).ToList();
        var length = headers.Where(h => h.Item1.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)).Select(h => int.Parse(h.Item2, System.Globalization.CultureInfo.InvariantCulture)).FirstOrDefault();
        var body = buffer.Skip(headerEnd + 4).ToList();
        while (body.Count < length)
        {
            var read = await stream.ReadAsync(chunk);
            if (read == 0)
            {
                return null;
            }

            body.AddRange(chunk.AsSpan(0, read));
        }

        return (requestLine[0], requestLine[1], headers, [.. body]);
    }

    private static int IndexOfHeaderEnd(List<byte> buffer)
    {
        for (var i = 0; i + 3 < buffer.Count; i++)
        {
            if (buffer[i] == '\r' && buffer[i + 1] == '\n' && buffer[i + 2] == '\r' && buffer[i + 3] == '\n')
            {
                return i;
            }
        }

        return -1;
    }
}
