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
        return async (input, context, cancellationToken) =>
        {
            var value = JsonSerializer.Deserialize(input.Span, inputType);
            var result = await handler(value!, context, cancellationToken).ConfigureAwait(false);
            return JsonSerializer.SerializeToUtf8Bytes(result, outputType);
        };
    }

    /// <summary>
    /// Runs <paramref name="initialize"/>, then serves invocations until <paramref name="cancellationToken"/> is
    /// cancelled. If initialization throws, the error is posted to the Runtime API's init error endpoint and the method
    /// returns: Lambda then discards the environment.
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
            await PostErrorAsync("init/error", ex.GetType().Name, RuntimeError.From(ex), cancellationToken).ConfigureAwait(false);
            return;
        }

        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await RunOneAsync(handler, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    /// <summary>Releases the Runtime API connection.</summary>
    public void Dispose() => _http.Dispose();

    private async Task RunOneAsync(LambdaRawHandler handler, CancellationToken cancellationToken)
    {
        using var next = await _http.GetAsync(new Uri(_baseUri, "invocation/next"), HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        next.EnsureSuccessStatusCode();
        var body = await next.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        var context = ReadContext(next.Headers);

        // AWS SDKs read the per-invocation trace header from here, as under Lambda's managed runtimes.
        Environment.SetEnvironmentVariable(LambdaEnvironment.TraceHeaderVariable, context.TraceHeader);

        var invocation = _observe.Begin(context, body);
        using var deadline = _observe.CreateDeadlineToken(context, cancellationToken);

        // On the thread pool, so a handler that blocks synchronously past its deadline cannot block the loop too.
        var work = Task.Run(() => handler(body, context, deadline.Token).AsTask(), CancellationToken.None);

        // Wait until the handler ends or its token fires (the deadline minus the safety margin), whichever is first.
        var finished = await Task.WhenAny(work, Task.Delay(Timeout.Infinite, deadline.Token)).ConfigureAwait(false);
        if (finished == work && work.IsCompletedSuccessfully)
        {
            _observe.End(invocation, null, reportLater: true);
            var response = await work.ConfigureAwait(false);
            await PostAsync($"invocation/{context.RequestId}/response", new ReadOnlyMemoryContent(response), null, cancellationToken).ConfigureAwait(false);
        }
        else if (finished == work)
        {
            var exception = work.Exception?.InnerExceptions is [var single] ? single : (Exception?)work.Exception ?? new OperationCanceledException();
            _observe.End(invocation, exception, reportLater: true);
            await PostErrorAsync($"invocation/{context.RequestId}/error", exception.GetType().Name, RuntimeError.From(exception), cancellationToken).ConfigureAwait(false);
        }
        else
        {
            cancellationToken.ThrowIfCancellationRequested();

            // The handler ignored its token. Report now, while there is time left to flush; Lambda ends the environment.
            _ = work.ContinueWith(static t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            _observe.End(invocation, null, timedOut: true, reportLater: true);
            var error = new RuntimeError($"The handler was still running {FormatMs(context.Deadline - DateTimeOffset.UtcNow)} ms before its deadline.", DeadlineExceededErrorType, []);
            await PostErrorAsync($"invocation/{context.RequestId}/error", DeadlineExceededErrorType, error, cancellationToken).ConfigureAwait(false);
        }

        // The caller has its answer; metrics and exporting now cost it nothing. The environment freezes only once we ask for 'next'.
        _observe.Report(invocation);
        _observe.Flush(context);
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

    private Task PostErrorAsync(string path, string errorType, RuntimeError error, CancellationToken cancellationToken)
    {
        var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(error, InstrumentationJsonContext.Default.RuntimeError));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return PostAsync(path, content, errorType, cancellationToken);
    }

    private async Task PostAsync(string path, HttpContent content, string? errorType, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_baseUri, path)) { Content = content };
        if (errorType is not null)
        {
            request.Headers.TryAddWithoutValidation(ErrorTypeHeader, errorType);
        }

        try
        {
            using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                // 413 (response too large) and 400 are Lambda's answer about this invocation; the loop goes on.
                InstrumentationEventSource.Log.RuntimeApiFailed(path, ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture));
            }
        }
        catch (HttpRequestException ex)
        {
            InstrumentationEventSource.Log.RuntimeApiFailed(path, ex.Message);
        }
    }
}
