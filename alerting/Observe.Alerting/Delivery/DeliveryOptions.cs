namespace Observe.Alerting.Delivery;

/// <summary>How notifications are retried and paced (<c>Observe:Alerting:Delivery</c>).</summary>
internal sealed class DeliveryOptions
{
    public const string SectionName = "Observe:Alerting:Delivery";

    /// <summary>The wait after a first failure; it doubles with each further failure, with jitter.</summary>
    public TimeSpan RetryInitialDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The longest wait between attempts, whatever the doubling gives.</summary>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// The longest <c>Retry-After</c> honoured: a receiver asking for more is retried after this, so one bad header
    /// cannot park a channel for a day.
    /// </summary>
    public TimeSpan RetryAfterCap { get; set; } = TimeSpan.FromHours(1);

    /// <summary>A notification still failing this long after it was queued is given up (failed, shown in the log).</summary>
    public TimeSpan GiveUpAfter { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How often each channel's queue is looked at when nothing wakes it (another replica's test send).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Notifications one channel sends per look at its queue, oldest first.</summary>
    public int BatchSize { get; set; } = 20;
}
