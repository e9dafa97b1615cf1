using System.Collections.Concurrent;
using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Observe.Benchmarks.Collectors;

/// <summary>
/// API calls and dollars of metrics collection for one account and region, per pass and per day, against the naive way
/// (one GetMetricStatistics call per function, metric and minute: 8 x functions x 1,440 calls, $0.01 per 1,000).
/// Goal: at least 100x fewer calls, and at most $5 a day per 1,000 functions. Each operation is one steady hour of the
/// real collector (60 passes) against <see cref="FleetCloudWatch"/>; the counts are deterministic, the time is
/// what the collector, the fake and the store spend on that hour. In-process so the columns can read the counts.
/// Run: <c>dotnet run -c Release --project bench/Observe.Benchmarks -- --filter '*MetricsCost*'</c>.
/// </summary>
[Config(typeof(MetricsCostConfig))]
public class MetricsCostBenchmarks
{
    internal static readonly ConcurrentDictionary<(int Functions, MetricsCostProfile Profile), MetricsCostResult> Results = new();

    private MetricsCostScenario _scenario = null!;

    [Params(1000, 10000)]
    public int Functions { get; set; }

    [Params(MetricsCostProfile.Typical, MetricsCostProfile.AllBusy)]
    public MetricsCostProfile Profile { get; set; }

    [GlobalSetup]
    public async Task SetupAsync() => _scenario = await MetricsCostScenario.StartAsync(Functions, Profile);

    [Benchmark]
    public async Task<MetricsCostResult> SteadyHour()
    {
        var result = await _scenario.RunHourAsync();
        Results[(Functions, Profile)] = result;
        return result;
    }

    [GlobalCleanup]
    public async Task CleanupAsync() => await _scenario.DisposeAsync();
}

internal sealed class MetricsCostConfig : ManualConfig
{
    public MetricsCostConfig()
    {
        AddJob(Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithStrategy(RunStrategy.Monitoring)
            .WithLaunchCount(1)
            .WithWarmupCount(0)
            .WithIterationCount(1)
            .WithInvocationCount(1)
            .WithUnrollFactor(1));
        AddColumn(
            new MetricsCostColumn("Calls/cold pass", "GetMetricData calls in a pass that reads every active function", r => r.ColdPassCalls.ToString("N0", CultureInfo.InvariantCulture)),
            new MetricsCostColumn("Metrics/cold pass", "Metrics requested (the unit AWS bills) in such a pass", r => r.ColdPassMetrics.ToString("N0", CultureInfo.InvariantCulture)),
            new MetricsCostColumn("Calls/watched pass", "GetMetricData calls in a minute's pass over the 10 watched functions", r => r.WatchedPassCalls.ToString("N0", CultureInfo.InvariantCulture)),
            new MetricsCostColumn("Calls/day", "GetMetricData and ListMetrics calls a day", r => r.CallsPerDay.ToString("N0", CultureInfo.InvariantCulture)),
            new MetricsCostColumn("$/day", "Metrics requested and ListMetrics calls a day at $0.01 per 1,000", r => r.DollarsPerDay.ToString("N2", CultureInfo.InvariantCulture)),
            new MetricsCostColumn("Naive calls/day", "8 GetMetricStatistics calls per function a minute", r => r.NaiveCallsPerDay.ToString("N0", CultureInfo.InvariantCulture)),
            new MetricsCostColumn("Naive $/day", "The naive calls at $0.01 per 1,000", r => r.NaiveDollarsPerDay.ToString("N2", CultureInfo.InvariantCulture)),
            new MetricsCostColumn("Fewer calls", "Naive calls / our calls", r => r.FewerCalls.ToString("N0", CultureInfo.InvariantCulture) + "x"),
            new MetricsCostColumn("All billed $/day", "Every billed API a day: these metrics plus CollectionCostModel's alarms, Insights, one Live Tail viewer-hour and X-Ray", r => CollectionCostModel.Day(r.Functions, r.Profile, r).Sum(d => d.Dollars).ToString("N2", CultureInfo.InvariantCulture)));
    }
}

/// <summary>A figure of the hour a benchmark case ran, read from <see cref="MetricsCostBenchmarks.Results"/>.</summary>
internal sealed class MetricsCostColumn(string name, string legend, Func<MetricsCostResult, string> value) : IColumn
{
    public string Id => nameof(MetricsCostColumn) + name;

    public string ColumnName => name;

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => legend;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase)
    {
        var functions = (int)benchmarkCase.Parameters[nameof(MetricsCostBenchmarks.Functions)];
        var profile = (MetricsCostProfile)benchmarkCase.Parameters[nameof(MetricsCostBenchmarks.Profile)];
        return MetricsCostBenchmarks.Results.TryGetValue((functions, profile), out var result) ? value(result) : "-";
    }

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public bool IsAvailable(Summary summary) => true;
}
