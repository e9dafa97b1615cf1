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

/// <summary>Validates <see cref="DeliveryOptions"/> at start, naming each bad setting by its path.</summary>
internal sealed class DeliveryOptionsValidator : Microsoft.Extensions.Options.IValidateOptions<DeliveryOptions>
{
    public Microsoft.Extensions.Options.ValidateOptionsResult Validate(string? name, DeliveryOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        const string S = DeliveryOptions.SectionName;
        var failures = new List<string>();
        if (options.RetryInitialDelay < TimeSpan.FromMilliseconds(100))
        {
            failures.Add($"{S}:RetryInitialDelay '{options.RetryInitialDelay}' must be at least 00:00:00.1");
        }

        if (options.RetryMaxDelay < options.RetryInitialDelay)
        {
            failures.Add($"{S}:RetryMaxDelay '{options.RetryMaxDelay}' must be at least RetryInitialDelay '{options.RetryInitialDelay}'");
        }

        if (options.RetryAfterCap <= TimeSpan.Zero)
        {
            failures.Add($"{S}:RetryAfterCap '{options.RetryAfterCap}' must be longer than zero");
        }

        if (options.GiveUpAfter < options.RetryMaxDelay)
        {
            failures.Add($"{S}:GiveUpAfter '{options.GiveUpAfter}' must be at least RetryMaxDelay '{options.RetryMaxDelay}'");
        }

        if (options.PollInterval < TimeSpan.FromMilliseconds(50) || options.PollInterval > TimeSpan.FromMinutes(5))
        {
            failures.Add($"{S}:PollInterval '{options.PollInterval}' must be between 00:00:00.05 and 00:05:00");
        }

        if (options.BatchSize is < 1 or > 1000)
        {
            failures.Add($"{S}:BatchSize {options.BatchSize} is outside 1 to 1000");
        }

        return failures.Count == 0 ? Microsoft.Extensions.Options.ValidateOptionsResult.Success : Microsoft.Extensions.Options.ValidateOptionsResult.Fail(failures);
    }
}
