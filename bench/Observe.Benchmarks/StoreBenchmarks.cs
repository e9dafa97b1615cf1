using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Observe.Store;
using Observe.Store.Internal;
using Observe.Store.Model;

namespace Observe.Benchmarks;

/// <summary>
/// Insert throughput on the goal's fleet (10,000 functions): each operation writes the next hour of 1-minute points
/// (600,000 points) into a store that keeps the hours before it, as a collector appending would.
/// Goal: at least 200,000 points/s on SQLite. PostgreSQL is the server <c>OBSERVE_TEST_POSTGRES</c> names.
/// Run: <c>dotnet run -c Release --project bench/Observe.Benchmarks -- --filter '*Store*'</c>.
/// </summary>
[Config(typeof(StoreInsertConfig))]
public class StoreInsertBenchmarks
{
    private StoreBench _bench = null!;
    private List<MetricPoint> _hour = [];
    private int _nextHour;

    [Params(StoreKind.Sqlite, StoreKind.PostgreSql)]
    public StoreKind Engine { get; set; }

    [GlobalSetup]
    public async Task SetupAsync() => _bench = await StoreBench.OpenAsync(Engine, "insert", reset: true);

    [IterationSetup]
    public void NextHour() => _hour = StoreFleet.Hour(_nextHour++);

    [Benchmark(OperationsPerInvoke = StoreFleet.PointsPerHour)]
    public Task InsertHour() => _bench.Store.WriteMetricsAsync(_hour, CancellationToken.None);

    [GlobalCleanup]
    public async Task CleanupAsync() => await _bench.DisposeAsync(delete: true);
}

/// <summary>
/// Reads over a full day of the goal's fleet (10,000 functions x 1,440 minutes = 14.4 M points). Goal: the Overview
/// over 24 h in at most 200 ms on both engines. The day is loaded once by the first run and kept (in the temp
/// directory, and as database <c>observe_bench_day</c>), because loading it takes minutes.
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class StoreOverviewBenchmarks
{
    private const string LoadedMarker = "bench/day";
    private const string LoadedValue = "10000 functions x 1440 minutes, v1";
    private static readonly TimeRange Day = new(StoreFleet.Start, StoreFleet.Start.AddDays(1));

    private StoreBench _bench = null!;

    [Params(StoreKind.Sqlite, StoreKind.PostgreSql)]
    public StoreKind Engine { get; set; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _bench = await StoreBench.OpenAsync(Engine, "day", reset: false);
        if (await _bench.Store.GetCheckpointAsync(LoadedMarker, CancellationToken.None) == LoadedValue)
        {
            return;
        }

        await _bench.DisposeAsync(delete: false);
        _bench = await StoreBench.OpenAsync(Engine, "day", reset: true);
        for (var hour = 0; hour < 24; hour++)
        {
            await _bench.Store.WriteMetricsAsync(StoreFleet.Hour(hour), CancellationToken.None);
            Console.WriteLine($"// loaded hour {hour + 1}/24 of the {Engine} day");
        }

        await _bench.Store.SetCheckpointAsync(LoadedMarker, LoadedValue, CancellationToken.None);
    }

    [Benchmark]
    public Task<FleetOverview> Overview24h() =>
        _bench.Store.GetOverviewAsync(FleetFilter.All, Day, TimeSpan.FromMinutes(5), CancellationToken.None);

    [Benchmark]
    public Task<FleetOverview> Overview24hOneAccountRegion() =>
        _bench.Store.GetOverviewAsync(new FleetFilter(StoreFleet.Functions[0].AccountId, StoreFleet.Functions[0].Region), Day, TimeSpan.FromMinutes(5), CancellationToken.None);

    [Benchmark]
    public Task<IReadOnlyList<MetricBucket>> FunctionSeries24h() =>
        _bench.Store.GetFunctionSeriesAsync(StoreFleet.Functions[4321], Day, SeriesResolution.Minute, CancellationToken.None);

    [GlobalCleanup]
    public async Task CleanupAsync() => await _bench.DisposeAsync(delete: false);
}

/// <summary>The benchmark fleet: 10,000 functions over 5 accounts and 2 regions, with deterministic figures.</summary>
internal static class StoreFleet
{
    public const int PointsPerHour = 10_000 * 60;

    public static readonly DateTimeOffset Start = new(2026, 11, 2, 0, 0, 0, TimeSpan.Zero);

    public static readonly FunctionKey[] Functions = [.. Enumerable.Range(0, 10_000).Select(i => new FunctionKey(
        (100_000_000_000 + (i % 5)).ToString(CultureInfo.InvariantCulture),
        i / 5 % 2 == 0 ? "eu-west-1" : "us-east-1",
        $"service-{i / 100:D3}-function-{i:D5}"))];

    /// <summary>One hour of points, minute by minute for the whole fleet, as a metrics collector pass returns them.</summary>
    public static List<MetricPoint> Hour(int hour)
    {
        var random = new Random(hour);
        var points = new List<MetricPoint>(PointsPerHour);
        for (var minute = 0; minute < 60; minute++)
        {
            var at = Start.AddMinutes((hour * 60) + minute);
            foreach (var function in Functions)
            {
                var invocations = random.Next(0, 200);
                points.Add(new MetricPoint
                {
                    Function = function,
                    Minute = at,
                    Invocations = invocations,
                    Errors = random.Next(0, 100) < 3 ? 1 : 0,
                    Throttles = 0,
                    DurationAvgMs = 20 + (random.NextDouble() * 180),
                    DurationP50Ms = 20 + (random.NextDouble() * 100),
                    DurationP90Ms = 120 + (random.NextDouble() * 200),
                    DurationP99Ms = 320 + (random.NextDouble() * 600),
                    ConcurrentExecutions = random.Next(0, 20),
                    ColdStarts = random.Next(0, 100) < 5 ? 1 : 0,
                });
            }
        }

        return points;
    }
}

/// <summary>A store of either engine at a named place kept between benchmark processes.</summary>
internal sealed class StoreBench
{
    private readonly string? _directory;
    private readonly string? _database;

    private StoreBench(RelationalStore store, string? directory, string? database)
    {
        Store = store;
        _directory = directory;
        _database = database;
    }

    public RelationalStore Store { get; }

    public static async Task<StoreBench> OpenAsync(StoreKind kind, string name, bool reset)
    {
        StoreOptions options;
        string? directory = null;
        string? database = null;
        if (kind == StoreKind.Sqlite)
        {
            directory = Path.Combine(Path.GetTempPath(), "observe-bench", name);
            if (reset && Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }

            options = new StoreOptions { DataDirectory = directory };
        }
        else
        {
            database = $"observe_bench_{name}";
            if (reset)
            {
                await AdminAsync($"DROP DATABASE IF EXISTS {database} WITH (FORCE)");
            }

            if (!await DatabaseExistsAsync(database))
            {
                await AdminAsync($"CREATE DATABASE {database}");
            }

            options = new StoreOptions
            {
                Kind = nameof(StoreKind.PostgreSql),
                ConnectionString = new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = database }.ToString(),
            };
        }

        var store = StoreServiceCollectionExtensions.CreateStore(options, NullLoggerFactory.Instance);
        await store.MigrateAsync(CancellationToken.None);
        return new StoreBench(store, directory, database);
    }

    public async Task DisposeAsync(bool delete)
    {
        await Store.DisposeAsync();
        if (!delete)
        {
            return;
        }

        if (_directory is not null)
        {
            Directory.Delete(_directory, recursive: true);
        }

        if (_database is not null)
        {
            await AdminAsync($"DROP DATABASE IF EXISTS {_database} WITH (FORCE)");
        }
    }

    private static string AdminConnectionString =>
        Environment.GetEnvironmentVariable("OBSERVE_TEST_POSTGRES") is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                "OBSERVE_TEST_POSTGRES is not set: start PostgreSQL with scripts/peers.sh start and export the variables in .peers/env");

    private static async Task AdminAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<bool> DatabaseExistsAsync(string database)
    {
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT COUNT(*) FROM pg_database WHERE datname = @name", connection);
        command.Parameters.AddWithValue("name", database);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture) > 0;
    }
}

/// <summary>One invocation per iteration (each writes a new hour) and a points-per-second column next to the time per point.</summary>
internal sealed class StoreInsertConfig : ManualConfig
{
    public StoreInsertConfig()
    {
        AddJob(Job.Default
            .WithStrategy(RunStrategy.Monitoring)
            .WithLaunchCount(1)
            .WithWarmupCount(1)
            .WithIterationCount(5)
            .WithInvocationCount(1)
            .WithUnrollFactor(1));
        AddColumn(new PointsPerSecondColumn());
    }
}

/// <summary>Points written per second: the inverse of the mean time per point (the benchmark reports one operation per point).</summary>
internal sealed class PointsPerSecondColumn : IColumn
{
    public string Id => nameof(PointsPerSecondColumn);

    public string ColumnName => "Points/s";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => "Metric points written per second (1 s / Mean, Mean being the time per point)";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) =>
        summary[benchmarkCase]?.ResultStatistics is { Mean: > 0 } statistics
            ? (1e9 / statistics.Mean).ToString("N0", CultureInfo.InvariantCulture)
            : "-";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public bool IsAvailable(Summary summary) => true;
}
