using Observe.Dashboard.Configuration;

namespace Observe.Dashboard.Demo;

/// <summary>Whether the demo fleet runs, and why, decided once at start from configuration.</summary>
public sealed record DemoMode(bool Active, string Reason)
{
    /// <summary>The collectors' account list; the demo only checks whether it has any entry.</summary>
    public const string AccountsSection = "Observe:Aws:Accounts";

    public static DemoMode Resolve(IConfiguration configuration, DemoOptions options)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(options);

        var hasAccounts = configuration.GetSection(AccountsSection).GetChildren().Any();
        return options.Enabled switch
        {
            true when hasAccounts => new(true, $"{DemoOptions.SectionName}:Enabled is true; demo data is mixed with your accounts' data"),
            true => new(true, "no AWS account configured"),
            false => new(false, $"{DemoOptions.SectionName}:Enabled is false"),
            null when hasAccounts => new(false, "AWS accounts are configured"),
            null => new(true, "no AWS account configured"),
        };
    }
}
