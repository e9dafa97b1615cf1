using Microsoft.Extensions.Diagnostics.HealthChecks;
using Observe.Store;

namespace Observe.Dashboard.Health;

/// <summary>Ready means the store answers and its schema is at least the version start-up migrated it to.</summary>
internal sealed class StoreHealthCheck(IStoreSchema store, StoreReadiness readiness) : IHealthCheck
{
    /// <summary>A store slower than this counts as unreachable: a readiness probe must answer quickly.</summary>
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (readiness.MigratedVersion is not { } migrated)
        {
            return HealthCheckResult.Unhealthy("store migrations have not been applied yet");
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            var version = await store.GetSchemaVersionAsync(timeout.Token);
            return version >= migrated
                ? HealthCheckResult.Healthy($"store reachable, schema version {version}")
                : HealthCheckResult.Unhealthy($"store schema is at version {version}, expected {migrated}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"store did not answer within {Timeout.TotalSeconds:0} seconds");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy("store unreachable: " + ex.Message, ex);
        }
    }
}
