using Microsoft.Extensions.Options;
using Observe.Dashboard.Configuration;
using Observe.Store;

namespace Observe.Dashboard.Storage;

/// <summary>
/// Runs the store's retention pass on a timer. The pass is idempotent and safe from several replicas, so every
/// dashboard process runs it; a failed pass is logged and retried at the next tick, never stopping the host.
/// </summary>
internal sealed class RetentionService(
    IStoreRetention store,
    IOptions<DashboardOptions> options,
    TimeProvider time,
    ILogger<RetentionService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.RetentionInterval, time);
        do
        {
            try
            {
                // The store logs what the pass did, every count included.
                await store.ApplyRetentionAsync(time.GetUtcNow(), stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogError(ex, "Retention pass failed; retrying in {Interval}", options.Value.RetentionInterval);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
