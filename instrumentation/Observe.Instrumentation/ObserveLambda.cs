using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Reflection;
using System.Text;
using Microsoft.Extensions.Logging;
using Observe.Instrumentation.Internal;
using Observe.Instrumentation.Internal.Logging;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Observe.Instrumentation;

/// <summary>
/// The instrumentation of one Lambda execution environment: JSON logging, a tracer and a meter provider, and the
/// invocation wrapper. Create one during initialization (outside the handler) and reuse it for every invocation.
/// Nothing in it throws into the function: failures of the instrumentation itself are reported through the
/// <c>Observe-Instrumentation</c> event source.
/// </summary>
public sealed class ObserveLambda : IDisposable
{
    /// <summary>Name of the <see cref="ActivitySource"/> and <see cref="Meter"/> of the invocation spans and metrics.</summary>
    public const string InstrumentationName = "Observe.Instrumentation";

    private static readonly string? Version = typeof(ObserveLambda).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;

    private readonly LambdaEnvironment _environment;
    private readonly TimeProvider _time;
    private readonly ColdStartTracker _coldStarts;
    private readonly ActivitySource _source;
    private readonly string? _emfNamespace;
    private readonly LineSink _sink;
    private EmbeddedMetrics? _builtInMetrics;
    private readonly IReadOnlyList<EmbeddedMetrics> _customMetrics;
    private readonly byte[][] _correlationNames;
    private readonly PropagatorSettings _propagators;
    private readonly TimeSpan _flushTimeout;
    private readonly TimeSpan _safetyMargin;
    private readonly ILogger _logger;
    private readonly TelemetryPipeline _telemetry;
    private FlushRun? _lastFlush;
    private string? _lastArn;
    private string? _lastAccountId;

    private ObserveLambda(ObserveLambdaOptions options, LambdaEnvironment environment, LineSink sink, TimeProvider time, Notices notices)
    {
        _environment = environment;
        Notices = notices;
        _time = time;
        _coldStarts = new ColdStartTracker(environment.InitializationType);
        _flushTimeout = ValidTimeSpan(options.FlushTimeout, nameof(options.FlushTimeout), TimeSpan.FromSeconds(1));
        _safetyMargin = ValidTimeSpan(options.FlushSafetyMargin, nameof(options.FlushSafetyMargin), TimeSpan.FromMilliseconds(50));
        _correlationNames = CorrelationNames(options.CorrelationIdNames);
        _propagators = PropagatorSettings.Read(environment);
        _customMetrics = [.. options.EmbeddedMetrics];

        if (options.UseXRayTraceIds)
        {
            XRayTraceId.TryInstall(time);
        }

        _source = new ActivitySource(InstrumentationName, Version);

        // The OpenTelemetry SDK is built in the background: JIT-compiling it took ~200 ms of the cold start.
        var logSettings = new LogSettings(options.Logging, environment, sink, time);
        _telemetry = new TelemetryPipeline(options, environment, logSettings, _source, Version, notices);
        ILoggerProvider[] providers = _telemetry.LogExport is { } logExport
            ? [new ObserveJsonLoggerProvider(logSettings), logExport]
            : [new ObserveJsonLoggerProvider(logSettings)];
        LoggerFactory = new ObserveLoggerFactory(providers);
        _logger = LoggerFactory.CreateLogger(InstrumentationName);
        // Only checked here; the writer is built by the first report (after the first response with the Runtime API host).
        _sink = sink;
        if (options.EmfNamespace is { } ns)
        {
            if (EmbeddedMetrics.NamespaceProblem(ns) is { } problem)
            {
                InstrumentationEventSource.Log.InvalidSetting("ObserveLambdaOptions.EmfNamespace", ns, problem);
            }
            else
            {
                _emfNamespace = ns;
            }
        }
    }

    /// <summary>
    /// Loggers writing JSON lines stamped with the current invocation and span, and, when OTLP log export is on, log
    /// records carrying the span's trace and span ids (see <see cref="ObserveLambdaOptions.EnableOtlpLogExport"/>).
    /// </summary>
    public ILoggerFactory LoggerFactory { get; }

    /// <summary>
    /// The tracer provider: invocation spans, plus the sources added by <see cref="ObserveLambdaOptions.ConfigureTracing"/>.
    /// The providers are built on a background thread during initialization. This waits for them at most
    /// <see cref="ObserveLambdaOptions.FlushTimeout"/> (1 s by default); if they are still not ready it returns
    /// <see cref="TracerProvider.Default"/>, a provider with no processors whose <c>ForceFlush</c> does nothing (tracers
    /// obtained from it still record once the real provider listens to their source). Read it again later for the real one.
    /// </summary>
    /// <exception cref="InvalidOperationException">Building the providers failed (the <c>Observe-Instrumentation</c> event source has the cause).</exception>
    public TracerProvider TracerProvider => _telemetry.ReadyWithin(_flushTimeout, nameof(TracerProvider))?.TracerProvider ?? TracerProvider.Default;

    /// <summary>
    /// The meter provider: the <c>faas.*</c> metrics, plus the meters added by <see cref="ObserveLambdaOptions.ConfigureMetrics"/>.
    /// The providers are built on a background thread during initialization. This waits for them at most
    /// <see cref="ObserveLambdaOptions.FlushTimeout"/> (1 s by default); if they are still not ready it returns an empty
    /// provider that collects nothing and whose <c>ForceFlush</c> does nothing. Read it again later for the real one.
    /// </summary>
    /// <exception cref="InvalidOperationException">Building the providers failed (the <c>Observe-Instrumentation</c> event source has the cause).</exception>
    public MeterProvider MeterProvider => _telemetry.ReadyWithin(_flushTimeout, nameof(MeterProvider))?.MeterProvider ?? NotReadyMeterProvider.Instance;

    /// <summary>Waits (for tests) until the providers are built; returns whether they were within <paramref name="timeout"/>.</summary>
    internal bool WaitForTelemetry(TimeSpan timeout) => _telemetry.WaitReady(timeout) is not null;

    /// <summary>
    /// Sets up logging, tracing, metrics and cold-start tracking from <paramref name="configure"/> and the Lambda and
    /// <c>OTEL_*</c> environment variables. Call once, during initialization.
    /// </summary>
    /// <param name="configure">Changes to the default settings, or null.</param>
    /// <returns>The instrumentation; dispose it at shutdown to flush what is left.</returns>
    public static ObserveLambda Create(Action<ObserveLambdaOptions>? configure = null)
    {
        var options = new ObserveLambdaOptions();
        configure?.Invoke(options);
        return new ObserveLambda(options, LambdaEnvironment.FromProcess(), LineSink.StandardOutput, TimeProvider.System, Notices.StandardError);
    }

    internal static ObserveLambda Create(ObserveLambdaOptions options, LambdaEnvironment environment, LineSink sink, TimeProvider time, Notices? notices = null) =>
        new(options, environment, sink, time, notices ?? Notices.Discard);

    /// <summary>Where problems the function author must hear about are said once (standard error in Lambda).</summary>
    internal Notices Notices { get; }

    /// <summary>
    /// Runs <paramref name="handler"/> as one traced invocation: a span (server; consumer for SQS) with the <c>faas.*</c> and <c>cloud.*</c>
    /// attributes, parented by the event's or Lambda's trace context; log lines stamped with the request id, trace id,
    /// cold-start flag and correlation id; metrics; then a flush bounded by the invocation's remaining time. The
    /// handler's exceptions are recorded and rethrown unchanged.
    /// </summary>
    /// <typeparam name="TResult">The handler's result.</typeparam>
    /// <param name="context">The invocation, built from <c>ILambdaContext</c> or by the Runtime API host.</param>
    /// <param name="handler">The function's code; its token is cancelled twice <see cref="ObserveLambdaOptions.FlushSafetyMargin"/> before the deadline.</param>
    /// <param name="rawEvent">The event's JSON as received, read (never deserialized) for a trace parent and correlation id; empty to use Lambda's trace header only.</param>
    /// <param name="cancellationToken">Cancels the handler's token as well.</param>
    /// <returns>The handler's result.</returns>
    public async Task<TResult> InvokeAsync<TResult>(LambdaInvocationContext context, Func<CancellationToken, Task<TResult>> handler, ReadOnlyMemory<byte> rawEvent = default, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(handler);
        var invocation = Begin(context, rawEvent.Span);
        try
        {
            using var deadline = CreateDeadlineToken(context, cancellationToken);
            var result = await handler(deadline.Token).ConfigureAwait(false);
            End(invocation, null);
            return result;
        }
        catch (Exception ex)
        {
            End(invocation, ex);
            throw;
        }
        finally
        {
            Flush(context);
        }
    }

    /// <summary>Runs a handler without a result as one traced invocation; see <see cref="InvokeAsync{TResult}"/>.</summary>
    /// <param name="context">The invocation.</param>
    /// <param name="handler">The function's code.</param>
    /// <param name="rawEvent">The event's JSON as received, or empty.</param>
    /// <param name="cancellationToken">Cancels the handler's token as well.</param>
    /// <returns>A task that completes when the handler has and telemetry is flushed.</returns>
    public Task InvokeAsync(LambdaInvocationContext context, Func<CancellationToken, Task> handler, ReadOnlyMemory<byte> rawEvent = default, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return InvokeAsync(context, async ct =>
        {
            await handler(ct).ConfigureAwait(false);
            return true;
        }, rawEvent, cancellationToken);
    }

    /// <summary>Flushes what is left and stops the providers (waiting up to the flush timeout for them if they are still being built).</summary>
    public void Dispose()
    {
        _telemetry.Dispose(_flushTimeout);
        LoggerFactory.Dispose();
        _source.Dispose();
    }

    /// <summary>Whether the OpenTelemetry providers are built and have taken over.</summary>
    internal bool IsTelemetryReady => _telemetry.IsReady;

    /// <summary>Holds the OpenTelemetry set-up back until the first flush, if it has not begun (see <see cref="LambdaRuntimeHost"/>).</summary>
    internal void DeferTelemetrySetup() => _telemetry.HoldBack();

    internal CancellationTokenSource CreateDeadlineToken(LambdaInvocationContext context, CancellationToken cancellationToken)
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // One margin for ending the span, reporting and flushing, one kept free before Lambda's deadline.
        var remaining = context.Deadline - _time.GetUtcNow() - (2 * _safetyMargin);
        if (context.Deadline != DateTimeOffset.MaxValue)
        {
            source.CancelAfter(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero);
        }

        return source;
    }

    internal Invocation Begin(LambdaInvocationContext context, ReadOnlySpan<byte> rawEvent)
    {
        var start = _coldStarts.Next();

        // One start for the span and faas.invoke_duration, so the two agree (issue 9: 1.6 ms against 25.8 ms).
        var invocation = new Invocation(context, start, _time.GetTimestamp(), _time.GetUtcNow(), InvocationState.Current);
        try
        {
            var headerText = context.TraceHeader ?? _environment.CurrentTraceHeader;
            XRayTraceHeader? header = headerText is not null && XRayTraceHeader.TryParse(headerText, out var parsed) ? parsed : null;
            var info = EventInspector.Inspect(rawEvent, _correlationNames);
            invocation.Trigger = info.Trigger;
            var parent = ChooseParent(info, header);

            // OpenTelemetry's conventions: an HTTP span is named after its route, an SQS one is a consumer's "process".
            var kind = ActivityKind.Server;
            var name = _environment.FunctionName;
            if (info.HttpMethod is { } method)
            {
                name = info.HttpRoute is { } route ? method + " " + route : method;
            }
            else if (info.RecordSource == "aws:sqs")
            {
                kind = ActivityKind.Consumer;
                name = info.QueueName is { } queue ? "process " + queue : "process";
            }

            var activity = _source.StartActivity(kind, parent, tags: null, links: info.Links, startTime: invocation.StartTime, name: name);
            if (activity is { IsAllDataRequested: true })
            {
                activity.SetTag("faas.trigger", info.Trigger);
                activity.SetTag("faas.invocation_id", context.RequestId);
                activity.SetTag("faas.coldstart", start == InvocationStart.Cold);
                if (start == InvocationStart.Restore)
                {
                    activity.SetTag("aws.lambda.snapstart.restore", true);
                }

                if (context.InvokedFunctionArn is { } arn)
                {
                    activity.SetTag("aws.lambda.invoked_arn", arn);
                    activity.SetTag("cloud.resource_id", arn);
                    if (AccountId(arn) is { } account)
                    {
                        activity.SetTag("cloud.account.id", account);
                    }
                }

                SetEventTags(activity, info);
            }

            invocation.Activity = activity;
            InvocationState.Current = new InvocationState(context, header, start == InvocationStart.Cold, info.CorrelationId, Random.Shared.NextDouble());
        }
        catch (Exception ex)
        {
            InstrumentationEventSource.Log.InstrumentationFailed("begin invocation", ex);
        }

        return invocation;
    }

    private ActivityContext ChooseParent(Internal.EventInfo info, XRayTraceHeader? header)
    {
        if (_propagators.IsDefault)
        {
            // An OpenTelemetry or X-Ray context sent by the caller with the event wins; then Lambda's own header.
            return info.Parent != default ? info.Parent : header is { HasParent: true } h ? h.ToContext() : default;
        }

        // OTEL_PROPAGATORS: xray-lambda gives Lambda's own context priority; otherwise the first listed propagator that found one.
        if (_propagators.LambdaWins && header is { HasParent: true } lambda)
        {
            return lambda.ToContext();
        }

        var traceContext = _propagators.TraceContext ? info.TraceContextParent : default;
        var xray = _propagators.XRay ? info.XRayParent : default;
        return _propagators.TraceContextFirst
            ? (traceContext != default ? traceContext : xray)
            : (xray != default ? xray : traceContext);
    }

    private static void SetEventTags(Activity activity, Internal.EventInfo info)
    {
        if (info.HttpMethod is { } method)
        {
            activity.SetTag("http.request.method", method);
            activity.SetTag("http.route", info.HttpRoute);
            activity.SetTag("url.path", info.UrlPath);
            activity.SetTag("url.scheme", info.UrlScheme);
            activity.SetTag("server.address", info.ServerAddress);
        }
        else if (info.RecordSource == "aws:sqs")
        {
            activity.SetTag("messaging.system", "aws_sqs");
            activity.SetTag("messaging.operation.type", "process");
            activity.SetTag("messaging.operation.name", "process");
            activity.SetTag("messaging.destination.name", info.QueueName);
            if (info.RecordCount > 1)
            {
                activity.SetTag("messaging.batch.message_count", info.RecordCount);
            }
        }
    }

    /// <summary>
    /// Ends the invocation: error line, span status, span stopped (or kept until the SDK is ready). Unless
    /// <paramref name="reportLater"/> is set, then writes its metrics and embedded-metric lines with <see cref="Report"/>;
    /// the Runtime API host reports after posting the response, so the caller does not wait for them.
    /// </summary>
    internal void End(Invocation invocation, Exception? exception, bool timedOut = false, bool reportLater = false)
    {
        // Measured first, before the error line and the exception's details: the span ends at the same moment.
        var elapsed = _time.GetElapsedTime(invocation.StartTimestamp);
        invocation.DurationSeconds = elapsed.TotalSeconds;
        invocation.Failed = exception is not null || timedOut;
        invocation.TimedOut = timedOut;
        try
        {
            // Logged while the span is current, so the line carries its ids (Lambda's own error line carries none).
            if (exception is not null)
            {
                InvocationLog.Failed(_logger, invocation.Context.RequestId, exception);
            }
            else if (timedOut)
            {
                InvocationLog.TimedOut(_logger, invocation.Context.RequestId);
            }

            if (invocation.Activity is { } activity)
            {
                if (exception is not null)
                {
                    activity.AddException(exception);
                    activity.SetStatus(ActivityStatusCode.Error, exception.Message);
                    activity.SetTag("error.type", exception.GetType().FullName);
                }
                else if (timedOut)
                {
                    activity.SetStatus(ActivityStatusCode.Error, "The invocation reached its deadline.");
                    activity.SetTag("error.type", "timeout");
                }
                else if (invocation.HttpStatusCode is >= 500 and var status)
                {
                    // HTTP server conventions: a 5xx answer is an error of the span, a 4xx is the client's.
                    activity.SetStatus(ActivityStatusCode.Error);
                    activity.SetTag("error.type", status.ToString(System.Globalization.CultureInfo.InvariantCulture));
                }

                if (invocation.HttpStatusCode is { } statusCode)
                {
                    activity.SetTag("http.response.status_code", statusCode);
                }

                activity.SetEndTime((invocation.StartTime + elapsed).UtcDateTime);

                // Before the SDK is ready the span waits for it; the lines above already carry its ids.
                if (!_telemetry.TryDeferSpan(activity))
                {
                    activity.Stop();
                }
            }
        }
        catch (Exception ex)
        {
            InstrumentationEventSource.Log.InstrumentationFailed("end invocation", ex);
        }
        finally
        {
            InvocationState.Current = invocation.PreviousState;
        }

        if (!reportLater)
        {
            Report(invocation);
        }
    }

    /// <summary>Records an ended invocation's <c>faas.*</c> metrics (kept until the SDK is ready) and writes its embedded-metric lines.</summary>
    internal void Report(Invocation invocation)
    {
        try
        {
            double? initMilliseconds = invocation.Start == InvocationStart.Cold ? ProcessAgeMilliseconds(invocation) : null;
            var measurements = new InvocationMeasurements(invocation.Trigger, invocation.DurationSeconds, invocation.Failed, invocation.TimedOut, initMilliseconds / 1000);
            if (!_telemetry.TryDeferMetrics(measurements))
            {
                _telemetry.Record(measurements);
            }

            if (_emfNamespace is not null)
            {
                // Concurrent first reports (never in Lambda) may each build one; each writes its own line.
                _builtInMetrics ??= EmbeddedMetrics.CreateBuiltIn(_emfNamespace, _environment.FunctionName, _sink, _time, Notices);
                _builtInMetrics.WriteInvocation(invocation.Start, initMilliseconds, invocation.Failed);
            }
            foreach (var metrics in _customMetrics)
            {
                metrics.Flush();
            }
        }
        catch (Exception ex)
        {
            InstrumentationEventSource.Log.InstrumentationFailed("report invocation", ex);
        }
    }

    /// <summary>Flushes traces, metrics, then exported logs within min(FlushTimeout, remaining time - safety margin); returns whether all finished.</summary>
    internal bool Flush(LambdaInvocationContext context)
    {
        try
        {
            var remaining = context.Deadline == DateTimeOffset.MaxValue ? _flushTimeout : context.Deadline - _time.GetUtcNow() - _safetyMargin;
            var budget = remaining < _flushTimeout ? remaining : _flushTimeout;
            if (budget <= TimeSpan.Zero)
            {
                InstrumentationEventSource.Log.FlushTimedOut(0, "no time left before the deadline");
                return false;
            }

            // One deadline for the whole flush: waiting for the providers and each signal's flush all take from the
            // same budget, so a late SDK set-up followed by a black-holed endpoint cannot take the budget twice.
            var start = _time.GetTimestamp();
            var budgetMs = (int)Math.Ceiling(budget.TotalMilliseconds);

            // The first invocations may end before the background set-up does; what they left waits (bounded) for the next flush.
            if (_telemetry.WaitReady(budget) is not { } providers)
            {
                InstrumentationEventSource.Log.FlushTimedOut(budgetMs, _telemetry.IsReady ? "the OpenTelemetry providers failed to build" : "waiting for the OpenTelemetry providers");
                return false;
            }

            // A flush that outlived its invocation (a black-holed endpoint) may still be exporting: wait for it first.
            if (_lastFlush is { IsDone: false } previous && !previous.Wait(MillisecondsLeft(start, budgetMs)))
            {
                InstrumentationEventSource.Log.FlushTimedOut(budgetMs, "the previous flush is still exporting " + previous.Stage);
                return false;
            }

            var run = FlushRun.Start(providers, MillisecondsLeft(start, budgetMs));
            _lastFlush = run;
            if (!run.Wait(MillisecondsLeft(start, budgetMs)))
            {
                InstrumentationEventSource.Log.FlushTimedOut(budgetMs, run.Stage);
                return false;
            }

            if (!run.Succeeded)
            {
                InstrumentationEventSource.Log.FlushTimedOut(budgetMs, run.Stage);
                return false;
            }

            return true;
        }
        catch (Exception ex)
        {
            InstrumentationEventSource.Log.InstrumentationFailed("flush", ex);
            return false;
        }
    }

    private int MillisecondsLeft(long start, int budgetMs) => budgetMs - (int)Math.Ceiling(_time.GetElapsedTime(start).TotalMilliseconds);

    private static byte[][] CorrelationNames(ISet<string> names)
    {
        // A loop, not LINQ: every generic instantiation here is JIT-compiled on the way to the first invocation.
        var result = new List<byte[]>(names.Count);
        foreach (var name in names)
        {
            if (!string.IsNullOrEmpty(name))
            {
                result.Add(Encoding.UTF8.GetBytes(name));
            }
        }

        return [.. result];
    }

    private double ProcessAgeMilliseconds(Invocation invocation)
    {
        using var process = Process.GetCurrentProcess();
        var started = new DateTimeOffset(process.StartTime.ToUniversalTime(), TimeSpan.Zero);
        var firstInvocation = _time.GetUtcNow() - _time.GetElapsedTime(invocation.StartTimestamp);
        return Math.Max(0, (firstInvocation - started).TotalMilliseconds);
    }

    private string? AccountId(string arn)
    {
        // arn:aws:lambda:eu-west-1:123456789012:function:name[:alias]; cached since it changes only with the alias.
        if (ReferenceEquals(arn, _lastArn) || arn == _lastArn)
        {
            return _lastAccountId;
        }

        var parts = arn.Split(':');
        _lastAccountId = parts.Length > 4 && parts[4].Length > 0 ? parts[4] : null;
        _lastArn = arn;
        return _lastAccountId;
    }

    private static TimeSpan ValidTimeSpan(TimeSpan value, string name, TimeSpan fallback)
    {
        if (value > TimeSpan.Zero && value < TimeSpan.FromMinutes(15))
        {
            return value;
        }

        InstrumentationEventSource.Log.InvalidSetting("ObserveLambdaOptions." + name, value.ToString(), "must be positive and under Lambda's 15-minute limit");
        return fallback;
    }

    /// <summary>What <see cref="MeterProvider"/> returns while the real provider is being built: no meters, no readers.</summary>
    private sealed class NotReadyMeterProvider : MeterProvider
    {
        public static readonly NotReadyMeterProvider Instance = new();
    }

    /// <summary>The bookkeeping of one invocation between <see cref="Begin"/> and <see cref="End"/>.</summary>
    internal sealed class Invocation(LambdaInvocationContext context, InvocationStart start, long startTimestamp, DateTimeOffset startTime, InvocationState? previousState)
    {
        /// <summary>The span's start: the wall-clock time of <see cref="StartTimestamp"/>.</summary>
        public DateTimeOffset StartTime { get; } = startTime;

        /// <summary>The HTTP response's status code, when the Runtime API host read one from the handler's response.</summary>
        public int? HttpStatusCode { get; set; }

        public LambdaInvocationContext Context { get; } = context;

        public InvocationStart Start { get; } = start;

        public long StartTimestamp { get; } = startTimestamp;

        public InvocationState? PreviousState { get; } = previousState;

        public Activity? Activity { get; set; }

        public string Trigger { get; set; } = "other";

        public double DurationSeconds { get; set; }

        public bool Failed { get; set; }

        public bool TimedOut { get; set; }
    }
}
