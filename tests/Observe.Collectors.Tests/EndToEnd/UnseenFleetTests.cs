using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Observe.Collectors.Aws;
using Observe.Collectors.Collection;
using Observe.Collectors.LogCollection;
using Observe.Collectors.Tests.Infrastructure;
using Observe.Store;
using Observe.Store.Model;
using Xunit.Abstractions;

namespace Observe.Collectors.Tests.EndToEnd;

/// <summary>
/// Issue 9's acceptance test: the collectors, wired from configuration by <see cref="CollectorsServiceCollectionExtensions.AddObserveCollectors"/>
/// and run by their host as the dashboard and the worker run them, over a fleet no other test has seen
/// (<see cref="UnseenFleet"/>), with the collectors' default settings and then with each logs mode on a fresh store.
/// The store must hold exactly what was seeded, and the collector statuses must show no failure that is not one.
/// </summary>
/// <remarks>
/// <para>
/// Only the AWS access layer is tuned, for time: endpoints, short retry delays and high rate budgets (moto answers
/// some calls with HTTP 500, and AWS's real budgets would make the run minutes long), and <c>StartSpread</c> 0 so
/// first passes start at once. The inventory runs one pass before the host starts: on a real first start the logs
/// collector's first pass can come before the inventory has stored any function, and its next pass a minute later
/// reads them; the test does not wait that minute.
/// </para>
/// <para>
/// Where moto lacks something the truth is still asserted: moto answers percentile statistics and
/// DescribeAlarmHistory with HTTP 500, so p50/p90/p99 must be stored as unknown (null, never 0) while Invocations,
/// Errors, Throttles and the average Duration are stored, and the alarms collector must be degraded with what moto
/// answered, not OK and without a permission hint. moto runs no Insights <c>filter</c> or <c>stats</c> and answers
/// X-Ray filter expressions with HTTP 500 (the traces collector's default sampling uses one).
/// </para>
/// </remarks>
[Collection(nameof(UnseenFleetTests))]
public sealed class UnseenFleetTests(UnseenFleet fleet, ITestOutputHelper output) : IClassFixture<UnseenFleet>
{
    private static readonly string[] CollectorNames = ["alarms", "inventory", "logs", "metrics", "traces"];

    [Fact]
    public async Task DefaultSettings_StoreEqualsTheSeededTruthAndStatusesAreHonest()
    {
        var outcome = await fleet.OnceAsync("Auto", () => RunAsync(logsMode: null));
        var failures = Check(outcome);

        // 100 log groups per region: the cost model must choose Insights (one query per 50 groups).
        foreach (var region in UnseenFleet.Regions)
        {
            Expect(failures, outcome.LogsModes.GetValueOrDefault(region) == LogsReadMode.Insights, $"Auto picks Insights over 100 groups in {region}: it picked {outcome.LogsModes.GetValueOrDefault(region)}");
        }

        Assert.True(failures.Count == 0, Summary(failures));
    }

    [Fact]
    public async Task FilterLogEventsMode_StoreEqualsTheSeededTruthAndStatusesAreHonest()
    {
        var outcome = await fleet.OnceAsync(nameof(LogsReadMode.FilterLogEvents), () => RunAsync(LogsReadMode.FilterLogEvents));
        var failures = Check(outcome);
        Assert.True(failures.Count == 0, Summary(failures));
    }

    [Fact]
    public async Task InsightsMode_StoreEqualsTheSeededTruthAndStatusesAreHonest()
    {
        var outcome = await fleet.OnceAsync(nameof(LogsReadMode.Insights), () => RunAsync(LogsReadMode.Insights));
        var failures = Check(outcome);
        Assert.True(failures.Count == 0, Summary(failures));
    }

    [Fact]
    public async Task BothLogsModes_StoreTheSameReportsColdStartsAndSkipsForTheSameLines()
    {
        var filter = await fleet.OnceAsync(nameof(LogsReadMode.FilterLogEvents), () => RunAsync(LogsReadMode.FilterLogEvents));
        var insights = await fleet.OnceAsync(nameof(LogsReadMode.Insights), () => RunAsync(LogsReadMode.Insights));
        var failures = new List<string>();

        CompareSets(failures, "reports", filter.Reports, insights.Reports, "by FilterLogEvents", "by Insights");
        CompareSets(failures, "cold starts per function and minute", ColdStartKeys(filter.ColdStarts), ColdStartKeys(insights.ColdStarts), "by FilterLogEvents", "by Insights");
        foreach (var region in UnseenFleet.Regions)
        {
            var a = filter.Status("logs", region)?.TotalSkipped ?? SkipCounts.None;
            var b = insights.Status("logs", region)?.TotalSkipped ?? SkipCounts.None;
            Expect(failures, a.Total == b.Total, $"logs {region}: FilterLogEvents skipped {a}, Insights skipped {b}");
        }

        Assert.True(failures.Count == 0, Summary(failures));
    }

    /// <summary>Every figure of one run against the seeded truth; each mismatch is one line, so a failing run says all that is wrong at once.</summary>
    private List<string> Check(Outcome outcome)
    {
        output.WriteLine($"seeded in {fleet.SeedingTime.TotalSeconds:F1} s; collected in {outcome.Took.TotalSeconds:F1} s; logs modes: {string.Join(", ", outcome.LogsModes)}");
        foreach (var s in outcome.Statuses.OrderBy(s => s.Collector, StringComparer.Ordinal).ThenBy(s => s.Region, StringComparer.Ordinal))
        {
            output.WriteLine($"{s.Collector} {s.Region}: failing={s.IsFailing} degraded={s.IsDegraded} error='{s.LastError}' warning='{s.LastWarning}' skipped={s.TotalSkipped} took={s.LastDuration}");
        }

        var failures = new List<string>(outcome.Failures);

        // Inventory: every function in its region, none elsewhere.
        foreach (var region in UnseenFleet.Regions)
        {
            CompareSets(failures, $"functions in {region}",
                fleet.Functions.Where(f => f.Region == region).Select(f => f.Name), outcome.Functions.Where(f => f.Region == region).Select(f => f.Name));
        }

        // Alarms: every alarm in its state (OK, ALARM, INSUFFICIENT_DATA).
        CompareSets(failures, "alarms (region/name/state)", fleet.Alarms, outcome.Alarms);
        foreach (var state in Enum.GetValues<AlarmState>())
        {
            var seeded = fleet.Alarms.Count(a => a.EndsWith("/" + state, StringComparison.Ordinal));
            var stored = outcome.Alarms.Count(a => a.EndsWith("/" + state, StringComparison.Ordinal));
            Expect(failures, seeded == stored && seeded > 0, $"alarms in {state}: seeded {seeded}, stored {stored}");
        }

        // Logs: every well-formed REPORT line stored once with its fields; cold starts per function and minute.
        CompareSets(failures, "invocation reports", fleet.Reports, outcome.Reports);
        CompareSets(failures, "cold starts per function and minute", ColdStartKeys(fleet.ColdStarts), ColdStartKeys(outcome.ColdStarts));

        // Every malformed line counted as skipped, in the latest pass and in the total, by a named reason.
        foreach (var region in UnseenFleet.Regions)
        {
            var status = outcome.Status("logs", region);
            var seeded = fleet.MalformedLines[region];
            Expect(failures, status?.TotalSkipped.Total == seeded, $"logs {region}: {seeded} malformed REPORT lines seeded, TotalSkipped {status?.TotalSkipped}");
            Expect(failures, status?.LastSkipped.Total == seeded, $"logs {region}: {seeded} malformed REPORT lines seeded, LastSkipped {status?.LastSkipped}");
            Expect(failures, status?.TotalSkipped.ByReason.Keys.All(r => !string.IsNullOrWhiteSpace(r)) != false, $"logs {region}: a skip without a reason: {status?.TotalSkipped}");
        }

        // Metrics: what moto can answer stored exactly; the percentiles it cannot answer unknown, never 0. Thirty
        // functions can fail the same way: the first few of each kind are listed, and how many there are.
        CheckStatuses(outcome, failures);
        var metrics = new List<string>();
        foreach (var (function, minutes) in fleet.Metrics)
        {
            var buckets = outcome.Series.GetValueOrDefault(function) ?? [];
            var byMinute = buckets.ToDictionary(b => b.Start);
            Expect(metrics, buckets.Sum(b => b.Invocations) == minutes.Values.Sum(m => m.Invocations), $"{function}: invocations seeded {minutes.Values.Sum(m => m.Invocations)}, stored {buckets.Sum(b => b.Invocations)}");
            Expect(metrics, buckets.Sum(b => b.Errors) == minutes.Values.Sum(m => m.Errors), $"{function}: errors seeded {minutes.Values.Sum(m => m.Errors)}, stored {buckets.Sum(b => b.Errors)}");
            Expect(metrics, buckets.Sum(b => b.Throttles) == minutes.Values.Sum(m => m.Throttles), $"{function}: throttles seeded {minutes.Values.Sum(m => m.Throttles)}, stored {buckets.Sum(b => b.Throttles)}");
            foreach (var (minute, seeded) in minutes)
            {
                var stored = byMinute.GetValueOrDefault(minute);
                Expect(metrics, stored?.DurationAvgMs == seeded.DurationAvgMs, $"{function} {minute:HH:mm}: average duration seeded {seeded.DurationAvgMs}, stored {stored?.DurationAvgMs?.ToString(CultureInfo.InvariantCulture) ?? "null"}");
                Expect(metrics, stored is not null && stored.DurationP50Ms is null && stored.DurationP90Ms is null && stored.DurationP99Ms is null,
                    $"{function} {minute:HH:mm}: moto cannot answer percentiles, so p50/p90/p99 must be unknown (null); stored {stored?.DurationP50Ms}/{stored?.DurationP90Ms}/{stored?.DurationP99Ms}{(stored is null ? " (no row)" : "")}");
            }
        }

        foreach (var kind in metrics.GroupBy(m => m[(m.IndexOf(": ", StringComparison.Ordinal) + 2)..].Split(' ')[0]))
        {
            failures.AddRange(kind.Take(3));
            if (kind.Count() > 3)
            {
                failures.Add($"  ... and {kind.Count() - 3} more {kind.Key} mismatches like these");
            }
        }

        return failures;
    }

    /// <summary>
    /// No failure that is not one: inventory and logs clean; alarms degraded only because moto lacks
    /// DescribeAlarmHistory, saying what moto answered and not suggesting a permission; metrics never failing, and
    /// degraded only for the percentiles moto cannot answer; traces not OK only for moto's HTTP 500 to the X-Ray
    /// filter expression the default sampling uses.
    /// </summary>
    private static void CheckStatuses(Outcome outcome, List<string> failures)
    {
        foreach (var region in UnseenFleet.Regions)
        {
            foreach (var name in CollectorNames)
            {
                var status = outcome.Status(name, region);
                if (status is null)
                {
                    failures.Add($"{name} {region}: no status recorded");
                    continue;
                }

                var said = $"{name} {region}: failing={status.IsFailing} error='{status.LastError}' degraded={status.IsDegraded} warning='{status.LastWarning}'";
                switch (name)
                {
                    case "inventory" or "logs":
                        Expect(failures, !status.IsFailing && !status.IsDegraded, $"{said}: must be OK");
                        break;
                    case "alarms":
                        Expect(failures, !status.IsFailing && status.IsDegraded, $"{said}: must be degraded (moto has no DescribeAlarmHistory), not OK and not failing");
                        Expect(failures, status.LastWarning?.Contains("DescribeAlarmHistory", StringComparison.Ordinal) == true && status.LastWarning.Contains("HTTP 500", StringComparison.Ordinal),
                            $"{said}: the warning must name DescribeAlarmHistory and what moto answered (HTTP 500)");
                        Expect(failures, !NamesAPermission(status.LastWarning), $"{said}: an HTTP 500 is not a missing permission");
                        break;
                    case "metrics":
                        Expect(failures, !status.IsFailing, $"{said}: one statistic moto cannot answer must not fail the pass");
                        Expect(failures, !status.IsDegraded || (MentionsPercentiles(status.LastWarning) && !NamesAPermission(status.LastWarning)),
                            $"{said}: degraded only for the percentiles moto cannot answer, without a permission hint");
                        break;
                    case "traces":
                        var message = status.LastError ?? status.LastWarning;
                        Expect(failures, (!status.IsFailing && !status.IsDegraded) || (message?.Contains("GetTraceSummaries", StringComparison.Ordinal) == true && message.Contains("500", StringComparison.Ordinal) && !NamesAPermission(message)),
                            $"{said}: not OK only for moto's HTTP 500 to GetTraceSummaries with a filter expression, without a permission hint");
                        break;
                }
            }
        }
    }

    private static bool NamesAPermission(string? message) =>
        message is not null && (message.Contains("permission", StringComparison.OrdinalIgnoreCase) || message.Contains("cloudwatch:", StringComparison.Ordinal)
            || message.Contains("xray:", StringComparison.Ordinal) || message.Contains("does the role allow", StringComparison.OrdinalIgnoreCase));

    private static bool MentionsPercentiles(string? message) =>
        message is not null && (message.Contains("percentile", StringComparison.OrdinalIgnoreCase) || message.Contains("p99", StringComparison.OrdinalIgnoreCase)
            || message.Contains("p50", StringComparison.OrdinalIgnoreCase) || message.Contains("p90", StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// One "process" on a fresh store: collectors and their host built from configuration on a new service provider,
    /// the host started and stopped once every collector has finished a pass over every region.
    /// </summary>
    private async Task<Outcome> RunAsync(LogsReadMode? logsMode)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        await using var store = await TestStore.CreateAsync();
        var settings = Configuration(logsMode);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = MotoCollectorServices.Create(store.Store, configuration);
        // Each run's clock starts a minute after the fleet's seeded "now", whenever the run starts: the collectors'
        // default first-start lookback (15 minutes for logs) then covers the seeded lines on a loaded machine too,
        // where this run may start minutes after the seeding.
        services.Replace(ServiceDescriptor.Singleton<TimeProvider>(new StartedAt(fleet.Now.AddMinutes(1))));
        await using var provider = services.BuildServiceProvider();

        var account = provider.GetRequiredService<IOptions<AwsOptions>>().Value.Accounts[0];
        var collectors = provider.GetServices<ICollector>().ToList();
        Assert.Equal(CollectorNames, collectors.Select(c => c.Name).Order(StringComparer.Ordinal));
        var failures = new List<string>();
        foreach (var region in UnseenFleet.Regions)
        {
            try
            {
                await collectors.Single(c => c.Name == "inventory").CollectAsync(new CollectionTarget(account, region), new PassReport(), CancellationToken.None);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                failures.Add($"inventory pass before the host over {region} failed: {e.Message}");
            }
        }

        var hosted = provider.GetServices<IHostedService>().ToList();
        foreach (var service in hosted)
        {
            await service.StartAsync(CancellationToken.None);
        }

        try
        {
            await WaitForAPassOfEachAsync(store.Store);
        }
        finally
        {
            foreach (var service in Enumerable.Reverse(hosted))
            {
                await service.StopAsync(CancellationToken.None);
            }
        }

        var logs = (LogsCollector)collectors.Single(c => c.Name == "logs");
        var modes = new Dictionary<string, LogsReadMode>(StringComparer.Ordinal);
        foreach (var region in UnseenFleet.Regions)
        {
            if (await logs.GetStatusAsync(new CollectionTarget(account, region), CancellationToken.None) is { } logsStatus)
            {
                modes[region] = logsStatus.Mode;
            }
        }

        return await Outcome.TakeAsync(store.Store, fleet, failures, modes) with { Took = started.Elapsed };
    }

    /// <summary>Polls the store for the event the test needs: a finished pass of every collector over every region. The cap is for a broken run, not a wait.</summary>
    private async Task WaitForAPassOfEachAsync(IObserveStore store)
    {
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (true)
        {
            var statuses = (await store.GetCollectorStatusAsync(CancellationToken.None)).Where(s => s.AccountId == fleet.AccountId).ToList();
            var pending = CollectorNames
                .SelectMany(name => UnseenFleet.Regions.Select(region => (name, region)))
                .Where(t => !statuses.Any(s => s.Collector == t.name && s.Region == t.region && (s.LastSuccess is not null || s.LastFailure is not null)))
                .ToList();
            if (pending.Count == 0)
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, $"no finished pass after 3 minutes for {string.Join(", ", pending)}");
            await Task.Delay(50);
        }
    }

    private Dictionary<string, string?> Configuration(LogsReadMode? logsMode)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Observe:Aws:Accounts:0:AccountId"] = fleet.AccountId,
            ["Observe:Aws:Accounts:0:Name"] = "unseen",
            ["Observe:Aws:Accounts:0:RoleArn"] = Moto.RoleArn(fleet.AccountId),
            ["Observe:Aws:Endpoints:Lambda"] = Moto.Url,
            ["Observe:Aws:Endpoints:CloudWatch"] = Moto.Url,
            ["Observe:Aws:Endpoints:Logs"] = Moto.Url,
            ["Observe:Aws:Endpoints:XRay"] = Moto.Url,
            ["Observe:Aws:Endpoints:Sts"] = Moto.Url,
            ["Observe:Aws:Retry:ThrottlingBaseDelay"] = "00:00:00.005",
            ["Observe:Aws:Retry:ThrottlingMaxDelay"] = "00:00:00.020",
            ["Observe:Aws:Retry:TransientBaseDelay"] = "00:00:00.002",
            ["Observe:Aws:Retry:TransientMaxDelay"] = "00:00:00.010",
            ["Observe:Aws:RateBudgets:Lambda:PerSecond"] = "1000",
            ["Observe:Aws:RateBudgets:CloudWatch:PerSecond"] = "1000",
            ["Observe:Aws:RateBudgets:Logs:PerSecond"] = "1000",
            ["Observe:Aws:RateBudgets:XRay:PerSecond"] = "1000",
            ["Observe:Collectors:StartSpread"] = "00:00:00",
            // One logs pass per run: the statuses are read once every collector has passed, and a second logs pass
            // meanwhile (nothing new to read) would report no skips as its latest.
            ["Observe:Collectors:Logs:Interval"] = "00:10:00",
        };
        for (var i = 0; i < UnseenFleet.Regions.Length; i++)
        {
            settings[$"Observe:Aws:Accounts:0:Regions:{i}"] = UnseenFleet.Regions[i];
        }

        if (logsMode is { } mode)
        {
            settings["Observe:Collectors:Logs:Mode"] = mode.ToString();
        }

        return settings;
    }

    private static IEnumerable<string> ColdStartKeys(Dictionary<(FunctionKey Function, DateTimeOffset Minute), int> coldStarts) =>
        coldStarts.Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Key.Function} {c.Key.Minute:HH:mm} {c.Value}"));

    /// <summary>Adds one line naming what is missing and what is extra (the first few of each) when the sets differ.</summary>
    private static void CompareSets(List<string> failures, string what, IEnumerable<string> expected, IEnumerable<string> actual, string expectedName = "seeded", string actualName = "stored")
    {
        var e = expected.ToHashSet(StringComparer.Ordinal);
        var a = actual.ToHashSet(StringComparer.Ordinal);
        var missing = e.Except(a).Order(StringComparer.Ordinal).ToList();
        var extra = a.Except(e).Order(StringComparer.Ordinal).ToList();
        if (missing.Count > 0 || extra.Count > 0)
        {
            failures.Add($"{what}: {e.Count} {expectedName}, {a.Count} {actualName}; {missing.Count} not {actualName}, e.g. [{string.Join(" | ", missing.Take(4))}]; {extra.Count} not {expectedName}, e.g. [{string.Join(" | ", extra.Take(4))}]");
        }
    }

    private static void Expect(List<string> failures, bool condition, string message)
    {
        if (!condition)
        {
            failures.Add(message);
        }
    }

    private static string Summary(List<string> failures) =>
        $"{failures.Count} mismatches:\n" + string.Join("\n", failures);

    /// <summary>What one run left in the store, read back as the dashboard reads it.</summary>
    private sealed record Outcome(
        IReadOnlyList<FunctionKey> Functions,
        IReadOnlyList<string> Alarms,
        IReadOnlyList<string> Reports,
        Dictionary<(FunctionKey Function, DateTimeOffset Minute), int> ColdStarts,
        Dictionary<FunctionKey, IReadOnlyList<MetricBucket>> Series,
        IReadOnlyList<CollectorStatus> Statuses,
        IReadOnlyDictionary<string, LogsReadMode> LogsModes,
        IReadOnlyList<string> Failures)
    {
        public TimeSpan Took { get; init; }

        public CollectorStatus? Status(string collector, string region) =>
            Statuses.SingleOrDefault(s => s.Collector == collector && s.Region == region);

        public static async Task<Outcome> TakeAsync(IObserveStore store, UnseenFleet fleet, IReadOnlyList<string> failures, IReadOnlyDictionary<string, LogsReadMode> modes)
        {
            var ct = CancellationToken.None;
            var filter = new FleetFilter(fleet.AccountId);
            var functions = (await store.GetFunctionsAsync(filter, ct)).Select(f => f.Key).ToList();
            var alarms = (await store.GetAlarmsAsync(filter, null, ct)).Select(a => $"{a.Region}/{a.Name}/{a.State}").ToList();
            var reports = (await store.GetInvocationReportsAsync(null, fleet.Range, coldStartsOnly: false, 100_000, ct))
                .Where(r => r.Function.AccountId == fleet.AccountId).Select(UnseenFleet.Describe).ToList();
            var coldStarts = new Dictionary<(FunctionKey, DateTimeOffset), int>();
            var series = new Dictionary<FunctionKey, IReadOnlyList<MetricBucket>>();
            foreach (var function in functions)
            {
                var buckets = await store.GetFunctionSeriesAsync(function, fleet.Range, SeriesResolution.Minute, ct);
                series[function] = buckets;
                foreach (var bucket in buckets.Where(b => b.ColdStarts > 0))
                {
                    coldStarts[(function, bucket.Start)] = (int)bucket.ColdStarts;
                }
            }

            var statuses = (await store.GetCollectorStatusAsync(ct)).Where(s => s.AccountId == fleet.AccountId).ToList();
            return new Outcome(functions, alarms, reports, coldStarts, series, statuses, modes, failures);
        }
    }
}

/// <summary>
/// Runs the unseen fleet alone: seeding 300 functions and three host runs load moto and both cores enough that other
/// moto tests with 2-second attempt timeouts (FleetCollectionTests' restart comparisons) failed beside it.
/// </summary>
[CollectionDefinition(nameof(UnseenFleetTests), DisableParallelization = true)]
public sealed class UnseenFleetCollection;

/// <summary>The system clock moved so that it reads <paramref name="start"/> now and runs on from there; timers are the system's.</summary>
internal sealed class StartedAt(DateTimeOffset start) : TimeProvider
{
    private readonly TimeSpan _offset = start - TimeProvider.System.GetUtcNow();

    public override DateTimeOffset GetUtcNow() => TimeProvider.System.GetUtcNow() + _offset;
}
