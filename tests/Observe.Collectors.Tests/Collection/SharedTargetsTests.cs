using System.Collections.Concurrent;
using System.Globalization;
using Observe.Collectors.Aws;
using Observe.Collectors.Collection;
using Observe.Collectors.Tests.Infrastructure;
using Observe.Store;
using Observe.Store.Model;

namespace Observe.Collectors.Tests.Collection;

/// <summary>
/// Two collector workers on one PostgreSQL store with <see cref="CollectorsOptions.ShareTargets"/>: each target is
/// collected by one worker at a time, and a dead worker's targets resume on the other from their checkpoints. Every
/// pass reads its target's checkpoint (a sequence number) and writes the next one, so a target collected twice at once
/// shows a repeated number (doubled API calls) and a pass that lost its place shows a skipped one.
/// </summary>
public sealed class SharedTargetsTests
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(4);

    private static readonly AwsOptions Fleet = new()
    {
        Accounts =
        [
            HostHarness.Account("111111111111", "prod", "eu-west-1", "us-east-1"),
            HostHarness.Account("222222222222", "staging", "eu-west-1", "us-east-1"),
        ],
    };

    private static readonly CollectorsOptions Sharing = new() { ShareTargets = true, TargetLeaseDuration = Lease, StartSpread = TimeSpan.Zero };

    [Fact]
    public async Task TwoWorkers_EveryTargetByOneWorkerAtATime_SpreadEvenly()
    {
        await using var store = await TestStore.CreateAsync(StoreKind.PostgreSql);
        var log = new PassLog(store.Store);
        using var a = log.Worker("a", store.Store);
        using var b = log.Worker("b", store.Store);

        await a.Host.StartAsync(CancellationToken.None);
        await b.Host.StartAsync(CancellationToken.None);

        // The first worker may take every target before the second shows up; it gives two back when it sees it.
        await HostHarness.WaitUntilAsync(
            async () => log.Targets().All(t => log.PassesOn(t) >= 5) && await HeldByAsync(store.Store) is { Count: 2 } held && held.Values.All(n => n == 2),
            "five passes on every target and two targets held by each worker");
        var holders = (await store.Store.GetLeasesAsync(TargetLeases.TargetPrefix, CancellationToken.None)).ToDictionary(l => l.Name, l => log.WorkerOf(l.Holder));
        var passes = log.Targets().ToDictionary(t => t, log.PassesOn);
        await HostHarness.WaitUntilAsync(() => log.Targets().All(t => log.PassesOn(t) >= passes[t] + 2), "two more passes on every target");

        await a.Host.StopAsync(CancellationToken.None);
        await b.Host.StopAsync(CancellationToken.None);
        Assert.All(log.Targets(), t => Assert.Equal(holders[t], log.LatestWorker(t)));
        log.AssertOneWorkerAtATimeAndNoGap();
    }

    [Fact]
    public async Task WorkerKilled_ItsTargetsResumeOnTheOtherFromTheirCheckpointsWithinTheLease()
    {
        await using var store = await TestStore.CreateAsync(StoreKind.PostgreSql);
        var log = new PassLog(store.Store);
        var killable = new KillableLeases(store.Store);
        using var a = log.Worker("a", killable);
        using var b = log.Worker("b", store.Store);
        await a.Host.StartAsync(CancellationToken.None);
        await b.Host.StartAsync(CancellationToken.None);
        await HostHarness.WaitUntilAsync(
            async () => await HeldByAsync(store.Store) is { Count: 2 } held && held.Values.All(n => n == 2) && log.Targets().All(t => log.PassesOn(t) >= 3),
            "each worker holding two targets");

        // kill -9: the process stops mid-interval and gives nothing back; its leases run out on their own.
        var orphaned = (await store.Store.GetLeasesAsync(TargetLeases.TargetPrefix, CancellationToken.None))
            .Where(l => l.Holder == a.Instance.Id).Select(l => l.Name).ToList();
        killable.Kill();
        await a.Host.StopAsync(CancellationToken.None);
        var killedAt = DateTimeOffset.UtcNow;
        var passesAtKill = log.Targets().ToDictionary(t => t, log.PassesOn);

        await HostHarness.WaitUntilAsync(
            () => log.Targets().All(t => log.PassesOn(t) >= passesAtKill[t] + 2 && log.LatestWorker(t) == "b"),
            "every target collected by the surviving worker");
        await b.Host.StopAsync(CancellationToken.None);

        Assert.Equal(2, orphaned.Count);
        foreach (var name in orphaned)
        {
            var resumed = log.FirstPassAfter(name, "b", killedAt);

            // Taken over once the dead worker's lease expired, at the survivor's next renewal round (a third of the lease).
            Assert.True(resumed - killedAt < Lease + Lease, $"{name} resumed {resumed - killedAt} after the kill; the lease is {Lease}");
        }

        log.AssertOneWorkerAtATimeAndNoGap();
    }

    private static async Task<Dictionary<string, int>> HeldByAsync(ILeaseStore leases)
    {
        var now = DateTimeOffset.UtcNow;
        return (await leases.GetLeasesAsync(TargetLeases.TargetPrefix, CancellationToken.None))
            .Where(l => l.ExpiresAt > now)
            .GroupBy(l => l.Holder)
            .ToDictionary(g => g.Key, g => g.Count());
    }

    /// <summary>Every pass of both workers: which target, which worker, the checkpoint it read, when it ran.</summary>
    private sealed class PassLog(IObserveStore store)
    {
        private readonly ConcurrentQueue<(string Target, string Worker, int Sequence, DateTimeOffset Start, DateTimeOffset End)> _passes = new();
        private readonly ConcurrentDictionary<string, string> _workerByInstance = new();

        public string WorkerOf(string instanceId) => _workerByInstance[instanceId];

        public Worker Worker(string name, ILeaseStore leases)
        {
            var instance = new CollectorsInstance();
            _workerByInstance[instance.Id] = name;
            var collector = new FakeCollector("metrics", TimeSpan.FromMilliseconds(200), async (target, ct) =>
            {
                var key = TargetLeases.NameOf("metrics", target);
                var start = DateTimeOffset.UtcNow;
                var sequence = int.Parse(await store.GetCheckpointAsync(key, ct) ?? "0", CultureInfo.InvariantCulture);

                // A pass takes a while, as real ones do: a second worker on the same target would overlap it.
                await Task.Delay(20, ct);
                await store.SetCheckpointAsync(key, (sequence + 1).ToString(CultureInfo.InvariantCulture), ct);
                _passes.Enqueue((key, name, sequence, start, DateTimeOffset.UtcNow));
            });
            var host = HostHarness.CreateHost(store, leases, Fleet, Sharing, TimeProvider.System, instance, collector);
            return new Worker(host, instance);
        }

        public IEnumerable<string> Targets() =>
            Fleet.Accounts.SelectMany(a => a.Regions.Select(r => $"{TargetLeases.TargetPrefix}metrics/{a.AccountId}/{r}"));

        public int PassesOn(string target) => _passes.Count(p => p.Target == target);

        public string? LatestWorker(string target) => _passes.Where(p => p.Target == target).OrderBy(p => p.Sequence).LastOrDefault().Worker;

        public DateTimeOffset FirstPassAfter(string target, string worker, DateTimeOffset after) =>
            _passes.Where(p => p.Target == target && p.Worker == worker && p.Start >= after).Min(p => p.Start);

        public void AssertOneWorkerAtATimeAndNoGap()
        {
            foreach (var target in Targets())
            {
                var passes = _passes.Where(p => p.Target == target).OrderBy(p => p.Sequence).ToList();

                // Each checkpoint read exactly once, in order: nothing collected twice, nothing skipped.
                Assert.Equal(Enumerable.Range(0, passes.Count), passes.Select(p => p.Sequence));
                for (var i = 1; i < passes.Count; i++)
                {
                    Assert.True(passes[i].Start >= passes[i - 1].End, $"{target}: pass {i} by {passes[i].Worker} started before pass {i - 1} by {passes[i - 1].Worker} ended");
                }
            }
        }
    }

    private sealed class Worker(CollectorsHost host, CollectorsInstance instance) : IDisposable
    {
        public CollectorsHost Host => host;

        public CollectorsInstance Instance => instance;

        public void Dispose() => host.Dispose();
    }

    /// <summary>The store's leases until <see cref="Kill"/>; then nothing is released, as when a process is killed.</summary>
    private sealed class KillableLeases(ILeaseStore inner) : ILeaseStore
    {
        private volatile bool _killed;

        public void Kill() => _killed = true;

        public Task<Lease?> TryAcquireLeaseAsync(string name, string holder, TimeSpan duration, DateTimeOffset now, CancellationToken cancellationToken) =>
            _killed ? Task.FromResult<Lease?>(null) : inner.TryAcquireLeaseAsync(name, holder, duration, now, cancellationToken);

        public Task ReleaseLeaseAsync(Lease lease, CancellationToken cancellationToken) =>
            _killed ? Task.CompletedTask : inner.ReleaseLeaseAsync(lease, cancellationToken);

        public Task<IReadOnlyList<Lease>> GetLeasesAsync(string? prefix, CancellationToken cancellationToken) => inner.GetLeasesAsync(prefix, cancellationToken);
    }
}
