using Microsoft.Extensions.Options;

namespace Observe.Collectors.Inventory;

/// <summary>How the inventory collector reads the fleet. Bound from <c>Observe:Collectors:Inventory</c>.</summary>
public sealed class InventoryCollectorOptions
{
    public const string SectionName = "Observe:Collectors:Inventory";

    /// <summary>Time between two listings of one account and region. Default 15 min.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// Every function's tags, aliases, versions and concurrency are re-read at least this often, even when its
    /// <c>LastModified</c> and <c>RevisionId</c> did not change (tagging, aliases and concurrency settings change
    /// neither). The work is spread: each pass re-reads one slice of Interval / FullRefreshInterval of the unchanged
    /// functions. Default 24 h.
    /// </summary>
    public TimeSpan FullRefreshInterval { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Functions whose details are read at once; Lambda's rate budget still bounds the call rate. Default 4.</summary>
    public int DetailConcurrency { get; set; } = 4;

    /// <summary>Functions written to the store per transaction. Default 500.</summary>
    public int WriteBatchSize { get; set; } = 500;
}

/// <summary>Validates <see cref="InventoryCollectorOptions"/> at start, naming each bad setting by its path.</summary>
internal sealed class InventoryCollectorOptionsValidator : IValidateOptions<InventoryCollectorOptions>
{
    private const string Section = InventoryCollectorOptions.SectionName;

    public ValidateOptionsResult Validate(string? name, InventoryCollectorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (options.Interval < TimeSpan.FromMinutes(1))
        {
            errors.Add($"{Section}:Interval '{options.Interval}' must be at least 00:01:00");
        }

        if (options.FullRefreshInterval < options.Interval)
        {
            errors.Add($"{Section}:FullRefreshInterval '{options.FullRefreshInterval}' must be at least {Section}:Interval ('{options.Interval}')");
        }

        if (options.DetailConcurrency is < 1 or > 64)
        {
            errors.Add($"{Section}:DetailConcurrency '{options.DetailConcurrency}' must be between 1 and 64");
        }

        if (options.WriteBatchSize is < 1 or > 10_000)
        {
            errors.Add($"{Section}:WriteBatchSize '{options.WriteBatchSize}' must be between 1 and 10000");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
