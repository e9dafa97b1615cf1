using Microsoft.Extensions.Options;

namespace Observe.Collectors.Alarms;

/// <summary>How the alarms collector polls CloudWatch alarms. Bound from <c>Observe:Collectors:Alarms</c>.</summary>
public sealed class AlarmsCollectorOptions
{
    public const string SectionName = "Observe:Collectors:Alarms";

    /// <summary>
    /// Time between two DescribeAlarms listings of one account and region. Default 1 min: alarms evaluate every minute
    /// at most, and a listing costs one call per 100 alarms.
    /// </summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>Validates <see cref="AlarmsCollectorOptions"/> at start, naming each bad setting by its path.</summary>
public sealed class AlarmsCollectorOptionsValidator : IValidateOptions<AlarmsCollectorOptions>
{
    public ValidateOptionsResult Validate(string? name, AlarmsCollectorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Interval < TimeSpan.FromSeconds(10)
            ? ValidateOptionsResult.Fail($"{AlarmsCollectorOptions.SectionName}:Interval '{options.Interval}' must be at least 00:00:10")
            : ValidateOptionsResult.Success;
    }
}
