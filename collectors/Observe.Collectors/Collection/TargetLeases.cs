using Microsoft.Extensions.Logging;
using Observe.Store;
using Observe.Store.Model;

namespace Observe.Collectors.Collection;

/// <summary>
/// Spreads collection targets (collector x account x region) over the workers sharing one store, with a lease per
/// target (<c>collect/{collector}/{account}/{region}</c>) and a presence lease per worker (<c>collectors-worker/{id}</c>).
/// Each worker holds at most its fair share (targets / live workers, rounded up), renews what it holds every third of
/// the lease, gives back what is over its share when another worker joins, and takes expired leases of a dead worker
/// within one lease duration. A target loop collects only while its lease is held; a lost lease cancels the pass.
/// </summary>
internal sealed partial class TargetLeases(
    ILeaseStore leases,
    CollectorsInstance instance,
    TimeSpan duration,
    TimeProvider time,
    ILogger logger)
{
    internal const string TargetPrefix = "collect/";
    internal const string WorkerPrefix = "collectors-worker/";

    private readonly Dictionary<string, Held> _held = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public static string NameOf(string collector, CollectionTarget target) => $"{TargetPrefix}{collector}/{target.AccountId}/{target.Region}";

    /// <summary>The token that ends when this worker stops holding the target; null while it does not hold it.</summary>
    public CancellationToken? HeldToken(string name)
    {
        lock (_gate)
        {
            return _held.TryGetValue(name, out var held) ? held.Lost.Token : null;
        }
    }

    /// <summary>Renews and rebalances every third of the lease until stopped; gives everything back at stop.</summary>
    public async Task RunAsync(IReadOnlyList<string> targets, CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    await TickAsync(targets, stoppingToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // The store is unreachable: leases cannot be renewed, so stop collecting before they expire and
                    // another worker takes them (two collecting one target would double its API calls).
                    LogTickFailed(ex);
                    DropExpiring(time.GetUtcNow());
                }

                await Task.Delay(duration / 3, time, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: release below so the other workers take over at once.
        }

        await ReleaseAllAsync().ConfigureAwait(false);
    }

    /// <summary>One round: presence, renewals, the share, give-backs and take-overs.</summary>
    internal async Task TickAsync(IReadOnlyList<string> targets, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await leases.TryAcquireLeaseAsync(WorkerPrefix + instance.Id, instance.Id, duration, now, cancellationToken).ConfigureAwait(false);
        var workers = (await leases.GetLeasesAsync(WorkerPrefix, cancellationToken).ConfigureAwait(false)).Count(l => l.ExpiresAt > now);
        var share = (int)Math.Ceiling(targets.Count / (double)Math.Max(1, workers));

        foreach (var name in HeldNames())
        {
            var renewed = await leases.TryAcquireLeaseAsync(name, instance.Id, duration, now, cancellationToken).ConfigureAwait(false);
            if (renewed is null || renewed.Holder != instance.Id)
            {
                Lose(name, "another worker holds it now");
            }
            else
            {
                Renewed(name, renewed);
            }
        }

        // Over the share (a worker joined): give back the most recently taken, so long-held targets stay put.
        foreach (var held in HeldLeases().OrderByDescending(l => l.AcquiredAt).Take(Math.Max(0, HeldCount() - share)))
        {
            Lose(held.Name, $"rebalancing to {workers} workers");
            await leases.ReleaseLeaseAsync(held, cancellationToken).ConfigureAwait(false);
        }

        if (HeldCount() >= share)
        {
            return;
        }

        var taken = (await leases.GetLeasesAsync(TargetPrefix, cancellationToken).ConfigureAwait(false))
            .Where(l => l.ExpiresAt > now)
            .Select(l => l.Name)
            .ToHashSet(StringComparer.Ordinal);
        foreach (var name in targets.Where(t => !taken.Contains(t) && HeldToken(t) is null))
        {
            if (HeldCount() >= share)
            {
                break;
            }

            // Two workers may race for the same free target: the store lets exactly one take it.
            if (await leases.TryAcquireLeaseAsync(name, instance.Id, duration, now, cancellationToken).ConfigureAwait(false) is { } lease
                && lease.Holder == instance.Id)
            {
                lock (_gate)
                {
                    _held[name] = new Held(lease);
                }

                LogTook(name, lease.Token, share, workers);
            }
        }
    }

    private List<string> HeldNames()
    {
        lock (_gate)
        {
            return [.. _held.Keys];
        }
    }

    private List<Lease> HeldLeases()
    {
        lock (_gate)
        {
            return [.. _held.Values.Select(h => h.Lease)];
        }
    }

    private int HeldCount()
    {
        lock (_gate)
        {
            return _held.Count;
        }
    }

    private void Renewed(string name, Lease lease)
    {
        lock (_gate)
        {
            if (_held.TryGetValue(name, out var held))
            {
                held.Lease = lease;
            }
        }
    }

    private void Lose(string name, string why)
    {
        Held? held;
        lock (_gate)
        {
            if (!_held.Remove(name, out held))
            {
                return;
            }
        }

        LogLost(name, why);

        // Not disposed: a target loop may be linking this token right now; a cancelled source holds no timer.
        held.Lost.Cancel();
    }

    /// <summary>Stops collecting targets whose lease ends before the next renewal could run.</summary>
    private void DropExpiring(DateTimeOffset now)
    {
        foreach (var lease in HeldLeases().Where(l => l.ExpiresAt - now <= duration / 3))
        {
            Lose(lease.Name, "its lease could not be renewed");
        }
    }

    private async Task ReleaseAllAsync()
    {
        foreach (var lease in HeldLeases())
        {
            Lose(lease.Name, "stopping");
            try
            {
                // A fresh token: the host's has ended, and releasing is what lets the others take over at once.
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await leases.ReleaseLeaseAsync(lease, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                // Not released: it expires within one lease duration instead.
                LogReleaseFailed(ex, lease.Name);
            }
        }
    }

    private sealed class Held(Lease lease)
    {
        public Lease Lease { get; set; } = lease;

        public CancellationTokenSource Lost { get; } = new();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Took collection target {Target} (token {Token}); share {Share} per worker over {Workers} workers")]
    private partial void LogTook(string target, long token, int share, int workers);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopped collecting target {Target}: {Reason}")]
    private partial void LogLost(string target, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not renew the collection target leases; targets about to expire are stopped")]
    private partial void LogTickFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not release collection target {Target} at stop; it expires instead")]
    private partial void LogReleaseFailed(Exception exception, string target);
}
