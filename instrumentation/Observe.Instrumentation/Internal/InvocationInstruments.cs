using System.Diagnostics.Metrics;

namespace Observe.Instrumentation.Internal;

/// <summary>
/// The <c>faas.*</c> metrics. Created with the OpenTelemetry providers on their background task: nothing listens to
/// them before, so invocations that end earlier hand their measurements to <see cref="TelemetryPipeline"/> instead.
/// </summary>
internal sealed class InvocationInstruments : IDisposable
{
    private readonly Meter _meter;
    private readonly Counter<long> _invocationCount;
    private readonly Counter<long> _errorCount;
    private readonly Counter<long> _coldStartCount;
    private readonly Counter<long> _timeoutCount;
    private readonly Histogram<double> _duration;
    private readonly Histogram<double> _initDuration;

    public InvocationInstruments(string? version)
    {
        _meter = new Meter(ObserveLambda.InstrumentationName, version);
        _invocationCount = _meter.CreateCounter<long>("faas.invocations", "{invocation}", "Invocations of the function.");
        _errorCount = _meter.CreateCounter<long>("faas.errors", "{error}", "Invocations that ended with an exception.");
        _coldStartCount = _meter.CreateCounter<long>("faas.coldstarts", "{coldstart}", "Invocations that waited for an on-demand initialization.");
        _timeoutCount = _meter.CreateCounter<long>("faas.timeouts", "{timeout}", "Invocations that reached their deadline.");
        _duration = _meter.CreateHistogram<double>("faas.invoke_duration", "s", "Duration of the handler.");
        _initDuration = _meter.CreateHistogram<double>("faas.init_duration", "s", "Time from process start to the first invocation of a cold start.");
    }

    public void Record(InvocationMeasurements measurements)
    {
        var trigger = new KeyValuePair<string, object?>("faas.trigger", measurements.Trigger);
        _invocationCount.Add(1, trigger);
        _duration.Record(measurements.DurationSeconds, trigger);
        if (measurements.Failed || measurements.TimedOut)
        {
            _errorCount.Add(1, trigger);
        }

        if (measurements.TimedOut)
        {
            _timeoutCount.Add(1, trigger);
        }

        if (measurements.InitSeconds is { } initSeconds)
        {
            _coldStartCount.Add(1, trigger);
            _initDuration.Record(initSeconds, trigger);
        }
    }

    public void Dispose() => _meter.Dispose();
}

/// <summary>The metrics of one ended invocation, recorded at once or replayed when the SDK is ready.</summary>
internal readonly record struct InvocationMeasurements(string Trigger, double DurationSeconds, bool Failed, bool TimedOut, double? InitSeconds);
