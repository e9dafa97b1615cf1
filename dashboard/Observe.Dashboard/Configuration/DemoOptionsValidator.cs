using Microsoft.Extensions.Options;

namespace Observe.Dashboard.Configuration;

/// <summary>Checks <see cref="DemoOptions"/> at start; every message names the setting.</summary>
internal sealed class DemoOptionsValidator : IValidateOptions<DemoOptions>
{
    private const string Section = DemoOptions.SectionName;

    public ValidateOptionsResult Validate(string? name, DemoOptions options)
    {
        var failures = new List<string>();

        if (options.Functions is < 1 or > 5000)
        {
            failures.Add($"{Section}:Functions is {options.Functions}; it must be between 1 and 5000.");
        }

        OptionChecks.Between(failures, $"{Section}:Backfill", options.Backfill, TimeSpan.Zero, TimeSpan.FromDays(7));
        OptionChecks.Between(failures, $"{Section}:BackfillBatch", options.BackfillBatch, TimeSpan.FromMinutes(1), TimeSpan.FromHours(6));
        OptionChecks.Between(failures, $"{Section}:Interval", options.Interval, TimeSpan.FromMilliseconds(100), TimeSpan.FromHours(1));

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
