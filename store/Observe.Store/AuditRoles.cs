using Observe.Store.Model;

namespace Observe.Store;

/// <summary>The audit log as the Settings page reads it, with the users and actions it holds for the filters.</summary>
public interface IAuditLogReader
{
    /// <summary>The entries matching <paramref name="query"/>, newest first, and how many match in all.</summary>
    Task<AuditPage> GetAuditEntriesAsync(AuditQuery query, CancellationToken cancellationToken);

    /// <summary>The distinct users and actions in the log, each sorted, for the page's filters.</summary>
    Task<(IReadOnlyList<string> Actors, IReadOnlyList<string> Actions)> GetAuditFacetsAsync(CancellationToken cancellationToken);
}

/// <summary>Appending to the audit log; the dashboard's action services are its only callers.</summary>
public interface IAuditLogWriter
{
    /// <summary>Writes <paramref name="entry"/> durably and returns it with its id; throws when it could not be written.</summary>
    Task<AuditEntry> AppendAuditEntryAsync(AuditEntry entry, CancellationToken cancellationToken);
}

/// <summary>
/// The ASP.NET Core Data Protection key ring kept in the store, so replicas share it and a restart keeps it. Elements
/// are written once by name; a second write of the same name changes nothing.
/// </summary>
public interface IDataProtectionKeyStore
{
    /// <summary>Every stored element, oldest first.</summary>
    Task<IReadOnlyList<DataProtectionKeyElement>> GetDataProtectionKeysAsync(CancellationToken cancellationToken);

    /// <summary>Stores an element under <paramref name="name"/> unless one with that name exists.</summary>
    Task StoreDataProtectionKeyAsync(string name, string xml, DateTimeOffset at, CancellationToken cancellationToken);
}
