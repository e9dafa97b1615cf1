using System.Globalization;
using Microsoft.Extensions.Options;
using Observe.Dashboard.Configuration;
using Observe.Store;

namespace Observe.Dashboard.Demo;

/// <summary>
/// Generates the demo fleet when no AWS account is configured: writes the inventory, then on every tick writes the
/// whole minutes that passed, the minute in progress and the alarms, and backfills older history in batches, newest
/// first, so the Overview has figures within seconds of start.
/// </summary>
/// <remarks>
/// The minutes written are tracked as one contiguous range in a store checkpoint: error occurrences add up in the
/// store, so a restart must not write a whole minute twice. Everything else it writes is idempotent.
/// </remarks>
internal sealed class DemoFleetService(
    IFleetWriter store,
    ICheckpointStore checkpoints,
    DemoFleetStatus status,
    IOptions<DemoOptions> options,
    TimeProvider time,
    ILogger<DemoFleetService> logger) : BackgroundService
{
    /// <summary>Bump when the generator changes, so old checkpoints are not trusted for new figures.</summary>
    private const string GeneratorVersion = "v1";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // SQLite calls complete synchronously, so without this the first tick (inventory, first backfill batches)
        // would run inside the host's StartAsync and hold Kestrel back for seconds.
        await Task.Yield();

        var settings = options.Value;
        var checkpointKey = string.Create(CultureInfo.InvariantCulture, $"demo/{GeneratorVersion}/{settings.Seed}/{settings.Functions}");
        if (!status.Mode.Active)
        {
            logger.LogInformation("Demo fleet off: {Reason}", status.Mode.Reason);
            await WarnOfOldDemoRowsAsync(checkpointKey, stoppingToken);
            return;
        }

        var fleet = DemoFleet.Create(settings.Seed, settings.Functions);
        var writer = new DemoWriter(fleet, store);
        logger.LogInformation("Demo fleet on ({Reason}): {Functions} functions, seed {Seed}, {Backfill} of history, a write every {Interval}",
            status.Mode.Reason, fleet.Functions.Count, settings.Seed, settings.Backfill, settings.Interval);

        Coverage? coverage = null;
        var inventoryWritten = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (!inventoryWritten)
                {
                    await writer.WriteInventoryAsync(time.GetUtcNow(), stoppingToken);
                    inventoryWritten = true;
                }

                coverage ??= Coverage.Parse(await checkpoints.GetCheckpointAsync(checkpointKey, stoppingToken));
                coverage = await TickAsync(writer, coverage, checkpointKey, settings, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // A store hiccup must not end the demo: the next tick retries from the checkpoint.
                logger.LogError(ex, "Demo fleet write failed; retrying in {Interval}", settings.Interval);
                status.ReportFailure(ex.Message);
                coverage = null;
            }

            try
            {
                await Task.Delay(settings.Interval, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task<Coverage> TickAsync(DemoWriter writer, Coverage? coverage, string checkpointKey, DemoOptions settings, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var now = time.GetUtcNow();
        var current = DemoAlarms.Floor(now);
        var windowStart = current - settings.Backfill;

        // Nothing written yet, or only history older than the window: start over from the current minute.
        var range = coverage is { } c && c.To >= windowStart && c.To <= current ? c : new Coverage(current, current);

        // Whole minutes that passed since the last tick, oldest first so the range stays contiguous.
        while (range.To < current)
        {
            var to = Min(range.To + settings.BackfillBatch, current);
            await writer.WriteMinutesAsync(range.To, to, cancellationToken);
            range = range with { To = to };
            await SaveAsync(checkpointKey, range, cancellationToken);
        }

        var fraction = (now - current).TotalMinutes;
        await writer.WritePartialMinuteAsync(current, fraction, cancellationToken);
        await writer.WriteAlarmsAsync(now, cancellationToken);
        status.Report(current - Max(range.From, windowStart), settings.Backfill, now);

        // Older history, newest first, one batch at least per tick and more while half the interval is left.
        var batches = 0;
        while (range.From > windowStart && (batches == 0 || time.GetElapsedTime(started) < settings.Interval / 2))
        {
            var from = Max(range.From - settings.BackfillBatch, windowStart);
            await writer.WriteMinutesAsync(from, range.From, cancellationToken);
            range = range with { From = from };
            await SaveAsync(checkpointKey, range, cancellationToken);
            batches++;
            status.Report(current - range.From, settings.Backfill, time.GetUtcNow());
            if (range.From <= windowStart)
            {
                logger.LogInformation("Demo fleet history backfilled: {Backfill}", settings.Backfill);
            }
        }

        return range;
    }

    /// <summary>
    /// Before the demo had a store of its own it wrote into the real one, and its checkpoint is the trace it left.
    /// Those rows cannot be told from an account's by the store, so the operator is told once, with the way out.
    /// </summary>
    private async Task WarnOfOldDemoRowsAsync(string checkpointKey, CancellationToken cancellationToken)
    {
        try
        {
            if (await checkpoints.GetCheckpointAsync(checkpointKey, cancellationToken) is not null)
            {
                logger.LogWarning(
                    "This store holds demo fleet data written by an earlier version, when the demo shared the store (accounts {Accounts}); " +
                    "it is counted with your accounts' figures. Start with an empty Observe:Store:DataDirectory (or database) to remove it",
                    string.Join(", ", DemoCatalog.Accounts.Select(a => a.AccountId)));
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogDebug(ex, "Could not look for old demo rows");
        }
    }

    private Task SaveAsync(string key, Coverage range, CancellationToken cancellationToken) =>
        checkpoints.SetCheckpointAsync(key, range.Format(), cancellationToken);

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    /// <summary>The whole minutes written: [From, To).</summary>
    private readonly record struct Coverage(DateTimeOffset From, DateTimeOffset To)
    {
        public string Format() => string.Create(CultureInfo.InvariantCulture, $"{From.UtcDateTime:O}|{To.UtcDateTime:O}");

        public static Coverage? Parse(string? value)
        {
            var parts = value?.Split('|');
            if (parts is not { Length: 2 }
                || !DateTimeOffset.TryParse(parts[0], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var from)
                || !DateTimeOffset.TryParse(parts[1], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var to)
                || from > to)
            {
                return null;
            }

            return new Coverage(from.ToUniversalTime(), to.ToUniversalTime());
        }
    }
}
