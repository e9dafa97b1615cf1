using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Observe.Collectors.Aws;
using Observe.Collectors.Collection;
using Observe.Collectors.Tests.Infrastructure;
using Observe.Store;

namespace Observe.Collectors.Tests.Collection;

/// <summary>
/// The collectors host over a real SQLite store in a temp directory, with fake collectors: the host is the unit
/// under test, so what a pass does is up to each test.
/// </summary>
internal sealed class HostHarness : IAsyncDisposable
{
    private readonly TestStore _store;

    private HostHarness(TestStore store, CollectorsHost host, CollectorsInstance instance)
    {
        _store = store;
        Host = host;
        Instance = instance;
    }

    public CollectorsHost Host { get; }

    public CollectorsInstance Instance { get; }

    public IObserveStore Store => _store.Store;

    public static AwsAccountOptions Account(string id, string name, params string[] regions) => new() { AccountId = id, Name = name, Regions = [.. regions] };

    public static Task<HostHarness> CreateAsync(
        IReadOnlyList<AwsAccountOptions> accounts, CollectorsOptions options, TimeProvider time, params ICollector[] collectors) =>
        CreateAsync(new AwsOptions { Accounts = [.. accounts] }, options, time, collectors);

    public static async Task<HostHarness> CreateAsync(AwsOptions aws, CollectorsOptions options, TimeProvider time, params ICollector[] collectors)
    {
        var store = await TestStore.CreateAsync();
        var instance = new CollectorsInstance();
        var host = CreateHost(store.Store, store.Store, aws, options, time, instance, collectors);
        return new HostHarness(store, host, instance);
    }

    /// <summary>A host on a store another harness or test owns: several workers sharing one store.</summary>
    public static CollectorsHost CreateHost(
        IObserveStore store, ILeaseStore leases, AwsOptions aws, CollectorsOptions options, TimeProvider time, CollectorsInstance instance, params ICollector[] collectors) =>
        new(collectors, Options.Create(aws), Options.Create(options), store, store, instance, leases, time, NullLogger<CollectorsHost>.Instance);

    public async ValueTask DisposeAsync()
    {
        Host.Dispose();
        await _store.DisposeAsync();
    }

    /// <summary>Polls until <paramref name="condition"/> holds; fails naming <paramref name="what"/> after 30 s (a cap for a broken test, not a wait: a loaded CI machine can be slow).</summary>
    public static Task WaitUntilAsync(Func<bool> condition, string what) => WaitUntilAsync(() => Task.FromResult(condition()), what);

    public static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(10);
        }
    }
}

/// <summary>A collector whose pass is a delegate; records every pass it started.</summary>
internal sealed class FakeCollector(string name, TimeSpan interval, Func<CollectionTarget, PassReport, CancellationToken, Task> pass) : ICollector
{
    private readonly ConcurrentQueue<(CollectionTarget Target, DateTimeOffset At)> _passes = new();

    public FakeCollector(string name, TimeSpan interval, Func<CollectionTarget, CancellationToken, Task> pass)
        : this(name, interval, (target, _, ct) => pass(target, ct))
    {
    }

    public FakeCollector(string name, TimeSpan interval, TimeProvider time, Func<CollectionTarget, CancellationToken, Task> pass)
        : this(name, interval, pass) => Time = time;

    public string Name => name;

    public TimeSpan Interval => interval;

    private TimeProvider Time { get; } = TimeProvider.System;

    public IReadOnlyList<(CollectionTarget Target, DateTimeOffset At)> Passes => [.. _passes];

    public int PassesOn(string accountId, string region) => Passes.Count(p => p.Target.AccountId == accountId && p.Target.Region == region);

    public Task CollectAsync(CollectionTarget target, PassReport report, CancellationToken cancellationToken)
    {
        _passes.Enqueue((target, Time.GetUtcNow()));
        return pass(target, report, cancellationToken);
    }
}
