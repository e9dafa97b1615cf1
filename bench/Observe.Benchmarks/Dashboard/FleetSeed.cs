using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Observe.Store;
using Observe.Store.Model;

namespace Observe.Benchmarks.Dashboard;

/// <summary>
/// The fleet of issue 11's benchmarks, written into a SQLite store through the store's own API, as the collectors
/// would: 10,000 functions over 5 accounts and 4 regions, and 30 days of per-minute metrics ending now, rolled into
/// hours past the 7-day raw retention by the store's retention, plus 7 days of invocation reports and 1,000 alarms.
/// Traffic is shaped like a real fleet's: 2% of functions busy every minute, 25% invoked every quarter hour, 40% once
/// an hour and a third idle. Deterministic (fixed seed) apart from where "now" falls.
/// </summary>
internal static class FleetSeed
{
    public const int Accounts = 5;
    public const int FunctionsPerRegion = 500;
    public static readonly string[] Regions = ["us-east-1", "eu-west-1", "ap-southeast-2", "us-west-2"];

    private static readonly string[] Runtimes = ["dotnet8", "nodejs22.x", "python3.12", "java21", "nodejs20.x", "python3.9", "dotnet6", "provided.al2023", "ruby3.3", "go1.x"];
    private static readonly string[] Teams = ["checkout", "fulfilment", "identity", "engagement", "discovery", "data", "content", "platform"];

    public static string AccountId(int account) => $"10000000000{account + 1}";

    public static FunctionKey Function(int account, int region, int index) =>
        new(AccountId(account), Regions[region], $"svc-{index % 40:00}-handler-{index:000}");

    /// <summary>0 busy, 1 every quarter hour, 2 hourly, 3 idle.</summary>
    public static int Activity(int index) => (index % 100) switch
    {
        < 2 => 0,
        < 27 => 1,
        < 67 => 2,
        _ => 3,
    };

    /// <summary>Writes the fleet into a new store in <paramref name="directory"/>; returns the number of metric points written.</summary>
    public static async Task<long> WriteAsync(string directory, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        await using var store = StoreServiceCollectionExtensions.CreateStore(new StoreOptions { DataDirectory = directory }, NullLoggerFactory.Instance);
        await store.MigrateAsync(cancellationToken);

        var random = new Random(11);
        var functions = new List<LambdaFunction>();
        for (var a = 0; a < Accounts; a++)
        {
            for (var r = 0; r < Regions.Length; r++)
            {
                for (var i = 0; i < FunctionsPerRegion; i++)
                {
                    functions.Add(Configuration(Function(a, r, i), i, random, now));
                }
            }
        }

        await store.UpsertFunctionsAsync(functions, cancellationToken);
        await store.UpsertAlarmsAsync([.. functions.Where((_, n) => n % 10 == 0).Select((f, n) => Alarm(f, n, now))], cancellationToken);

        var end = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, 0, TimeSpan.Zero);
        var start = end.AddDays(-30);
        long points = 0;
        var batch = new List<MetricPoint>(120_000);
        var reports = new List<InvocationReport>();
        for (var day = start; day < end; day = day.AddDays(1))
        {
            var dayEnd = day.AddDays(1) < end ? day.AddDays(1) : end;
            for (var minute = day; minute < dayEnd; minute = minute.AddMinutes(1))
            {
                var m = (int)(minute - start).TotalMinutes;
                for (var n = 0; n < functions.Count; n++)
                {
                    var index = n % FunctionsPerRegion;
                    var invoked = Activity(index) switch
                    {
                        0 => true,
                        1 => (m + n) % 15 == 0,
                        2 => (m + n) % 60 == 0,
                        _ => false,
                    };
                    if (invoked)
                    {
                        batch.Add(Point(functions[n], index, minute, m, random));
                    }
                }

                if (batch.Count >= 100_000)
                {
                    await store.WriteMetricsAsync(batch, cancellationToken);
                    points += batch.Count;
                    batch.Clear();
                }
            }

            await store.WriteMetricsAsync(batch, cancellationToken);
            points += batch.Count;
            batch.Clear();

            // Reports are kept 7 days: ten a day for every function invoked more than hourly.
            if (day >= end.AddDays(-7))
            {
                foreach (var function in functions.Where((_, n) => Activity(n % FunctionsPerRegion) <= 1))
                {
                    for (var k = 0; k < 10; k++)
                    {
                        reports.Add(Report(function, day.AddMinutes(k * 144 + random.Next(60)), random));
                    }
                }

                await store.WriteInvocationReportsAsync(reports, cancellationToken);
                reports.Clear();
            }

            // What the dashboard's hourly retention would have done by the end of that day.
            await store.ApplyRetentionAsync(dayEnd > end.AddDays(-7) ? end : dayEnd.AddDays(7), cancellationToken);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"seed: {day:yyyy-MM-dd} written, {points:N0} points so far, {watch.Elapsed.TotalSeconds:N0} s"));
        }

        await FleetSeedInvestigation.WriteAsync(store, functions, end, cancellationToken);
        return points;
    }

    /// <summary>
    /// The fleet's functions with only the Errors and Traces pages' data (<see cref="FleetSeedInvestigation"/>), none
    /// of the 30 days of metrics: those pages do not read metrics, and this takes a minute instead of most of an hour
    /// on a loaded machine. Same functions, same errors and traces as <see cref="WriteAsync"/>.
    /// </summary>
    public static async Task WriteInvestigationOnlyAsync(string directory, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var store = StoreServiceCollectionExtensions.CreateStore(new StoreOptions { DataDirectory = directory }, NullLoggerFactory.Instance);
        await store.MigrateAsync(cancellationToken);
        var random = new Random(11);
        var functions = new List<LambdaFunction>();
        for (var a = 0; a < Accounts; a++)
        {
            for (var r = 0; r < Regions.Length; r++)
            {
                for (var i = 0; i < FunctionsPerRegion; i++)
                {
                    functions.Add(Configuration(Function(a, r, i), i, random, now));
                }
            }
        }

        await store.UpsertFunctionsAsync(functions, cancellationToken);
        var end = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, 0, TimeSpan.Zero);
        await FleetSeedInvestigation.WriteAsync(store, functions, end, cancellationToken);
    }

    private static LambdaFunction Configuration(FunctionKey key, int index, Random random, DateTimeOffset now)
    {
        var memory = new[] { 128, 256, 512, 1024, 1769, 3008 }[random.Next(6)];
        var tags = new Dictionary<string, string> { ["env"] = "prod" };
        if (index % 5 != 0)
        {
            tags["team"] = Teams[index % Teams.Length];
        }

        return new LambdaFunction
        {
            Key = key,
            Arn = $"arn:aws:lambda:{key.Region}:{key.AccountId}:function:{key.Name}",
            Runtime = index % 17 == 0 ? null : Runtimes[index % Runtimes.Length],
            PackageType = index % 17 == 0 ? "Image" : "Zip",
            Architecture = index % 3 == 0 ? "arm64" : "x86_64",
            MemoryMb = memory,
            TimeoutSeconds = new[] { 3, 10, 30, 60, 900 }[random.Next(5)],
            CodeSizeBytes = random.Next(10_000, 50_000_000),
            LastModified = now.AddDays(-random.Next(1, 400)),
            Tags = tags,
            Layers = index % 4 == 0 ? [$"arn:aws:lambda:{key.Region}:580247275435:layer:LambdaInsightsExtension:53"] : [],
            EventSources = index % 10 == 3 ? [new EventSourceMapping($"uuid-{index}", $"arn:aws:sqs:{key.Region}:{key.AccountId}:queue-{index}", "Enabled", 10)] : [],
            Aliases = [new FunctionAlias("live", "3")],
            PublishedVersions = ["1", "2", "3"],
            ProvisionedConcurrency = index % 50 == 0 ? 5 : 0,
            LastSeen = now,
        };
    }

    private static MetricPoint Point(LambdaFunction function, int index, DateTimeOffset minute, int m, Random random)
    {
        var invocations = Activity(index) == 0 ? 50 + random.Next(450) : 1 + random.Next(20);
        var duration = 20 + (index % 13) * 40 + random.Next(50);
        return new MetricPoint
        {
            Function = function.Key,
            Minute = minute,
            Invocations = invocations,
            Errors = index % 9 == 0 ? random.Next(Math.Max(1, invocations / 20)) : 0,
            Throttles = index % 31 == 0 && m % 7 == 0 ? 1 : 0,
            DurationAvgMs = duration,
            DurationP50Ms = duration * 0.9,
            DurationP90Ms = duration * 1.6,
            DurationP99Ms = duration * 2.5,
            ConcurrentExecutions = Math.Max(1, invocations * duration / 60_000d),
            IteratorAgeMs = function.EventSources.Count > 0 ? random.Next(100, 5_000) : null,
            ColdStarts = random.Next(100) < 3 ? 1 : 0,
        };
    }

    private static InvocationReport Report(LambdaFunction function, DateTimeOffset at, Random random)
    {
        double duration = 20 + random.Next(800);
        var cold = random.Next(100) < 5;
        return new InvocationReport
        {
            Function = function.Key,
            RequestId = Guid.NewGuid().ToString(),
            Timestamp = at,
            DurationMs = duration,
            BilledDurationMs = Math.Ceiling(duration),
            MemorySizeMb = function.MemoryMb,
            MaxMemoryUsedMb = Math.Min(function.MemoryMb, 60 + random.Next(function.MemoryMb)),
            InitDurationMs = cold ? 200 + random.Next(800) : null,
            Status = random.Next(200) == 0 ? "timeout" : "success",
        };
    }

    private static CloudWatchAlarm Alarm(LambdaFunction function, int n, DateTimeOffset now) => new()
    {
        AccountId = function.Key.AccountId,
        Region = function.Key.Region,
        Name = $"{function.Key.Name}-errors",
        Arn = $"arn:aws:cloudwatch:{function.Key.Region}:{function.Key.AccountId}:alarm:{function.Key.Name}-errors",
        State = n % 25 == 0 ? AlarmState.Alarm : n % 11 == 0 ? AlarmState.InsufficientData : AlarmState.Ok,
        StateReason = "Threshold Crossed: 1 datapoint [3.0] was greater than the threshold (1.0).",
        StateUpdated = now.AddHours(-(n % 72)),
        FunctionName = function.Key.Name,
        MetricName = "Errors",
        Namespace = "AWS/Lambda",
    };
}
