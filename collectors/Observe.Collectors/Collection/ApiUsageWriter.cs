using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Observe.Collectors.Aws;
using Observe.Store;

namespace Observe.Collectors.Collection;

/// <summary>
/// Copies this process's <see cref="IAwsUsageMeter"/> totals to the store every
/// <see cref="CollectorsOptions.UsageFlushInterval"/> and once more at stop, under this process's instance id. The
/// totals are absolute, so rewriting them is idempotent; the day that just ended is written once more after midnight
/// so its last minutes are not lost.
/// </summary>
internal sealed partial class ApiUsageWriter(
    IAwsUsageMeter meter,
    ICollectorStatusWriter statusWriter,
    CollectorsInstance instance,
    IOptions<CollectorsOptions> options,
    TimeProvider time,
    ILogger<ApiUsageWriter> logger) : BackgroundService
{
    private DateOnly? _lastFlushedDay;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.UsageFlushInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await FlushAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The final flush runs in StopAsync.
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await FlushAsync(cancellationToken);
    }

    /// <summary>Writes today's totals, and the previous flush's day when it was another day.</summary>
    internal async Task FlushAsync(CancellationToken cancellationToken)
    {
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var previous = _lastFlushedDay ?? today.AddDays(-1);
        var rows = (previous < today ? meter.GetUsage(previous) : []).Concat(meter.GetUsage(today)).ToList();
        try
        {
            await statusWriter.UpsertApiUsageAsync(instance.Id, rows, cancellationToken);
            _lastFlushedDay = today;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The meter keeps counting; the next flush writes the totals including this minute.
            LogFlushFailed(ex, rows.Count);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not write {Rows} API usage rows to the store; retrying at the next flush")]
    private partial void LogFlushFailed(Exception exception, int rows);
}
