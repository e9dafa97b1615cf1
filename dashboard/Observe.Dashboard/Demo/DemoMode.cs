using Observe.Dashboard.Configuration;
using Observe.Store;

namespace Observe.Dashboard.Demo;

/// <summary>Whether the demo fleet runs, and why, decided once at start from configuration.</summary>
/// <param name="Active">The demo fleet runs, on its own store (<see cref="StoreFolder"/> in the data directory).</param>
/// <param name="Reason">Why, in words for the banner and the start-up log.</param>
/// <param name="Error">A setting that cannot be read, named; start-up fails with it.</param>
public sealed record DemoMode(bool Active, string Reason, string? Error = null)
{
    /// <summary>The collectors' account list; the demo only checks whether it has any entry.</summary>
    public const string AccountsSection = "Observe:Aws:Accounts";

    /// <summary>The demo's own store: a SQLite file in this folder of the data directory, never the real store.</summary>
    public const string StoreFolder = "demo";

    public const string EnabledSetting = DemoOptions.SectionName + ":" + nameof(DemoOptions.Enabled);

    /// <summary>Decides from the raw setting, before options are bound: the store to register depends on it.</summary>
    public static DemoMode Resolve(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);

        var raw = configuration[EnabledSetting];
        if (!string.IsNullOrWhiteSpace(raw) && !bool.TryParse(raw, out _))
        {
            return new(false, $"{EnabledSetting} cannot be read", $"{EnabledSetting} '{raw}' is not true or false");
        }

        return Resolve(configuration, new DemoOptions { Enabled = string.IsNullOrWhiteSpace(raw) ? null : bool.Parse(raw) });
    }

    public static DemoMode Resolve(IConfiguration configuration, DemoOptions options)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(options);

        var hasAccounts = configuration.GetSection(AccountsSection).GetChildren().Any();
        return options.Enabled switch
        {
            true when hasAccounts => new(true, $"{EnabledSetting} is true; your accounts are not collected while the demo runs"),
            true => new(true, "no AWS account configured"),
            false => new(false, $"{EnabledSetting} is false"),
            null when hasAccounts => new(false, "AWS accounts are configured"),
            null => new(true, "no AWS account configured"),
        };
    }

    /// <summary>
    /// The configuration the store is registered from: unchanged without the demo; with it, a SQLite store in
    /// <see cref="StoreFolder"/> under the configured data directory, whatever the configured kind, so demo rows can
    /// never be read or counted with an account's, and switching back finds the real store as it was left.
    /// </summary>
    public IConfiguration StoreConfiguration(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        if (!Active)
        {
            return configuration;
        }

        var dataDirectory = configuration[$"{StoreOptions.SectionName}:{nameof(StoreOptions.DataDirectory)}"];
        if (string.IsNullOrWhiteSpace(dataDirectory))
        {
            dataDirectory = new StoreOptions().DataDirectory;
        }

        return new ConfigurationBuilder()
            .AddConfiguration(configuration)
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                [$"{StoreOptions.SectionName}:{nameof(StoreOptions.Kind)}"] = nameof(StoreKind.Sqlite),
                [$"{StoreOptions.SectionName}:{nameof(StoreOptions.DataDirectory)}"] = Path.Combine(dataDirectory, StoreFolder),
            })
            .Build();
    }
}
