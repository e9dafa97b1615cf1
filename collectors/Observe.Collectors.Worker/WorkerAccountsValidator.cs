using Microsoft.Extensions.Options;
using Observe.Collectors.Aws;

namespace Observe.Collectors.Worker;

/// <summary>A worker without accounts would run and collect nothing; the dashboard shows a demo fleet then, the worker refuses.</summary>
internal sealed class WorkerAccountsValidator : IValidateOptions<AwsOptions>
{
    public ValidateOptionsResult Validate(string? name, AwsOptions options) => options.Accounts is { Count: > 0 }
        ? ValidateOptionsResult.Success
        : ValidateOptionsResult.Fail(
            $"{AwsOptions.SectionName}:Accounts is empty: the collectors worker needs at least one account to collect, for example " +
            "Observe__Aws__Accounts__0__AccountId=123456789012 and Observe__Aws__Accounts__0__Regions__0=eu-west-1");
}
