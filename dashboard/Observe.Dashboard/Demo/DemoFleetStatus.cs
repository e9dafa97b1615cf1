namespace Observe.Dashboard.Demo;

/// <summary>What the demo fleet is doing, for the layout's banner and for tests that wait for the backfill.</summary>
public sealed class DemoFleetStatus(DemoMode mode)
{
    private readonly object _gate = new();
    private TimeSpan _backfilled;
    private TimeSpan _backfillTarget;
    private DateTimeOffset? _lastWrite;
    private string? _lastError;

    public DemoMode Mode => mode;

    /// <summary>Raised on a background thread after each write.</summary>
    public event Action? Changed;

    /// <summary>History written so far, back from now.</summary>
    public TimeSpan Backfilled { get { lock (_gate) { return _backfilled; } } }

    public TimeSpan BackfillTarget { get { lock (_gate) { return _backfillTarget; } } }

    public bool BackfillComplete { get { lock (_gate) { return _lastWrite is not null && _backfilled >= _backfillTarget; } } }

    /// <summary>When the demo last wrote; null before its first write.</summary>
    public DateTimeOffset? LastWrite { get { lock (_gate) { return _lastWrite; } } }

    /// <summary>The last write failure, cleared by the next success.</summary>
    public string? LastError { get { lock (_gate) { return _lastError; } } }

    internal void Report(TimeSpan backfilled, TimeSpan target, DateTimeOffset at)
    {
        lock (_gate)
        {
            _backfilled = backfilled;
            _backfillTarget = target;
            _lastWrite = at;
            _lastError = null;
        }

        Changed?.Invoke();
    }

    internal void ReportFailure(string error)
    {
        lock (_gate)
        {
            _lastError = error;
        }

        Changed?.Invoke();
    }
}
