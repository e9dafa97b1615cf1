using Microsoft.Extensions.Options;

namespace Observe.Alerting.Rules;

/// <summary>Where the rules a team keeps in its repository are read from. Bound from <c>Observe:Alerting:RulesFile</c>.</summary>
internal sealed class RulesFileOptions
{
    public const string SectionName = "Observe:Alerting:RulesFile";

    /// <summary>The rules file (YAML, <c>rules:</c> list); none when empty. Re-read whenever it changes.</summary>
    public string? Path { get; set; }
}

/// <summary>Validates <see cref="RulesFileOptions"/> at start: a configured file's directory must exist to be watched.</summary>
internal sealed class RulesFileOptionsValidator : IValidateOptions<RulesFileOptions>
{
    public ValidateOptionsResult Validate(string? name, RulesFileOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.Path))
        {
            return ValidateOptionsResult.Success;
        }

        var full = System.IO.Path.GetFullPath(options.Path);
        var directory = System.IO.Path.GetDirectoryName(full);
        return directory is null || !Directory.Exists(directory) || Directory.Exists(full)
            ? ValidateOptionsResult.Fail($"{RulesFileOptions.SectionName}:Path '{options.Path}' must name a file in an existing directory (the directory is watched for changes)")
            : ValidateOptionsResult.Success;
    }
}
