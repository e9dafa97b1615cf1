using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Observe.Benchmarks;

/// <summary>
/// One cold start's Lambda: the Runtime API on 127.0.0.1 serving a single event (later <c>next</c> calls are held, as
/// a frozen environment's would be) and an OTLP/HTTP endpoint on the same port answering 200. One instance per
/// iteration, on its own port, so nothing a killed process sent late can reach the next iteration.
/// </summary>
internal sealed class InstrumentationColdStartRuntimeApi : IDisposable
{
    private const string RequestId = "8476a536-e9f4-11e8-9739-2dfe598c3fcd";
    private static readonly byte[] Event = Encoding.UTF8.GetBytes("""{"OrderId":"o-1","Quantity":3}""");

    private readonly HttpListener _listener = new();
    private readonly TaskCompletionSource _firstResponse = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<HttpListenerContext> _held = [];
    private int _served;

    public InstrumentationColdStartRuntimeApi()
    {
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            Address = $"127.0.0.1:{((IPEndPoint)probe.LocalEndpoint).Port}";
        }

        _listener.Prefixes.Add($"http://{Address}/");
        _listener.Start();
        _ = Task.Run(LoopAsync);
    }

    public string Address { get; }

    /// <summary>Completes when the response to the event is posted; fails if the function posts an error instead.</summary>
    public Task FirstResponse => _firstResponse.Task;

    /// <summary>What Lambda sets for a custom runtime, plus OTLP export to this endpoint (the bare function ignores it).</summary>
    public IReadOnlyDictionary<string, string> FunctionEnvironment => new Dictionary<string, string>
    {
        ["AWS_LAMBDA_RUNTIME_API"] = Address,
        ["AWS_LAMBDA_FUNCTION_NAME"] = "orders",
        ["AWS_LAMBDA_FUNCTION_VERSION"] = "$LATEST",
        ["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] = "512",
        ["AWS_LAMBDA_LOG_GROUP_NAME"] = "/aws/lambda/orders",
        ["AWS_LAMBDA_LOG_STREAM_NAME"] = "2026/11/29/[$LATEST]0123456789abcdef",
        ["AWS_LAMBDA_INITIALIZATION_TYPE"] = "on-demand",
        ["AWS_REGION"] = "eu-west-1",
        ["_HANDLER"] = "bootstrap",
        ["OTEL_EXPORTER_OTLP_ENDPOINT"] = $"http://{Address}/otlp",
        ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
    };

    public void Dispose()
    {
        _listener.Close();
        lock (_held)
        {
            _held.ForEach(c => c.Response.Abort());
        }
    }

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            try
            {
                var context = await _listener.GetContextAsync();
                _ = Task.Run(() => Handle(context));
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
        }
    }

    private void Handle(HttpListenerContext context)
    {
        var path = context.Request.Url!.AbsolutePath;
        var response = context.Response;
        if (path == "/2018-06-01/runtime/invocation/next")
        {
            if (Interlocked.Exchange(ref _served, 1) == 1)
            {
                lock (_held)
                {
                    _held.Add(context);
                }

                return;
            }

            response.Headers["Lambda-Runtime-Aws-Request-Id"] = RequestId;
            response.Headers["Lambda-Runtime-Deadline-Ms"] = DateTimeOffset.UtcNow.AddSeconds(30).ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
            response.Headers["Lambda-Runtime-Invoked-Function-Arn"] = "arn:aws:lambda:eu-west-1:123456789012:function:orders";
            response.Headers["Lambda-Runtime-Trace-Id"] = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";
            response.ContentType = "application/json";
            response.OutputStream.Write(Event);
        }
        else if (path == $"/2018-06-01/runtime/invocation/{RequestId}/response")
        {
            response.StatusCode = 202;
            _firstResponse.TrySetResult();
        }
        else if (path.StartsWith("/2018-06-01/runtime/", StringComparison.Ordinal))
        {
            using var reader = new StreamReader(context.Request.InputStream);
            _firstResponse.TrySetException(new InvalidOperationException($"The function posted {path}: {reader.ReadToEnd()}"));
            response.StatusCode = 202;
        }
        else
        {
            // OTLP/HTTP export: an empty protobuf body is a full success.
            context.Request.InputStream.CopyTo(Stream.Null);
            response.ContentType = "application/x-protobuf";
        }

        response.Close();
    }
}
