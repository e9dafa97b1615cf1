using Microsoft.Extensions.Options;
using Observe.Dashboard.Model;

namespace Observe.Dashboard.Configuration;

/// <summary>Checks <see cref="DashboardOptions"/> at start; every message names the setting.</summary>
internal sealed class DashboardOptionsValidator : IValidateOptions<DashboardOptions>
{
    private const string Section = DashboardOptions.SectionName;

    public ValidateOptionsResult Validate(string? name, DashboardOptions options)
    {
        var failures = new List<string>();

        OptionChecks.Between(failures, $"{Section}:MaxRange", options.MaxRange, TimeSpan.FromHours(1), TimeSpan.FromDays(3650));
        var range = TimeRangeQuery.Parse(options.DefaultRange, null, null, fallback: null, maxLength: TimeSpan.FromDays(3650));
        if (range.Error is not null)
        {
            failures.Add($"{Section}:DefaultRange: {range.Error.Problem}");
        }
        else if (range.Selection is not { IsRelative: true })
        {
            failures.Add($"{Section}:DefaultRange must be a relative range such as 1h.");
        }
        else if (range.Selection.Length > options.MaxRange)
        {
            failures.Add($"{Section}:DefaultRange {options.DefaultRange} is longer than {Section}:MaxRange ({options.MaxRange}); every page would open refused.");
        }

        if (options.MaxCircuitsPerUser is < 1 or > 1000)
        {
            failures.Add($"{Section}:MaxCircuitsPerUser is {options.MaxCircuitsPerUser}; it must be between 1 and 1000.");
        }

        OptionChecks.Between(failures, $"{Section}:RefreshThrottle", options.RefreshThrottle, TimeSpan.FromMilliseconds(50), TimeSpan.FromMinutes(1));
        OptionChecks.Between(failures, $"{Section}:SlideInterval", options.SlideInterval, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1));
        OptionChecks.Between(failures, $"{Section}:RetentionInterval", options.RetentionInterval, TimeSpan.FromMinutes(1), TimeSpan.FromDays(1));

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
