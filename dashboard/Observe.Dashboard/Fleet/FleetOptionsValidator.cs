using System.Globalization;
using Microsoft.Extensions.Options;

namespace Observe.Dashboard.Fleet;

/// <summary>Checks <see cref="FleetOptions"/> at start; every message names the setting and the value found.</summary>
internal sealed class FleetOptionsValidator : IValidateOptions<FleetOptions>
{
    private const string Section = FleetOptions.SectionName;

    public ValidateOptionsResult Validate(string? name, FleetOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();

        if (options.OwnerTagKeys is { } keys && keys.Any(string.IsNullOrWhiteSpace))
        {
            failures.Add($"{Section}:OwnerTagKeys has a blank key; list tag keys such as owner or team.");
        }

        Between(failures, "UnusedDays", options.UnusedDays, 1, 3650);
        Between(failures, "DeprecationNoticeDays", options.DeprecationNoticeDays, 0, 3650);
        Ratio(failures, "OverProvisionedMemoryRatio", options.OverProvisionedMemoryRatio);
        Ratio(failures, "NearMemoryLimitRatio", options.NearMemoryLimitRatio);
        Ratio(failures, "NearTimeoutRatio", options.NearTimeoutRatio);
        Ratio(failures, "ErrorRateWarning", options.ErrorRateWarning);
        Ratio(failures, "ErrorRateCritical", options.ErrorRateCritical);
        Ratio(failures, "ColdStartRate", options.ColdStartRate);
        if (options.OverProvisionedMemoryRatio >= options.NearMemoryLimitRatio)
        {
            failures.Add(Invariant($"{Section}:OverProvisionedMemoryRatio ({options.OverProvisionedMemoryRatio}) must be below {Section}:NearMemoryLimitRatio ({options.NearMemoryLimitRatio})."));
        }

        if (options.ErrorRateWarning >= options.ErrorRateCritical)
        {
            failures.Add(Invariant($"{Section}:ErrorRateWarning ({options.ErrorRateWarning}) must be below {Section}:ErrorRateCritical ({options.ErrorRateCritical})."));
        }

        if (!double.IsFinite(options.IteratorAgeMs) || options.IteratorAgeMs <= 0)
        {
            failures.Add(Invariant($"{Section}:IteratorAgeMs is {options.IteratorAgeMs}; it must be a number of milliseconds above 0."));
        }

        Between(failures, "MinimumInvocations", options.MinimumInvocations, 1, int.MaxValue);

        if (options.Pricing is not { } pricing)
        {
            failures.Add($"{Section}:Pricing is missing.");
        }
        else
        {
            if (string.IsNullOrWhiteSpace(pricing.Region))
            {
                failures.Add($"{Section}:Pricing:Region is blank; name the region the prices are for, such as us-east-1.");
            }

            if (pricing.PricesTakenOn == default)
            {
                failures.Add($"{Section}:Pricing:PricesTakenOn is missing; give the date the prices were read (yyyy-MM-dd).");
            }

            Price(failures, "RequestsPerMillion", pricing.RequestsPerMillion);
            Price(failures, "X86GbSecond", pricing.X86GbSecond);
            Price(failures, "ArmGbSecond", pricing.ArmGbSecond);
            Price(failures, "X86ProvisionedGbSecond", pricing.X86ProvisionedGbSecond);
            Price(failures, "ArmProvisionedGbSecond", pricing.ArmProvisionedGbSecond);
            Price(failures, "X86ProvisionedDurationGbSecond", pricing.X86ProvisionedDurationGbSecond);
            Price(failures, "ArmProvisionedDurationGbSecond", pricing.ArmProvisionedDurationGbSecond);
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Between(List<string> failures, string setting, int value, int min, int max)
    {
        if (value < min || value > max)
        {
            failures.Add(Invariant($"{Section}:{setting} is {value}; it must be between {min} and {max}."));
        }
    }

    private static void Ratio(List<string> failures, string setting, double value)
    {
        // Above 0 and below 1: 0 would flag nothing (or everything) and 1 can never be exceeded.
        if (!double.IsFinite(value) || value <= 0 || value >= 1)
        {
            failures.Add(Invariant($"{Section}:{setting} is {value}; it must be a share between 0 and 1, such as 0.8 for 80%."));
        }
    }

    private static void Price(List<string> failures, string setting, decimal value)
    {
        if (value < 0)
        {
            failures.Add(Invariant($"{Section}:Pricing:{setting} is {value}; a price cannot be negative."));
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
