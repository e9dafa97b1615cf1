using Microsoft.Extensions.Options;
using Observe.Dashboard.Configuration;

namespace Observe.Dashboard.Collection;

/// <summary>
/// Reports an unreadable <c>Observe:Collectors:InProcess</c> with the dashboard's other settings at start, so it fails
/// with the setting named instead of silently not collecting.
/// </summary>
internal sealed class CollectorsModeValidator(CollectorsMode mode) : IValidateOptions<DashboardOptions>
{
    public ValidateOptionsResult Validate(string? name, DashboardOptions options) =>
        mode.Error is { } error ? ValidateOptionsResult.Fail(error) : ValidateOptionsResult.Success;
}
