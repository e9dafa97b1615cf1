using Microsoft.Extensions.Options;
using Observe.Dashboard.Configuration;

namespace Observe.Dashboard.Demo;

/// <summary>Reports an unreadable <c>Observe:Demo:Enabled</c> with the dashboard's other settings at start.</summary>
internal sealed class DemoModeValidator(DemoMode mode) : IValidateOptions<DashboardOptions>
{
    public ValidateOptionsResult Validate(string? name, DashboardOptions options) =>
        mode.Error is { } error ? ValidateOptionsResult.Fail(error) : ValidateOptionsResult.Success;
}
