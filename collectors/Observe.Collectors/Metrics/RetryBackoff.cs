namespace Observe.Collectors.Metrics;

/// <summary>
/// When a failing read is tried next: one <see cref="MetricsCollectorOptions.WatchedInterval"/> after the first failure,
/// doubling with each further failure up to <see cref="MetricsCollectorOptions.MaxRetryBackoff"/>. A pass that fails
/// every minute would otherwise be billed every minute for the calls that do succeed.
/// </summary>
internal sealed class RetryBackoff
{
    public int Failures { get; private set; }

    public DateTimeOffset? NextAt { get; private set; }

    /// <summary>The last failure as the pass reported it, for the passes that wait.</summary>
    public string? LastError { get; private set; }

    public bool IsDue(DateTimeOffset now) => NextAt is null || now >= NextAt;

    public void Failed(DateTimeOffset now, TimeSpan first, TimeSpan max, string? error = null)
    {
        Failures++;
        var wait = first * Math.Pow(2, Math.Min(Failures - 1, 20));
        NextAt = now + (wait < max ? wait : max);
        LastError = error;
    }

    public void Succeeded()
    {
        Failures = 0;
        NextAt = null;
        LastError = null;
    }
}
