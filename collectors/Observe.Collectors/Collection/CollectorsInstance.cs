using System.Security.Cryptography;

namespace Observe.Collectors.Collection;

/// <summary>
/// This process among those writing to one store: <c>host/pid/random</c>. It keys the process's API usage rows, so it
/// must be new at every start: a restarted process counts from zero and must not overwrite what it counted before.
/// </summary>
internal sealed class CollectorsInstance
{
    public string Id { get; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Convert.ToHexString(RandomNumberGenerator.GetBytes(3))}";
}
