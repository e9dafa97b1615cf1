namespace Observe.Store;

/// <summary>
/// The store cannot be used: its directory is not writable, the database server is unreachable, the schema is newer
/// than this build, or a migration failed. The message names the setting or server involved and is meant to be
/// printed as is before the process exits with a non-zero code. Hosts catch it; only the store throws it.
/// </summary>
public sealed class StoreUnavailableException : Exception
{
    internal StoreUnavailableException(string message)
        : base(message)
    {
    }

    internal StoreUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
