using System.Security.Cryptography;

namespace Observe.Alerting.Hosting;

/// <summary>
/// This replica among those sharing one store (<c>host/pid/random</c>): the holder name of the alerting lease. New at
/// every start, so a restarted replica never mistakes the lease its previous life held for its own.
/// </summary>
internal sealed class AlertingInstance
{
    public string Id { get; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Convert.ToHexString(RandomNumberGenerator.GetBytes(3))}";
}
