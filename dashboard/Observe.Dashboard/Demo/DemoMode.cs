using Observe.Collectors.Aws;
using Observe.Dashboard.Configuration;
using Observe.Store;

namespace Observe.Dashboard.Demo;

/// <summary>Whether the demo fleet runs, and why, decided once at start from the bound options.</summary>
/// <param name="Active">The demo fleet runs, on its own store (<see cref="StoreFolder"/> in the data directory).</param>
/// <param name="Reason">Why, in words for the banner and the start-up log.</param>
public sealed record DemoMode(bool Active, string Reason)
{
    /// <summary>The collectors' account list, named in the banner and in the reasons.</summary>
    public const string AccountsSection = AwsOptions.SectionName + ":" + nameof(AwsOptions.Accounts);

    /// <summary>The demo's own store: a SQLite file in this folder of the data directory, never the real store.</summary>
    public const string StoreFolder = "demo";

    public const string EnabledSetting = DemoOptions.SectionName + ":" + nameof(DemoOptions.Enabled);

    public static DemoMode Resolve(DemoOptions options, AwsOptions aws)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(aws);

        var hasAccounts = aws.Accounts.Count > 0;
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
    /// Applied to the store's options when the demo runs: a SQLite store in <see cref="StoreFolder"/> under the
    /// configured data directory, whatever the configured kind, so demo rows can never be read or counted with an
    /// account's, and switching back finds the real store as it was left.
    /// </summary>
    public static void UseDemoStore(StoreOptions store)
    {
        ArgumentNullException.ThrowIfNull(store);
        var dataDirectory = string.IsNullOrWhiteSpace(store.DataDirectory) ? new StoreOptions().DataDirectory : store.DataDirectory;
        store.Kind = nameof(StoreKind.Sqlite);
        store.DataDirectory = Path.Combine(dataDirectory, StoreFolder);
    }
}
