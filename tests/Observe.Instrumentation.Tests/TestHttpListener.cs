using System.Net;
using System.Net.Sockets;

namespace Observe.Instrumentation.Tests;

/// <summary>
/// An HTTP server on a free 127.0.0.1 port for the tests' peers (the fake Runtime API, the OTLP receiver). Each request
/// is handled on the thread pool, so a handler may wait, as the Runtime API's <c>next</c> does; requests still open at
/// <see cref="Dispose"/> are aborted.
/// </summary>
internal abstract class TestHttpListener : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    protected TestHttpListener()
    {
        Port = FreePort();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public int Port { get; }

    /// <summary>Cancelled when the listener is disposed.</summary>
    protected CancellationToken Stopping => _stop.Token;

    public static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Close();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // The loop ends with the closed listener's ObjectDisposedException/HttpListenerException.
        }

        _stop.Dispose();
    }

    /// <summary>Answers one request; the response must be closed (or aborted) before returning.</summary>
    protected abstract Task HandleAsync(HttpListenerContext context);

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }

            _ = Task.Run(async () =>
            {
                try
                {
                    await HandleAsync(context);
                }
                catch (Exception) when (_stop.IsCancellationRequested)
                {
                    context.Response.Abort();
                }
            });
        }
    }
}
