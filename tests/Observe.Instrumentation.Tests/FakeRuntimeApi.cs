using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using System.Threading.Channels;

namespace Observe.Instrumentation.Tests;

/// <summary>
/// Plays the documented Lambda Runtime API on 127.0.0.1: <c>GET invocation/next</c> hands out queued events with the
/// Lambda-Runtime-* headers; responses, invocation errors and init errors are recorded with their order in
/// <see cref="Timeline"/>.
/// </summary>
internal sealed class FakeRuntimeApi : TestHttpListener
{
    private readonly Channel<Invocation> _queue = Channel.CreateUnbounded<Invocation>();

    public string Address => $"127.0.0.1:{Port}";

    public Timeline Timeline { get; } = new();

    public ConcurrentQueue<Posted> Posts { get; } = new();

    /// <summary>When each <c>next</c> request arrived, in order.</summary>
    public ConcurrentQueue<DateTimeOffset> NextRequests { get; } = new();

    /// <summary>How the coming <c>next</c> requests fail before events are handed out: a status code, or 0 to drop the connection.</summary>
    public ConcurrentQueue<int> NextFailures { get; } = new();

    /// <summary>Fail every <c>next</c> request with this status (0: drop the connection); null to serve events.</summary>
    public int? AlwaysFailNext { get; set; }

    /// <summary>Status codes to answer a request id's post with instead of 202, as Lambda rejects a response that is too large.</summary>
    public ConcurrentDictionary<string, int> Rejections { get; } = new();

    public void Enqueue(string requestId, string body, TimeSpan timeout, string? traceHeader = null) =>
        _queue.Writer.TryWrite(new Invocation(requestId, body, DateTimeOffset.UtcNow + timeout, traceHeader));

    /// <summary>Waits until <paramref name="count"/> <c>next</c> requests arrived; returns their times.</summary>
    public async Task<IReadOnlyList<DateTimeOffset>> WaitForNextRequestsAsync(int count, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (NextRequests.Count < count && DateTime.UtcNow < until)
        {
            await Task.Delay(10);
        }

        return [.. NextRequests];
    }

    /// <summary>Waits until <paramref name="count"/> responses or errors were posted.</summary>
    public async Task<IReadOnlyList<Posted>> WaitForPostsAsync(int count, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (Posts.Count < count && DateTime.UtcNow < until)
        {
            await Task.Delay(10);
        }

        return [.. Posts];
    }

    protected override async Task HandleAsync(HttpListenerContext context)
    {
        var path = context.Request.Url!.AbsolutePath;
        if (context.Request.HttpMethod == "GET" && path == "/2018-06-01/runtime/invocation/next")
        {
            Timeline.Add("next");
            NextRequests.Enqueue(DateTimeOffset.UtcNow);
            if (AlwaysFailNext is { } always || NextFailures.TryDequeue(out always))
            {
                if (always == 0)
                {
                    context.Response.Abort();
                }
                else
                {
                    context.Response.StatusCode = always;
                    context.Response.Close();
                }

                return;
            }

            var invocation = await _queue.Reader.ReadAsync(Stopping);
            var headers = context.Response.Headers;
            headers["Lambda-Runtime-Aws-Request-Id"] = invocation.RequestId;
            headers["Lambda-Runtime-Deadline-Ms"] = invocation.Deadline.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
            headers["Lambda-Runtime-Invoked-Function-Arn"] = "arn:aws:lambda:eu-west-1:123456789012:function:orders";
            if (invocation.TraceHeader is not null)
            {
                headers["Lambda-Runtime-Trace-Id"] = invocation.TraceHeader;
            }

            var bytes = Encoding.UTF8.GetBytes(invocation.Body);
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
            return;
        }

        using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
        var body = await reader.ReadToEndAsync();
        var errorType = context.Request.Headers["Lambda-Runtime-Function-Error-Type"];
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        Posted? posted = parts switch
        {
            ["2018-06-01", "runtime", "invocation", var id, "response"] => new Posted("response", id, body, null, DateTimeOffset.UtcNow),
            ["2018-06-01", "runtime", "invocation", var id, "error"] => new Posted("error", id, body, errorType, DateTimeOffset.UtcNow),
            ["2018-06-01", "runtime", "init", "error"] => new Posted("init-error", null, body, errorType, DateTimeOffset.UtcNow),
            _ => null,
        };
        if (posted is null)
        {
            context.Response.StatusCode = 404;
        }
        else
        {
            Timeline.Add($"{posted.Kind}:{posted.RequestId}");
            Posts.Enqueue(posted);
            context.Response.StatusCode = posted.RequestId is { } id && Rejections.TryGetValue(id, out var status) ? status : 202;
        }

        context.Response.Close();
    }

    public sealed record Posted(string Kind, string? RequestId, string Body, string? ErrorType, DateTimeOffset At);

    private sealed record Invocation(string RequestId, string Body, DateTimeOffset Deadline, string? TraceHeader);
}

/// <summary>An ordered record of what happened, shared by the fake Runtime API and the test exporter.</summary>
internal sealed class Timeline
{
    private readonly List<string> _entries = [];

    public IReadOnlyList<string> Entries
    {
        get
        {
            lock (_entries)
            {
                return [.. _entries];
            }
        }
    }

    public void Add(string entry)
    {
        lock (_entries)
        {
            _entries.Add(entry);
        }
    }
}
