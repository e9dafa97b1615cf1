using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace Observe.Instrumentation.Tests;

[Collection(TelemetryCollection.Name)]
public class LambdaRuntimeHostTests
{
    private const string TraceHeader = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";

    [Fact]
    public async Task RunAsync_HandlerSucceeds_PostsResponseThenExportsThenAsksForNext()
    {
        using var api = new FakeRuntimeApi();
        var exporter = new TimelineExporter(api.Timeline);
        var output = new CapturedOutput();
        using var observe = CreateObserve(output, b => b.AddProcessor(new BatchActivityExportProcessor(exporter)));
        using var host = new LambdaRuntimeHost(observe, api.Address);
        using var stop = new CancellationTokenSource();
        var logger = observe.LoggerFactory.CreateLogger("Orders");
        api.Enqueue("req-1", """{"OrderId":5}""", TimeSpan.FromSeconds(30), TraceHeader);

        var run = host.RunAsync(_ => ValueTask.FromResult(LambdaRuntimeHost.Json(TestJsonContext.Default.Order, TestJsonContext.Default.Receipt, (order, context, ct) =>
        {
            logger.LogInformation("Handling order {OrderId}", order.OrderId);
            return ValueTask.FromResult(new Receipt(order.OrderId, "accepted"));
        })), stop.Token);
        var posts = await api.WaitForPostsAsync(1, TimeSpan.FromSeconds(30));
        await WaitForAsync(() => api.Timeline.Entries.Count(e => e == "next") >= 2);
        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(30));

        var response = Assert.Single(posts);
        Assert.Equal("response", response.Kind);
        Assert.Equal("req-1", response.RequestId);
        Assert.Equal("""{"OrderId":5,"Status":"accepted"}""", response.Body);
        Assert.Equal(["next", "response:req-1", "export", "next"], api.Timeline.Entries);
        var span = Assert.Single(exporter.Spans);
        Assert.Equal("5759e988bd862e3fe1be46a994272793", span.TraceId.ToHexString());
        Assert.Equal("53995c3f42cd8ad8", span.ParentSpanId.ToHexString());
        var line = Assert.Single(output.Json, l => l.TryGetProperty("requestId", out _));
        Assert.Equal("req-1", line.GetProperty("requestId").GetString());
        Assert.Equal(span.SpanId.ToHexString(), line.GetProperty("span_id").GetString());
    }

    [Fact]
    public async Task RunAsync_SdkNotReadyAtFirstInvocation_PostsResponseWithoutWaitingThenExportsBeforeNext()
    {
        using var api = new FakeRuntimeApi();
        using var gate = new ManualResetEventSlim();
        var exporter = new TimelineExporter(api.Timeline);
        var output = new CapturedOutput();
        var options = new ObserveLambdaOptions
        {
            EnableOtlpExport = false,
            ConfigureTracing = b => b.AddProcessor(new BatchActivityExportProcessor(exporter)),
            FlushTimeout = TimeSpan.FromSeconds(30), // waits for the set-up, then the export; a loaded machine can take seconds
            TelemetrySetupGate = gate.Wait,
        };
        using var observe = ObserveLambda.Create(options, TestEnvironment.Create(), output.Sink, TimeProvider.System);
        using var host = new LambdaRuntimeHost(observe, api.Address);
        using var stop = new CancellationTokenSource();
        var logger = observe.LoggerFactory.CreateLogger("Orders");
        api.Enqueue("req-1", """{"OrderId":5}""", TimeSpan.FromSeconds(30), TraceHeader);

        var run = host.RunAsync(_ => ValueTask.FromResult(LambdaRuntimeHost.Json(TestJsonContext.Default.Order, TestJsonContext.Default.Receipt, (order, context, ct) =>
        {
            logger.LogInformation("Handling order {OrderId}", order.OrderId);
            return ValueTask.FromResult(new Receipt(order.OrderId, "accepted"));
        })), stop.Token);
        var posts = await api.WaitForPostsAsync(1, TimeSpan.FromSeconds(30));

        // The caller has its answer while the SDK is still held back; the flush waits for it, not the caller.
        Assert.Equal("response", Assert.Single(posts).Kind);
        Assert.Equal(["next", "response:req-1"], api.Timeline.Entries);
        gate.Set();
        await WaitForAsync(() => api.Timeline.Entries.Count(e => e == "next") >= 2);
        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(["next", "response:req-1", "export", "next"], api.Timeline.Entries);
        var span = Assert.Single(exporter.Spans);
        var line = Assert.Single(output.Json, l => l.TryGetProperty("requestId", out _));
        Assert.Equal(span.TraceId.ToHexString(), line.GetProperty("trace_id").GetString());
        Assert.Equal(span.SpanId.ToHexString(), line.GetProperty("span_id").GetString());
    }

    [Fact]
    public async Task RunAsync_HostCreatedBeforeTheSdkSetUpBegan_SetUpWaitsForTheFirstFlush()
    {
        using var api = new FakeRuntimeApi();
        using var gate = new ManualResetEventSlim();
        var spans = new ExportedItems<Activity>();
        var options = new ObserveLambdaOptions
        {
            EnableOtlpExport = false,
            ConfigureTracing = b => b.AddInMemoryExporter(spans),
            FlushTimeout = TimeSpan.FromSeconds(30), // the first flush releases the set-up and waits for it; a loaded machine can take seconds
            TelemetrySetupGate = gate.Wait,
        };
        using var observe = ObserveLambda.Create(options, TestEnvironment.Create(), new CapturedOutput().Sink, TimeProvider.System);
        using var host = new LambdaRuntimeHost(observe, api.Address);
        using var stop = new CancellationTokenSource();
        gate.Set();
        api.Enqueue("req-1", "\"x\"", TimeSpan.FromSeconds(30), TraceHeader);
        var readyDuringHandler = true;

        var run = host.RunAsync(_ => ValueTask.FromResult<LambdaRawHandler>(async (input, context, ct) =>
        {
            // Well past the window in which the set-up waits to be held back.
            await Task.Delay(200, ct);
            readyDuringHandler = observe.IsTelemetryReady;
            return input;
        }), stop.Token);
        await api.WaitForPostsAsync(1, TimeSpan.FromSeconds(30));
        await WaitForAsync(() => api.Timeline.Entries.Count(e => e == "next") >= 2);
        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.False(readyDuringHandler, "the SDK was built beside the first invocation");
        Assert.True(observe.IsTelemetryReady);
        Assert.Single(spans, a => (string?)a.GetTagItem("faas.invocation_id") == "req-1");
    }

    [Fact]
    public async Task RunAsync_HandlerThrows_PostsLambdaErrorJsonAndServesNextInvocation()
    {
        using var api = new FakeRuntimeApi();
        var spans = new ExportedItems<Activity>();
        using var observe = CreateObserve(new CapturedOutput(), b => b.AddInMemoryExporter(spans));
        using var host = new LambdaRuntimeHost(observe, api.Address);
        using var stop = new CancellationTokenSource();
        api.Enqueue("bad", "\"boom\"", TimeSpan.FromSeconds(30));
        api.Enqueue("good", "\"fine\"", TimeSpan.FromSeconds(30));

        var run = host.RunAsync(_ => ValueTask.FromResult<LambdaRawHandler>((input, context, ct) =>
            Encoding.UTF8.GetString(input.Span) == "\"boom\""
                ? throw new InvalidOperationException("the order cannot be placed")
                : ValueTask.FromResult<ReadOnlyMemory<byte>>("\"ok\""u8.ToArray())), stop.Token);
        var posts = await api.WaitForPostsAsync(2, TimeSpan.FromSeconds(30));
        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(["error:bad", "response:good"], posts.Select(p => $"{p.Kind}:{p.RequestId}"));
        var error = JsonDocument.Parse(posts[0].Body).RootElement;
        Assert.Equal("InvalidOperationException", posts[0].ErrorType);
        Assert.Equal("InvalidOperationException", error.GetProperty("errorType").GetString());
        Assert.Equal("the order cannot be placed", error.GetProperty("errorMessage").GetString());
        Assert.NotEqual(0, error.GetProperty("stackTrace").GetArrayLength());
        Assert.Equal(ActivityStatusCode.Error, spans.Single(s => (string?)s.GetTagItem("faas.invocation_id") == "bad").Status);
        Assert.Equal(ActivityStatusCode.Unset, spans.Single(s => (string?)s.GetTagItem("faas.invocation_id") == "good").Status);
    }

    [Fact]
    public async Task RunAsync_HandlerExceedsDeadline_ReportsTimeoutBeforeDeadlineAndExportsSpan()
    {
        using var api = new FakeRuntimeApi();
        var exporter = new TimelineExporter(api.Timeline);
        // The handler's token is cancelled two margins (3 s) before the deadline and the error is posted then; the flush
        // may run until one margin (1.5 s) before it. Seconds that a loaded machine's scheduling cannot eat, as it could
        // the 400 ms of a 200 ms margin on an 800 ms deadline.
        using var observe = CreateObserve(
            new CapturedOutput(), b => b.AddProcessor(new BatchActivityExportProcessor(exporter)), margin: TimeSpan.FromMilliseconds(1500));
        using var host = new LambdaRuntimeHost(observe, api.Address);
        using var stop = new CancellationTokenSource();
        using var release = new ManualResetEventSlim();
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(6);
        api.Enqueue("slow", "{}", TimeSpan.FromSeconds(6));

        // The handler ignores its token, as a blocking call would.
        var run = host.RunAsync(_ => ValueTask.FromResult<LambdaRawHandler>((input, context, ct) =>
        {
            release.Wait(TimeSpan.FromSeconds(30));
            return ValueTask.FromResult<ReadOnlyMemory<byte>>("{}"u8.ToArray());
        }), stop.Token);
        var posts = await api.WaitForPostsAsync(1, TimeSpan.FromSeconds(30));
        await WaitForAsync(() => api.Timeline.Entries.Count(e => e == "next") >= 2);
        release.Set();
        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(30));

        var error = Assert.Single(posts);
        Assert.Equal("error", error.Kind);
        Assert.Equal(LambdaRuntimeHost.DeadlineExceededErrorType, error.ErrorType);
        Assert.True(error.At < deadline, $"reported {(error.At - deadline).TotalMilliseconds} ms after the deadline");
        Assert.Equal(["next", "error:slow", "export", "next"], api.Timeline.Entries);
        var span = Assert.Single(exporter.Spans);
        Assert.Equal(ActivityStatusCode.Error, span.Status);
        Assert.Equal("timeout", span.GetTagItem("error.type"));
    }

    [Fact]
    public async Task RunAsync_InitThrows_PostsInitErrorAndReturnsWithoutAskingForEvents()
    {
        using var api = new FakeRuntimeApi();
        using var observe = CreateObserve(new CapturedOutput(), _ => { });
        using var host = new LambdaRuntimeHost(observe, api.Address);

        await host.RunAsync(_ => throw new FileNotFoundException("settings.json is missing")).WaitAsync(TimeSpan.FromSeconds(30));

        var posted = Assert.Single(api.Posts);
        Assert.Equal("init-error", posted.Kind);
        Assert.Equal("FileNotFoundException", posted.ErrorType);
        Assert.Equal("settings.json is missing", JsonDocument.Parse(posted.Body).RootElement.GetProperty("errorMessage").GetString());
        Assert.DoesNotContain("next", api.Timeline.Entries);
    }

    [Fact]
    public async Task RunAsync_JsonHandlerEndsLaterOrCancelled_ResponseOrErrorAsFromAnAsyncHandler()
    {
        using var api = new FakeRuntimeApi();
        using var observe = CreateObserve(new CapturedOutput(), _ => { });
        using var host = new LambdaRuntimeHost(observe, api.Address);
        using var stop = new CancellationTokenSource();
        foreach (var id in new[] { 1, 2, 3, 4 })
        {
            api.Enqueue($"req-{id}", $$"""{"OrderId":{{id}}}""", TimeSpan.FromSeconds(30));
        }

        var run = host.RunAsync(_ => ValueTask.FromResult(LambdaRuntimeHost.Json(TestJsonContext.Default.Order, TestJsonContext.Default.Receipt, (order, context, ct) => order.OrderId switch
        {
            1 => throw new OperationCanceledException("cancelled before any await"),
            2 => CancelLaterAsync(),
            3 => FailLaterAsync(),
            _ => SucceedLaterAsync(order),
        })), stop.Token);
        var posts = await api.WaitForPostsAsync(4, TimeSpan.FromSeconds(30));
        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(["error:req-1", "error:req-2", "error:req-3", "response:req-4"], posts.Select(p => $"{p.Kind}:{p.RequestId}"));
        foreach (var cancelled in posts.Take(2))
        {
            // A cancelled handler task carries no exception of its own: Lambda gets a plain cancellation.
            var error = JsonDocument.Parse(cancelled.Body).RootElement;
            Assert.Equal("OperationCanceledException", cancelled.ErrorType);
            Assert.Equal("The operation was canceled.", error.GetProperty("errorMessage").GetString());
            Assert.Equal(0, error.GetProperty("stackTrace").GetArrayLength());
        }

        Assert.Equal("InvalidOperationException", posts[2].ErrorType);
        Assert.Equal("failed after an await", JsonDocument.Parse(posts[2].Body).RootElement.GetProperty("errorMessage").GetString());
        Assert.Equal("""{"OrderId":4,"Status":"later"}""", posts[3].Body);

        static async ValueTask<Receipt> CancelLaterAsync()
        {
            await Task.Yield();
            throw new OperationCanceledException("cancelled after an await");
        }

        static async ValueTask<Receipt> FailLaterAsync()
        {
            await Task.Yield();
            throw new InvalidOperationException("failed after an await");
        }

        static async ValueTask<Receipt> SucceedLaterAsync(Order order)
        {
            await Task.Delay(20);
            return new Receipt(order.OrderId, "later");
        }
    }

    [Fact]
    public async Task RunAsync_RawHandlerFailsWithSeveralExceptionsOrThrowsCancellation_AggregateOrPlainCancellationReported()
    {
        using var api = new FakeRuntimeApi();
        using var observe = CreateObserve(new CapturedOutput(), _ => { });
        using var host = new LambdaRuntimeHost(observe, api.Address);
        using var stop = new CancellationTokenSource();
        api.Enqueue("several", "\"several\"", TimeSpan.FromSeconds(30));
        api.Enqueue("cancel", "\"cancel\"", TimeSpan.FromSeconds(30));

        var run = host.RunAsync(_ => ValueTask.FromResult<LambdaRawHandler>((input, context, ct) =>
        {
            if (context.RequestId == "cancel")
            {
                throw new OperationCanceledException("given up");
            }

            var failed = new TaskCompletionSource<ReadOnlyMemory<byte>>();
            failed.SetException([new InvalidOperationException("first"), new TimeoutException("second")]);
            return new ValueTask<ReadOnlyMemory<byte>>(failed.Task);
        }), stop.Token);
        var posts = await api.WaitForPostsAsync(2, TimeSpan.FromSeconds(30));
        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(["error:several", "error:cancel"], posts.Select(p => $"{p.Kind}:{p.RequestId}"));
        Assert.Equal("AggregateException", posts[0].ErrorType);
        Assert.Equal("OperationCanceledException", posts[1].ErrorType);
        Assert.Equal("The operation was canceled.", JsonDocument.Parse(posts[1].Body).RootElement.GetProperty("errorMessage").GetString());
    }

    [Fact]
    public async Task RunAsync_EachInvocation_SetsItsTraceHeaderForAwsSdks()
    {
        using var api = new FakeRuntimeApi();
        using var observe = CreateObserve(new CapturedOutput(), _ => { });
        using var host = new LambdaRuntimeHost(observe, api.Address);
        using var stop = new CancellationTokenSource();
        var seen = new List<string?>();
        api.Enqueue("traced", "{}", TimeSpan.FromSeconds(30), TraceHeader);
        api.Enqueue("untraced", "{}", TimeSpan.FromSeconds(30));

        var run = host.RunAsync(_ => ValueTask.FromResult<LambdaRawHandler>((input, context, ct) =>
        {
            seen.Add(Environment.GetEnvironmentVariable("_X_AMZN_TRACE_ID"));
            return ValueTask.FromResult(input);
        }), stop.Token);
        await api.WaitForPostsAsync(2, TimeSpan.FromSeconds(30));
        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal([TraceHeader, null], seen);
    }

    [Fact]
    public async Task RunAsync_ResponseRejected_ReportedAndNextInvocationServed()
    {
        using var events = new DiagnosticEvents();
        using var api = new FakeRuntimeApi();
        using var observe = CreateObserve(new CapturedOutput(), _ => { });
        using var host = new LambdaRuntimeHost(observe, api.Address);
        using var stop = new CancellationTokenSource();
        api.Rejections["too-large"] = 413;
        api.Enqueue("too-large", "\"big\"", TimeSpan.FromSeconds(30));
        api.Enqueue("after", "\"small\"", TimeSpan.FromSeconds(30));

        var run = host.RunAsync(_ => ValueTask.FromResult<LambdaRawHandler>((input, context, ct) => ValueTask.FromResult(input)), stop.Token);
        var posts = await api.WaitForPostsAsync(2, TimeSpan.FromSeconds(30));
        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(["response:too-large", "response:after"], posts.Select(p => $"{p.Kind}:{p.RequestId}"));
        // The listener is process-wide: look only at this test's request.
        var failure = Assert.Single(events.Named("RuntimeApiFailed"), e => e.Payload![0] is string path && path.Contains("too-large", StringComparison.Ordinal));
        Assert.Equal(["invocation/too-large/response", "413"], failure.Payload!.Select(p => (string?)p));
    }

    [Fact]
    public async Task RunAsync_NextFailsTransiently_RetriesAndServesTheInvocation()
    {
        using var events = new DiagnosticEvents();
        using var api = new FakeRuntimeApi();
        api.NextFailures.Enqueue(0);
        api.NextFailures.Enqueue(503);
        using var observe = CreateObserve(new CapturedOutput(), _ => { });
        using var host = new LambdaRuntimeHost(observe, api.Address);
        using var stop = new CancellationTokenSource();
        api.Enqueue("after-failures", "\"x\"", TimeSpan.FromSeconds(30));

        var run = host.RunAsync(_ => ValueTask.FromResult<LambdaRawHandler>((input, context, ct) => ValueTask.FromResult(input)), stop.Token);
        var posts = await api.WaitForPostsAsync(1, TimeSpan.FromSeconds(30));
        var stoppedEarly = run.IsCompleted;
        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.False(stoppedEarly, "the loop ended after a failed 'next'");
        Assert.Equal(["response:after-failures"], posts.Select(p => $"{p.Kind}:{p.RequestId}"));
        Assert.True(api.NextRequests.Count >= 3, $"{api.NextRequests.Count} 'next' requests");
    }

    [Fact]
    public async Task RunAsync_NextFailsEveryTime_GivesUpAfterTheLimitAndSaysSo()
    {
        using var events = new DiagnosticEvents();
        using var api = new FakeRuntimeApi { AlwaysFailNext = 502 };
        var errors = new CapturedOutput();
        var options = new ObserveLambdaOptions { EnableOtlpExport = false };
        using var observe = ObserveLambda.Create(options, TestEnvironment.Create(), new CapturedOutput().Sink, TimeProvider.System, new Internal.Notices(errors.Sink));
        using var host = new LambdaRuntimeHost(observe, api.Address);

        // Returns (the process then exits and Lambda replaces the environment) rather than throwing into Main.
        await host.RunAsync(_ => ValueTask.FromResult<LambdaRawHandler>((input, context, ct) => ValueTask.FromResult(input))).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(LambdaRuntimeHost.MaxNextAttempts, api.NextRequests.Count);
        var line = Assert.Single(errors.Lines);
        Assert.Contains("invocation/next", line, StringComparison.Ordinal);
        Assert.Contains(LambdaRuntimeHost.MaxNextAttempts.ToString(System.Globalization.CultureInfo.InvariantCulture), line, StringComparison.Ordinal);
        Assert.Single(events.Named("RuntimeApiGaveUp"), e => ((string)e.Payload![0]!).Contains(api.Address, StringComparison.Ordinal));
    }

    [Fact]
    public void Constructor_NoRuntimeApiAddress_ExplainsWhy()
    {
        using var observe = CreateObserve(new CapturedOutput(), _ => { });

        var error = Assert.Throws<InvalidOperationException>(() => new LambdaRuntimeHost(observe, " "));

        Assert.Contains("AWS_LAMBDA_RUNTIME_API", error.Message, StringComparison.Ordinal);
    }

    private static ObserveLambda CreateObserve(CapturedOutput output, Action<TracerProviderBuilder> tracing, TimeSpan? margin = null)
    {
        // FlushTimeout 30 s: the timelines expect the export before the next 'next'; the default 1 s could run out on a
        // loaded machine. It only bounds the flush, which ends as soon as the export does.
        var options = new ObserveLambdaOptions
        {
            EnableOtlpExport = false,
            ConfigureTracing = tracing,
            FlushSafetyMargin = margin ?? TimeSpan.FromMilliseconds(50),
            FlushTimeout = TimeSpan.FromSeconds(30),
        };

        var observe = ObserveLambda.Create(options, TestEnvironment.Create(), output.Sink, TimeProvider.System);

        // Ready before the test starts (see LambdaHarness): a starved set-up thread would eat the flush budget.
        observe.WaitForTelemetry(TimeSpan.FromSeconds(30));
        return observe;
    }

    /// <summary>Polls until <paramref name="condition"/> holds; fails after 30 s (a cap for a broken test: a loaded CI machine can be slow).</summary>
    private static async Task WaitForAsync(Func<bool> condition)
    {
        var until = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < until, "the condition did not hold within 30 s");
            await Task.Delay(10);
        }
    }

    /// <summary>Notes in the timeline when spans are exported, to check that export happens after the response.</summary>
    private sealed class TimelineExporter(Timeline timeline) : BaseExporter<Activity>
    {
        private readonly List<Activity> _spans = [];

        public IReadOnlyList<Activity> Spans
        {
            get
            {
                lock (_spans)
                {
                    return [.. _spans];
                }
            }
        }

        public override ExportResult Export(in Batch<Activity> batch)
        {
            lock (_spans)
            {
                foreach (var span in batch)
                {
                    _spans.Add(span);
                }
            }

            timeline.Add("export");
            return ExportResult.Success;
        }
    }
}

public sealed record Order(int OrderId);

public sealed record Receipt(int OrderId, string Status);

[JsonSerializable(typeof(Order))]
[JsonSerializable(typeof(Receipt))]
internal sealed partial class TestJsonContext : JsonSerializerContext;
