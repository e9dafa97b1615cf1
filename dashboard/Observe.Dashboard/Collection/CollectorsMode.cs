using System.Globalization;
using Observe.Collectors.Collection;
using Observe.Dashboard.Demo;

namespace Observe.Dashboard.Collection;

/// <summary>
/// Whether this dashboard runs the collectors itself, and why, decided once at start from configuration: it does when
/// AWS accounts are configured and <c>Observe:Collectors:InProcess</c> is true (the default).
/// </summary>
/// <param name="InProcess">The collectors host runs in this process.</param>
/// <param name="Reason">Why, in words for the Collectors page and the start-up log.</param>
/// <param name="Error">A setting that cannot be read, named; start-up fails with it.</param>
public sealed record CollectorsMode(bool InProcess, string Reason, string? Error = null)
{
    public const string InProcessSetting = CollectorsOptions.SectionName + ":" + nameof(CollectorsOptions.InProcess);

    /// <param name="configuration">The root configuration.</param>
    /// <param name="demoActive">The demo fleet runs: its store is the demo's own, so nothing real may be written there.</param>
    public static CollectorsMode Resolve(IConfiguration configuration, bool demoActive = false)
    {
        ArgumentNullException.ThrowIfNull(configuration);

        var accounts = configuration.GetSection(DemoMode.AccountsSection).GetChildren().Count();
        var raw = configuration[InProcessSetting];
        if (raw is not null && !bool.TryParse(raw, out _))
        {
            return new(false, $"{InProcessSetting} cannot be read", $"{InProcessSetting} '{raw}' is not true or false");
        }

        var inProcess = raw is null || bool.Parse(raw);
        if (demoActive && accounts > 0)
        {
            return new(false, $"the demo fleet is on ({DemoMode.EnabledSetting} is true), so nothing is collected");
        }

        return (accounts, inProcess) switch
        {
            (0, _) => new(false, $"no AWS account is configured ({DemoMode.AccountsSection}), so nothing is collected"),
            (_, false) => new(false, $"{InProcessSetting} is false: a separate collectors worker writes to the store"),
            _ => new(true, string.Create(CultureInfo.InvariantCulture, $"this dashboard collects its {accounts} configured AWS account{(accounts == 1 ? "" : "s")} itself")),
        };
    }
}
