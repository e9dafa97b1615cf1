using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.Extensions.Options;
using Observe.Store;

namespace Observe.Dashboard.Auth;

/// <summary>
/// The Data Protection key ring in the store: every replica on one PostgreSQL store protects and reads session
/// cookies and anti-forgery tokens with the same keys, and a restart on SQLite keeps the sessions it issued.
/// </summary>
/// <remarks>
/// <see cref="IXmlRepository"/> is synchronous; the key manager calls it when it first needs the ring and when it
/// refreshes it (about once a day, or on a key it does not know), never per request, so those calls wait for the store
/// on a pool thread rather than the store growing a synchronous API for them.
/// </remarks>
internal sealed class StoreXmlRepository(Func<IDataProtectionKeyStore> resolveStore, TimeProvider time) : IXmlRepository
{
    // Resolved at the first read, not when the key manager is built (UseAntiforgery builds it while the app is built):
    // the store's options are validated at start, which then reports a bad store setting by name.
    private readonly Lazy<IDataProtectionKeyStore> _store = new(resolveStore);

    /// <summary>How long a call waits for the store before failing; the key manager then retries on its next refresh.</summary>
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public IReadOnlyCollection<XElement> GetAllElements() =>
        Wait(async token => (IReadOnlyCollection<XElement>)(await _store.Value.GetDataProtectionKeysAsync(token)).Select(k => XElement.Parse(k.Xml)).ToList());

    public void StoreElement(XElement element, string friendlyName)
    {
        ArgumentNullException.ThrowIfNull(element);
        var name = string.IsNullOrEmpty(friendlyName) ? "element-" + Guid.NewGuid().ToString("N") : friendlyName;
        Wait(async token =>
        {
            await _store.Value.StoreDataProtectionKeyAsync(name, element.ToString(SaveOptions.DisableFormatting), time.GetUtcNow(), token);
            return true;
        });
    }

    private static T Wait<T>(Func<CancellationToken, Task<T>> call)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        // Task.Run: no caller's synchronisation context is captured, so the wait cannot deadlock on it.
        return Task.Run(() => call(timeout.Token), timeout.Token).GetAwaiter().GetResult();
    }

    /// <summary>Keeps the key ring in the store under the application name "Observe" (cookies name it, not the assembly).</summary>
    public static void AddStoreDataProtection(IServiceCollection services)
    {
        services.AddDataProtection().SetApplicationName(ApplicationName);
        services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(provider => new ConfigureOptions<KeyManagementOptions>(options =>
            options.XmlRepository = new StoreXmlRepository(provider.GetRequiredService<IDataProtectionKeyStore>, provider.GetRequiredService<TimeProvider>())));
    }

    /// <summary>The Data Protection application name every replica shares; a different one cannot read the others' cookies.</summary>
    public const string ApplicationName = "Observe";
}
