using Microsoft.Extensions.Options;

namespace Observe.Collectors.Collection;

/// <summary>Validates <see cref="CollectorsOptions"/> at start; each message names the setting by its configuration path.</summary>
internal sealed class CollectorsOptionsValidator : IValidateOptions<CollectorsOptions>
{
    private const string Section = CollectorsOptions.SectionName;

    public ValidateOptionsResult Validate(string? name, CollectorsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (options.MaxConcurrentTargets is < 1 or > 1000)
        {
            errors.Add($"{Section}:MaxConcurrentTargets {options.MaxConcurrentTargets} is outside 1 to 1000");
        }

        if (options.StartSpread < TimeSpan.Zero)
        {
            errors.Add($"{Section}:StartSpread ({options.StartSpread}) is negative");
        }

        if (options.PassTimeout <= TimeSpan.Zero)
        {
            errors.Add($"{Section}:PassTimeout ({options.PassTimeout}) must be longer than zero");
        }

        if (options.UsageFlushInterval < TimeSpan.FromSeconds(1))
        {
            errors.Add($"{Section}:UsageFlushInterval ({options.UsageFlushInterval}) must be at least 00:00:01");
        }

        if (options.ShareTargets && options.TargetLeaseDuration < TimeSpan.FromSeconds(3))
        {
            errors.Add($"{Section}:TargetLeaseDuration ({options.TargetLeaseDuration}) must be at least 00:00:03 when ShareTargets is on");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
