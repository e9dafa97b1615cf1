using Observe.Collectors.Collection;
using Observe.Collectors.LogCollection;
using Observe.Collectors.Tests.Infrastructure;
using Observe.Store;
using Observe.Store.Model;

namespace Observe.Collectors.Tests.LogCollection;

/// <summary>
/// The FilterLogEvents path against moto, in account 310000000041 reached by AssumeRole, into a real SQLite store.
/// moto ignores the collector's OR filter pattern (<c>?REPORT ?ERROR ...</c>) and returns every event, so these tests
/// also show the parsers leave START/END and ordinary lines alone; that AWS applies the pattern is AWS's part.
/// </summary>
public class LogsCollectorTests
{
    private const string Account = "310000000041";
    private static readonly string[] Regions = ["eu-west-1", "us-east-1"];

    // Whole minutes in the past, so minute buckets are predictable and CloudWatch-like retention never bites.
    private static readonly DateTimeOffset T0 = UtcMinute.Floor(DateTimeOffset.UtcNow).AddMinutes(-20);

    [Theory]
    [InlineData(StoreKind.Sqlite)]
    [InlineData(StoreKind.PostgreSql)]
    public async Task Collect_SeveralFunctionsInTwoRegions_StoreEqualsSeededAndStaysSoOnTheNextPass(StoreKind kind)
    {
        var expected = new Expected();
        var functions = await SeedFleetAsync(expected, functionsPerRegion: 3);
        await using var temp = await TestStore.CreateAsync(kind);
        await LogsFleet.AddInventoryAsync(temp.Store, functions);
        var clock = new ManualTimeProvider(T0.AddMinutes(6));
        using var host = new AwsTestHost(AwsTestHost.OptionsFor(Moto.Url, (Account, Regions)));

        // An overlap longer than the seeded span: the second pass reads every event again.
        var collector = LogsFleet.Collector(host.Clients, temp.Store, clock, new LogsCollectorOptions { Overlap = TimeSpan.FromMinutes(10) });

        await CollectAllAsync(collector, host);

        var range = new TimeRange(T0.AddHours(-1), T0.AddHours(1));
        await LogsFleet.AssertStoreEqualsSeededAsync(temp.Store, expected, functions, range);
        foreach (var f in functions)
        {
            var checkpoint = await temp.Store.GetCheckpointAsync(LogsCollector.CheckpointKey(Target(host, f.Region), LogsCollector.LogGroupName(f.Name)), CancellationToken.None);
            Assert.Equal(expected.Skipped[f], System.Text.Json.JsonDocument.Parse(checkpoint!).RootElement.GetProperty("skipped").GetInt64());
        }

        // Three groups: one call each beats Insights' DescribeLogGroups, two queries and their polls.
        var status = await collector.GetStatusAsync(Target(host, Regions[0]), CancellationToken.None);
        Assert.Equal(LogsReadMode.FilterLogEvents, status!.Mode);
        Assert.Contains("fewer calls", status.Reason, StringComparison.Ordinal);
        var regionOne = functions.Where(f => f.Region == Regions[0]).ToList();
        Assert.Equal(
            new LogsPassCounts(0, regionOne.Sum(f => expected.Reports[f]), regionOne.Sum(f => expected.Errors[f].Values.Sum()), regionOne.Sum(f => expected.Skipped[f]), 0),
            status.LastPass! with { Events = 0 });

        // The next pass re-reads every event above: nothing may count twice.
        clock.Advance(TimeSpan.FromMinutes(1));
        await CollectAllAsync(collector, host);
        await LogsFleet.AssertStoreEqualsSeededAsync(temp.Store, expected, functions, range);
        foreach (var f in functions)
        {
            var checkpoint = await temp.Store.GetCheckpointAsync(LogsCollector.CheckpointKey(Target(host, f.Region), LogsCollector.LogGroupName(f.Name)), CancellationToken.None);
            Assert.Equal(expected.Skipped[f], System.Text.Json.JsonDocument.Parse(checkpoint!).RootElement.GetProperty("skipped").GetInt64());
        }
    }

    [Fact]
    public async Task Collect_120FunctionsThroughThrottlingResetsAnd5xx_StoreEqualsSeeded()
    {
        var expected = new Expected();
        var functions = await SeedFleetAsync(expected, functionsPerRegion: 60);

        // A function that never ran has no log group yet: FilterLogEvents answers ResourceNotFoundException.
        var neverRan = new FunctionKey(Account, Regions[0], $"never-ran-{Guid.NewGuid():N}"[..20]);
        await using var temp = await TestStore.CreateAsync();
        await LogsFleet.AddInventoryAsync(temp.Store, [.. functions, neverRan]);
        await using var proxy = new FaultProxy(Moto.Url);
        // The first request is the AssumeRole into the account (credential faults are the AWS layer's own tests).
        proxy.Script(Fault.Pass);
        var faults = new[] { Fault.Throttling400, Fault.TooManyRequests429, Fault.Unavailable503, Fault.ConnectionReset };
        for (var i = 0; i < 40; i++)
        {
            proxy.Script(faults[i % faults.Length], Fault.Pass, Fault.Pass);
        }

        using var host = new AwsTestHost(AwsTestHost.OptionsFor(proxy.Url, (Account, Regions)));

        // One group at a time, so no request meets more faults in a row than the retry policy absorbs.
        var collector = LogsFleet.Collector(host.Clients, temp.Store, new ManualTimeProvider(T0.AddMinutes(6)), new LogsCollectorOptions { Mode = LogsReadMode.FilterLogEvents, MaxParallelGroups = 1 });

        await CollectAllAsync(collector, host);

        await LogsFleet.AssertStoreEqualsSeededAsync(temp.Store, expected, [.. functions, neverRan], new TimeRange(T0.AddHours(-1), T0.AddHours(1)));
        // One FilterLogEvents call per group (each fits a page), plus a retry for each of the 40 faults.
        Assert.True(proxy.Requests >= 121 + 40, $"every fault retried: {proxy.Requests} requests");
        var status = await collector.GetStatusAsync(Target(host, Regions[0]), CancellationToken.None);
        Assert.Equal((LogsReadMode.FilterLogEvents, 61), (status!.Mode, status.LogGroups));
    }

    [Fact]
    public async Task Collect_FunctionThatNeverRan_NoEventsAndNoFailedCallInTheUsage()
    {
        // Issue 9 defect 6: moto, like AWS, answers FilterLogEvents on a group that does not exist with
        // ResourceNotFoundException, which the collector reads as "no events": an answer, not a failed call.
        var neverRan = new FunctionKey(Account, Regions[0], $"never-ran-{Guid.NewGuid():N}"[..20]);
        await using var temp = await TestStore.CreateAsync();
        await LogsFleet.AddInventoryAsync(temp.Store, [neverRan]);
        using var host = new AwsTestHost(AwsTestHost.OptionsFor(Moto.Url, (Account, Regions)));
        var collector = LogsFleet.Collector(host.Clients, temp.Store, new ManualTimeProvider(T0.AddMinutes(6)), new LogsCollectorOptions { Mode = LogsReadMode.FilterLogEvents });

        await collector.CollectAsync(Target(host, neverRan.Region), CancellationToken.None);

        var today = DateOnly.FromDateTime(host.Time.GetUtcNow().UtcDateTime);
        var filter = host.Meter.GetUsage(today).Concat(host.Meter.GetUsage(today.AddDays(-1))).Where(u => u.Operation == "FilterLogEvents").ToList();
        Assert.Equal((1L, 0L), (filter.Sum(u => u.Calls), filter.Sum(u => u.FailedCalls)));
        var status = await collector.GetStatusAsync(Target(host, neverRan.Region), CancellationToken.None);
        Assert.Equal((0L, 0), (status!.LastPass!.Reports, status.LastPass.FailedGroups));
    }

    [Fact]
    public async Task Collect_LateEventsInsideTheOverlap_AreCountedOnce()
    {
        var expected = new Expected();
        var lines = new LogLines(expected);
        using var seed = new MotoSeeder(Account);
        var f = new FunctionKey(Account, Regions[0], $"late-{Guid.NewGuid():N}"[..16]);
        var group = LogsCollector.LogGroupName(f.Name);
        await LogsFleet.PutEventsAsync(seed, f.Region, group, "s1", [
            .. lines.Invocation(f, T0.AddMinutes(4), cold: true, json: false),
            lines.DotNetTextError(f, T0.AddMinutes(4).AddSeconds(20), 1),
        ], createGroup: true);
        await using var temp = await TestStore.CreateAsync();
        await LogsFleet.AddInventoryAsync(temp.Store, [f]);
        var clock = new ManualTimeProvider(T0.AddMinutes(6));
        using var host = new AwsTestHost(AwsTestHost.OptionsFor(Moto.Url, (Account, Regions)));
        var collector = LogsFleet.Collector(host.Clients, temp.Store, clock);
        await collector.CollectAsync(Target(host, f.Region), CancellationToken.None);

        // Events stamped before the checkpoint (t0+6) become searchable only now, from another execution environment.
        await LogsFleet.PutEventsAsync(seed, f.Region, group, "s2-late", [
            .. lines.Invocation(f, T0.AddMinutes(4).AddSeconds(30), cold: true, json: true),
            lines.DotNetTextError(f, T0.AddMinutes(5), 2),
            lines.PowertoolsJsonError(f, T0.AddMinutes(5).AddSeconds(1)),
            lines.MalformedReport(f, T0.AddMinutes(5).AddSeconds(2)),
        ], createGroup: false);
        clock.Advance(TimeSpan.FromMinutes(1));
        await collector.CollectAsync(Target(host, f.Region), CancellationToken.None);
        clock.Advance(TimeSpan.FromSeconds(30));
        await collector.CollectAsync(Target(host, f.Region), CancellationToken.None);

        var range = new TimeRange(T0.AddHours(-1), T0.AddHours(1));
        await LogsFleet.AssertStoreEqualsSeededAsync(temp.Store, expected, [f], range);
        Assert.Equal(2, expected.ColdStarts[(f, T0.AddMinutes(4))]);
        var checkpoint = await temp.Store.GetCheckpointAsync(LogsCollector.CheckpointKey(Target(host, f.Region), group), CancellationToken.None);
        Assert.Equal(1, System.Text.Json.JsonDocument.Parse(checkpoint!).RootElement.GetProperty("skipped").GetInt64());
    }

    [Theory]
    [InlineData(StoreKind.Sqlite)]
    [InlineData(StoreKind.PostgreSql)]
    public async Task Collect_StoppedAtEveryWriteThenRestarted_NoGapAndNoDuplicate(StoreKind kind)
    {
        var expected = new Expected();
        var functions = (await SeedFleetAsync(expected, functionsPerRegion: 2)).Where(f => f.Region == Regions[0]).ToList();
        using var host = new AwsTestHost(AwsTestHost.OptionsFor(Moto.Url, (Account, Regions)));
        var target = Target(host, Regions[0]);
        var range = new TimeRange(T0.AddHours(-1), T0.AddHours(1));

        // Count the writes of an undisturbed pass, then stop a pass at each of them in turn.
        int writes;
        await using (var counting = await TestStore.CreateAsync(kind))
        {
            await LogsFleet.AddInventoryAsync(counting.Store, functions);
            var store = CrashingStore.Wrap(counting.Store, int.MaxValue, out var proxy);
            await LogsFleet.Collector(host.Clients, store, new ManualTimeProvider(T0.AddMinutes(6))).CollectAsync(target, CancellationToken.None);
            writes = proxy.Writes;
        }

        Assert.True(writes >= 2 * 5, $"a pass over two groups with errors makes at least 10 writes, saw {writes}");
        for (var crashAt = 1; crashAt <= writes; crashAt++)
        {
            await using var temp = await TestStore.CreateAsync(kind);
            await LogsFleet.AddInventoryAsync(temp.Store, functions);
            var clock = new ManualTimeProvider(T0.AddMinutes(6));
            var crashing = CrashingStore.Wrap(temp.Store, crashAt, out _);
            await Assert.ThrowsAnyAsync<Exception>(() => LogsFleet.Collector(host.Clients, crashing, clock).CollectAsync(target, CancellationToken.None));

            // A new process: new collector, same store, a little later.
            clock.Advance(TimeSpan.FromSeconds(30));
            await LogsFleet.Collector(host.Clients, temp.Store, clock).CollectAsync(target, CancellationToken.None);
            await LogsFleet.AssertStoreEqualsSeededAsync(temp.Store, expected, functions, range);
        }
    }

    private static async Task CollectAllAsync(LogsCollector collector, AwsTestHost host)
    {
        foreach (var region in Regions)
        {
            await collector.CollectAsync(Target(host, region), CancellationToken.None);
        }
    }

    private static CollectionTarget Target(AwsTestHost host, string region) => new(host.Options.Accounts[0], region);

    /// <summary>
    /// Per function, two log streams (two execution environments) over five minutes: cold starts at each
    /// environment's first invocation and a third one later, text REPORT lines for even functions and JSON
    /// platform.report records for odd ones (with the init records Lambda writes before a cold start, a
    /// provisioned-concurrency init and a malformed init report), errors in four formats and two malformed report lines.
    /// </summary>
    private static async Task<List<FunctionKey>> SeedFleetAsync(Expected expected, int functionsPerRegion)
    {
        using var seed = new MotoSeeder(Account);
        var lines = new LogLines(expected);
        var functions = new List<FunctionKey>();
        var run = Guid.NewGuid().ToString("N")[..8];
        foreach (var region in Regions)
        {
            for (var i = 0; i < functionsPerRegion; i++)
            {
                var f = new FunctionKey(Account, region, $"orders-{run}-{i}");
                functions.Add(f);
                var json = i % 2 == 1;
                var a = new List<(DateTimeOffset, string)>();
                var b = new List<(DateTimeOffset, string)>();
                for (var m = 0; m < 5; m++)
                {
                    var minute = T0.AddMinutes(m);
                    for (var k = 0; k < 3; k++)
                    {
                        a.AddRange(lines.Invocation(f, minute.AddSeconds(5 + (k * 15)), cold: m == 0 && k == 0, json));
                    }

                    for (var k = 0; k < 2; k++)
                    {
                        b.AddRange(lines.Invocation(f, minute.AddSeconds(12 + (k * 20)), cold: (m == 0 || m == 3) && k == 0, json));
                    }
                }

                a.Add(lines.DotNetTextError(f, T0.AddMinutes(1).AddSeconds(7), 100 + i));
                b.Add(lines.DotNetTextError(f, T0.AddMinutes(2).AddSeconds(8), 200 + i));
                a.Add(lines.LambdaJsonError(f, T0.AddMinutes(2).AddSeconds(30)));
                b.Add(lines.ObserveJsonError(f, T0.AddMinutes(3).AddSeconds(1)));
                a.Add(lines.PowertoolsJsonError(f, T0.AddMinutes(4).AddSeconds(2)));
                a.Add(lines.MalformedReport(f, T0.AddMinutes(1).AddSeconds(40)));
                b.Add(lines.TruncatedJsonReport(f, T0.AddMinutes(3).AddSeconds(40)));
                if (json)
                {
                    // A provisioned environment initialised before any traffic, and an init report cut short.
                    a.AddRange(lines.ProvisionedInit(f, T0.AddSeconds(1)));
                    b.Add(lines.MalformedInitReport(f, T0.AddMinutes(2).AddSeconds(50)));
                }

                var group = LogsCollector.LogGroupName(f.Name);
                await LogsFleet.PutEventsAsync(seed, region, group, "2026/11/29/[$LATEST]aaaa", a, createGroup: true);
                await LogsFleet.PutEventsAsync(seed, region, group, "2026/11/29/[$LATEST]bbbb", b, createGroup: false);
            }
        }

        return functions;
    }
}
