using System.Globalization;
using Observe.Collectors.Aws;
using Observe.Collectors.Collection;
using Observe.Dashboard.Demo;

namespace Observe.Dashboard.Collection;

/// <summary>
/// Whether this dashboard runs the collectors itself, and why, decided once at start from the bound options: it does
/// when AWS accounts are configured and <c>Observe:Collectors:InProcess</c> is true (the default).
/// </summary>
/// <param name="InProcess">The collectors host runs in this process.</param>
/// <param name="Reason">Why, in words for the Collectors page and the start-up log.</param>
public sealed record CollectorsMode(bool InProcess, string Reason)
{
    public const string InProcessSetting = CollectorsOptions.SectionName + ":" + nameof(CollectorsOptions.InProcess);

    /// <param name="collectors">The collectors' options.</param>
    /// <param name="aws">The accounts to collect.</param>
    /// <param name="demoActive">The demo fleet runs: its store is the demo's own, so nothing real may be written there.</param>
    public static CollectorsMode Resolve(CollectorsOptions collectors, AwsOptions aws, bool demoActive = false)
    {
        ArgumentNullException.ThrowIfNull(collectors);
        ArgumentNullException.ThrowIfNull(aws);

        var accounts = aws.Accounts.Count;
        if (demoActive && accounts > 0)
        {
            return new(false, $"the demo fleet is on ({DemoMode.EnabledSetting} is true), so nothing is collected");
        }

        return (accounts, collectors.InProcess) switch
        {
            (0, _) => new(false, $"no AWS account is configured ({DemoMode.AccountsSection}), so nothing is collected"),
            (_, false) => new(false, $"{InProcessSetting} is false: a separate collectors worker writes to the store"),
            _ => new(true, string.Create(CultureInfo.InvariantCulture, $"this dashboard collects its {accounts} configured AWS account{(accounts == 1 ? "" : "s")} itself")),
        };
    }
}
