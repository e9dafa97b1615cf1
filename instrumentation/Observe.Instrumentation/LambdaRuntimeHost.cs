using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Observe.Instrumentation.Internal;

namespace Observe.Instrumentation;

/// <summary>Handles one invocation's raw event and returns the raw response the caller receives.</summary>
/// <param name="input">The event as Lambda delivered it.</param>
/// <param name="context">The invocation: request id, function ARN, deadline and trace header.</param>
/// <param name="cancellationToken">Cancelled twice <see cref="ObserveLambdaOptions.FlushSafetyMargin"/> before the deadline, or when the host stops.</param>
/// <returns>The response body.</returns>
public delegate ValueTask<ReadOnlyMemory<byte>> LambdaRawHandler(ReadOnlyMemory<byte> input, LambdaInvocationContext context, CancellationToken cancellationToken);

/// <summary>
/// The Lambda Runtime API loop for custom-runtime and Native AOT functions (<c>provided.al2023</c>). Each invocation
/// runs inside <see cref="ObserveLambda"/>'s span and log context; the response is posted first and telemetry is
/// flushed afterwards, before asking for the next event, so the caller never waits for export. Init failures,
/// handler exceptions and handlers that run past their deadline are reported to Lambda in its error format.
/// </summary>
public sealed class LambdaRuntimeHost : IDisposable
{
    /// <summary>The error type reported for a handler still running at its deadline.</summary>
    public const string DeadlineExceededErrorType = "Function.DeadlineExceeded";

    /// <summary>How many <c>next</c> requests in a row may fail before the host gives up.</summary>
    internal const int MaxNextAttempts = 8;

    private const string ErrorTypeHeader = "Lambda-Runtime-Function-Error-Type";

    private readonly ObserveLambda _observe;
    private readonly HttpClient _http;
    private readonly Uri _baseUri;

    /// <summary>Creates a host talking to the Runtime API at <paramref name="runtimeApi"/>.</summary>
    /// <param name="observe">The instrumentation every invocation runs in.</param>
    /// <param name="runtimeApi">host:port of the Runtime API; null reads <c>AWS_LAMBDA_RUNTIME_API</c>.</param>
    /// <exception cref="InvalidOperationException">No Runtime API address is given or set: the code is not running in a Lambda custom runtime.</exception>
    public LambdaRuntimeHost(ObserveLambda observe, string? runtimeApi = null)
    {
        ArgumentNullException.ThrowIfNull(observe);
        _observe = observe;

        // The first flush comes after the first response: building the OpenTelemetry SDK then, not beside the first
        // invocation, keeps it from slowing that response (~25 ms measured with JIT on two busy cores).
        observe.DeferTelemetrySetup();
        runtimeApi ??= Environment.GetEnvironmentVariable(LambdaEnvironment.RuntimeApiVariable);
        if (string.IsNullOrWhiteSpace(runtimeApi))
        {
            throw new InvalidOperationException($"{LambdaEnvironment.RuntimeApiVariable} is not set: the Runtime API host only runs inside a Lambda custom runtime.");
        }

        _baseUri = new Uri($"http://{runtimeApi}/2018-06-01/runtime/");

        // The Runtime API is local and unauthenticated; 'next' blocks for as long as the environment waits for work.
        _http = new HttpClient(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false }) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>
    /// Adapts a typed handler to <see cref="LambdaRawHandler"/> with source-generated JSON metadata (no reflection, so it
    /// works with Native AOT and trimming).
    /// </summary>
    /// <typeparam name="TInput">The event type.</typeparam>
    /// <typeparam name="TOutput">The response type.</typeparam>
    /// <param name="inputType">Metadata of <typeparamref name="TInput"/> from your <c>JsonSerializerContext</c>.</param>
    /// <param name="outputType">Metadata of <typeparamref name="TOutput"/> from your <c>JsonSerializerContext</c>.</param>
    /// <param name="handler">The function's code; a JSON <c>null</c> event reaches it as null.</param>
    /// <returns>The raw handler.</returns>
    public static LambdaRawHandler Json<TInput, TOutput>(JsonTypeInfo<TInput> inputType, JsonTypeInfo<TOutput> outputType, Func<TInput, LambdaInvocationContext, CancellationToken, ValueTask<TOutput>> handler)
    {
        ArgumentNullException.ThrowIfNull(inputType);
        ArgumentNullException.ThrowIfNull(outputType);
        ArgumentNullException.ThrowIfNull(handler);
        return (input, context, cancellationToken) =>
        {
            var pending = handler(JsonSerializer.Deserialize(input.Span, inputType)!, context, cancellationToken);

            // A handler that finished synchronously is answered without async plumbing to JIT-compile; see RunAsync.
            return pending.IsCompletedSuccessfully
                ? new ValueTask<ReadOnlyMemory<byte>>(JsonSerializer.SerializeToUtf8Bytes(pending.Result, outputType))
                : SerializeWhenDoneAsync(pending, outputType);
        };
    }

    /// <summary>
    /// Runs <paramref name="initialize"/>, then serves invocations until <paramref name="cancellationToken"/> is
    /// cancelled. If initialization throws, the error is posted to the Runtime API's init error endpoint and the method
    /// returns: Lambda then discards the environment. A failed request for the next event is retried after 25 ms,
    /// doubling up to 1 s; after 8 failures in a row (about 2.6 s) the method says so on standard error and the
    /// <c>Observe-Instrumentation</c> event source, and returns, so the process can exit and Lambda replace it.
    /// </summary>
    /// <param name="initialize">Builds the handler (connections, configuration); its time counts as init duration.</param>
    /// <param name="cancellationToken">Stops the loop.</param>
    /// <returns>A task that ends when the loop stops.</returns>
    public async Task RunAsync(Func<CancellationToken, ValueTask<LambdaRawHandler>> initialize, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(initialize);
        LambdaRawHandler handler;
        try
        {
            handler = await initialize(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            const string path = "init/error";
            using var post = ErrorPost(path, ex.GetType().Name, RuntimeError.From(ex));
            try
            {
                using var response = await _http.SendAsync(post, cancellationToken).ConfigureAwait(false);
                ReportIfRejected(path, response);
            }
            catch (HttpRequestException failure)
            {
                InstrumentationEventSource.Log.RuntimeApiFailed(path, failure.Message);
            }

            return;
        }

        // The loop is this one async method, and the handler's response reaches it through a non-generic
        // TaskCompletionSource: ReadyToRun cannot precompile async plumbing over our state machines or Task<T> over
        // ReadOnlyMemory<byte>, and JIT-compiling them was a measurable part of the first invocation.
        var failures = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            HttpResponseMessage? next = null;
            try
            {
                // Inline rather than a helper: another async method would be async plumbing to JIT-compile on the first invocation.
                byte[]? body = null;
                string? failure = null;
                try
                {
                    next = await _http.GetAsync(new Uri(_baseUri, "invocation/next"), HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
                    if (next.IsSuccessStatusCode)
                    {
                        body = await next.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
                    }
                    else
                    {
                        failure = "HTTP " + ((int)next.StatusCode).ToString(CultureInfo.InvariantCulture);
                    }
                }
                catch (Exception ex) when (ex is HttpRequestException or IOException && !cancellationToken.IsCancellationRequested)
                {
                    failure = ex.Message;
                }

                if (failure is not null)
                {
                    // The Runtime API is local, but a 'next' can still fail (a reset connection, a 5xx while Lambda's side
                    // restarts). AWS's runtime clients retry; ending the process on the first failure cost the environment.
                    InstrumentationEventSource.Log.RuntimeApiFailed("invocation/next", failure);
                    if (++failures >= MaxNextAttempts)
                    {
                        GiveUp(failure);
                        return;
                    }

                    await Task.Delay(NextRetryDelay(failures), cancellationToken).ConfigureAwait(false);
                    continue;
                }

                failures = 0;
                var context = ReadContext(next!.Headers);

                // AWS SDKs read the per-invocation trace header from here, as under Lambda's managed runtimes.
                Environment.SetEnvironmentVariable(LambdaEnvironment.TraceHeaderVariable, context.TraceHeader);

                var invocation = _observe.Begin(context, body!);
                using var deadline = _observe.CreateDeadlineToken(context, cancellationToken);
                using var work = HandlerWork.Start(handler, body!, context, deadline.Token);
                await work.Finished.ConfigureAwait(false);
                using var post = EndInvocation(invocation, context, work, cancellationToken, out var path);
                try
                {
                    using var response = await _http.SendAsync(post, cancellationToken).ConfigureAwait(false);
                    ReportIfRejected(path, response);
                }
                catch (HttpRequestException ex)
                {
                    InstrumentationEventSource.Log.RuntimeApiFailed(path, ex.Message);
                }

                // The caller has its answer; metrics and exporting now cost it nothing. The environment freezes only once we ask for 'next'.
                _observe.Report(invocation);
                _observe.Flush(context);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            finally
            {
                next?.Dispose();
            }
        }
    }

    /// <summary>Releases the Runtime API connection.</summary>
    public void Dispose() => _http.Dispose();

    /// <summary>
    /// Wait before the <paramref name="failures"/>th retry of 'next': 25 ms doubling up to 1 s, so a blip costs
    /// milliseconds and <see cref="MaxNextAttempts"/> failures in a row take about 2.6 s before the host gives up.
    /// </summary>
    internal static TimeSpan NextRetryDelay(int failures) => TimeSpan.FromMilliseconds(Math.Min(1000, 25 << Math.Min(failures - 1, 10)));

    private void GiveUp(string lastFailure)
    {
        var message = $"the Runtime API at {_baseUri.Authority} failed {MaxNextAttempts} 'invocation/next' requests in a row (last: {lastFailure}); "
            + "the host stops serving invocations and Lambda replaces the execution environment.";
        InstrumentationEventSource.Log.RuntimeApiGaveUp(message);
        _observe.Notices.Once(NoticeKind.RuntimeApiUnreachable, message);
    }

    private static async ValueTask<ReadOnlyMemory<byte>> SerializeWhenDoneAsync<TOutput>(ValueTask<TOutput> pending, JsonTypeInfo<TOutput> outputType) =>
        JsonSerializer.SerializeToUtf8Bytes(await pending.ConfigureAwait(false), outputType);

    private static void ReportIfRejected(string path, HttpResponseMessage response)
    {
        if (!response.IsSuccessStatusCode)
        {
            // 413 (response too large) and 400 are Lambda's answer about this invocation; the loop goes on.
            InstrumentationEventSource.Log.RuntimeApiFailed(path, ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture));
        }
    }

    /// <summary>Ends the invocation as its handler left it and builds the post that tells Lambda: the response, or an error.</summary>
    private HttpRequestMessage EndInvocation(ObserveLambda.Invocation invocation, LambdaInvocationContext context, HandlerWork work, CancellationToken cancellationToken, out string path)
    {
        if (work.TimedOut)
        {
            cancellationToken.ThrowIfCancellationRequested();

            // The handler ignored its token. Report now, while there is time left to flush; Lambda ends the environment.
            _observe.End(invocation, null, timedOut: true, reportLater: true);
            path = $"invocation/{context.RequestId}/error";
            var error = new RuntimeError($"The handler was still running {FormatMs(context.Deadline - DateTimeOffset.UtcNow)} ms before its deadline.", DeadlineExceededErrorType, []);
            return ErrorPost(path, DeadlineExceededErrorType, error);
        }

        if (work.Error is { } exception)
        {
            _observe.End(invocation, exception, reportLater: true);
            path = $"invocation/{context.RequestId}/error";
            return ErrorPost(path, exception.GetType().Name, RuntimeError.From(exception));
        }

        if (invocation.Trigger == "http")
        {
            // API Gateway and ALB proxy responses carry the status the caller gets; the span records it.
            invocation.HttpStatusCode = EventInspector.ReadStatusCode(work.Response.Span);
        }

        _observe.End(invocation, null, reportLater: true);
        path = $"invocation/{context.RequestId}/response";
        return new HttpRequestMessage(HttpMethod.Post, new Uri(_baseUri, path)) { Content = new ReadOnlyMemoryContent(work.Response) };
    }

    private static LambdaInvocationContext ReadContext(HttpResponseHeaders headers)
    {
        var requestId = Header(headers, "Lambda-Runtime-Aws-Request-Id") ?? string.Empty;
        var deadline = long.TryParse(Header(headers, "Lambda-Runtime-Deadline-Ms"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var ms)
            ? DateTimeOffset.FromUnixTimeMilliseconds(ms)
            : DateTimeOffset.MaxValue;
        return new LambdaInvocationContext(requestId, Header(headers, "Lambda-Runtime-Invoked-Function-Arn"), deadline, Header(headers, "Lambda-Runtime-Trace-Id"));
    }

    private static string? Header(HttpResponseHeaders headers, string name) => headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    private static string FormatMs(TimeSpan value) => Math.Max(0, (int)value.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);

    private HttpRequestMessage ErrorPost(string path, string errorType, RuntimeError error)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_baseUri, path))
        {
            Content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(error, InstrumentationJsonContext.Default.RuntimeError)),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation(ErrorTypeHeader, errorType);
        return request;
    }

    /// <summary>
    /// Runs the handler on the thread pool, so that one blocking synchronously cannot block the loop too, and completes
    /// <see cref="Finished"/> when the handler ends or its token fires (the deadline minus the safety margin), whichever
    /// is first.
    /// </summary>
    private sealed class HandlerWork : IDisposable
    {
        private const int Running = 0;
        private const int Handled = 1;
        private const int Expired = 2;

        // Asynchronous continuations: the loop never goes on inside the handler's thread or the token's callback.
        private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly LambdaRawHandler _handler;
        private readonly byte[] _input;
        private readonly LambdaInvocationContext _context;
        private readonly CancellationToken _token;
        private CancellationTokenRegistration _deadline;
        private ValueTask<ReadOnlyMemory<byte>> _pending;
        private int _state;

        private HandlerWork(LambdaRawHandler handler, byte[] input, LambdaInvocationContext context, CancellationToken token)
        {
            _handler = handler;
            _input = input;
            _context = context;
            _token = token;
        }

        public Task Finished => _finished.Task;

        /// <summary>Whether the token fired before the handler ended; read once <see cref="Finished"/> completed.</summary>
        public bool TimedOut => Volatile.Read(ref _state) == Expired;

        /// <summary>The handler's response, when it succeeded in time.</summary>
        public ReadOnlyMemory<byte> Response { get; private set; }

        /// <summary>The handler's exception, when it failed in time.</summary>
        public Exception? Error { get; private set; }

        public static HandlerWork Start(LambdaRawHandler handler, byte[] input, LambdaInvocationContext context, CancellationToken token)
        {
            var work = new HandlerWork(handler, input, context, token);
            work._deadline = token.UnsafeRegister(static w => ((HandlerWork)w!).Finish(Expired), work);

            // QueueUserWorkItem flows the execution context, so the handler sees the invocation's span and log state.
            ThreadPool.QueueUserWorkItem(static w => ((HandlerWork)w!).Run(), work);
            return work;
        }

        public void Dispose() => _deadline.Dispose();

        private void Run()
        {
            try
            {
                _pending = _handler(_input, _context, _token);
            }
            catch (Exception ex)
            {
                // A cancellation the handler throws is reported as a cancelled handler task is: a plain cancellation.
                Error = ex is OperationCanceledException ? new OperationCanceledException() : ex;
                Finish(Handled);
                return;
            }

            if (_pending.IsCompleted)
            {
                Complete();
            }
            else
            {
                _pending.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(Complete);
            }
        }

        private void Complete()
        {
            if (_pending.IsCompletedSuccessfully)
            {
                Response = _pending.Result;
            }
            else if (_pending.IsCanceled)
            {
                Error = new OperationCanceledException();
            }
            else
            {
                var failure = _pending.AsTask().Exception!;
                Error = failure.InnerExceptions is [var single] ? single : failure;
            }

            Finish(Handled);
        }

        private void Finish(int outcome)
        {
            if (Interlocked.CompareExchange(ref _state, outcome, Running) == Running)
            {
                _finished.SetResult();
            }
        }
    }
}
