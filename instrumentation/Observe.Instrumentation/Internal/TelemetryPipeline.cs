using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Observe.Instrumentation.Internal.Logging;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Observe.Instrumentation.Internal;

/// <summary>
/// The OpenTelemetry providers, built on a background thread so that JIT-compiling the SDK (and the dependency injection
/// and configuration it builds on) is not on the path to the first invocation. Until they are ready, a BCL
/// <see cref="ActivityListener"/> makes the same sampling decision the SDK will, so invocation spans and the trace ids
/// on log lines exist from the first invocation; spans that end early are kept unstopped (their end time set) and
/// stopped once the SDK listens, so they go through its whole pipeline; early invocations' metrics and OTLP log
/// records are kept and replayed. Everything kept is bounded, and what does not fit is dropped and reported.
/// </summary>
internal sealed class TelemetryPipeline : IDisposable
{
    /// <summary>Invocations whose spans and metrics are kept at most while the SDK is not ready.</summary>
    public const int MaxPendingInvocations = 64;

    /// <summary>How long the set-up waits for a <see cref="LambdaRuntimeHost"/> to hold it back before it begins.</summary>
    private static readonly TimeSpan HoldBackWindow = TimeSpan.FromMilliseconds(50);

    private readonly object _gate = new();
    private readonly Queue<Activity> _pendingSpans = new();
    private readonly ManualResetEventSlim _ready = new(false);
    private readonly ManualResetEventSlim _decided = new(false);
    private readonly ManualResetEventSlim _released = new(false);
    private readonly ActivityListener _earlyListener;
    private readonly long _created = Stopwatch.GetTimestamp();
    private readonly Notices _notices;
    private Providers? _providers;
    private ExportFailureListener? _exportFailures;
    private Exception? _failure;
    private bool _heldBack;
    private bool _building;
    private bool _handedOver;
    private bool _disposed;
    private int _droppedSpans;
    private int _droppedMetrics;

    // A plain array rather than a Queue<InvocationMeasurements>: generic collections over this struct are JIT-compiled
    // (ReadyToRun cannot precompile them), and the first invocation is what fills it.
    private InvocationMeasurements[]? _pendingMetrics;
    private int _pendingMetricCount;

    public TelemetryPipeline(ObserveLambdaOptions options, LambdaEnvironment environment, LogSettings logSettings, ActivitySource source, string? version, Notices notices)
    {
        _notices = notices;
        var exportLogs = options.EnableOtlpLogExport ?? options.EnableOtlpExport ?? IsOtlpConfigured(environment, "LOGS");
        LogExport = exportLogs ? new DeferredExportLoggerProvider(logSettings) : null;

        var recordUnsampled = options.RecordUnsampledInvocations;
        _earlyListener = new ActivityListener
        {
            // This instance's source only: other instances in the process (tests) have their own pipelines.
            ShouldListenTo = s => ReferenceEquals(s, source),
            Sample = (ref ActivityCreationOptions<ActivityContext> o) => EarlySample(o.Parent, recordUnsampled),
        };
        ActivitySource.AddActivityListener(_earlyListener);
        BackgroundThread.Start("Observe telemetry set-up", () => BuildAndHandOver(options, environment, logSettings, exportLogs, version));
    }

    /// <summary>The OTLP log records' stand-in provider in the logger factory, or null when log export is off.</summary>
    public DeferredExportLoggerProvider? LogExport { get; }

    /// <summary>
    /// The providers if they are ready within <paramref name="timeout"/>, else null (reported as <paramref name="what"/>
    /// not ready). The public getters use it: a bounded wait, so code reading them in a handler cannot hang on a set-up
    /// the machine starves.
    /// </summary>
    /// <exception cref="InvalidOperationException">Building them failed.</exception>
    public Providers? ReadyWithin(TimeSpan timeout, string what)
    {
        Release();
        if (!_ready.Wait(timeout))
        {
            InstrumentationEventSource.Log.ProviderNotReady(what, (int)timeout.TotalMilliseconds);
            return null;
        }

        return _providers ?? throw new InvalidOperationException("The OpenTelemetry providers could not be built; the Observe-Instrumentation event source has the cause.", _failure);
    }

    /// <summary>The providers if they are ready within <paramref name="timeout"/>, else null (also null when building them failed).</summary>
    public Providers? WaitReady(TimeSpan timeout)
    {
        Release();
        return _ready.Wait(timeout) ? _providers : null;
    }

    /// <summary>
    /// Holds the set-up back until <see cref="Release"/> (or anything that waits for the providers), if it has not begun.
    /// The Runtime API host does, in its constructor: its first flush comes after the first response, and building the
    /// SDK then keeps it from competing with that response. Code that never holds it back (the managed-runtime wrapper)
    /// gets it built beside the rest of its initialization, after <see cref="HoldBackWindow"/>.
    /// </summary>
    public void HoldBack()
    {
        lock (_gate)
        {
            if (!_building)
            {
                _heldBack = true;
            }
        }

        _decided.Set();
    }

    /// <summary>Lets a held-back set-up begin.</summary>
    public void Release()
    {
        _released.Set();
        _decided.Set();
    }

    /// <summary>Whether <see cref="WaitReady"/> would return at once.</summary>
    public bool IsReady => _ready.IsSet;

    /// <summary>
    /// Keeps an ended invocation's span until the SDK is ready, and returns true; returns false when the SDK is ready (or
    /// the queue is full), and the caller stops the span itself.
    /// </summary>
    public bool TryDeferSpan(Activity activity)
    {
        lock (_gate)
        {
            if (_handedOver)
            {
                return false;
            }

            if (_pendingSpans.Count >= MaxPendingInvocations)
            {
                _droppedSpans++;
                return false;
            }

            // Ended already (ObserveLambda.End set its end time), stopped and so exported when the SDK listens; Stop keeps it.
            _pendingSpans.Enqueue(activity);
            if (Activity.Current == activity)
            {
                Activity.Current = activity.Parent;
            }

            return true;
        }
    }

    /// <summary>Keeps an invocation's metrics until the SDK is ready, and returns true; returns false when the caller records them with <see cref="Record"/>.</summary>
    public bool TryDeferMetrics(InvocationMeasurements measurements)
    {
        lock (_gate)
        {
            if (_handedOver)
            {
                return false;
            }

            if (_pendingMetricCount >= MaxPendingInvocations)
            {
                _droppedMetrics++;
                return false;
            }

            _pendingMetrics ??= new InvocationMeasurements[MaxPendingInvocations];
            _pendingMetrics[_pendingMetricCount++] = measurements;
            return true;
        }
    }

    /// <summary>Records an invocation's metrics; only called once <see cref="TryDeferMetrics"/> said the SDK is ready.</summary>
    public void Record(InvocationMeasurements measurements) => _providers?.Instruments.Record(measurements);

    /// <summary>Stops the providers, once they are built, waiting at most <paramref name="wait"/> for them to finish building.</summary>
    public void Dispose(TimeSpan wait)
    {
        Release();
        _ready.Wait(wait);
        Providers? providers;
        lock (_gate)
        {
            _disposed = true;
            providers = _providers;
        }

        providers?.Dispose();
        _earlyListener.Dispose();
        _exportFailures?.Dispose();
    }

    public void Dispose() => Dispose(TimeSpan.Zero);

    private static ActivitySamplingResult EarlySample(in ActivityContext parent, bool recordUnsampled)
    {
        // ObserveLambda's ParentBasedSampler, as the SDK applies it: a dropped root or remote parent still propagates.
        if (parent.TraceId == default)
        {
            return ActivitySamplingResult.AllDataAndRecorded;
        }

        var sampled = (parent.TraceFlags & ActivityTraceFlags.Recorded) != 0;
        if (parent.IsRemote)
        {
            return sampled || recordUnsampled ? ActivitySamplingResult.AllDataAndRecorded : ActivitySamplingResult.PropagationData;
        }

        return sampled ? ActivitySamplingResult.AllDataAndRecorded : ActivitySamplingResult.None;
    }

    private static bool IsOtlpConfigured(LambdaEnvironment environment, string signal)
    {
        if (string.Equals(environment.Read($"OTEL_{signal}_EXPORTER"), "none", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        return !string.IsNullOrEmpty(environment.Read("OTEL_EXPORTER_OTLP_ENDPOINT"))
            || !string.IsNullOrEmpty(environment.Read($"OTEL_EXPORTER_OTLP_{signal}_ENDPOINT"));
    }

    private static Sampler CreateSampler(bool recordUnsampled) =>
        new ParentBasedSampler(
            new AlwaysOnSampler(),
            remoteParentSampled: new AlwaysOnSampler(),
            remoteParentNotSampled: recordUnsampled ? new AlwaysOnSampler() : new AlwaysOffSampler(),
            localParentSampled: new AlwaysOnSampler(),
            localParentNotSampled: new AlwaysOffSampler());

    private static ResourceBuilder CreateResource(ObserveLambdaOptions options, LambdaEnvironment environment)
    {
        var attributes = new List<KeyValuePair<string, object>>
        {
            new("cloud.provider", "aws"),
            new("cloud.platform", "aws_lambda"),
            new("faas.name", environment.FunctionName),
            new("faas.version", environment.FunctionVersion),
        };
        if (environment.Region is { } region)
        {
            attributes.Add(new("cloud.region", region));
        }

        if (environment.LogStreamName is { } stream)
        {
            attributes.Add(new("faas.instance", stream));
        }

        if (environment.MemorySizeMb is { } mb)
        {
            attributes.Add(new("faas.max_memory", mb * 1024L * 1024L));
        }

        if (environment.LogGroupName is { } group)
        {
            attributes.Add(new("aws.log.group.names", new[] { group }));
        }

        var serviceName = options.ServiceName ?? environment.Read("OTEL_SERVICE_NAME") ?? environment.FunctionName;
        return ResourceBuilder.CreateDefault()
            .AddService(serviceName, serviceVersion: environment.FunctionVersion, autoGenerateServiceInstanceId: true)
            .AddAttributes(attributes);
    }

    private static Providers Build(ObserveLambdaOptions options, LambdaEnvironment environment, LogSettings logSettings, bool exportLogs, string? version)
    {
        var instruments = new InvocationInstruments(version);
        var resource = CreateResource(options, environment);
        var tracing = Sdk.CreateTracerProviderBuilder()
            .AddSource(ObserveLambda.InstrumentationName)
            .SetResourceBuilder(resource)
            .SetSampler(CreateSampler(options.RecordUnsampledInvocations));
        options.ConfigureTracing?.Invoke(tracing);
        var metrics = Sdk.CreateMeterProviderBuilder()
            .AddMeter(ObserveLambda.InstrumentationName)
            .SetResourceBuilder(resource);
        options.ConfigureMetrics?.Invoke(metrics);
        if (options.EnableOtlpExport ?? IsOtlpConfigured(environment, "TRACES"))
        {
            tracing.AddOtlpExporter();
        }

        if (options.EnableOtlpExport ?? IsOtlpConfigured(environment, "METRICS"))
        {
            // Each execution environment is a separate short-lived process: delta points add up correctly across them.
            metrics.AddOtlpExporter((_, reader) => reader.TemporalityPreference = MetricReaderTemporalityPreference.Delta);
        }

        var tracerProvider = tracing.Build();
        var meterProvider = metrics.Build();
        if (!exportLogs)
        {
            return new Providers(instruments, tracerProvider, meterProvider, null, null, null);
        }

        // Same levels (and debug sampling) as the JSON lines: the deferred provider in ObserveLambda's factory filters.
        // Scopes are left out when redaction is on: the exporter reads them after any processor could hide their values.
        var services = new ServiceCollection();
        services.AddLogging(builder => builder.AddOpenTelemetry(o =>
        {
            o.IncludeFormattedMessage = true;
            o.IncludeScopes = logSettings.IncludeScopes && logSettings.Redacted.Count == 0;
        }));
        services.ConfigureOpenTelemetryLoggerProvider(logging =>
        {
            logging.SetResourceBuilder(resource);
            logging.AddProcessor(new ReplayTimestampProcessor());
            if (logSettings.Redacted.Count > 0)
            {
                logging.AddProcessor(new RedactingLogProcessor(logSettings));
            }

            options.ConfigureLogging?.Invoke(logging);
            logging.AddOtlpExporter();
        });
        options.ConfigureLoggingServices?.Invoke(services);
        var logServices = services.BuildServiceProvider();
        var logs = logServices.GetServices<ILoggerProvider>().OfType<OpenTelemetryLoggerProvider>().Single();
        return new Providers(instruments, tracerProvider, meterProvider, logServices, logs, logServices.GetRequiredService<LoggerProvider>());
    }

    private void BuildAndHandOver(ObserveLambdaOptions options, LambdaEnvironment environment, LogSettings logSettings, bool exportLogs, string? version)
    {
        Providers? providers = null;
        try
        {
            options.TelemetrySetupGate?.Invoke();
            _decided.Wait(HoldBackWindow);
            bool heldBack;
            lock (_gate)
            {
                // From here on a hold-back comes too late and is ignored.
                heldBack = _heldBack;
                _building = true;
            }

            if (heldBack)
            {
                _released.Wait();
            }

            providers = Build(options, environment, logSettings, exportLogs, version);
            if (exportLogs || (options.EnableOtlpExport ?? (IsOtlpConfigured(environment, "TRACES") || IsOtlpConfigured(environment, "METRICS"))))
            {
                // Here, beside the SDK's set-up, not on the way to the first invocation.
                _exportFailures = new ExportFailureListener(_notices, environment);
            }
        }
        catch (Exception ex)
        {
            _failure = ex;
            InstrumentationEventSource.Log.TelemetrySetupFailed(ex);
        }

        HandOver(providers);
    }

    private void HandOver(Providers? providers)
    {
        Activity[] spans;
        InvocationMeasurements[]? metrics;
        int metricCount;
        int droppedSpans;
        int droppedMetrics;
        lock (_gate)
        {
            if (_disposed)
            {
                providers?.Dispose();
                providers = null;
            }

            _providers = providers;
            _handedOver = true;
            spans = [.. _pendingSpans];
            metrics = _pendingMetrics;
            metricCount = _pendingMetricCount;
            droppedSpans = _droppedSpans;
            droppedMetrics = _droppedMetrics;
            _pendingSpans.Clear();
            _pendingMetrics = null;
            _pendingMetricCount = 0;
        }

        try
        {
            // The SDK's listener is attached now; from here on it decides.
            _earlyListener.Dispose();

            // Log records first, while the kept spans are not stopped yet and can be made current for their ids.
            LogExport?.Attach(providers?.Logs ?? NullLoggerProvider.Instance);
            if (providers is not null)
            {
                for (var i = 0; i < metricCount; i++)
                {
                    providers.Instruments.Record(metrics![i]);
                }
            }

            var current = Activity.Current;
            foreach (var span in spans)
            {
                span.Stop();
            }

            Activity.Current = current;
            if (droppedSpans > 0)
            {
                InstrumentationEventSource.Log.TelemetryDropped("invocation spans", droppedSpans);
            }

            if (droppedMetrics > 0)
            {
                InstrumentationEventSource.Log.TelemetryDropped("invocations' metrics", droppedMetrics);
            }

            InstrumentationEventSource.Log.TelemetryReady((int)Stopwatch.GetElapsedTime(_created).TotalMilliseconds, spans.Length);
        }
        catch (Exception ex)
        {
            InstrumentationEventSource.Log.InstrumentationFailed("hand over to the OpenTelemetry SDK", ex);
        }
        finally
        {
            _ready.Set();
        }
    }

    /// <summary>The built providers; the log provider belongs to its service provider.</summary>
    internal sealed record Providers(InvocationInstruments Instruments, TracerProvider TracerProvider, MeterProvider MeterProvider, ServiceProvider? LogServices, ILoggerProvider? Logs, LoggerProvider? LogExport) : IDisposable
    {
        public void Dispose()
        {
            TracerProvider.Dispose();
            MeterProvider.Dispose();
            LogServices?.Dispose();
            Instruments.Dispose();
        }
    }

    /// <summary>Gives log records replayed after the SDK became ready the time they were written.</summary>
    private sealed class ReplayTimestampProcessor : BaseProcessor<LogRecord>
    {
        public override void OnEnd(LogRecord data)
        {
            if (DeferredExportLoggerProvider.ReplayTimestamp is { } timestamp)
            {
                data.Timestamp = timestamp;
            }
        }
    }
}
